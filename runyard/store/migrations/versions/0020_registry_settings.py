"""Registries created as wandb 0.31's `api.create_registry` does: a description and the artifact types
a registry accepts (NULL: every type; a link of another type is refused).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("registries") as b:
        b.add_column(sa.Column("description", sa.Text(), nullable=True))
        b.add_column(sa.Column("artifact_types", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registries") as b:
        b.drop_column("artifact_types")
        b.drop_column("description")
