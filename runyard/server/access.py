"""The access policy: who may read, write or administer what. Every path asks it (REST routes, ingest,
GraphQL resolvers, file_stream, live streams, signed URLs, lineage and blob references); the store
only answers questions of fact (who is a member of what, which artifact holds which blob).

A principal is the `User` a request authenticated as (by API key; `key_id` names the key). An action
is READ, WRITE or ADMIN on an entity (a user or a team) and its projects. The rule today: the server
admin may do anything; a user may do anything in its own entity and in the teams it is a member of.
Team roles, project visibility and key scopes refine `_allows` and `entity_ids`, and nothing else.

Refusals are `ApiError`s: an entity, project or run that does not exist answers 404, one that exists
but is not the caller's 403 (names are not secret between users of one server; contents are).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..store import Store, User
from ..store.entities import valid_name
from ..store.ingest import Decoded
from ..store.ingest import Result as IngestResult
from ..store.tables import entities, team_members
from ..wire.records import RT
from .errors import ApiError

READ, WRITE, ADMIN = "read", "write", "admin"
ACTIONS = (READ, WRITE, ADMIN)


def entity_ids(conn: Connection, principal: User, action: str = READ) -> list[int] | None:
    """The entities on which `principal` may do `action` (None: all of them, for the server admin)."""
    if principal.is_admin:
        return None
    teams = conn.execute(
        sa.select(team_members.c.team_id).where(team_members.c.user_id == principal.id)
    ).scalars()
    return [principal.id, *teams]


def _allows(conn: Connection, principal: User, action: str, entity_id: int) -> bool:
    if principal.is_admin or principal.id == entity_id:
        return True
    q = sa.select(team_members.c.role).where(
        team_members.c.team_id == entity_id, team_members.c.user_id == principal.id
    )
    return conn.execute(q).first() is not None


def allows(conn: Connection, principal: User, action: str, entity_id: int) -> bool:
    assert action in ACTIONS, action
    return _allows(conn, principal, action, entity_id)


def readable(conn: Connection, store: Store, principal: User) -> Callable[[str], bool]:
    """A predicate on entity names (cached for one request): may `principal` read that entity?"""
    seen: dict[str, bool] = {}

    def check(name: str) -> bool:
        if name not in seen:
            ent = store.entities.get(conn, name)
            seen[name] = ent is not None and allows(conn, principal, READ, ent.id)
        return seen[name]

    return check


def _denied(principal: User, action: str, entity: str) -> ApiError:
    verb = "has no access to" if action == READ else f"cannot {action}"
    return ApiError("forbidden", f"user {principal.name!r} {verb} entity {entity!r}")


def entity_id(conn: Connection, store: Store, principal: User, entity: str, action: str = READ) -> int:
    ent = store.entities.get(conn, entity)
    if ent is None:
        raise ApiError("unknown_entity", f"entity {entity!r} does not exist")
    if not allows(conn, principal, action, ent.id):
        raise _denied(principal, action, entity)
    return int(ent.id)


def may_create(principal: User, entity: str) -> bool:
    """A missing entity is created on first write by the server admin (any name, as a team) or by the
    user it is named after (which exists already; kept for stores where it was deleted)."""
    return principal.is_admin or entity == principal.name


def writable_entity(conn: Connection, store: Store, principal: User, entity: str) -> int:
    """The entity to write to, created (as a team the principal administers) on first write."""
    ent = store.entities.get(conn, entity)
    if ent is not None:
        if not allows(conn, principal, WRITE, ent.id):
            raise _denied(principal, WRITE, entity)
        return int(ent.id)
    if not may_create(principal, entity):
        raise ApiError("unknown_entity", f"entity {entity!r} does not exist")
    if not valid_name(entity):
        raise ApiError("bad_name", f"invalid entity name {entity!r}")
    return store.entities.get_or_create_team(conn, entity, principal)


def check_writable(conn: Connection, store: Store, principal: User, entity: str) -> None:
    """`writable_entity` without creating anything (a check before the write transaction)."""
    ent = store.entities.get(conn, entity)
    if ent is None:
        if not may_create(principal, entity):
            raise ApiError("unknown_entity", f"entity {entity!r} does not exist")
        if not valid_name(entity):
            raise ApiError("bad_name", f"invalid entity name {entity!r}")
    elif not allows(conn, principal, WRITE, ent.id):
        raise _denied(principal, WRITE, entity)


def writable_project(conn: Connection, store: Store, principal: User, entity: str, project: str) -> int:
    return store.projects.get_or_create(conn, writable_entity(conn, store, principal, entity), project)


def project_id(
    conn: Connection, store: Store, principal: User, entity: str, project: str, action: str = READ
) -> int:
    eid = entity_id(conn, store, principal, entity, action)
    pid = store.projects.id_of(conn, eid, project)
    if pid is None:
        raise ApiError("unknown_project", f"project {entity}/{project} does not exist")
    return pid


def run(
    conn: Connection,
    store: Store,
    principal: User,
    entity: str,
    project: str,
    run_id: str,
    action: str = READ,
) -> sa.Row:
    loc = store.runs.locate(conn, entity, project, run_id)
    if loc is None:
        raise ApiError("unknown_run", f"run {entity}/{project}/{run_id} does not exist")
    if not allows(conn, principal, action, loc.entity_id):
        raise _denied(principal, action, entity)
    return loc


def visible_entities(conn: Connection, principal: User) -> list[dict]:
    q = sa.select(entities.c.id, entities.c.name, entities.c.kind)
    ids = entity_ids(conn, principal, READ)
    if ids is not None:
        q = q.where(entities.c.id.in_(ids))
    return [dict(r._mapping) for r in conn.execute(q.order_by(entities.c.name))]


# -- lineage ------------------------------------------------------------------------------------------
def require_links(
    conn: Connection, store: Store, principal: User, where: tuple[str, str], links: Iterable[tuple[str, dict]]
) -> None:
    """A run of `where` (entity, project) that records artifact links: using ("input") an artifact of
    another entity needs READ there, logging ("output") one into another entity needs WRITE there.
    Otherwise a run could read another tenant's artifact metadata through its lineage, or appear in it."""
    for kind, body in links:
        entity = str(body.get("entity") or where[0])
        if entity == where[0]:
            continue
        if kind == "input":
            entity_id(conn, store, principal, entity, READ)
        else:
            check_writable(conn, store, principal, entity)


def apply_run_log(
    conn: Connection,
    store: Store,
    principal: User,
    entity: str,
    project: str,
    run_id: str,
    segment: str,
    dec: Decoded,
    live: bool = False,
) -> IngestResult:
    """The one write path of run logs (REST ingest and the wandb layer): checked, then applied."""
    writable_entity(conn, store, principal, entity)
    links = [
        ("output" if f.type == RT.ARTIFACT else "input", f.body)
        for f in dec.frames
        if f.type in (RT.ARTIFACT, RT.USE_ARTIFACT) and isinstance(f.body, dict)
    ]
    require_links(conn, store, principal, (entity, project), links)
    return store.ingest.apply(conn, principal, entity, project, run_id, segment, dec, live)


# -- blobs --------------------------------------------------------------------------------------------
def usable_blobs(conn: Connection, store: Store, principal: User, shas: Iterable[str]) -> set[str]:
    """Those of `shas` that `principal` may name in a manifest (and be told exist): blobs it uploaded
    into an entity it can write, or that an artifact or run file it can read already holds. Holding a
    hash is not holding the bytes; uploading them is the proof."""
    return store.blob_refs.usable(
        conn, list(shas), entity_ids(conn, principal, WRITE), entity_ids(conn, principal, READ)
    )
