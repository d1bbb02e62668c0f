"""Small JSON documents per (kind, name) that a protocol layer keeps between requests.

The wandb layer (server/wandb/state.py) keeps here what its requests need and the rest of the store
does not hold: a run's synthetic run-log position and file_stream line offsets, an artifact between
create and commit, MD5 <-> sha256 of blobs, its URL-signing secret. `lock` reads a document with its
row locked (`FOR UPDATE` on PostgreSQL; SQLite's single writer serialises anyway), so the requests of
one run are serialised across every replica, and a document saved in the transaction that applies
the frames it describes commits or rolls back with them.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
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
