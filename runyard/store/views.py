"""Saved workspace views: a name and the UI's view object (web/src/core/view.ts), per project.

A personal view is its owner's alone; a shared view is the project's. The server keeps the state as
given (validated for size and shape by the route) and never interprets it.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import entities, projects, saved_views

_owner, _ent = entities.alias("owner"), entities.alias("ent")
_COLS = (
    saved_views.c.id,
    saved_views.c.project_id,
    saved_views.c.owner_id,
    saved_views.c.name,
    saved_views.c.shared,
    saved_views.c.state,
    saved_views.c.created_at,
    saved_views.c.updated_at,
    _owner.c.name.label("owner"),
    _ent.c.name.label("entity"),
    projects.c.name.label("project"),
)


class Views:
    def __init__(self, db: Database):
        self.db = db

    def _select(self) -> sa.Select:
        return (
            sa.select(*_COLS)
            .join(_owner, _owner.c.id == saved_views.c.owner_id)
            .join(projects, projects.c.id == saved_views.c.project_id)
            .join(_ent, _ent.c.id == projects.c.entity_id)
        )

    def get(self, conn: Connection, view_id: int) -> sa.Row | None:
        return conn.execute(self._select().where(saved_views.c.id == view_id)).first()

    def listing(self, conn: Connection, project_id: int, user_id: int | None) -> list[sa.Row]:
        """The project's shared views and `user_id`'s personal ones, by name."""
        mine = saved_views.c.owner_id == user_id if user_id is not None else sa.false()
        q = self._select().where(saved_views.c.project_id == project_id, sa.or_(saved_views.c.shared, mine))
        return list(conn.execute(q.order_by(saved_views.c.name, saved_views.c.id)))

    def count(self, conn: Connection, project_id: int) -> int:
        q = sa.select(sa.func.count()).select_from(saved_views).where(saved_views.c.project_id == project_id)
        return int(conn.execute(q).scalar() or 0)

    def create(
        self, conn: Connection, project_id: int, owner_id: int, name: str, shared: bool, state: dict
    ) -> int:
        now = time.time()
        pk = conn.execute(
            sa.insert(saved_views).values(
                project_id=project_id,
                owner_id=owner_id,
                name=name,
                shared=shared,
                state=state,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key
        assert pk is not None
        return int(pk[0])

    def update(self, conn: Connection, view_id: int, **values: object) -> None:
        """Change name, shared and/or state (the route checked them)."""
        q = sa.update(saved_views).where(saved_views.c.id == view_id)
        conn.execute(q.values(**values, updated_at=time.time()))

    def delete(self, conn: Connection, view_id: int) -> None:
        conn.execute(sa.delete(saved_views).where(saved_views.c.id == view_id))
