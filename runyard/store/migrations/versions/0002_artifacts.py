"""Artifacts: collections (names), versions, aliases, manifest entries, lineage links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "artifact_collections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("next_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "name", name="uq_artifact_collections_project_name"),
    )
    op.create_table(
        "artifact_versions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("collection_id", ID, nullable=False),
        sa.Column("version_index", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.ForeignKeyConstraint(["collection_id"], ["artifact_collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["entities.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_id", "version_index", name="uq_artifact_versions_index"),
        sa.UniqueConstraint("collection_id", "digest", name="uq_artifact_versions_digest"),
    )
    op.create_table(
        "artifact_aliases",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("collection_id", ID, nullable=False),
        sa.Column("version_id", ID, nullable=False),
        sa.Column("alias", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["artifact_collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["artifact_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_id", "alias", name="uq_artifact_aliases_alias"),
    )
    op.create_table(
        "artifact_entries",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("version_id", ID, nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=True),
        sa.Column("extra", JSON, nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["artifact_versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version_id", "path", name="uq_artifact_entries_path"),
    )
    op.create_index("ix_artifact_entries_sha256", "artifact_entries", ["sha256"], unique=False)
    op.create_table(
        "artifact_links",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("run_pk", ID, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("entity", sa.String(length=128), nullable=False),
        sa.Column("project", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_pk"], ["runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "run_pk", "kind", "entity", "project", "name", "digest", name="uq_artifact_links"
        ),
    )
    op.create_index(
        "ix_artifact_links_target", "artifact_links", ["entity", "project", "name", "digest"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_artifact_links_target", table_name="artifact_links")
    op.drop_table("artifact_links")
    op.drop_index("ix_artifact_entries_sha256", table_name="artifact_entries")
    op.drop_table("artifact_entries")
    op.drop_table("artifact_aliases")
    op.drop_table("artifact_versions")
    op.drop_table("artifact_collections")
