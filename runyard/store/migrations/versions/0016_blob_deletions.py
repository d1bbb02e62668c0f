"""Blobs gc deleted or is deleting, so that an artifact commit or a run file naming one of them at
the same moment is refused instead of pointing at a deleted blob (store/blob_deletions.py).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_deletions",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("deleting", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("blob_deletions")
