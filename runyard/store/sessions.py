"""Browser sessions: the cookie carries a random token, the table its sha256 (like API keys)."""

from __future__ import annotations

import secrets
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .entities import User, hash_key
from .tables import entities, sessions


class Sessions:
    def __init__(self, db: Database):
        self.db = db

    def create(
        self, conn: Connection, user_id: int, lifetime: float, ip: str | None, user_agent: str | None
    ) -> tuple[int, str]:
        """A new session of `user_id`: (its id, the token for the cookie, never stored)."""
        token, now = secrets.token_urlsafe(32), time.time()
        pk = conn.execute(
            sa.insert(sessions).values(
                user_id=user_id,
                token_hash=hash_key(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
                ip=(ip or "")[:64] or None,
                user_agent=(user_agent or "")[:256] or None,
            )
        ).inserted_primary_key
        assert pk is not None
        return int(pk[0]), token

    def user_for_token(self, conn: Connection, token: str) -> User | None:
        q = (
            sa.select(entities.c.id, entities.c.name, entities.c.is_admin, sessions.c.id.label("sid"))
            .join(sessions, sessions.c.user_id == entities.c.id)
            .where(
                sessions.c.token_hash == hash_key(token),
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > time.time(),
            )
        )
        row = conn.execute(q).first()
        return User(row.id, row.name, bool(row.is_admin), session_id=row.sid) if row else None

    def alive(self, conn: Connection, session_id: int) -> bool:
        q = sa.select(sessions.c.id).where(
            sessions.c.id == session_id, sessions.c.revoked_at.is_(None), sessions.c.expires_at > time.time()
        )
        return conn.execute(q).first() is not None

    def touch(self, conn: Connection, session_ids: list[int], at: float) -> None:
        if session_ids:
            conn.execute(sa.update(sessions).where(sessions.c.id.in_(session_ids)).values(last_seen_at=at))

    def listing(self, conn: Connection, user_id: int) -> list[dict]:
        """The user's live sessions, newest first."""
        q = (
            sa.select(
                sessions.c.id,
                sessions.c.created_at,
                sessions.c.last_seen_at,
                sessions.c.expires_at,
                sessions.c.ip,
                sessions.c.user_agent,
            )
            .where(
                sessions.c.user_id == user_id,
                sessions.c.revoked_at.is_(None),
                sessions.c.expires_at > time.time(),
            )
            .order_by(sessions.c.id.desc())
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def owner(self, conn: Connection, session_id: int) -> int | None:
        return conn.execute(sa.select(sessions.c.user_id).where(sessions.c.id == session_id)).scalar()

    def revoke(self, conn: Connection, session_id: int) -> bool:
        res = conn.execute(
            sa.update(sessions)
            .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        return res.rowcount > 0

    def revoke_all(self, conn: Connection, user_id: int, keep: int | None = None) -> int:
        """End every session of a user (a password change), except `keep` (the one making it)."""
        q = sa.update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        if keep is not None:
            q = q.where(sessions.c.id != keep)
        return conn.execute(q.values(revoked_at=time.time())).rowcount
