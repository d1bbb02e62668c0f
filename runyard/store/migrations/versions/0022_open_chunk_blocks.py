"""`metric_blocks` keeps the block statistics of open chunks only: a full chunk's are its level-0
records in `metric_summaries` (written there since 0015), so the copy here is dropped (~0.44 B a point).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa
from alembic import op

from runyard.store.chunks import BLOCK_DTYPE
from runyard.store.summaries import SUMMARY_DTYPE

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    b = sa.table("metric_blocks", sa.column("chunk_id"))
    k = sa.table("metric_keys", sa.column("open_chunk_id"))
    opened = sa.select(k.c.open_chunk_id).where(k.c.open_chunk_id.is_not(None))
    op.execute(sa.delete(b).where(b.c.chunk_id.not_in(opened)))


def downgrade() -> None:
    """The blocks of full chunks again, from their level-0 records."""
    b = sa.table("metric_blocks", sa.column("chunk_id"), sa.column("blocks"))
    s = sa.table("metric_summaries", sa.column("level"), sa.column("recs"))
    conn = op.get_bind()
    for row in conn.execute(sa.select(s.c.recs).where(s.c.level == 0)).all():
        recs = np.frombuffer(row.recs, SUMMARY_DTYPE)
        cut = np.flatnonzero(np.diff(recs["chunk"])) + 1
        rows = []
        for part in np.split(recs, cut):
            out = np.empty(len(part), BLOCK_DTYPE)
            for f in BLOCK_DTYPE.names or ():
                out[f] = part[f]
            rows.append({"chunk_id": int(part["chunk"][0]), "blocks": out.tobytes()})
        conn.execute(sa.insert(b), rows)
