"""Blob ownership: which entity each blob was uploaded into; run files indexed by blob.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "blob_owners",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entity_id", ID, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sha256", "entity_id"),
    )
    op.create_index("ix_run_files_sha256", "run_files", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_run_files_sha256", table_name="run_files")
    op.drop_table("blob_owners")
