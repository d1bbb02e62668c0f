"""Projects: named containers of runs, owned by an entity (user or team)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import entities, projects, runs


class Projects:
    def __init__(self, db: Database):
        self.db = db

    def get_or_create(self, conn: Connection, entity_id: int, name: str) -> int:
        now = time.time()
        stmt = self.db.insert(projects).values(entity_id=entity_id, name=name, created_at=now, updated_at=now)
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["entity_id", "name"]))
        return self.id_of(conn, entity_id, name)  # type: ignore[return-value]

    def id_of(self, conn: Connection, entity_id: int, name: str) -> int | None:
        q = sa.select(projects.c.id).where(projects.c.entity_id == entity_id, projects.c.name == name)
        return conn.execute(q).scalar()

    def touch(self, conn: Connection, project_id: int) -> None:
        conn.execute(sa.update(projects).where(projects.c.id == project_id).values(updated_at=time.time()))

    def list(
        self, conn: Connection, entity_id: int | None = None, entity_ids: list[int] | None = None
    ) -> list[dict]:
        run_count = (
            sa.select(sa.func.count())
            .select_from(runs)
            .where(runs.c.project_id == projects.c.id)
            .scalar_subquery()
        )
        q = (
            sa.select(
                projects.c.name,
                projects.c.description,
                projects.c.created_at,
                projects.c.updated_at,
                entities.c.name.label("entity"),
                run_count.label("run_count"),
            )
            .join(entities, entities.c.id == projects.c.entity_id)
            .order_by(projects.c.updated_at.desc())
        )
        if entity_id is not None:
            q = q.where(projects.c.entity_id == entity_id)
        if entity_ids is not None:
            q = q.where(projects.c.entity_id.in_(entity_ids))
        return [dict(r._mapping) for r in conn.execute(q)]
