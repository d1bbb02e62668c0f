"""One-time links: a random token (stored as its sha256) that is good once, until it expires or is
revoked. Kind "password" lets a user set its password (first start, reset by an admin); kind
"invite" adds whoever uses it to a team with a role; kind "signin" signs a browser in as its user
(`runyard ui` and `make demo` open the UI with one, so no API key goes into the browser)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .entities import hash_key
from .tables import entities, one_time_links

KINDS = ("password", "invite", "signin")


class Links:
    def __init__(self, db: Database):
        self.db = db

    def create(
        self,
        conn: Connection,
        kind: str,
        lifetime: float,
        *,
        user_id: int | None = None,
        team_id: int | None = None,
        role: str | None = None,
        created_by: int | None = None,
    ) -> tuple[int, str]:
        """(id, token). A new password link replaces the user's unused ones."""
        assert kind in KINDS, kind
        now = time.time()
        if kind == "password":
            self._revoke_where(conn, one_time_links.c.kind == "password", one_time_links.c.user_id == user_id)
        token = secrets.token_urlsafe(32)
        pk = conn.execute(
            sa.insert(one_time_links).values(
                token_hash=hash_key(token),
                kind=kind,
                user_id=user_id,
                team_id=team_id,
                role=role,
                created_by=created_by,
                created_at=now,
                expires_at=now + lifetime,
            )
        ).inserted_primary_key
        assert pk is not None
        return int(pk[0]), token

    def _usable(self, kind: str) -> list:
        return [
            one_time_links.c.kind == kind,
            one_time_links.c.used_at.is_(None),
            one_time_links.c.revoked_at.is_(None),
            one_time_links.c.expires_at > time.time(),
        ]

    def peek(self, conn: Connection, kind: str, token: str) -> sa.Row | None:
        """The link of `token` while it can be used (not used, revoked or expired)."""
        q = sa.select(one_time_links).where(
            one_time_links.c.token_hash == hash_key(token), *self._usable(kind)
        )
        return conn.execute(q).first()

    def use(self, conn: Connection, kind: str, token: str, user_id: int | None) -> sa.Row | None:
        """Spend the link (once: a second use finds nothing); its row as it was, or None."""
        row = self.peek(conn, kind, token)
        if row is None:
            return None
        res = conn.execute(
            sa.update(one_time_links)
            .where(one_time_links.c.id == row.id, one_time_links.c.used_at.is_(None))
            .values(used_at=time.time(), used_by=user_id)
        )
        return row if res.rowcount == 1 else None

    def invitations(self, conn: Connection, team_id: int) -> list[dict]:
        """A team's open invitations (never their tokens)."""
        creator = entities.alias("creator")
        q = (
            sa.select(
                one_time_links.c.id,
                one_time_links.c.role,
                one_time_links.c.created_at,
                one_time_links.c.expires_at,
                creator.c.name.label("created_by"),
            )
            .outerjoin(creator, creator.c.id == one_time_links.c.created_by)
            .where(one_time_links.c.team_id == team_id, *self._usable("invite"))
            .order_by(one_time_links.c.id)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def revoke_invitation(self, conn: Connection, team_id: int, link_id: int) -> bool:
        return self._revoke_where(
            conn, one_time_links.c.id == link_id, one_time_links.c.team_id == team_id, *self._usable("invite")
        )

    def _revoke_where(self, conn: Connection, *where: Any) -> bool:
        res = conn.execute(
            sa.update(one_time_links)
            .where(*where, one_time_links.c.revoked_at.is_(None), one_time_links.c.used_at.is_(None))
            .values(revoked_at=time.time())
        )
        return res.rowcount > 0
