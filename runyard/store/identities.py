"""External identities: an OpenID Connect subject (the provider's issuer and its `sub`) and the user
it signs in as. The user name may change (it is taken from a claim on the first sign-in only); the
(issuer, subject) pair never does, so it, not a name or an e-mail, decides who signs in."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import identities


class Identities:
    def __init__(self, db: Database):
        self.db = db

    def user_for(self, conn: Connection, issuer: str, subject: str) -> int | None:
        q = sa.select(identities.c.user_id).where(
            identities.c.issuer == issuer, identities.c.subject == subject
        )
        return conn.execute(q).scalar()

    def link(self, conn: Connection, issuer: str, subject: str, user_id: int) -> None:
        conn.execute(
            sa.insert(identities).values(
                issuer=issuer, subject=subject, user_id=user_id, created_at=time.time()
            )
        )
