"""Server configuration, resolved once at start from arguments and the environment.

RUNYARD_HOME      data directory (default ~/.runyard): runyard.db, blobs/, credentials
RUNYARD_DB_URL    database URL (default sqlite:///$RUNYARD_HOME/runyard.db); postgresql://... works
RUNYARD_SIGNED_URL_SECONDS  lifetime of signed upload/download URLs (default 300; docs/security.md)
RUNYARD_HEARTBEAT_TIMEOUT  seconds without news from a live run's client before it is marked crashed
RUNYARD_CHECK_RESPONSES  1: check every API answer against its declared model (the test suite sets it)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..store.db import sqlite_url
from ..wire.home import runyard_home

MiB = 1024 * 1024


@dataclass
class ServerConfig:
    home: Path
    db_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    max_json_bytes: int = 1 * MiB
    max_ingest_bytes: int = 64 * MiB
    max_file_bytes: int = 4096 * MiB
    admin_name: str = "admin"
    write_credentials: bool = True
    signed_url_seconds: float = 300.0  # wandb clients use a signed URL right after asking for it
    # A `running` run whose client has sent nothing (data or heartbeat) for this long is marked
    # `crashed` (server/jobs.py); live clients heartbeat several times per timeout.
    heartbeat_timeout: float = 300.0
    check_responses: bool = False  # buffers and validates every JSON answer: for tests, not production

    @property
    def public_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def credentials_path(self) -> Path:
        return self.home / "credentials"

    @classmethod
    def resolve(
        cls, home: str | os.PathLike | None = None, db_url: str | None = None, **kw: object
    ) -> ServerConfig:
        h = Path(home) if home else runyard_home()
        url = db_url or os.environ.get("RUNYARD_DB_URL") or sqlite_url(h / "runyard.db")
        if os.environ.get("RUNYARD_SIGNED_URL_SECONDS"):
            kw.setdefault("signed_url_seconds", float(os.environ["RUNYARD_SIGNED_URL_SECONDS"]))
        if "heartbeat_timeout" not in kw and os.environ.get("RUNYARD_HEARTBEAT_TIMEOUT"):
            kw["heartbeat_timeout"] = float(os.environ["RUNYARD_HEARTBEAT_TIMEOUT"])
        kw.setdefault("check_responses", os.environ.get("RUNYARD_CHECK_RESPONSES", "") in ("1", "true"))
        return cls(home=h, db_url=url, **kw)  # type: ignore[arg-type]
