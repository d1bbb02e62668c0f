"""The server's storage: repositories per aggregate over one Database, plus the blob store.

store = Store.open("sqlite:////path/runyard.db", blob_dir)   # or a postgresql:// URL
store.migrate()
store.db.write(lambda conn: store.projects.get_or_create(conn, entity_id, "p"))
"""

from __future__ import annotations

import os

from .artifacts import Artifacts, collect_garbage
from .audit import Audit
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
        `delete` (and forgotten by blob_refs); what `runyard gc` and the periodic job do."""
        out = collect_garbage(self.db.read, self.artifacts, self.blobs, delete, grace_seconds)
        if out["deleted"]:
            self.db.write(lambda c: self.blob_refs.forget(c, out["sha256"]))
        return out

    def close(self) -> None:
        self.db.close()
