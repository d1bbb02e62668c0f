"""Small JSON documents per (kind, name) that a protocol layer keeps between requests.

The wandb layer (server/wandb/state.py) keeps here what its requests need and the rest of the store
does not hold: a run's synthetic run-log position and file_stream line offsets, an artifact between
create and commit, MD5 <-> sha256 of blobs, its URL-signing secret. `lock` reads a document with its
row locked (`FOR UPDATE` on PostgreSQL; SQLite's single writer serialises anyway), so the requests of
one run are serialised across every replica, and a document saved in the transaction that applies
the frames it describes commits or rolls back with them.

A document may name blobs that nothing else references yet (a run's files before the run is in the
store, an artifact's files before its commit): `hold` records them in `blob_holds`, which gc counts as
references (store/blob_deletions.py), in the transaction that saves the document. Written where the
blobs' gc marks are checked (`BlobDeletions.moved`), a hold either precedes gc's doom or is refused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import blob_holds
from .tables import protocol_state as t


class ProtocolState:
    def __init__(self, db: Database):
        self.db = db

    def get(self, conn: Connection, kind: str, name: str) -> Any:
        raw = conn.execute(sa.select(t.c.doc).where(t.c.kind == kind, t.c.name == name)).scalar()
        return None if raw is None else json.loads(raw)

    def lock(self, conn: Connection, kind: str, name: str) -> Any:
        """The document (None when there is none yet), its row locked until the transaction ends.
        A missing row is created empty first, so that a first request of a key is serialised too."""
        if not self.db.is_sqlite:
            conn.execute(
                self.db.insert(t)
                .values(kind=kind, name=name, doc="null", updated_at=time.time())
                .on_conflict_do_nothing()
            )
        raw = conn.execute(
            self.db.for_update(sa.select(t.c.doc).where(t.c.kind == kind, t.c.name == name))
        ).scalar()
        return None if raw is None else json.loads(raw)

    def put(self, conn: Connection, kind: str, name: str, doc: Any) -> None:
        raw = json.dumps(doc, separators=(",", ":"), allow_nan=True)
        stmt = self.db.insert(t).values(kind=kind, name=name, doc=raw, updated_at=time.time())
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.kind, t.c.name], set_={"doc": raw, "updated_at": time.time()}
            )
        )

    def add(self, conn: Connection, kind: str, name: str, doc: Any) -> bool:
        """Insert unless present; True when this call inserted it (first writer wins)."""
        raw = json.dumps(doc, separators=(",", ":"), allow_nan=True)
        res = conn.execute(
            self.db.insert(t)
            .values(kind=kind, name=name, doc=raw, updated_at=time.time())
            .on_conflict_do_nothing()
        )
        return bool(res.rowcount)

    def hold(
        self,
        conn: Connection,
        kind: str,
        name: str,
        shas: Iterable[str],
        expires_at: float | None = None,
        replace: bool = True,
    ) -> None:
        """The blobs the document (kind, name) holds: exactly `shas` from now on (none lets go of all),
        or `shas` besides those it holds already (`replace=False`); until `expires_at` (None: until
        let go)."""
        keep = sorted(set(shas))
        mine = sa.and_(blob_holds.c.kind == kind, blob_holds.c.name == name)
        if replace:
            conn.execute(sa.delete(blob_holds).where(mine, blob_holds.c.sha256.not_in(keep)))
        for sha in keep:
            ins = self.db.insert(blob_holds).values(kind=kind, name=name, sha256=sha, expires_at=expires_at)
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=[blob_holds.c.kind, blob_holds.c.name, blob_holds.c.sha256],
                    set_={"expires_at": expires_at},
                )
            )
