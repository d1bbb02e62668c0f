"""Looking up what a request names, with permission checks: unknown names answer 404, others' data 403."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..store import Store, User
from ..store.tables import entities, team_members
from .errors import ApiError


def entity_id(conn: Connection, store: Store, user: User, entity: str) -> int:
    ent = store.entities.get(conn, entity)
    if ent is None:
        raise ApiError(404, "unknown_entity", f"entity {entity!r} does not exist")
    if not store.entities.can_read(conn, user, ent.id):
        raise ApiError(403, "forbidden", f"user {user.name!r} has no access to entity {entity!r}")
    return ent.id


def project_id(conn: Connection, store: Store, user: User, entity: str, project: str) -> int:
    eid = entity_id(conn, store, user, entity)
    pid = store.projects.id_of(conn, eid, project)
    if pid is None:
        raise ApiError(404, "unknown_project", f"project {entity}/{project} does not exist")
    return pid


def run(conn: Connection, store: Store, user: User, entity: str, project: str, run_id: str) -> sa.Row:
    loc = store.runs.locate(conn, entity, project, run_id)
    if loc is None:
        raise ApiError(404, "unknown_run", f"run {entity}/{project}/{run_id} does not exist")
    if not store.entities.can_read(conn, user, loc.entity_id):
        raise ApiError(403, "forbidden", f"user {user.name!r} has no access to entity {entity!r}")
    return loc


def visible_entities(conn: Connection, user: User) -> list[dict]:
    if user.is_admin:
        q = sa.select(entities.c.id, entities.c.name, entities.c.kind)
    else:
        teams = sa.select(team_members.c.team_id).where(team_members.c.user_id == user.id)
        q = sa.select(entities.c.id, entities.c.name, entities.c.kind).where(
            sa.or_(entities.c.id == user.id, entities.c.id.in_(teams))
        )
    return [dict(r._mapping) for r in conn.execute(q.order_by(entities.c.name))]
