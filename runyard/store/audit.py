"""The audit log: who created, changed, deleted or moved what. Written in the same transaction as
the change it records, so the log and the data cannot disagree."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .entities import User
from .tables import audit_log


class Audit:
    def __init__(self, db: Database):
        self.db = db

    def record(self, conn: Connection, actor: User | None, action: str, target: str, **detail: Any) -> None:
        conn.execute(
            sa.insert(audit_log).values(
                at=time.time(),
                actor_id=actor.id if actor is not None and not actor.anonymous else None,
                actor=actor.name if actor is not None else "(server)",
                action=action,
                target=target[:1024],
                detail=detail,
            )
        )

    def page(
        self,
        conn: Connection,
        before: int | None = None,
        limit: int = 100,
        action: str | None = None,
        actor: str | None = None,
    ) -> list[dict]:
        """Entries newest first; `before` (an entry id) pages further back."""
        q = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if before is not None:
            q = q.where(audit_log.c.id < before)
        if action:
            q = q.where(audit_log.c.action.startswith(action, autoescape=True))
        if actor:
            q = q.where(audit_log.c.actor == actor)
        return [dict(r._mapping) for r in conn.execute(q)]
