"""Reports (documents of blocks, wire/report_blocks.py), their saved versions, read-only share links,
and comments on reports and runs.

An edit names the version it started from; the write locks the report's row and refuses (returns the
current row instead) when another edit saved first, so two editors never overwrite each other
silently. Every saved version is kept as a row, the newest `keep` of them.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..wire.report_blocks import shown_projects
from .db import Database
from .entities import ShareGrant, hash_key
from .tables import comments, entities, projects, report_shares, report_versions, reports, runs

_SUMMARY = (
    reports.c.id,
    reports.c.project_id,
    reports.c.title,
    reports.c.version,
    reports.c.created_at,
    reports.c.updated_at,
)


class Reports:
    def __init__(self, db: Database):
        self.db = db

    # -- reports ----------------------------------------------------------------------------------------
    def get(self, conn: Connection, report_id: int, lock: bool = False) -> sa.Row | None:
        q = sa.select(reports).where(reports.c.id == report_id)
        return conn.execute(self.db.for_update(q) if lock else q).first()

    def in_project(self, conn: Connection, project_id: int) -> list[sa.Row]:
        q = sa.select(*_SUMMARY).where(reports.c.project_id == project_id)
        return list(conn.execute(q.order_by(reports.c.updated_at.desc(), reports.c.id.desc())))

    def count(self, conn: Connection, project_id: int) -> int:
        q = sa.select(sa.func.count()).select_from(reports).where(reports.c.project_id == project_id)
        return int(conn.execute(q).scalar() or 0)

    def create(
        self, conn: Connection, project_id: int, title: str, blocks: list, author_id: int | None
    ) -> int:
        now = time.time()
        pk = conn.execute(
            sa.insert(reports).values(
                project_id=project_id,
                title=title,
                blocks=blocks,
                version=1,
                created_by=author_id,
                created_at=now,
                updated_by=author_id,
                updated_at=now,
            )
        ).inserted_primary_key
        assert pk is not None
        rid = int(pk[0])
        self._keep_version(conn, rid, 1, title, blocks, author_id, now, keep=0)
        return rid

    def save(
        self,
        conn: Connection,
        report_id: int,
        base_version: int,
        title: str,
        blocks: list,
        author_id: int | None,
        keep: int,
    ) -> tuple[bool, sa.Row]:
        """(True, the new row) once saved as version base+1; (False, the current row) when
        `base_version` is no longer the current one (someone else saved in between)."""
        row = self.get(conn, report_id, lock=True)
        assert row is not None
        if row.version != base_version:
            return False, row
        now, version = time.time(), row.version + 1
        conn.execute(
            sa.update(reports)
            .where(reports.c.id == report_id)
            .values(title=title, blocks=blocks, version=version, updated_by=author_id, updated_at=now)
        )
        self._keep_version(conn, report_id, version, title, blocks, author_id, now, keep)
        new = self.get(conn, report_id)
        assert new is not None
        return True, new

    def _keep_version(
        self,
        conn: Connection,
        report_id: int,
        version: int,
        title: str,
        blocks: list,
        author_id: int | None,
        at: float,
        keep: int,
    ) -> None:
        conn.execute(
            sa.insert(report_versions).values(
                report_id=report_id,
                version=version,
                title=title,
                blocks=blocks,
                author_id=author_id,
                created_at=at,
            )
        )
        if keep > 0:
            conn.execute(
                sa.delete(report_versions).where(
                    report_versions.c.report_id == report_id, report_versions.c.version <= version - keep
                )
            )

    def delete(self, conn: Connection, report_id: int) -> None:
        conn.execute(sa.delete(reports).where(reports.c.id == report_id))

    def versions(self, conn: Connection, report_id: int) -> list[dict]:
        q = (
            sa.select(
                report_versions.c.version,
                report_versions.c.title,
                report_versions.c.created_at,
                entities.c.name.label("author"),
            )
            .outerjoin(entities, entities.c.id == report_versions.c.author_id)
            .where(report_versions.c.report_id == report_id)
            .order_by(report_versions.c.version.desc())
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def version(self, conn: Connection, report_id: int, version: int) -> sa.Row | None:
        q = sa.select(report_versions).where(
            report_versions.c.report_id == report_id, report_versions.c.version == version
        )
        return conn.execute(q).first()

    def names(self, conn: Connection, ids: list[int | None]) -> dict[int, str]:
        """user id -> name, for the authors a response names."""
        want = sorted({i for i in ids if i is not None})
        if not want:
            return {}
        q = sa.select(entities.c.id, entities.c.name).where(entities.c.id.in_(want))
        return {r.id: r.name for r in conn.execute(q)}

    # -- share links ------------------------------------------------------------------------------------
    def share(self, conn: Connection, report_id: int, by: int | None) -> str:
        """A new read-only link to the report (an earlier link of the report stops working)."""
        token = secrets.token_urlsafe(24)
        conn.execute(sa.delete(report_shares).where(report_shares.c.report_id == report_id))
        conn.execute(
            sa.insert(report_shares).values(
                report_id=report_id, token_hash=hash_key(token), created_by=by, created_at=time.time()
            )
        )
        return token

    def unshare(self, conn: Connection, report_id: int) -> bool:
        return bool(
            conn.execute(sa.delete(report_shares).where(report_shares.c.report_id == report_id)).rowcount
        )

    def shared_since(self, conn: Connection, report_id: int) -> float | None:
        q = sa.select(report_shares.c.created_at).where(report_shares.c.report_id == report_id)
        return conn.execute(q).scalar()

    def share_grant(self, conn: Connection, token_hash: str) -> ShareGrant | None:
        """What the link of `token_hash` may read now (None: no such link, or revoked): its report and
        the projects that the report's blocks show as they are now (`shown_projects`)."""
        q = (
            sa.select(reports.c.id, reports.c.blocks)
            .join(report_shares, report_shares.c.report_id == reports.c.id)
            .where(report_shares.c.token_hash == token_hash)
        )
        row = conn.execute(q).first()
        if row is None:
            return None
        pairs = shown_projects(row.blocks or [])
        ids: frozenset[int] = frozenset()
        if pairs:
            pq = (
                sa.select(projects.c.id)
                .join(entities, entities.c.id == projects.c.entity_id)
                .where(sa.tuple_(entities.c.name, projects.c.name).in_(sorted(pairs)))
            )
            ids = frozenset(int(i) for i in conn.execute(pq).scalars())
        return ShareGrant(token_hash, int(row.id), ids)


class Comments:
    """Comments on a report (`report_id`) or a run (`run_pk`)."""

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _target(report_id: int | None, run_pk: int | None) -> sa.ColumnElement[bool]:
        assert (report_id is None) != (run_pk is None)
        return comments.c.report_id == report_id if report_id is not None else comments.c.run_pk == run_pk

    def listing(
        self, conn: Connection, report_id: int | None = None, run_pk: int | None = None
    ) -> list[dict]:
        q = sa.select(comments.c.id, comments.c.author, comments.c.body, comments.c.created_at)
        q = q.where(self._target(report_id, run_pk)).order_by(comments.c.created_at, comments.c.id)
        return [dict(r._mapping) for r in conn.execute(q)]

    def count(self, conn: Connection, report_id: int | None = None, run_pk: int | None = None) -> int:
        q = sa.select(sa.func.count()).select_from(comments).where(self._target(report_id, run_pk))
        return int(conn.execute(q).scalar() or 0)

    def add(
        self,
        conn: Connection,
        author_id: int,
        author: str,
        body: str,
        report_id: int | None,
        run_pk: int | None,
    ) -> dict[str, Any]:
        now = time.time()
        values = dict(
            report_id=report_id, run_pk=run_pk, author_id=author_id, author=author, body=body, created_at=now
        )
        pk = conn.execute(sa.insert(comments).values(**values)).inserted_primary_key
        assert pk is not None
        return {"id": int(pk[0]), "author": author, "body": body, "created_at": now}

    def get(self, conn: Connection, comment_id: int) -> sa.Row | None:
        return conn.execute(sa.select(comments).where(comments.c.id == comment_id)).first()

    def project_id(self, conn: Connection, row: sa.Row) -> int:
        """The project of a comment's report or run."""
        if row.report_id is not None:
            q = sa.select(reports.c.project_id).where(reports.c.id == row.report_id)
        else:
            q = sa.select(runs.c.project_id).where(runs.c.id == row.run_pk)
        return int(conn.execute(q).scalar_one())

    def delete(self, conn: Connection, comment_id: int) -> None:
        conn.execute(sa.delete(comments).where(comments.c.id == comment_id))
