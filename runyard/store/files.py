"""Run files: metadata rows pointing at content-addressed blobs (paths checked by wire/paths.py)."""

from __future__ import annotations

import mimetypes
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import run_files


class Files:
    def __init__(self, db: Database):
        self.db = db

    def upsert(
        self, conn: Connection, run_pk: int, path: str, size: int, sha256: str, kind: str | None = None
    ) -> str | None:
        """Record a file; returns the sha256 of the blob it replaced (to delete when unreferenced)."""
        prev = conn.execute(
            sa.select(run_files.c.sha256).where(run_files.c.run_pk == run_pk, run_files.c.path == path)
        ).scalar()
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        values = {"size": size, "sha256": sha256, "content_type": ctype, "updated_at": time.time()}
        if prev is None:
            conn.execute(sa.insert(run_files).values(run_pk=run_pk, path=path, kind=kind, **values))
        else:
            conn.execute(
                sa.update(run_files)
                .where(run_files.c.run_pk == run_pk, run_files.c.path == path)
                .values(**values)
            )
        return prev if prev != sha256 else None

    def referenced(self, conn: Connection, sha256: str) -> bool:
        return (
            conn.execute(sa.select(run_files.c.id).where(run_files.c.sha256 == sha256).limit(1)).first()
            is not None
        )

    def get(self, conn: Connection, run_pk: int, path: str) -> sa.Row | None:
        return conn.execute(
            sa.select(run_files).where(run_files.c.run_pk == run_pk, run_files.c.path == path)
        ).first()

    def list(self, conn: Connection, run_pk: int) -> list[dict]:
        q = (
            sa.select(
                run_files.c.path,
                run_files.c.size,
                run_files.c.sha256,
                run_files.c.content_type,
                run_files.c.kind,
                run_files.c.updated_at,
            )
            .where(run_files.c.run_pk == run_pk)
            .order_by(run_files.c.path)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def set_kinds(self, conn: Connection, run_pk: int, kinds: dict[str, str]) -> None:
        for path, kind in kinds.items():
            conn.execute(
                sa.update(run_files)
                .where(run_files.c.run_pk == run_pk, run_files.c.path == path)
                .values(kind=kind)
            )
