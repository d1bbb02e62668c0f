"""The server's storage: repositories per aggregate over one Database, plus the blob store.

store = Store.open("sqlite:////path/runyard.db", blob_dir)   # or a postgresql:// URL
store.migrate()
store.db.write(lambda conn: store.projects.get_or_create(conn, entity_id, "p"))
"""

from __future__ import annotations

import math
import os
import time

from sqlalchemy.engine import Connection

from .artifacts import Artifacts, collect_garbage
from .audit import Audit
from .blob_deletions import BlobDeletions
from .blob_refs import BlobRefs
from .blobs import BlobStore, LocalBlobStore
from .console import Console
from .db import Database, migrate
from .entities import Entities, User
from .errors import StoreError
from .files import Files
from .identities import Identities
from .ingest import Ingest
from .job_runs import JobRuns
from .limits import Limits
from .links import Links
from .metrics import Metrics
from .projects import Projects
from .protocol_state import ProtocolState
from .registries import Registries
from .reports import Comments, Reports
from .runs import Runs
from .sessions import Sessions
from .sweeps import Sweeps
from .views import Views

__all__ = ["Store", "Database", "User", "StoreError", "BlobStore", "LocalBlobStore", "Limits"]


class Store:
    def __init__(self, db: Database, blobs: BlobStore, limits: Limits | None = None):
        self.db = db
        self.blobs = blobs
        self.limits = limits or Limits()
        self.entities = Entities(db)
        self.projects = Projects(db)
        self.runs = Runs(db, self.limits)
        self.metrics = Metrics(db)
        self.console = Console()
        self.files = Files(db)
        self.artifacts = Artifacts(db)
        self.blob_refs = BlobRefs(db)
        self.blob_deletions = BlobDeletions(db)
        self.sweeps = Sweeps(db, self.metrics)
        self.ingest = Ingest(self)
        self.sessions = Sessions(db)
        self.links = Links(db)
        self.identities = Identities(db)
        self.audit = Audit(db)
        self.registries = Registries(db, self.audit)
        self.protocol = ProtocolState(db)
        self.views = Views(db)
        self.reports = Reports(db)
        self.comments = Comments(db)
        self.job_runs = JobRuns(db)

    @classmethod
    def open(
        cls,
        url: str,
        blob_dir: str | os.PathLike,
        limits: Limits | None = None,
        blobs: BlobStore | None = None,
    ) -> Store:
        """`blobs`: the blob store (default: the folder `blob_dir`)."""
        limits = limits or Limits()
        db = Database(url, query_timeout_s=limits.query_timeout_s)
        return cls(db, blobs or LocalBlobStore(blob_dir), limits)

    def migrate(self) -> None:
        migrate(self.db)

    def collect_garbage(self, delete: bool, grace_seconds: float) -> dict:
        """Blobs no artifact and no run file references, older than `grace_seconds`, removed with
        `delete`; what `runyard gc` and the periodic job do. Deletions a dead process left unfinished
        are finished first (blob_deletions.py)."""
        if delete:
            self._delete(self.db.read(lambda c: self.blob_deletions.stale(c, time.time())))
        return collect_garbage(
            self.db.read, self.artifacts, self.blobs, self.delete_unreferenced, delete, grace_seconds
        )

    def delete_unreferenced(self, shas: list[str], spare_since: float = math.inf) -> list[str]:
        """Delete those of `shas` that nothing references and nobody uploaded at `spare_since` or
        later, without racing a commit that names them (blob_deletions.py); returns those deleted."""

        def keep(conn: Connection, todo: list[str]) -> set[str]:
            kept = self.artifacts.referenced(conn, todo)
            return kept | self.blob_refs.uploaded_since(conn, [s for s in todo if s not in kept], spare_since)

        doomed = self.db.write(lambda c: self.blob_deletions.doom(c, shas, keep))
        self._delete(doomed)
        return doomed

    def _delete(self, doomed: list[str]) -> None:
        """The store's half of a deletion: the blobs, then their marks and owners. When the store fails,
        the blob it failed on stays doomed (the next gc round finishes it) and the rest are released."""
        done = 0
        try:
            for sha in doomed:
                self.blobs.delete(sha)
                done += 1
        finally:
            failed = doomed[done : done + 1]
            released = [s for s in doomed if s not in failed]

            def in_txn(conn: Connection) -> None:
                self.blob_deletions.finished(conn, released)
                self.blob_refs.forget(conn, doomed[:done])

            if released:
                self.db.write(in_txn)

    def close(self) -> None:
        self.db.close()
