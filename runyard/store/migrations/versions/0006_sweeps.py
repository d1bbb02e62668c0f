"""Sweeps and their trials (the server's sweep controller).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sweeps",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("sweep_id", sa.String(length=64), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("created_by", ID),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["entities.id"], ondelete="SET NULL"),
        sa.UniqueConstraint("project_id", "sweep_id", name="uq_sweeps_project_sweep"),
    )
    op.create_table(
        "sweep_trials",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("sweep_pk", ID, nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(length=128), nullable=False),
        sa.Column("run_ids", JSON, nullable=False),
        sa.Column("agent", sa.String(length=256)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["sweep_pk"], ["sweeps.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("sweep_pk", "idx", name="uq_sweep_trials_index"),
    )


def downgrade() -> None:
    op.drop_table("sweep_trials")
    op.drop_table("sweeps")
