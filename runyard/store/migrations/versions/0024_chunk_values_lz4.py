"""`metric_chunks.vals` on PostgreSQL: TOAST-compressed with lz4 where the server has it. A full chunk's
values (32 KB) are always TOASTed, and PostgreSQL's default compression (pglz) was the largest part of the
database's work of an ingest request: for values that came from float32 tensors (most losses) ~1.2 ms
a chunk, ~0.3 s of database CPU per million points; lz4 ~0.1 ms (docs/architecture.md, "Metric
engine"). lz4 keeps such values ~73 % of raw where pglz made them ~56 %. A server built without lz4
keeps pglz (uncompressed values would take twice the disk). Values written before stay as they are
and read the same. SQLite stores blobs as they are.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from runyard.store.db import pg_has_lz4

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql" and pg_has_lz4(op.get_bind()):
        op.execute("ALTER TABLE metric_chunks ALTER COLUMN vals SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql" and pg_has_lz4(op.get_bind()):
        op.execute("ALTER TABLE metric_chunks ALTER COLUMN vals SET COMPRESSION DEFAULT")
