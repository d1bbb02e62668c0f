"""Blobs gc must keep that neither an artifact entry nor a run file names yet: those a protocol document
holds (`blob_holds`: a wandb run's files sent before its first history line, the files and manifest of
a wandb artifact between its upload and its commit), and the manifest a client sent for an artifact
version (`artifact_versions.manifest_blob`, served back verbatim). The manifests the wandb layer used
to remember in its per-collection index documents move to their versions.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_holds",
        sa.Column("kind", sa.String(length=16), primary_key=True),
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("expires_at", sa.Float, nullable=True),
    )
    op.create_index("ix_blob_holds_sha256", "blob_holds", ["sha256"])
    with op.batch_alter_table("artifact_versions") as b:
        b.add_column(sa.Column("manifest_blob", sa.String(length=64), nullable=True))
    op.create_index("ix_artifact_versions_manifest_blob", "artifact_versions", ["manifest_blob"])
    _manifests_to_versions()


def _manifests_to_versions() -> None:
    """The wandb layer's index document of a collection (protocol_state, kind `index`, named by a
    digest of entity, project and name) mapped each version digest to the client's manifest blob."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT v.id, v.digest, c.name AS collection, p.name AS project, e.name AS entity"
            " FROM artifact_versions v JOIN artifact_collections c ON c.id = v.collection_id"
            " JOIN projects p ON p.id = c.project_id JOIN entities e ON e.id = p.entity_id"
            " WHERE v.deleted_at IS NULL"
        )
    ).fetchall()
    docs: dict[str, dict] = {}
    for row in rows:
        name = hashlib.sha256("\0".join((row.entity, row.project, row.collection)).encode()).hexdigest()[:40]
        if name not in docs:
            raw = conn.execute(
                sa.text("SELECT doc FROM protocol_state WHERE kind = 'index' AND name = :n"), {"n": name}
            ).scalar()
            doc = json.loads(raw) if raw else None
            docs[name] = (doc.get("by_digest") or {}) if isinstance(doc, dict) else {}
        sha = (docs[name].get(row.digest) or {}).get("manifest")
        if isinstance(sha, str) and len(sha) == 64:
            conn.execute(
                sa.text("UPDATE artifact_versions SET manifest_blob = :s WHERE id = :i"),
                {"s": sha, "i": row.id},
            )


def downgrade() -> None:
    op.drop_index("ix_artifact_versions_manifest_blob", "artifact_versions")
    with op.batch_alter_table("artifact_versions") as b:
        b.drop_column("manifest_blob")
    op.drop_index("ix_blob_holds_sha256", "blob_holds")
    op.drop_table("blob_holds")
