"""A deleted artifact version keeps its row as a tombstone (`deleted_at` set; files, aliases and
registry links go), so the runs that logged or used it still name it, shown as deleted.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("artifact_versions") as b:
        b.add_column(sa.Column("deleted_at", sa.Float(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM artifact_versions WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("artifact_versions") as b:
        b.drop_column("deleted_at")
