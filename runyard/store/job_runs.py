"""Rounds of periodic jobs that must run once per period across every process on the database.

`claim` is the one door: in one write transaction it takes the job's advisory lock without waiting
(`Database.xact_lock`; another process claiming at this instant makes this one skip) and moves the
job's `started_at` forward only if the latest round started at least `period` seconds ago. The
conditional UPDATE is atomic on its own too (under PostgreSQL's READ COMMITTED a second UPDATE waits
for the first and then re-checks its WHERE), so of all the processes whose timers fire in one period
exactly one gets the round. The work itself runs after the claim's transaction, outside any lock: a
process that dies mid-round leaves `finished_at` unset, and the next period's round runs again.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import job_runs as t


class JobRuns:
    def __init__(self, db: Database):
        self.db = db

    def claim(self, conn: Connection, name: str, period: float, now: float) -> bool:
        """True when this caller runs the round of `name` due at `now` (nobody started one within
        `period` seconds); False when another process has it or had it."""
        if not self.db.xact_lock(conn, "job:" + name, wait=False):
            return False
        first = conn.execute(
            self.db.insert(t).values(name=name, started_at=now).on_conflict_do_nothing().returning(t.c.name)
        ).first()
        if first is not None:  # (rowcount is -1 there on PostgreSQL)
            return True
        moved = conn.execute(
            sa.update(t)
            .where(t.c.name == name, t.c.started_at <= now - period)
            .values(started_at=now, finished_at=None)
        ).rowcount
        return bool(moved)

    def finish(self, conn: Connection, name: str, started_at: float, now: float, result: Any) -> None:
        """Record the end of the round claimed at `started_at` (a later claim's row is left alone)."""
        conn.execute(
            sa.update(t)
            .where(t.c.name == name, t.c.started_at == started_at)
            .values(finished_at=now, result=json.dumps(result))
        )

    def last(self, conn: Connection, name: str) -> dict | None:
        row = conn.execute(sa.select(t).where(t.c.name == name)).first()
        if row is None:
            return None
        return {
            "started_at": row.started_at,
            "finished_at": row.finished_at,
            "result": None if row.result is None else json.loads(row.result),
        }
