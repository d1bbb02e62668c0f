"""Projects: named containers of runs, owned by an entity (user or team)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import entities, projects, runs

VISIBILITIES = ("private", "team", "public")


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

    def get(self, conn: Connection, entity_id: int, name: str) -> sa.Row | None:
        q = sa.select(projects).where(projects.c.entity_id == entity_id, projects.c.name == name)
        return conn.execute(q).first()

    def by_id(self, conn: Connection, project_id: int) -> sa.Row | None:
        """(id, entity, project, entity_id, visibility) of a project named by its id."""
        q = (
            sa.select(
                projects.c.id,
                entities.c.name.label("entity"),
                projects.c.name.label("project"),
                projects.c.entity_id,
                projects.c.visibility,
            )
            .join(entities, entities.c.id == projects.c.entity_id)
            .where(projects.c.id == project_id)
        )
        return conn.execute(q).first()

    def update(self, conn: Connection, project_id: int, **values: object) -> None:
        """Change visibility, description or name (the caller checked the values)."""
        conn.execute(
            sa.update(projects).where(projects.c.id == project_id).values(**values, updated_at=time.time())
        )

    def transfer(self, conn: Connection, project_id: int, to_entity_id: int) -> None:
        """Give a project, with its runs and artifacts, to another entity (a name it does not hold)."""
        self.update(conn, project_id, entity_id=to_entity_id)

    def delete(self, conn: Connection, project_id: int) -> None:
        """The project and everything in it (runs, metrics, files, artifacts cascade; blobs stay for gc)."""
        conn.execute(sa.delete(projects).where(projects.c.id == project_id))

    def touch(self, conn: Connection, project_id: int) -> None:
        conn.execute(sa.update(projects).where(projects.c.id == project_id).values(updated_at=time.time()))

    def list(
        self, conn: Connection, entity_id: int | None = None, where: sa.ColumnElement[bool] | None = None
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
                projects.c.visibility,
            )
            .join(entities, entities.c.id == projects.c.entity_id)
            .order_by(projects.c.updated_at.desc())
        )
        if entity_id is not None:
            q = q.where(projects.c.entity_id == entity_id)
        if where is not None:
            q = q.where(where)
        return [dict(r._mapping) for r in conn.execute(q)]
