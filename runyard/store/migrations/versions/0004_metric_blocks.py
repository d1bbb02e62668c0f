"""Metric chunks: the per-block statistics level (`blocks`), computed here for existing chunks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from alembic import op

from runyard.store.chunks import block_stats, decode_floats, decode_steps

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 500  # chunks per read (~16 MB of values)


def upgrade() -> None:
    op.add_column("metric_chunks", sa.Column("blocks", sa.LargeBinary(), nullable=True))
    backfill(op.get_bind())


def backfill(conn: sa.Connection) -> None:
    """Compute `blocks` of every numeric chunk that lacks it, in batches by id."""
    t = sa.table(
        "metric_chunks",
        sa.column("id"),
        sa.column("numeric"),
        sa.column("n"),
        sa.column("step_min"),
        sa.column("steps"),
        sa.column("vals"),
        sa.column("blocks"),
    )
    upd = sa.update(t).where(t.c.id == sa.bindparam("b_id")).values(blocks=sa.bindparam("b_blocks"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(t.c.id, t.c.n, t.c.step_min, t.c.steps, t.c.vals)
            .where(t.c.id > last, t.c.numeric, t.c.blocks.is_(None))
            .order_by(t.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        conn.execute(
            upd,
            [
                {
                    "b_id": r.id,
                    "b_blocks": block_stats(
                        decode_steps(bytes(r.steps), r.step_min, r.n),
                        np.asarray(decode_floats(bytes(r.vals))),
                    ),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_column("metric_chunks", "blocks")
