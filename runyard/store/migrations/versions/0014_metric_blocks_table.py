"""Metric chunks: the block statistics move from `metric_chunks.blocks` to a table of their own
(`metric_blocks`), so that reading them does not step over the chunk's values.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from alembic import op

from runyard.store.chunks import block_stats, decode_floats, decode_steps

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 500  # chunks per read (~16 MB of values)


def upgrade() -> None:
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
    op.execute(
        "INSERT INTO metric_blocks (chunk_id, blocks) SELECT id, blocks FROM metric_chunks "
        "WHERE numeric AND blocks IS NOT NULL"
    )
    op.drop_column("metric_chunks", "blocks")
    backfill(op.get_bind())


def backfill(conn: sa.Connection) -> None:
    """Compute the blocks of every numeric chunk that has none, in batches by id."""
    c = sa.table(
        "metric_chunks",
        sa.column("id"),
        sa.column("numeric"),
        sa.column("n"),
        sa.column("step_min"),
        sa.column("steps"),
        sa.column("vals"),
    )
    b = sa.table("metric_blocks", sa.column("chunk_id"), sa.column("blocks"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(c.c.id, c.c.n, c.c.step_min, c.c.steps, c.c.vals)
            .where(
                c.c.id > last,
                c.c.numeric,
                ~sa.exists().where(b.c.chunk_id == c.c.id),
            )
            .order_by(c.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            sa.insert(b),
            [
                {
                    "chunk_id": r.id,
                    "blocks": block_stats(
                        decode_steps(bytes(r.steps), r.step_min, r.n),
                        np.asarray(decode_floats(bytes(r.vals))),
                    ),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.add_column("metric_chunks", sa.Column("blocks", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE metric_chunks SET blocks = "
        "(SELECT blocks FROM metric_blocks WHERE metric_blocks.chunk_id = metric_chunks.id)"
    )
    op.drop_table("metric_blocks")
