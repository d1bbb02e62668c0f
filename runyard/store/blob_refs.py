"""Who may name a blob: the entities each blob was uploaded into, and the artifacts and runs holding it.

Blobs are content-addressed and shared by every project of the server, so knowing a sha256 must not
be enough to use (or learn of) the bytes. A blob is usable by an entity's writers when it was uploaded
into that entity (`blob_owners`, recorded at upload) and by the readers of any artifact version or
run file that holds it. The access policy (server/access.py) decides which entities those are.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import (
    artifact_collections,
    artifact_entries,
    artifact_versions,
    blob_owners,
    projects,
    run_files,
    runs,
)

CHUNK = 500  # hashes per IN (...) query


class BlobRefs:
    def __init__(self, db: Database):
        self.db = db

    def add_owner(self, conn: Connection, shas: Iterable[str], entity_id: int) -> None:
        """Record an upload; `created_at` is its latest time, even when the store had the bytes (gc spares
        a blob uploaded within its grace, whose commit may be on its way: `uploaded_since`)."""
        now = time.time()
        for sha in dict.fromkeys(shas):
            ins = self.db.insert(blob_owners).values(sha256=sha, entity_id=entity_id, created_at=now)
            conn.execute(
                ins.on_conflict_do_update(index_elements=["sha256", "entity_id"], set_={"created_at": now})
            )

    def uploaded_since(self, conn: Connection, shas: list[str], since: float) -> set[str]:
        """Those of `shas` uploaded (by anyone) at `since` or later."""
        out: set[str] = set()
        for i in range(0, len(shas), CHUNK):
            q = sa.select(blob_owners.c.sha256).where(
                blob_owners.c.sha256.in_(shas[i : i + CHUNK]), blob_owners.c.created_at >= since
            )
            out.update(conn.execute(q.distinct()).scalars())
        return out

    def forget(self, conn: Connection, shas: list[str]) -> None:
        """Blobs deleted (by gc): whoever uploads them again owns them anew."""
        for i in range(0, len(shas), CHUNK):
            conn.execute(sa.delete(blob_owners).where(blob_owners.c.sha256.in_(shas[i : i + CHUNK])))

    def usable(
        self, conn: Connection, shas: list[str], writable: list[int] | None, readable: list[int] | None
    ) -> set[str]:
        """Those of `shas` uploaded into an entity of `writable`, or held by an artifact version or run
        file of a project of an entity of `readable` (None: any entity)."""
        out: set[str] = set()
        todo = list(dict.fromkeys(shas))
        for i in range(0, len(todo), CHUNK):
            chunk = todo[i : i + CHUNK]
            owned = sa.select(blob_owners.c.sha256).where(blob_owners.c.sha256.in_(chunk))
            if writable is not None:
                owned = owned.where(blob_owners.c.entity_id.in_(writable))
            in_artifacts = (
                sa.select(artifact_entries.c.sha256)
                .join(artifact_versions, artifact_versions.c.id == artifact_entries.c.version_id)
                .join(artifact_collections, artifact_collections.c.id == artifact_versions.c.collection_id)
                .join(projects, projects.c.id == artifact_collections.c.project_id)
                .where(artifact_entries.c.sha256.in_(chunk))
            )
            in_runs = (
                sa.select(run_files.c.sha256)
                .join(runs, runs.c.id == run_files.c.run_pk)
                .join(projects, projects.c.id == runs.c.project_id)
                .where(run_files.c.sha256.in_(chunk))
            )
            if readable is not None:
                in_artifacts = in_artifacts.where(projects.c.entity_id.in_(readable))
                in_runs = in_runs.where(projects.c.entity_id.in_(readable))
            for q in (owned, in_artifacts, in_runs):
                out.update(conn.execute(q.distinct()).scalars())
                if len(out) == len(todo):
                    return out
        return out
