"""Numeric chunk values may be stored as byte planes (PostgreSQL, where they pay: `chunks.planes_pay`).
Nothing to change in the schema: rows are written so from this revision on, and rows written before
read as they are. The revision exists so that a server of an earlier version, which would fail to
read such rows, refuses to start on a database that holds them (it does not know this revision);
the downgrade rewrites them as plain float64 values for it.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from runyard.store.chunks import decode_floats, planar_sql

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_chunks = sa.table(
    "metric_chunks",
    sa.column("id", sa.BigInteger),
    sa.column("numeric", sa.Boolean),
    sa.column("vals", sa.LargeBinary),
)


def upgrade() -> None:
    pass


def downgrade() -> None:
    conn = op.get_bind()
    planar = sa.and_(_chunks.c.numeric, planar_sql(_chunks.c.vals))
    last = 0
    while True:  # 1,000 rows (up to 32 MB of values) at a time
        q = sa.select(_chunks.c.id, _chunks.c.vals).where(planar, _chunks.c.id > last)
        rows = conn.execute(q.order_by(_chunks.c.id).limit(1000)).all()
        if not rows:
            return
        upd = (
            sa.update(_chunks).where(_chunks.c.id == sa.bindparam("b_id")).values(vals=sa.bindparam("b_vals"))
        )
        conn.execute(upd, [{"b_id": i, "b_vals": decode_floats(bytes(v)).tobytes()} for i, v in rows])
        last = rows[-1].id
