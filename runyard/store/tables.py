"""Tables of the store (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

The Alembic migrations in `migrations/versions/` create exactly these tables; a test compares the
migrated database with this metadata so the two cannot drift. Times are float epoch seconds (the run
log's own unit), JSON is JSONB on PostgreSQL, ids are 64-bit on PostgreSQL and SQLite's rowid.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


class SqliteNumber(sa.types.UserDefinedType):
    """SQLite's NUMERIC affinity, values passed through: integers stay exact (as json_extract gives
    them; SQLAlchemy's Numeric and Float would round them through a double)."""

    cache_ok = True

    def get_col_spec(self, **_kw: object) -> str:
        return "NUMERIC"


NUMBER = sa.Float().with_variant(SqliteNumber(), "sqlite")  # a JSON number as the database compares it

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("kind", sa.String(8), nullable=False),  # "user" or "team"
    sa.Column("email", sa.String(256)),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("password_hash", sa.String(256)),  # argon2id (store/passwords.py); NULL: no password sign-in
)

team_members = sa.Table(
    "team_members",
    metadata,
    sa.Column("team_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False, default="member"),  # admin, member or viewer
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),  # sha256 hex of the key
    sa.Column("prefix", sa.String(8), nullable=False),  # first characters, to tell keys apart in listings
    sa.Column("name", sa.String(128)),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_used_at", sa.Float),
    sa.Column("revoked_at", sa.Float),
    sa.Column("scope", sa.String(8), nullable=False, server_default="write"),  # "read" or "write"
    sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE")),  # only this entity
)

sessions = sa.Table(  # browser sign-ins (server/sessions.py): the cookie holds the token, we its sha256
    "sessions",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("ip", sa.String(64)),
    sa.Column("user_agent", sa.String(256)),
    sa.Column("revoked_at", sa.Float),
)

one_time_links = (
    sa.Table(  # single-use, expiring tokens (stored hashed): password set/reset, team invitations
        "one_time_links",
        metadata,
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),  # "password", "invite" or "signin"
        sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE")),  # password, signin: whose
        sa.Column("team_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE")),  # invite: which team
        sa.Column("role", sa.String(16)),  # invite: the role it grants
        sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float),
        sa.Column("used_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("revoked_at", sa.Float),
    )
)

identities = sa.Table(  # OpenID Connect subjects and the users they sign in as (store/identities.py)
    "identities",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("issuer", sa.String(512), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("user_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("issuer", "subject", name="uq_identities_subject"),
)

audit_log = sa.Table(  # who created, changed, deleted or moved what (store/audit.py)
    "audit_log",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor_id", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("actor", sa.String(128), nullable=False),  # the name, kept when the user is deleted
    sa.Column("action", sa.String(64), nullable=False),  # e.g. "project.visibility", "member.add"
    sa.Column("target", sa.String(1024), nullable=False),  # e.g. "acme/mnist", "acme/mnist/run1"
    sa.Column("detail", JSON, nullable=False),
    sa.Index("ix_audit_log_target", "target"),  # a registry collection's history (store/registries.py)
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("visibility", sa.String(8), nullable=False, server_default="team"),  # private, team, public
    sa.UniqueConstraint("entity_id", "name", name="uq_projects_entity_name"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("run_id", sa.String(128), nullable=False),  # the id the SDK chose (wandb's run.id)
    sa.Column("name", sa.String(256)),  # display name
    sa.Column("state", sa.String(16), nullable=False, default="running"),
    sa.Column("config", JSON, nullable=False),
    sa.Column("summary", JSON, nullable=False),
    sa.Column("summary_state", JSON, nullable=False),  # aggregation state, so ingest can continue
    sa.Column("tags", JSON, nullable=False),
    sa.Column("flags", JSON, nullable=False),
    sa.Column("metadata", JSON, nullable=False),  # environment: host, program, git, python, hardware
    sa.Column("notes", sa.Text),
    sa.Column("group_name", sa.String(256)),
    sa.Column("job_type", sa.String(128)),
    sa.Column("sweep_id", sa.String(128)),
    sa.Column("host", sa.String(256)),
    sa.Column("program", sa.Text),
    sa.Column("sdk", sa.String(64)),
    sa.Column("exit_code", sa.Integer),
    sa.Column("created_at", sa.Float, nullable=False),  # start_time of the first segment
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("heartbeat_at", sa.Float, nullable=False),  # last time data arrived
    sa.Column("ended_at", sa.Float),
    sa.Column("runtime", sa.Float),
    sa.Column("last_step", sa.BigInteger),
    sa.Column("history_points", sa.BigInteger, nullable=False, default=0),
    sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.UniqueConstraint("project_id", "run_id", name="uq_runs_project_run"),
    # one per indexed sort of the runs list (keyset pages seek on them; the run id breaks ties)
    sa.Index("ix_runs_project_created", "project_id", "created_at", "id"),
    sa.Index("ix_runs_project_name", "project_id", "name", "id"),
    sa.Index("ix_runs_project_state", "project_id", "state", "id"),
)

# the runs' scalar config and summary values, one row per leaf, for sorting runs lists by them
# through an index (store/run_values.py keeps them in step with `runs`)
run_values = sa.Table(
    "run_values",
    metadata,
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("field", sa.String(300), primary_key=True),  # "config.lr", "summary.eval.acc"
    sa.Column("project_id", ID, nullable=False),  # the run's, so an index scan stays in one project
    sa.Column("num", NUMBER),
    sa.Column("str", sa.Text),
    # a keyset page by value seeks here; both NULL is an "opaque" value (see run_values.py)
    sa.Index(
        "ix_run_values_num",
        "project_id",
        "field",
        "num",
        "run_pk",
        sqlite_where=sa.text("num IS NOT NULL"),
        postgresql_where=sa.text("num IS NOT NULL"),
    ),
    sa.Index(
        "ix_run_values_str",
        "project_id",
        "field",
        "str",
        "run_pk",
        sqlite_where=sa.text("num IS NULL"),
        postgresql_where=sa.text("num IS NULL"),
    ),
    sa.Index(  # usually empty: whether a field has a value the other two cannot order
        "ix_run_values_opaque",
        "project_id",
        "field",
        sqlite_where=sa.text("num IS NULL AND str IS NULL"),
        postgresql_where=sa.text("num IS NULL AND str IS NULL"),
    ),
)

run_segments = sa.Table(
    "run_segments",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("segment", sa.String(64), nullable=False),  # segment id from the file's RUN record
    sa.Column(
        "ordinal", sa.Integer, nullable=False
    ),  # 1, 2, ... in arrival order: orders seqs across segments
    sa.Column("acked_offset", sa.BigInteger, nullable=False, default=0),  # bytes of the run log applied
    sa.Column("starting_step", sa.BigInteger, nullable=False, default=0),
    sa.Column("resumed", sa.Boolean, nullable=False, default=False),
    sa.Column("start_time", sa.Float),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("run_pk", "segment", name="uq_segments_run_segment"),
)

metric_keys = sa.Table(
    "metric_keys",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # "history" or "system"
    sa.Column("key", sa.String(512), nullable=False),
    sa.Column("points", sa.BigInteger, nullable=False, default=0),
    sa.Column("next_chunk_no", sa.Integer, nullable=False, default=0),
    sa.Column("open_chunk_id", sa.BigInteger),  # last numeric chunk while it has room (no FK: a cycle)
    sa.Column("open_n", sa.Integer, nullable=False, default=0),
    sa.Column("open_any_chunk_id", sa.BigInteger),  # same for the last non-numeric chunk
    sa.Column("open_any_n", sa.Integer, nullable=False, default=0),
    sa.Column("step_min", sa.BigInteger),
    sa.Column("step_max", sa.BigInteger),
    sa.UniqueConstraint("run_pk", "kind", "key", name="uq_metric_keys_run_kind_key"),
)

metric_chunks = sa.Table(
    "metric_chunks",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("key_id", ID, sa.ForeignKey("metric_keys.id", ondelete="CASCADE"), nullable=False),
    sa.Column("chunk_no", sa.Integer, nullable=False),
    sa.Column("numeric", sa.Boolean, nullable=False),  # False: values are msgpack (strings, media refs)
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("step_min", sa.BigInteger, nullable=False),
    sa.Column("step_max", sa.BigInteger, nullable=False),
    sa.Column("ts_min", sa.Float, nullable=False),
    sa.Column("ts_max", sa.Float, nullable=False),
    sa.Column("v_min", sa.Float),  # over non-NaN values
    sa.Column("v_max", sa.Float),
    sa.Column("v_sum", sa.Float),
    sa.Column("v_count", sa.Integer),  # non-NaN values
    sa.Column("v_last", sa.Float),  # value of the last point in (step, seq) order
    sa.Column("steps", sa.LargeBinary, nullable=False),  # b"" when consecutive, else zlib(int64 deltas)
    sa.Column("vals", sa.LargeBinary, nullable=False),  # float64 little-endian, uncompressed
    sa.Column("aux", sa.LargeBinary, nullable=False),  # int64 seq and µs timestamp deltas (chunks.py)
    sa.UniqueConstraint("key_id", "chunk_no", name="uq_chunks_key_no"),
    sa.Index("ix_chunks_key_steps", "key_id", "step_min", "step_max"),
)

# The summary levels per series (summaries.py): the records of a few consecutive chunks in one row, so
# that a zoomed-out chart reads a handful of small rows per series instead of one row per chunk.
metric_summaries = sa.Table(
    "metric_summaries",
    metadata,
    sa.Column(
        "key_id",
        ID,
        sa.ForeignKey("metric_keys.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("seg_no", sa.Integer, primary_key=True, autoincrement=False),
    # before `recs`: SQLite filters on them without reading the records' overflow pages
    sa.Column("step_min", sa.BigInteger, nullable=False),
    sa.Column("step_max", sa.BigInteger, nullable=False),
    sa.Column("recs", sa.LargeBinary, nullable=False),  # summaries.SUMMARY_DTYPE records, chunk order
)

console_lines = sa.Table(
    "console_lines",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("gseq", sa.BigInteger, nullable=False),  # segment ordinal << 40 | seq
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("stream", sa.SmallInteger, nullable=False),  # 1 stdout, 2 stderr
    sa.Column("line", sa.Text, nullable=False),
    sa.Index("ix_console_run_gseq", "run_pk", "gseq"),
)

run_files = sa.Table(
    "run_files",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content_type", sa.String(128)),
    sa.Column("kind", sa.String(32)),  # from the run log's FILES record: user, environment, code, media
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("run_pk", "path", name="uq_files_run_path"),
    sa.Index("ix_run_files_sha256", "sha256"),  # blob references (gc, blob_refs.py)
)

# -- artifacts (store/artifacts.py) ---------------------------------------------------------------
artifact_collections = sa.Table(  # one per artifact name in a project: "my-model" with versions v0, v1, ...
    "artifact_collections",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("next_version", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("project_id", "name", name="uq_artifact_collections_project_name"),
)

artifact_versions = sa.Table(
    "artifact_versions",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column(
        "collection_id", ID, sa.ForeignKey("artifact_collections.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("version_index", sa.Integer, nullable=False),  # N of "vN"
    sa.Column("digest", sa.String(64), nullable=False),  # sha256 of the manifest (see artifacts.py)
    sa.Column("description", sa.Text),
    sa.Column("metadata", JSON, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),  # bytes of the stored (non-reference) entries
    sa.Column("file_count", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    # set when the version is deleted: the row stays as a tombstone (no files, aliases or registry
    # links) so that the runs that logged or used it still name it
    sa.Column("deleted_at", sa.Float),
    # the manifest document as the client sent it (wandb's clients read it back verbatim), a blob gc
    # keeps while the version lives; None for runyard's own commits
    sa.Column("manifest_blob", sa.String(64)),
    sa.Index("ix_artifact_versions_manifest_blob", "manifest_blob"),
    sa.UniqueConstraint("collection_id", "version_index", name="uq_artifact_versions_index"),
    sa.UniqueConstraint("collection_id", "digest", name="uq_artifact_versions_digest"),
)

artifact_aliases = sa.Table(  # unique per collection: assigning an alias again moves it
    "artifact_aliases",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column(
        "collection_id", ID, sa.ForeignKey("artifact_collections.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("version_id", ID, sa.ForeignKey("artifact_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("alias", sa.String(128), nullable=False),
    sa.UniqueConstraint("collection_id", "alias", name="uq_artifact_aliases_alias"),
)

artifact_entries = sa.Table(  # the manifest: one row per file of a version
    "artifact_entries",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("version_id", ID, sa.ForeignKey("artifact_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("sha256", sa.String(64)),  # the blob; NULL for references
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("ref", sa.Text),  # file://, s3://, http(s):// URI of a reference (not stored here)
    sa.Column("extra", JSON, nullable=False),  # reference checksum/etag, ...
    sa.UniqueConstraint("version_id", "path", name="uq_artifact_entries_path"),
    sa.Index("ix_artifact_entries_sha256", "sha256"),
)

artifact_links = sa.Table(  # lineage from the run log: ARTIFACT (output) and USE_ARTIFACT (input) records
    "artifact_links",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # "output" or "input"
    sa.Column("entity", sa.String(128), nullable=False),  # by name and digest, so a link may arrive
    sa.Column("project", sa.String(128), nullable=False),  # before or after the version it names
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("run_pk", "kind", "entity", "project", "name", "digest", name="uq_artifact_links"),
    sa.Index("ix_artifact_links_target", "entity", "project", "name", "digest"),
)

# -- the model registry (store/registries.py) -------------------------------------------------------
registries = sa.Table(  # named registries of an entity ("model"), addressed as "wandb-registry-model"
    "registries",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("description", sa.Text),
    sa.Column("artifact_types", JSON),  # the types it accepts, a list; NULL: every type
    sa.UniqueConstraint("entity_id", "name", name="uq_registries_entity_name"),
)

registry_collections = sa.Table(  # a registered model (or dataset...): its type is fixed by the first link
    "registry_collections",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("registry_id", ID, sa.ForeignKey("registries.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("next_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("registry_id", "name", name="uq_registry_collections_name"),
)

registry_versions = sa.Table(  # version vN of a collection: a link to one artifact version, never a copy
    "registry_versions",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column(
        "collection_id", ID, sa.ForeignKey("registry_collections.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("version_index", sa.Integer, nullable=False),
    sa.Column(
        "artifact_version_id", ID, sa.ForeignKey("artifact_versions.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("linked_at", sa.Float, nullable=False),
    sa.Column("linked_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.UniqueConstraint("collection_id", "version_index", name="uq_registry_versions_index"),
    sa.UniqueConstraint("collection_id", "artifact_version_id", name="uq_registry_versions_artifact"),
    sa.Index("ix_registry_versions_artifact", "artifact_version_id"),
)

registry_aliases = sa.Table(  # unique per collection ("production", "staging"); moving one is audited
    "registry_aliases",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column(
        "collection_id", ID, sa.ForeignKey("registry_collections.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("version_id", ID, sa.ForeignKey("registry_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("alias", sa.String(128), nullable=False),
    sa.UniqueConstraint("collection_id", "alias", name="uq_registry_aliases_alias"),
)

blob_owners = sa.Table(  # which entity a blob was uploaded into (blob_refs.py): who may name it in a manifest
    "blob_owners",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("entity_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

blob_deletions = sa.Table(  # blobs gc deleted or is deleting (blob_deletions.py): what a commit re-checks
    "blob_deletions",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("token", sa.String(32), nullable=False),  # new at each deletion: a commit sees it change
    sa.Column("deleting", sa.Boolean, nullable=False),  # doomed, the store's delete maybe not done yet
    sa.Column("updated_at", sa.Float, nullable=False),
)

blob_holds = sa.Table(  # blobs a protocol document names before any run file or entry does (gc keeps them)
    "blob_holds",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),  # the protocol_state document holding them
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.Float),  # None: held until the document lets go
    sa.Index("ix_blob_holds_sha256", "sha256"),
)

# -- sweeps (store/sweeps.py; the controller's rules are in runyard/sweeps/controller.py) ----------
sweeps = sa.Table(
    "sweeps",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("sweep_id", sa.String(64), nullable=False),
    sa.Column("config", JSON, nullable=False),  # as created, with its seed (search is a function of it)
    sa.Column("state", sa.String(16), nullable=False),  # controller.SWEEP_STATES
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.UniqueConstraint("project_id", "sweep_id", name="uq_sweeps_project_sweep"),
)

sweep_trials = (
    sa.Table(  # one row per trial (controller.TrialRecord); the unique index makes assignment atomic
        "sweep_trials",
        metadata,
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("sweep_pk", ID, sa.ForeignKey("sweeps.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("run_id", sa.String(128), nullable=False),  # the current attempt's run
        sa.Column("run_ids", JSON, nullable=False),  # every attempt's run, oldest first
        sa.Column("agent", sa.String(256)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("heartbeat_at", sa.Float, nullable=False),
        sa.Column("stop_requested", sa.Boolean, nullable=False),
        sa.UniqueConstraint("sweep_pk", "idx", name="uq_sweep_trials_index"),
        sa.Index("ix_sweep_trials_state", "sweep_pk", "state"),  # the unfinished trials of a sweep
    )
)

protocol_state = sa.Table(  # small per-key documents of the wandb protocol layer (store/protocol_state.py)
    "protocol_state",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),  # run, artifact, index, md5, sha, secret
    sa.Column("name", sa.String(64), primary_key=True),  # a digest of the key (entity/project/run, ...)
    sa.Column("doc", sa.Text, nullable=False),  # JSON (NaN allowed: wandb summaries may hold it)
    sa.Column("updated_at", sa.Float, nullable=False),
)

# -- saved views, reports and comments (store/views.py, store/reports.py; docs/reports.md) ----------
saved_views = sa.Table(  # a workspace state (web/src/core/view.ts), personal (owner only) or shared
    "saved_views",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("owner_id", ID, sa.ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False),
    sa.Column("state", JSON, nullable=False),  # opaque to the server: the UI's versioned view object
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("project_id", ID, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("blocks", JSON, nullable=False),  # wire/report_blocks.py
    sa.Column("version", sa.Integer, nullable=False),  # 1 at creation, +1 per saved edit (the version check)
    sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("updated_at", sa.Float, nullable=False),
)

report_shares = sa.Table(  # the read-only link of a report: a token (stored hashed); it shows the report live
    "report_shares",
    metadata,
    sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_by", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.Float, nullable=False),
)

report_versions = sa.Table(  # every saved version (the newest `max_report_versions` are kept)
    "report_versions",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("blocks", JSON, nullable=False),
    sa.Column("author_id", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("report_id", "version", name="uq_report_versions_version"),
)

comments = sa.Table(  # on a report or on a run (exactly one of the two)
    "comments",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("report_id", ID, sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True),
    sa.Column("run_pk", ID, sa.ForeignKey("runs.id", ondelete="CASCADE"), index=True),
    sa.Column("author_id", ID, sa.ForeignKey("entities.id", ondelete="SET NULL")),
    sa.Column("author", sa.String(128), nullable=False),  # the name at the time (kept if the user goes)
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

job_runs = (
    sa.Table(  # the last round of each periodic job that must run once across replicas (store/job_runs.py)
        "job_runs",
        metadata,
        sa.Column("name", sa.String(64), primary_key=True),  # "gc"
        sa.Column("started_at", sa.Float, nullable=False),  # when a process claimed the latest round
        sa.Column("finished_at", sa.Float),  # when that round ended (None: running, or its process died)
        sa.Column("result", sa.Text),  # JSON summary of the latest finished round
    )
)
