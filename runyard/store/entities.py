"""Users and teams (both "entities": they own projects), team roles, passwords and API keys.

Keys are 40 random hex characters, the shape wandb clients expect. Only their sha256 is stored: a
key has 160 bits of entropy, so a fast hash is as strong as a slow one here and keeps the per-request
check cheap. Passwords are chosen by people, so they get a memory-hard hash (argon2id, argon2-cffi's
defaults) that makes guessing from a stolen database expensive.

A key has a scope ("read" or "write") and may be limited to one entity; the request's `User`
carries both, and the access policy (server/access.py) applies them.
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

ROLES = ("admin", "member", "viewer")  # per team: administer, write, read
SCOPES = ("read", "write")


@dataclass(frozen=True)
class ShareGrant:
    """What a report's share link may read: that report, and the projects its blocks show."""

    token_hash: str
    report_id: int
    project_ids: frozenset[int]


@dataclass(frozen=True)
class User:
    id: int
    name: str
    is_admin: bool
    key_id: int | None = None  # the API key the request authenticated with (signed URLs name it)
    scope: str = "write"  # of that key: "read" allows reading only
    scope_entity: int | None = None  # of that key: the one entity it may act on (None: any)
    session_id: int | None = None  # the browser session the request authenticated with
    share: ShareGrant | None = None  # a share link's viewer (an anonymous principal that reads only it)

    @property
    def anonymous(self) -> bool:
        """The caller without credentials, where the server lets anonymous viewers read public projects."""
        return self.id == 0


ANONYMOUS = User(0, "anonymous", False, scope="read")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return secrets.token_hex(20)


def _hasher() -> Any:
    from argon2 import PasswordHasher  # the server extra; imported here so the SDK never loads it

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def check_password(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    if not stored:
        return False
    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


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

    def delete(self, conn: Connection, entity_id: int) -> None:
        """An entity and all it owns (its projects and their contents cascade)."""
        conn.execute(sa.delete(entities).where(entities.c.id == entity_id))

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
    def create_key(
        self,
        conn: Connection,
        user_id: int,
        name: str | None = None,
        scope: str = "write",
        entity_id: int | None = None,
    ) -> str:
        assert scope in SCOPES, scope
        key = new_key()
        conn.execute(
            sa.insert(api_keys).values(
                user_id=user_id,
                key_hash=hash_key(key),
                prefix=key[:8],
                name=name,
                created_at=time.time(),
                scope=scope,
                entity_id=entity_id,
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
                api_keys.c.scope,
                entities.c.name.label("entity"),
            )
            .outerjoin(entities, entities.c.id == api_keys.c.entity_id)
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
            sa.select(
                entities.c.id,
                entities.c.name,
                entities.c.is_admin,
                api_keys.c.id.label("key_id"),
                api_keys.c.scope,
                api_keys.c.entity_id,
            )
            .join(api_keys, api_keys.c.user_id == entities.c.id)
            .where(where, api_keys.c.revoked_at.is_(None))
        )
        row = conn.execute(q).first()
        if row is None:
            return None
        return User(row.id, row.name, bool(row.is_admin), row.key_id, row.scope, row.entity_id)

    def touch_keys(self, conn: Connection, key_ids: list[int], at: float) -> None:
        """Record that these keys were used (the auth layer batches this: at most once a minute a key)."""
        if key_ids:
            conn.execute(sa.update(api_keys).where(api_keys.c.id.in_(key_ids)).values(last_used_at=at))

    def user_by_id(self, conn: Connection, user_id: int) -> User | None:
        row = conn.execute(
            sa.select(entities.c.id, entities.c.name, entities.c.is_admin).where(
                entities.c.id == user_id, entities.c.kind == "user"
            )
        ).first()
        return User(row.id, row.name, bool(row.is_admin)) if row else None

    # -- passwords --------------------------------------------------------------------------------
    def set_password(self, conn: Connection, user_id: int, password: str) -> None:
        conn.execute(
            sa.update(entities).where(entities.c.id == user_id).values(password_hash=hash_password(password))
        )

    def password_hash(self, conn: Connection, name: str) -> tuple[int, str | None] | None:
        """(id, stored hash) of user `name`, or None when there is no such user."""
        row = conn.execute(
            sa.select(entities.c.id, entities.c.password_hash).where(
                entities.c.name == name, entities.c.kind == "user"
            )
        ).first()
        return (row.id, row.password_hash) if row else None

    def any_password(self, conn: Connection) -> bool:
        q = sa.select(entities.c.id).where(entities.c.password_hash.is_not(None)).limit(1)
        return conn.execute(q).first() is not None

    def first_admin(self, conn: Connection) -> sa.Row | None:
        q = sa.select(entities.c.id, entities.c.name).where(entities.c.is_admin.is_(True))
        return conn.execute(q.order_by(entities.c.id).limit(1)).first()

    def teams_of(self, conn: Connection, user_id: int) -> list[dict]:
        """The teams a user belongs to, with its role in each."""
        q = (
            sa.select(entities.c.name, team_members.c.role)
            .join(team_members, team_members.c.team_id == entities.c.id)
            .where(team_members.c.user_id == user_id)
            .order_by(entities.c.name)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def admins(self, conn: Connection, team_id: int) -> int:
        q = sa.select(sa.func.count()).select_from(team_members)
        return conn.execute(
            q.where(team_members.c.team_id == team_id, team_members.c.role == "admin")
        ).scalar_one()

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
