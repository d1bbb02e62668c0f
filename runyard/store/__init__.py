"""The server's storage: repositories per aggregate over one Database, plus the blob store.

store = Store.open("sqlite:////path/runyard.db", blob_dir)   # or a postgresql:// URL
store.migrate()
store.db.write(lambda conn: store.projects.get_or_create(conn, entity_id, "p"))
"""

from __future__ import annotations

import os

from .artifacts import Artifacts
from .blob_refs import BlobRefs
from .blobs import BlobStore, LocalBlobStore
from .console import Console
from .db import Database, migrate
from .entities import Entities, User
from .errors import ApiError
from .files import Files
from .ingest import Ingest
from .metrics import Metrics
from .projects import Projects
from .runs import Runs

__all__ = ["Store", "Database", "User", "ApiError", "BlobStore", "LocalBlobStore"]


class Store:
    def __init__(self, db: Database, blobs: BlobStore):
        self.db = db
        self.blobs = blobs
        self.entities = Entities(db)
        self.projects = Projects(db)
        self.runs = Runs(db)
        self.metrics = Metrics(db)
        self.console = Console()
        self.files = Files(db)
        self.artifacts = Artifacts(db)
        self.blob_refs = BlobRefs(db)
        self.ingest = Ingest(self)

    @classmethod
    def open(cls, url: str, blob_dir: str | os.PathLike) -> Store:
        return cls(Database(url), LocalBlobStore(blob_dir))

    def migrate(self) -> None:
        migrate(self.db)

    def close(self) -> None:
        self.db.close()
