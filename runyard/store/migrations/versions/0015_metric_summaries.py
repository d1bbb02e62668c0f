"""Metric summary levels per series (`metric_summaries`, see store/summaries.py), computed for the
numeric chunks that exist from their block statistics.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runyard.store.summaries import write

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 2000  # chunks per read (~4 MB of block statistics)


def upgrade() -> None:
    op.create_table(
        "metric_summaries",
        sa.Column(
            "key_id",
            ID,
            sa.ForeignKey("metric_keys.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("level", sa.SmallInteger(), primary_key=True, autoincrement=False),
        sa.Column("seg_no", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("step_min", sa.BigInteger(), nullable=False),
        sa.Column("step_max", sa.BigInteger(), nullable=False),
        sa.Column("recs", sa.LargeBinary(), nullable=False),
    )
    backfill(op.get_bind())


def backfill(conn: sa.Connection) -> None:
    """The rows of every full numeric chunk (not a key's open chunk), in batches by (key, chunk
    number); a batch that ends inside a row is completed by the next one (`write` keeps the records
    already there)."""
    c = sa.table("metric_chunks", sa.column("id"), sa.column("key_id"), sa.column("chunk_no"))
    b = sa.table("metric_blocks", sa.column("chunk_id"), sa.column("blocks"))
    k = sa.table("metric_keys", sa.column("open_chunk_id"))
    opened = set(conn.execute(sa.select(k.c.open_chunk_id).where(k.c.open_chunk_id.is_not(None))).scalars())
    after = (-1, -1)
    while True:
        rows = conn.execute(
            sa.select(c.c.key_id, c.c.chunk_no, c.c.id, b.c.blocks)
            .join(b, b.c.chunk_id == c.c.id)
            .where(sa.tuple_(c.c.key_id, c.c.chunk_no) > after)
            .order_by(c.c.key_id, c.c.chunk_no)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        write(conn, [(r.key_id, r.chunk_no, r.id, bytes(r.blocks)) for r in rows if r.id not in opened])
        after = (rows[-1].key_id, rows[-1].chunk_no)


def downgrade() -> None:
    op.drop_table("metric_summaries")
