"""The model registry: registries of an entity, their collections, versions linking to artifact
versions, and aliases; an index on the audit log's target (a collection's history is read by it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "registries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.UniqueConstraint("entity_id", "name", name="uq_registries_entity_name"),
    )
    op.create_table(
        "registry_collections",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("registry_id", ID, sa.ForeignKey("registries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("next_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("registry_id", "name", name="uq_registry_collections_name"),
    )
    op.create_table(
        "registry_versions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "collection_id",
            ID,
            sa.ForeignKey("registry_collections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version_index", sa.Integer(), nullable=False),
        sa.Column(
            "artifact_version_id",
            ID,
            sa.ForeignKey("artifact_versions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("linked_at", sa.Float(), nullable=False),
        sa.Column("linked_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.UniqueConstraint("collection_id", "version_index", name="uq_registry_versions_index"),
        sa.UniqueConstraint("collection_id", "artifact_version_id", name="uq_registry_versions_artifact"),
    )
    op.create_index("ix_registry_versions_artifact", "registry_versions", ["artifact_version_id"])
    op.create_table(
        "registry_aliases",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "collection_id",
            ID,
            sa.ForeignKey("registry_collections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "version_id", ID, sa.ForeignKey("registry_versions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("alias", sa.String(length=128), nullable=False),
        sa.UniqueConstraint("collection_id", "alias", name="uq_registry_aliases_alias"),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_table("registry_aliases")
    op.drop_index("ix_registry_versions_artifact", table_name="registry_versions")
    op.drop_table("registry_versions")
    op.drop_table("registry_collections")
    op.drop_table("registries")
