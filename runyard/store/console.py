"""Console output of runs: one row per line, ordered by (segment ordinal, seq)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .tables import console_lines

STREAMS = {1: "stdout", 2: "stderr"}


class Console:
    def append(self, conn: Connection, run_pk: int, rows: list[dict]) -> None:
        if rows:
            conn.execute(sa.insert(console_lines), [dict(r, run_pk=run_pk) for r in rows])

    def lines(self, conn: Connection, run_pk: int, after: int = -1, limit: int = 1000) -> list[dict]:
        q = (
            sa.select(console_lines.c.gseq, console_lines.c.ts, console_lines.c.stream, console_lines.c.line)
            .where(console_lines.c.run_pk == run_pk, console_lines.c.gseq > after)
            .order_by(console_lines.c.gseq)
            .limit(limit)
        )
        return [
            {"cursor": r.gseq, "ts": r.ts, "stream": STREAMS.get(r.stream, str(r.stream)), "line": r.line}
            for r in conn.execute(q)
        ]

    def count(self, conn: Connection, run_pk: int) -> int:
        return conn.execute(
            sa.select(sa.func.count()).select_from(console_lines).where(console_lines.c.run_pk == run_pk)
        ).scalar_one()
