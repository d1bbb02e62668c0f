"""Runs lists sorted by a config or summary value: the runs' scalar values, one row per leaf, under
an index per type (store/run_values.py), filled for the runs already there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runyard.store import run_values
from runyard.store.tables import NUMBER

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "run_values",
        sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(length=300), primary_key=True),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("num", NUMBER),
        sa.Column("str", sa.Text),
    )
    for name, cols, where in (
        ("num", ["num", "run_pk"], "num IS NOT NULL"),
        ("str", ["str", "run_pk"], "num IS NULL"),
        ("opaque", [], "num IS NULL AND str IS NULL"),
    ):
        op.create_index(
            f"ix_run_values_{name}",
            "run_values",
            ["project_id", "field", *cols],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    run_values.backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("run_values")
