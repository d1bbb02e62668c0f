"""Deleting blobs without breaking what names them: one protocol for the deleter and the committers.

A blob is deleted from the store outside any transaction, so "nothing references it" (read in the
database) and "its bytes are gone" (in the store) cannot change together; and a committer checks that a
blob is present (in the store) before the transaction that references it. Left alone, gc could delete
an old orphan between a commit's presence check and its transaction, and the version would name a
deleted blob. So:

- the deleter (`Store.delete_unreferenced`, what gc calls) first *dooms* the blobs in a write transaction
  holding the `blobs` lock exclusively: under the lock it re-checks that nothing references them and that
  no upload claimed them recently, and gives each a new token, `deleting`. Then it deletes them from the
  store, then clears `deleting` (the token stays).
- a committer (artifact commits, run files naming a stored blob) reads the marks of its blobs (`marks`)
  *before* it checks that they are present, treats those being deleted as missing, and first thing in
  its write transaction, holding the `blobs` lock shared, asks which marks changed since (`moved`): those
  are missing too (the client uploads them again), and nothing is written.

Either the doom's transaction comes first, and the committer sees a changed mark, or the committer's
does, and the doom's re-check sees its reference. SQLite serialises write transactions anyway;
PostgreSQL uses an advisory lock, shared by committers (they never wait for each other) and exclusive for
the doom, which is short (no I/O of the store inside).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import Database
from .tables import blob_deletions as t

LOCK = "blobs"
CHUNK = 500  # hashes per query
DELETING = "*"  # suffix of a mark whose deletion has not finished
# A doom older than this whose deleter never cleared it (the process died, or the store failed mid-way)
# is finished by the next gc round: no deleter takes this long over one batch.
STALE_S = 3600.0

Marks = dict[str, str]  # sha256 -> token (+ DELETING); absent: gc never deleted it


class BlobDeletions:
    def __init__(self, db: Database):
        self.db = db

    def marks(self, conn: Connection, shas: Iterable[str]) -> Marks:
        """What gc last did to each of `shas`: read before checking that they are present."""
        out: Marks = {}
        todo = sorted(set(shas))
        for i in range(0, len(todo), CHUNK):
            q = sa.select(t.c.sha256, t.c.token, t.c.deleting).where(
                self.db.any_of(t.c.sha256, todo[i : i + CHUNK])
            )
            out.update({r.sha256: r.token + (DELETING if r.deleting else "") for r in conn.execute(q)})
        return out

    def moved(self, conn: Connection, shas: Iterable[str], before: Marks) -> set[str]:
        """First in the transaction that writes references to `shas`: those gc deleted or began to delete
        since `before` was read, or is deleting now (the others cannot be doomed until it ends)."""
        todo = set(shas)
        self.db.xact_lock(conn, LOCK, shared=True)
        now = self.marks(conn, todo)
        return {s for s in todo if now.get(s) != before.get(s) or now.get(s, "").endswith(DELETING)}

    def doom(
        self,
        conn: Connection,
        shas: list[str],
        keep: Callable[[Connection, list[str]], set[str]],
    ) -> list[str]:
        """In the deleter's own write transaction: those of `shas` not in `keep` (read under the lock:
        the referenced blobs, the recently uploaded ones) marked as being deleted."""
        self.db.xact_lock(conn, LOCK)
        kept = keep(conn, shas)
        doomed = [s for s in dict.fromkeys(shas) if s not in kept]
        now = time.time()
        for sha in doomed:
            values = {"token": secrets.token_hex(16), "deleting": True, "updated_at": now}
            ins = self.db.insert(t).values(sha256=sha, **values)
            conn.execute(ins.on_conflict_do_update(index_elements=["sha256"], set_=values))
        return doomed

    def finished(self, conn: Connection, shas: list[str]) -> None:
        """The store's deletes of `shas` are done (or were never started): committers trust its answer
        again. The tokens stay, so a committer that read a mark before the doom still sees it moved."""
        for i in range(0, len(shas), CHUNK):
            conn.execute(
                sa.update(t)
                .where(self.db.any_of(t.c.sha256, shas[i : i + CHUNK]))
                .values(deleting=False, updated_at=time.time())
            )

    def stale(self, conn: Connection, now: float) -> list[str]:
        """Dooms whose deleter never finished them (see STALE_S)."""
        q = sa.select(t.c.sha256).where(t.c.deleting.is_(True), t.c.updated_at < now - STALE_S)
        return list(conn.execute(q).scalars())
