"""Server configuration, resolved once at start from arguments and the environment.

RUNYARD_HOME      data directory (default ~/.runyard): runyard.db, blobs/, credentials
RUNYARD_DB_URL    database URL (default sqlite:///$RUNYARD_HOME/runyard.db); postgresql://... works
RUNYARD_BLOB_URL  where blobs live: unset, the local folder $RUNYARD_HOME/blobs; s3://bucket/prefix, an
                  S3-compatible object store (docs/storage.md) with the credentials, region and endpoint
                  of boto3's usual settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE,
                  AWS_REGION, AWS_ENDPOINT_URL_S3, ...) or, before them:
RUNYARD_S3_ENDPOINT_URL  the store's URL (MinIO, Ceph, R2, ...; unset: AWS)
RUNYARD_S3_PUBLIC_ENDPOINT_URL  the store's URL as clients reach it, if not RUNYARD_S3_ENDPOINT_URL
                  (signed URLs name that host)
RUNYARD_S3_REGION        its region
RUNYARD_S3_ADDRESSING_STYLE  auto (default), path or virtual: how buckets are addressed
RUNYARD_S3_VERIFY_UPLOADS    "1": hash each upload made with a signed URL before adopting it, for
                  stores that do not check the signed x-amz-checksum-sha256 header
RUNYARD_SIGNED_URL_SECONDS  lifetime of signed upload/download URLs (default 300; docs/security.md)
RUNYARD_HEARTBEAT_TIMEOUT  seconds without news from a live run's client before it is marked crashed
RUNYARD_SWEEP_HEARTBEAT_TIMEOUT  seconds without a heartbeat from a sweep agent before its trial is
                  marked crashed and re-queued (default 120; docs/sweeps.md)
RUNYARD_GC_INTERVAL  seconds between rounds of blob garbage collection run by the server, once per
                  period across replicas (default 0: off, `runyard gc` by hand; server/jobs.py)
RUNYARD_GC_GRACE  a scheduled round spares unreferenced blobs younger than this (default 86400)
RUNYARD_PUBLIC_ANONYMOUS    "1": anonymous viewers may read public projects (default: sign-in needed)
RUNYARD_SECURE_COOKIES      "1": session cookies are always `Secure` (behind a TLS-terminating proxy
                            that does not say so); they are anyway on requests that came over https
RUNYARD_OIDC_ISSUER         OpenID Connect single sign-on (docs/teams.md): the provider's issuer URL
RUNYARD_OIDC_CLIENT_ID, RUNYARD_OIDC_CLIENT_SECRET  this server's client at the provider
RUNYARD_OIDC_TEAM_CLAIM     the ID token claim listing the user's teams (e.g. groups; default: none)
RUNYARD_OIDC_NAME_CLAIM     the claim a new user's name comes from (default preferred_username)
RUNYARD_OIDC_SCOPES         scopes asked for (default "openid profile email")
RUNYARD_BUS       live-update bus: memory (default, one process), postgres (LISTEN/NOTIFY on the
                  database) or redis://host:port/db (docs/deploy.md)
RUNYARD_BUS_CHANNEL the bus channel (default runyard_events): deployments that share one Redis each
                  set their own, or each would hear the other's live updates
RUNYARD_METRICS   who may read Prometheus metrics at /metrics: admin (default: an admin's key or
                  session), open (anyone who reaches the port: a scraper inside the cluster), off
RUNYARD_JSON_LOGS "1": the server logs one JSON object per line (for log collectors)
RUNYARD_CHECK_RESPONSES     "1": check every API answer against its declared model (the test suite sets it)

Bounds on client input (docs/security.md) are settings too; each can be set by its environment
variable, `RUNYARD_` + the setting's name in capitals (e.g. RUNYARD_MAX_JSON_BYTES).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..store.blobs import BlobStore, LocalBlobStore
from ..store.db import sqlite_url
from ..store.limits import Limits
from ..wire.home import runyard_home

MiB = 1024 * 1024
_STORE = Limits()  # the store's own bounds: their defaults live there

# bounds on client input (each in docs/security.md's table)
BOUNDS = (
    "max_json_bytes",
    "max_ingest_bytes",
    "max_file_bytes",
    "max_wandb_body_bytes",
    "max_json_depth",
    "max_regex_length",
    "query_timeout_s",
    "graphql_max_depth",
    "graphql_max_aliases",
    "graphql_max_fields",
    "graphql_max_tokens",
    "max_view_bytes",
    "max_report_bytes",
    "max_report_blocks",
    "max_report_versions",
    "max_comment_chars",
    "max_saved_items",
)
# OpenID Connect settings, strings from RUNYARD_<NAME> (docs/teams.md, "Single sign-on")
OIDC_SETTINGS = (
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_team_claim",
    "oidc_name_claim",
    "oidc_scopes",
)
# the settings an environment variable (RUNYARD_<NAME>) can set
ENV_SETTINGS = (
    *BOUNDS,
    "signed_url_seconds",
    "heartbeat_timeout",
    "sweep_heartbeat_timeout",
    "gc_interval",
    "gc_grace",
)


@dataclass
class ServerConfig:
    home: Path
    db_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    max_json_bytes: int = 1 * MiB  # a JSON request body of the API, after decompression
    max_ingest_bytes: int = 64 * MiB  # a run-log chunk or other raw upload body, after decompression
    max_file_bytes: int = 4096 * MiB  # one uploaded file
    max_wandb_body_bytes: int = 16 * MiB  # GraphQL and file_stream bodies, after decompression
    # nesting of JSON values in bodies, filters and run-log records
    max_json_depth: int = _STORE.max_json_depth
    max_regex_length: int = _STORE.max_regex_length  # characters of a run filter's `$regex`
    # one database read (a run filter, a chart query); 0: no limit
    query_timeout_s: float = _STORE.query_timeout_s
    graphql_max_depth: int = 15  # nesting of selections in a GraphQL document
    graphql_max_aliases: int = 30  # aliased fields in a GraphQL document
    graphql_max_fields: int = 300  # fields selected, fragments expanded where they are spread
    graphql_max_tokens: int = 20000  # lexical tokens of a GraphQL document (parsing stops there)
    max_view_bytes: int = 256 * 1024  # a saved view's state, as JSON
    max_report_bytes: int = 512 * 1024  # a report's blocks, as JSON
    max_report_blocks: int = 200  # blocks of one report
    max_report_versions: int = 200  # saved versions kept per report (older ones are dropped)
    max_comment_chars: int = 10_000  # one comment
    max_saved_items: int = 1000  # saved views or reports per project; comments per report or run
    admin_name: str = "admin"
    write_credentials: bool = True
    signed_url_seconds: float = 300.0  # wandb clients use a signed URL right after asking for it
    # A `running` run whose client has sent nothing (data or heartbeat) for this long is marked
    # `crashed` (server/jobs.py); live clients heartbeat several times per timeout.
    heartbeat_timeout: float = 300.0
    # A sweep trial whose agent has not heart-beaten for this long is crashed and re-queued once
    # (runyard/sweeps/controller.py); agents beat every few seconds.
    sweep_heartbeat_timeout: float = 120.0
    # Blob gc run by the server (server/jobs.py): every `gc_interval` seconds one process of all the
    # replicas deletes the blobs nothing references that are older than `gc_grace`. Off by default
    # (an operator runs `runyard gc`); the grace is a day because a blob counts as referenced only
    # once its artifact is committed, and a large artifact's files may upload for hours before that.
    gc_interval: float = 0.0
    gc_grace: float = 86400.0
    public_anonymous: bool = False  # anonymous viewers may read public projects (docs/teams.md)
    secure_cookies: bool = False
    session_seconds: float = 14 * 24 * 3600.0
    link_seconds: float = 7 * 24 * 3600.0  # password set/reset links and team invitations
    # OpenID Connect single sign-on (routes/oidc.py): on when an issuer is set
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_team_claim: str | None = None
    oidc_name_claim: str = "preferred_username"
    oidc_scopes: str = "openid profile email"
    bus: str = "memory"  # live updates across processes: memory, postgres, redis://... (server/pubsub.py)
    bus_channel: str = "runyard_events"
    metrics: str = "admin"  # /metrics: admin, open or off (server/metrics.py)
    json_logs: bool = False
    blob_url: str | None = None  # None: $RUNYARD_HOME/blobs; s3://bucket/prefix (docs/storage.md)
    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_addressing_style: str = "auto"
    s3_verify_uploads: bool = False
    check_responses: bool = False  # buffers and validates every JSON answer: for tests, not production

    @property
    def public_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    def open_blobs(self) -> BlobStore:
        """The blob store this configuration names (the local folder unless `blob_url` is set)."""
        if not self.blob_url:
            return LocalBlobStore(self.blob_dir)
        from ..store.s3blobs import S3BlobStore, S3Settings

        settings = S3Settings.from_url(
            self.blob_url,
            endpoint_url=self.s3_endpoint_url,
            public_endpoint_url=self.s3_public_endpoint_url,
            region=self.s3_region,
            addressing_style=self.s3_addressing_style,
            verify_reads=self.s3_verify_uploads,
        )
        return S3BlobStore(settings, self.blob_dir / "tmp")

    @property
    def credentials_path(self) -> Path:
        return self.home / "credentials"

    @property
    def limits(self) -> Limits:
        """The bounds the store enforces itself (filters, record values, query time)."""
        return Limits(
            max_json_depth=self.max_json_depth,
            max_regex_length=self.max_regex_length,
            query_timeout_s=self.query_timeout_s,
        )

    @classmethod
    def resolve(
        cls, home: str | os.PathLike | None = None, db_url: str | None = None, **kw: object
    ) -> ServerConfig:
        h = Path(home) if home else runyard_home()
        url = db_url or os.environ.get("RUNYARD_DB_URL") or sqlite_url(h / "runyard.db")
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        for name in ENV_SETTINGS:
            raw = os.environ.get("RUNYARD_" + name.upper())
            if raw and name not in kw:
                conv = float if types[name] == "float" else int
                try:
                    kw[name] = conv(raw)
                except ValueError:
                    raise ValueError(f"RUNYARD_{name.upper()} must be a number, not {raw!r}") from None
        for env, field in (
            ("RUNYARD_PUBLIC_ANONYMOUS", "public_anonymous"),
            ("RUNYARD_SECURE_COOKIES", "secure_cookies"),
            ("RUNYARD_JSON_LOGS", "json_logs"),
            ("RUNYARD_S3_VERIFY_UPLOADS", "s3_verify_uploads"),
            ("RUNYARD_CHECK_RESPONSES", "check_responses"),
        ):
            if os.environ.get(env):
                kw.setdefault(field, os.environ[env].lower() in ("1", "true", "yes"))
        for env, field in (
            ("RUNYARD_BUS", "bus"),
            ("RUNYARD_BUS_CHANNEL", "bus_channel"),
            ("RUNYARD_METRICS", "metrics"),
            ("RUNYARD_BLOB_URL", "blob_url"),
            ("RUNYARD_S3_ENDPOINT_URL", "s3_endpoint_url"),
            ("RUNYARD_S3_PUBLIC_ENDPOINT_URL", "s3_public_endpoint_url"),
            ("RUNYARD_S3_REGION", "s3_region"),
            ("RUNYARD_S3_ADDRESSING_STYLE", "s3_addressing_style"),
        ):
            if os.environ.get(env) and kw.get(field) is None:
                kw[field] = os.environ[env]
        kw = {k: v for k, v in kw.items() if v is not None}
        if kw.get("metrics", "admin") not in ("admin", "open", "off"):
            raise ValueError(f"metrics must be admin, open or off, not {kw['metrics']!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", str(kw.get("bus_channel", "runyard_events"))):
            # a PostgreSQL LISTEN name and a Redis channel alike: lower-case identifier, no quoting
            raise ValueError("RUNYARD_BUS_CHANNEL must be a lower-case identifier (a-z, 0-9, _; 63 at most)")
        if kw.get("s3_addressing_style", "auto") not in ("auto", "path", "virtual"):
            raise ValueError("RUNYARD_S3_ADDRESSING_STYLE must be auto, path or virtual")
        for field in ("gc_interval", "gc_grace"):
            if float(kw.get(field, 0.0)) < 0:  # type: ignore[arg-type]
                raise ValueError(f"RUNYARD_{field.upper()} must be 0 or more seconds")
        for field in OIDC_SETTINGS:
            if os.environ.get("RUNYARD_" + field.upper()):
                kw.setdefault(field, os.environ["RUNYARD_" + field.upper()])
        config = cls(home=h, db_url=url, **kw)  # type: ignore[arg-type]
        if config.oidc_issuer and not config.oidc_client_id:
            raise ValueError("single sign-on needs RUNYARD_OIDC_CLIENT_ID (and usually the client secret)")
        return config
