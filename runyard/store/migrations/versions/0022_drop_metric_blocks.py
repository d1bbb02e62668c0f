"""The `metric_blocks` table goes: a full chunk's block statistics are its level-0 records in
`metric_summaries` (written there since 0015), and a query computes an open chunk's from its values
(store/summaries.py), so the copy here cost ~0.44 B a point and two statements an append.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.drop_table("metric_blocks")


def downgrade() -> None:
    """The table again, with the blocks of every numeric chunk computed from its values."""
    op.create_table(
        "metric_blocks",
        sa.Column(
            "chunk_id",
            ID,
            sa.ForeignKey("metric_chunks.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("blocks", sa.LargeBinary(), nullable=False),
    )
    importlib.import_module("runyard.store.migrations.versions.0014_metric_blocks_table").backfill(
        op.get_bind()
    )
