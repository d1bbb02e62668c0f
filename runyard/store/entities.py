"""Users and teams (both "entities": they own projects) and API keys.

Keys are 40 random hex characters, the shape wandb clients expect. Only their sha256 is stored: a
key has 160 bits of entropy, so a fast hash is as strong as a slow one here and keeps the per-request
check cheap.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..wire.names import ENTITY_RULE, valid_entity_name
from .db import Database
from .tables import api_keys, entities, team_members


@dataclass(frozen=True)
class User:
    id: int
    name: str
    is_admin: bool
    key_id: int | None = None  # the API key the request authenticated with (signed URLs name it)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_hex(20)


class Entities:
    def __init__(self, db: Database):
        self.db = db

    # -- entities -------------------------------------------------------------------------------
    def create(
        self,
        conn: Connection,
        name: str,
        kind: str = "user",
        *,
        is_admin: bool = False,
        email: str | None = None,
    ) -> int:
        if not valid_entity_name(name):
            raise ValueError(f"invalid entity name {name!r}: {ENTITY_RULE}")
        pk = conn.execute(
            sa.insert(entities).values(
                name=name, kind=kind, is_admin=is_admin, email=email, created_at=time.time()
            )
        ).inserted_primary_key
        assert pk is not None
        return int(pk[0])

    def get(self, conn: Connection, name: str) -> sa.Row | None:
        return conn.execute(sa.select(entities).where(entities.c.name == name)).first()

    def get_or_create_team(self, conn: Connection, name: str, owner: User) -> int:
        stmt = self.db.insert(entities).values(name=name, kind="team", is_admin=False, created_at=time.time())
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
        row = self.get(conn, name)
        assert row is not None
        if row.kind == "team":
            ins = self.db.insert(team_members).values(team_id=row.id, user_id=owner.id, role="admin")
            conn.execute(ins.on_conflict_do_nothing(index_elements=["team_id", "user_id"]))
        return row.id

    def add_member(self, conn: Connection, team_id: int, user_id: int, role: str = "member") -> None:
        """Add a user to a team, or change its role there."""
        ins = self.db.insert(team_members).values(team_id=team_id, user_id=user_id, role=role)
        conn.execute(ins.on_conflict_do_update(index_elements=["team_id", "user_id"], set_={"role": role}))

    def remove_member(self, conn: Connection, team_id: int, user_id: int) -> bool:
        res = conn.execute(
            sa.delete(team_members).where(
                team_members.c.team_id == team_id, team_members.c.user_id == user_id
            )
        )
        return res.rowcount > 0

    def role(self, conn: Connection, team_id: int, user_id: int) -> str | None:
        q = sa.select(team_members.c.role).where(
            team_members.c.team_id == team_id, team_members.c.user_id == user_id
        )
        return conn.execute(q).scalar()

    def members(self, conn: Connection, team_id: int) -> list[dict]:
        q = (
            sa.select(entities.c.name.label("user"), team_members.c.role)
            .join(entities, entities.c.id == team_members.c.user_id)
            .where(team_members.c.team_id == team_id)
            .order_by(entities.c.name)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def listing(self, conn: Connection, kind: str) -> list[dict]:
        q = (
            sa.select(entities.c.name, entities.c.email, entities.c.is_admin, entities.c.created_at)
            .where(entities.c.kind == kind)
            .order_by(entities.c.name)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def count_users(self, conn: Connection) -> int:
        return conn.execute(
            sa.select(sa.func.count()).select_from(entities).where(entities.c.kind == "user")
        ).scalar_one()

    # -- API keys -------------------------------------------------------------------------------
    def create_key(self, conn: Connection, user_id: int, name: str | None = None) -> str:
        key = new_key()
        conn.execute(
            sa.insert(api_keys).values(
                user_id=user_id, key_hash=hash_key(key), prefix=key[:8], name=name, created_at=time.time()
            )
        )
        return key

    def keys(self, conn: Connection, user_id: int) -> list[dict]:
        """The keys of a user (never the key itself: id, prefix, name, times)."""
        q = (
            sa.select(
                api_keys.c.id,
                api_keys.c.prefix,
                api_keys.c.name,
                api_keys.c.created_at,
                api_keys.c.last_used_at,
                api_keys.c.revoked_at,
            )
            .where(api_keys.c.user_id == user_id)
            .order_by(api_keys.c.id)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def key_owner(self, conn: Connection, key_id: int) -> int | None:
        return conn.execute(sa.select(api_keys.c.user_id).where(api_keys.c.id == key_id)).scalar()

    def revoke_key_id(self, conn: Connection, key_id: int) -> bool:
        res = conn.execute(
            sa.update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        return res.rowcount > 0

    def user_for_key(self, conn: Connection, key: str) -> User | None:
        return self._key_user(conn, api_keys.c.key_hash == hash_key(key))

    def user_for_key_id(self, conn: Connection, key_id: int) -> User | None:
        """The user of key `key_id` while that key is not revoked."""
        return self._key_user(conn, api_keys.c.id == key_id)

    def _key_user(self, conn: Connection, where: Any) -> User | None:
        q = (
            sa.select(entities.c.id, entities.c.name, entities.c.is_admin, api_keys.c.id.label("key_id"))
            .join(api_keys, api_keys.c.user_id == entities.c.id)
            .where(where, api_keys.c.revoked_at.is_(None))
        )
        row = conn.execute(q).first()
        return User(row.id, row.name, bool(row.is_admin), row.key_id) if row else None

    def touch_key(self, conn: Connection, key: str) -> None:
        conn.execute(
            sa.update(api_keys).where(api_keys.c.key_hash == hash_key(key)).values(last_used_at=time.time())
        )

    def revoke_key(self, conn: Connection, key: str) -> bool:
        res = conn.execute(
            sa.update(api_keys)
            .where(api_keys.c.key_hash == hash_key(key), api_keys.c.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
        return res.rowcount > 0

    def bootstrap_admin(self, conn: Connection, name: str = "admin") -> tuple[User, str] | None:
        """On an empty store: create the admin user and its first key (returned once, never stored)."""
        if self.count_users(conn):
            return None
        uid = self.create(conn, name, "user", is_admin=True)
        key = self.create_key(conn, uid, "created at first start")
        return User(uid, name, True), key
