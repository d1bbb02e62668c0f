"""The OpenAPI 3.1 description of /api/v1, maintained by hand as data.

Why by hand: several routes take raw bodies (run-log bytes, file contents) and most answers are
columnar documents; Starlette's SchemaGenerator only collects YAML from docstrings and checks
nothing, so it would be the same hand-written text, scattered. Here it is one table, and a test
asserts that every mounted route is described and nothing described is missing.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from .auth import PUBLIC, PUBLIC_PREFIX


def _p(name: str, where: str = "query", required: bool = False, typ: str = "string", doc: str = "") -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": {"type": typ},
        "description": doc,
    }


E, P, R = _p("entity", "path"), _p("project", "path"), _p("run_id", "path")
SW = _p("sweep_id", "path")
VIEW, REP = _p("view_id", "path", typ="integer"), _p("report_id", "path", typ="integer")
VER = _p("version", "path", typ="integer")
TEAM = _p("team", "path")
AN, AV = _p("name", "path"), _p("version", "path", doc="vN, an alias such as latest, or a digest")
RG = _p("registry", "path", doc="the registry's name (model for wandb-registry-model)")
RCOL = _p("collection", "path", doc="a registered model (or other collection) of the registry")
BUCKET_PARAMS = [
    _p("buckets", typ="integer", doc="number of buckets B (1..10000, default 1000)"),
    _p("x_axis", doc="_step (default), _timestamp, _runtime, or another metric of the run (joined on step)"),
    _p("min", typ="number", doc="x range start a (default: the data's extent)"),
    _p("max", typ="number", doc="x range end b"),
    _p("format", doc="json (default) or msgpack (numeric columns as raw little-endian arrays)"),
]
JSON_OBJ = {"content": {"application/json": {"schema": {"type": "object"}}}}
BYTES = {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}

# (method, path, summary, parameters, request body, success description)
OPERATIONS: list[tuple[str, str, str, list, dict | None, str]] = [
    ("get", "/api/v1/health", "Liveness probe (no key needed)", [], None, "status and version"),
    (
        "get",
        "/api/v1/ready",
        "Readiness probe (no key needed): database, blob store and bus reachable; 503 names what is not",
        [],
        None,
        "{status, checks: {database, blob_store, bus}}",
    ),
    (
        "get",
        "/api/v1/viewer",
        "The caller: user name, admin flag, entities it can write to",
        [],
        None,
        "viewer",
    ),
    ("get", "/api/v1/openapi.json", "This document", [], None, "OpenAPI document"),
    (
        "get",
        "/api/v1/ingest/{entity}/{project}/{run_id}",
        "Acknowledged byte offset of one run-log segment (needs read access; 0 for a first upload)",
        [E, P, R, _p("segment", required=True)],
        None,
        "{acked_offset}",
    ),
    (
        "post",
        "/api/v1/ingest/{entity}/{project}/{run_id}",
        "Upload run-log bytes (whole frames from a frame boundary; offset 0 includes the 16-byte header). "
        "Frames ending at or below the acknowledged offset are skipped; the rest is applied in one transaction. "
        "409 offset_mismatch carries error.acked_offset to resend from. live=1: sent by the run's own process, "
        "so it is also a heartbeat (an empty body is a heartbeat alone).",
        [
            E,
            P,
            R,
            _p("segment", required=True),
            _p("offset", required=True, typ="integer"),
            _p("live", doc="1 when the run's own process sends it (a heartbeat)"),
        ],
        BYTES,
        "{acked_offset, applied_records, skipped_records, points, heartbeat_timeout}",
    ),
    ("get", "/api/v1/projects", "Projects the caller can see", [], None, "{projects}"),
    ("get", "/api/v1/projects/{entity}/{project}", "One project", [E, P], None, "project"),
    (
        "get",
        "/api/v1/projects/{entity}/{project}/keys",
        "History (or system) keys over all runs of a project, one row per distinct key",
        [E, P, _p("kind", doc="history (default) or system")],
        None,
        "{keys: [{key, runs, points, step_min, step_max}]}",
    ),
    (
        "get",
        "/api/v1/projects/{entity}/{project}/runs",
        "List runs: filter, sort, paginate",
        [
            E,
            P,
            _p("filter", doc='MongoDB-style JSON, e.g. {"config.lr": {"$lt": 0.1}, "state": "finished"}'),
            _p("order", doc="e.g. -summary.loss,+created_at"),
            _p("limit", typ="integer"),
            _p("offset", typ="integer"),
            _p("cursor", doc="next_cursor of the previous page"),
            _p("total", typ="boolean"),
        ],
        None,
        "{runs, next_cursor, next_offset, total?}",
    ),
    (
        "post",
        "/api/v1/projects/{entity}/{project}/runs/query",
        "List runs with the query in a JSON body",
        [E, P],
        JSON_OBJ,
        "{runs, next_cursor, next_offset, total?}",
    ),
    (
        "get",
        "/api/v1/projects/{entity}/{project}/history",
        "Bucketed series of several runs (chart query)",
        [
            E,
            P,
            _p("key", required=True),
            _p("runs", required=True, doc="comma-separated run ids"),
            *BUCKET_PARAMS,
        ],
        None,
        "{series: [{run, key, bucket, x, count, min, max, mean, last, last_x}]}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}",
        "One run: config, summary, metadata, segments",
        [E, P, R],
        None,
        "run",
    ),
    (
        "patch",
        "/api/v1/runs/{entity}/{project}/{run_id}",
        "Update name, notes, tags, group, job_type, state, config or summary (objects that replace the "
        "run's); {project: P} moves the run to project P of "
        "the same entity (created if needed; 409 run_exists when P has a run with this id)",
        [E, P, R],
        JSON_OBJ,
        "run",
    ),
    (
        "delete",
        "/api/v1/runs/{entity}/{project}/{run_id}",
        "Delete a run and its data",
        [E, P, R],
        None,
        "deleted",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/console",
        "Console lines",
        [E, P, R, _p("after", typ="integer", doc="cursor of the last line seen"), _p("limit", typ="integer")],
        None,
        "{lines, next_after}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/history",
        "Bucketed history of one run",
        [E, P, R, _p("keys", doc="comma-separated (default: all)"), *BUCKET_PARAMS],
        None,
        "{series}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/history/raw",
        "Every point of some series, in log order",
        [
            E,
            P,
            R,
            _p("keys", required=True),
            _p("min_step", typ="integer"),
            _p("max_step", typ="integer"),
            _p("kind", doc="history (default) or system"),
        ],
        None,
        "{series: [{key, step, value, timestamp, seq}]}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/history/rows",
        "History as rows (wandb's run.history / scan_history): _step, _timestamp, _runtime and one "
        "column per key, row-aligned; pages cut at step boundaries",
        [
            E,
            P,
            R,
            _p("keys", doc="comma-separated (default: every history key)"),
            _p("min_step", typ="integer"),
            _p("max_step", typ="integer"),
            _p("limit", typ="integer", doc="rows per page (1..100000, default 10000); see next_min_step"),
            _p("samples", typ="integer", doc="that many rows spread evenly over the range (ignores limit)"),
            _p("require", doc="any (default): rows with a value of some key; all: of every key"),
            _p("format", doc="json (default) or msgpack (numeric columns as raw little-endian arrays)"),
        ],
        None,
        "{run, keys, rows, _step, _timestamp, _runtime, columns, present?, next_min_step}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/keys",
        "History (or system) keys of a run",
        [E, P, R, _p("kind")],
        None,
        "{keys}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/system",
        "Bucketed system metrics (x axis: _timestamp)",
        [E, P, R, _p("keys"), *BUCKET_PARAMS],
        None,
        "{series}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/files",
        "Files of a run (path, size, sha256)",
        [E, P, R],
        None,
        "{files}",
    ),
    (
        "put",
        "/api/v1/runs/{entity}/{project}/{run_id}/files/{path}",
        "Upload a file (raw body); or, with sha256 and an empty body, make the file that blob (one the "
        "caller may use, e.g. uploaded through POST /api/v1/blobs/{sha256}/direct; 404 unknown_blob otherwise)",
        [E, P, R, _p("path", "path"), _p("sha256", doc="the file's content is this blob")],
        BYTES,
        "{path, size, sha256}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/files/{path}",
        "Download a file; with direct=1 and an S3 blob store, 307 to a signed URL of the store",
        [
            E,
            P,
            R,
            _p("path", "path"),
            _p("direct", doc="1: answer 307 to a URL of the object store the server signed (S3 blob stores)"),
        ],
        None,
        "file contents",
    ),
    ("get", "/api/v1/users", "Users (admin only)", [], None, "{users}"),
    (
        "post",
        "/api/v1/users",
        "Create a user with its first API key, shown once (admin only): {name, email?, is_admin?}",
        [],
        JSON_OBJ,
        "{name, is_admin, api_key}",
    ),
    ("post", "/api/v1/teams", "Create a team; the caller becomes its admin: {name}", [], JSON_OBJ, "team"),
    ("get", "/api/v1/teams/{team}", "A team and its members", [_p("team", "path")], None, "team"),
    (
        "post",
        "/api/v1/teams/{team}/members",
        "Add a member or change its role (team admins, server admin): {user, role: member|admin}",
        [_p("team", "path")],
        JSON_OBJ,
        "team",
    ),
    (
        "delete",
        "/api/v1/teams/{team}/members/{user}",
        "Remove a member (team admins, server admin)",
        [_p("team", "path"), _p("user", "path")],
        None,
        "team",
    ),
    (
        "get",
        "/api/v1/keys",
        "The caller's API keys (id, prefix, name, times; never the key)",
        [_p("user", doc="another user's keys (admin only)")],
        None,
        "{keys}",
    ),
    (
        "post",
        "/api/v1/keys",
        "Create an API key, shown once: {name?, user? (admin only), scope?: read|write (default write), "
        "entity? (the only entity it may act on)}",
        [],
        JSON_OBJ,
        "{api_key, prefix, name, scope, entity}",
    ),
    (
        "delete",
        "/api/v1/keys/{key_id}",
        "Revoke a key (own keys; the admin any)",
        [_p("key_id", "path")],
        None,
        "{revoked}",
    ),
    (
        "get",
        "/api/v1/stream",
        "Server-sent events: run.created, run.updated, run.deleted; access.revoked, then the stream closes, "
        "when the caller loses access (team membership or key)",
        [_p("project", doc="entity/project (required unless admin)")],
        None,
        "text/event-stream",
    ),
    # -- artifacts (routes/artifacts.py, docs/artifacts.md) --
    (
        "get",
        "/api/v1/artifacts/{entity}/{project}",
        "Artifact names (collections) of a project with type and version count",
        [E, P, _p("type", doc="only artifacts of this type")],
        None,
        "{artifacts: [{name, type, description, version_count, created_at, updated_at}]}",
    ),
    (
        "get",
        "/api/v1/artifacts/{entity}/{project}/{name}",
        "Versions of an artifact, newest first, with aliases and the run that logged each",
        [E, P, AN],
        None,
        "{name, type, versions}",
    ),
    (
        "post",
        "/api/v1/artifacts/{entity}/{project}/{name}",
        "Commit a version: {type, manifest: [{path, sha256|ref, size, extra?}], digest?, aliases?, "
        "description?, metadata?}. Same digest as an existing version: that version (aliases applied). "
        "Blobs the server lacks: state=pending with `missing` (PUT them, then POST again).",
        [E, P, AN],
        JSON_OBJ,
        "version (+ created, missing) or {state: pending, digest, missing}",
    ),
    (
        "get",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}",
        "One version (vN, alias or digest) with its manifest",
        [E, P, AN, AV, _p("manifest", typ="boolean", doc="include the entries (default true)")],
        None,
        "version",
    ),
    (
        "patch",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}",
        "Edit a version's description (string or null) and metadata (object)",
        [E, P, AN, AV],
        JSON_OBJ,
        "version",
    ),
    (
        "delete",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}",
        "Delete a version (409 has_aliases or registered unless delete_aliases=true); blobs are freed by gc",
        [E, P, AN, AV, _p("delete_aliases", typ="boolean")],
        None,
        "{deleted}",
    ),
    (
        "post",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}/aliases",
        "Add aliases (moved from other versions) or remove them: {add?, remove?}",
        [E, P, AN, AV],
        JSON_OBJ,
        "version",
    ),
    (
        "get",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}/lineage",
        "Runs that logged and used this version",
        [E, P, AN, AV],
        None,
        "{artifact, logged_by: [run], used_by: [run]}",
    ),
    (
        "post",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}/blobs",
        "Download many files of a version at once: {sha256: [...]} (at most 10000). The answer "
        "(application/vnd.runyard.blobs, streamed) is one frame per blob in that order: <sha256, 64 hex "
        "characters><size, 8 bytes big-endian><content>. 404 unknown_file when one is not the version's.",
        [E, P, AN, AV],
        JSON_OBJ,
        "frames of blobs",
    ),
    (
        "get",
        "/api/v1/artifacts/{entity}/{project}/{name}/{version}/blobs/{sha256}",
        "Download one file of a version by content hash; `Range: bytes=N-` resumes (206); with direct=1 "
        "and an S3 blob store, 307 to a signed URL of the store (which takes ranges too)",
        [
            E,
            P,
            AN,
            AV,
            _p("sha256", "path"),
            _p("direct", doc="1: answer 307 to a URL of the object store the server signed (S3 blob stores)"),
        ],
        None,
        "file contents",
    ),
    # -- the model registry (routes/registries.py, docs/registry.md) --
    (
        "get",
        "/api/v1/registries/{entity}",
        "The registries of an entity",
        [E],
        None,
        "{entity, registries: [{name, collection_count, created_at}]}",
    ),
    (
        "get",
        "/api/v1/registries/{entity}/{registry}",
        "A registry's collections with type, version count and aliases ({alias: vN})",
        [E, RG],
        None,
        "{entity, name, path, collections}",
    ),
    (
        "get",
        "/api/v1/registries/{entity}/{registry}/{collection}",
        "A collection: its versions (newest first, each with the artifact version it links to, or null "
        "where the caller cannot read that project) and its history (links, alias moves, unlinks: who, when)",
        [E, RG, RCOL],
        None,
        "{entity, registry, name, type, path, versions, history}",
    ),
    (
        "post",
        "/api/v1/registries/{entity}/{registry}/{collection}",
        "Link an artifact version into the collection (registry and collection created on first link; "
        "the collection's type is the first artifact's): {artifact: 'entity/project/name:vN|alias', aliases?}. "
        "A version linked already keeps its number (aliases applied).",
        [E, RG, RCOL],
        JSON_OBJ,
        "registered version (+ created)",
    ),
    (
        "get",
        "/api/v1/registries/{entity}/{registry}/{collection}/{version}",
        "A registered version (vN, latest or an alias) and the artifact version it links to "
        "(403 when the caller cannot read that artifact's project)",
        [E, RG, RCOL, AV, _p("manifest", typ="boolean", doc="include the artifact's entries (default true)")],
        None,
        "registered version",
    ),
    (
        "delete",
        "/api/v1/registries/{entity}/{registry}/{collection}/{version}",
        "Unlink a version (its aliases go with it; the artifact version stays)",
        [E, RG, RCOL, AV],
        None,
        "{unlinked}",
    ),
    (
        "post",
        "/api/v1/registries/{entity}/{registry}/{collection}/{version}/aliases",
        "Move aliases onto this version or take them off: {add?, remove?} (each move is audited)",
        [E, RG, RCOL, AV],
        JSON_OBJ,
        "registered version",
    ),
    (
        "post",
        "/api/v1/blobs/missing",
        "Which of these blobs the caller must upload: {sha256: [...]}; those the server lacks and those it "
        "holds but the caller may not use (not uploaded by it, in nothing it can read)",
        [],
        JSON_OBJ,
        "{missing}",
    ),
    (
        "post",
        "/api/v1/blobs/batch",
        "Upload many small blobs in one body (Content-Type application/vnd.runyard.blobs): frames of "
        "<sha256, 64 hex characters><size, 8 bytes big-endian><content>. All are verified first: 400 "
        "checksum_mismatch (error.sha256 names the blob) stores none; 400 bad_frame for a malformed body; "
        "blobs the server has are skipped. Bounded by the ingest body limit (64 MiB by default).",
        [],
        {"content": {"application/vnd.runyard.blobs": {"schema": {"type": "string", "format": "binary"}}}},
        "{count, new, bytes}",
    ),
    (
        "put",
        "/api/v1/blobs/{sha256}",
        "Upload a blob (raw body, streamed); 400 checksum_mismatch when it does not hash to the name",
        [_p("sha256", "path")],
        BYTES,
        "{sha256, size}",
    ),
    (
        "post",
        "/api/v1/blobs/{sha256}/direct",
        "A URL of the object store to PUT the blob to, signed for its size and sha256 ({size}); "
        "{direct: false} when the blob store cannot sign (the local disk) or the blob is over 5 GiB",
        [_p("sha256", "path")],
        JSON_OBJ,
        "{direct, url, method, headers, upload_id, expires_in} or {direct: false, signs}",
    ),
    (
        "post",
        "/api/v1/blobs/{sha256}/direct/finish",
        "Adopt a direct upload ({upload_id, size}) as the blob, owned by the caller as after a PUT; "
        "400 upload_refused when nothing, another size or other content was uploaded",
        [_p("sha256", "path")],
        JSON_OBJ,
        "{sha256, size}",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/artifacts",
        "Artifacts a run logged and used (lineage)",
        [E, P, R],
        None,
        "{logged: [version], used: [version]}",
    ),
    (
        "post",
        "/api/v1/admin/gc",
        "Blobs no artifact and no run file references (admin): {delete?: false, grace_seconds?: 3600}",
        [],
        JSON_OBJ,
        "{dry_run, blobs_total, bytes_total, blobs_unreferenced, bytes_unreferenced, deleted, partial_uploads_deleted, sha256}",
    ),
    # -- sweeps (routes/sweeps.py, docs/sweeps.md) --
    (
        "get",
        "/api/v1/sweeps/{entity}/{project}",
        "A project's sweeps",
        [E, P],
        None,
        "{sweeps: [{id, state, config, method, created_at, updated_at, trial_count, running}]}",
    ),
    (
        "post",
        "/api/v1/sweeps/{entity}/{project}",
        "Create a sweep: {config, id?, state?, trials?} (id and trials: a synced local sweep; idempotent)",
        [E, P],
        JSON_OBJ,
        "the sweep, as GET returns it",
    ),
    (
        "get",
        "/api/v1/sweeps/{entity}/{project}/{sweep_id}",
        "A sweep with its trials (params, state, run state, metric values), Pareto front, importance",
        [E, P, SW],
        None,
        "{id, state, config, method, trials: [...], pareto_front, importance, correlation}",
    ),
    (
        "patch",
        "/api/v1/sweeps/{entity}/{project}/{sweep_id}",
        "Change the sweep's state: {state: running|paused|stopped|canceled|finished}",
        [E, P, SW],
        JSON_OBJ,
        "the sweep",
    ),
    (
        "post",
        "/api/v1/sweeps/{entity}/{project}/{sweep_id}/next",
        "An agent asks for its next trial: {agent}",
        [E, P, SW],
        JSON_OBJ,
        "{kind: run|wait|exit, index, run_id, params, reason}",
    ),
    (
        "post",
        "/api/v1/sweeps/{entity}/{project}/{sweep_id}/heartbeat",
        "An agent still runs a trial: {agent, index}",
        [E, P, SW],
        JSON_OBJ,
        "{stop}: true when the trial's run should stop",
    ),
    (
        "post",
        "/api/v1/sweeps/{entity}/{project}/{sweep_id}/report",
        "A trial ended: {agent, index, state: finished|failed|crashed|stopped}",
        [E, P, SW],
        JSON_OBJ,
        "{ok}",
    ),
    (
        "patch",
        "/api/v1/projects/{entity}/{project}",
        "Project settings (the entity's admins): {visibility?: private|team|public, description?, name? "
        "(rename; 409 name_taken)}",
        [E, P],
        JSON_OBJ,
        "project",
    ),
    (
        "delete",
        "/api/v1/projects/{entity}/{project}",
        "Delete a project and everything in it (the entity's admins)",
        [E, P],
        None,
        "{deleted, note}",
    ),
    (
        "post",
        "/api/v1/projects/{entity}/{project}/transfer",
        "Give the project to another entity (admin of both): {to}",
        [E, P],
        JSON_OBJ,
        "project",
    ),
    (
        "delete",
        "/api/v1/teams/{team}",
        "Delete a team and all it owns (team admins)",
        [TEAM],
        None,
        "{deleted}",
    ),
    ("post", "/api/v1/teams/{team}/leave", "Leave a team (not its last admin)", [TEAM], None, "{left}"),
    (
        "get",
        "/api/v1/teams/{team}/invitations",
        "Open invitations of a team (team admins; never their tokens)",
        [TEAM],
        None,
        "{invitations: [{id, role, created_at, expires_at, created_by}]}",
    ),
    (
        "post",
        "/api/v1/teams/{team}/invitations",
        "Invite by link (team admins): {role?: admin|member|viewer, expires_in?: seconds}; the token is shown once",
        [TEAM],
        JSON_OBJ,
        "{id, team, role, token, url, expires_at}",
    ),
    (
        "delete",
        "/api/v1/teams/{team}/invitations/{invitation_id}",
        "Revoke an open invitation (team admins)",
        [TEAM, _p("invitation_id", "path", typ="integer")],
        None,
        "{revoked}",
    ),
    (
        "post",
        "/api/v1/invitations/accept",
        "Join the team of an invitation: {token}",
        [],
        JSON_OBJ,
        "{team, role}",
    ),
    (
        "post",
        "/api/v1/session",
        "Sign in (no key needed): {username, password}, or {token} of a one-time sign-in link; sets the "
        "HttpOnly session cookie and the CSRF cookie; 429 after repeated failures",
        [],
        JSON_OBJ,
        "{user, session, expires_at, csrf_token}",
    ),
    ("delete", "/api/v1/session", "Sign out (ends the cookie's session)", [], None, "{signed_out}"),
    (
        "get",
        "/api/v1/session/options",
        "Ways to sign in on this server (no key needed): {password, oidc}",
        [],
        None,
        "{password, oidc}",
    ),
    (
        "get",
        "/api/v1/oidc/login",
        "Single sign-on (no key needed): 302 to the OpenID Connect provider; 404 oidc_off when not configured",
        [_p("next", doc="a path of this site to land on after signing in")],
        None,
        "302 redirect",
    ),
    (
        "get",
        "/api/v1/oidc/callback",
        "Where the provider sends the browser back: checks the ID token, signs in (session cookies), 303 to next",
        [_p("code"), _p("state"), _p("error"), _p("error_description")],
        None,
        "303 redirect",
    ),
    (
        "post",
        "/api/v1/session/links",
        "A one-time link (valid a day) that signs a browser in as you; not with a read-only or "
        "entity-limited key",
        [],
        None,
        "{user, url, expires_at}",
    ),
    (
        "get",
        "/api/v1/sessions",
        "The caller's live browser sessions",
        [_p("user", doc="another user's sessions (admin only)")],
        None,
        "{sessions: [{id, created_at, last_seen_at, expires_at, ip, user_agent, current}]}",
    ),
    (
        "delete",
        "/api/v1/sessions/{session_id}",
        "End a session (yours; the admin any)",
        [_p("session_id", "path", typ="integer")],
        None,
        "{revoked}",
    ),
    (
        "put",
        "/api/v1/password",
        "Change your password: {old_password (when one is set), password}; your other sessions end",
        [],
        JSON_OBJ,
        "{user, sessions_ended}",
    ),
    (
        "post",
        "/api/v1/password/link",
        "Set a password with a one-time link's token (no key needed): {token, password}",
        [],
        JSON_OBJ,
        "{user}",
    ),
    (
        "post",
        "/api/v1/users/{user}/password-link",
        "Reset a user's password (admin): a one-time link to set a new one",
        [_p("user", "path")],
        None,
        "{user, url, expires_at}",
    ),
    (
        "get",
        "/api/v1/admin/audit",
        "The audit log (admin), newest first; format=jsonl exports JSON lines (X-Next-Before header)",
        [
            _p("before", typ="integer", doc="an entry id: entries older than it (paging)"),
            _p("limit", typ="integer", doc="1..1000 (default 100; jsonl 1000)"),
            _p("action", doc="entries whose action starts with this, e.g. project."),
            _p("actor", doc="a user name"),
            _p("format", doc="json (default) or jsonl"),
        ],
        None,
        "{entries: [{id, at, actor_id, actor, action, target, detail}], next_before}",
    ),
    # -- saved views (routes/views.py, docs/reports.md) --
    (
        "get",
        "/api/v1/projects/{entity}/{project}/views",
        "The project's shared views and the caller's personal ones",
        [E, P],
        None,
        "{views: [{id, name, shared, owner, state, created_at, updated_at}]}",
    ),
    (
        "post",
        "/api/v1/projects/{entity}/{project}/views",
        "Save a view: {name, shared?, state} (personal: read access; shared: write access)",
        [E, P],
        JSON_OBJ,
        "view",
    ),
    ("get", "/api/v1/views/{view_id}", "One view", [VIEW], None, "view"),
    (
        "patch",
        "/api/v1/views/{view_id}",
        "Rename, share or replace the state of a view: {name?, shared?, state?}",
        [VIEW],
        JSON_OBJ,
        "view",
    ),
    ("delete", "/api/v1/views/{view_id}", "Delete a view", [VIEW], None, "{deleted}"),
    ("post", "/api/v1/views/{view_id}/duplicate", "Copy a view: {name?, shared?}", [VIEW], JSON_OBJ, "view"),
    # -- reports (routes/reports.py, docs/reports.md) --
    (
        "get",
        "/api/v1/projects/{entity}/{project}/reports",
        "The project's reports",
        [E, P],
        None,
        "{reports: [{id, title, version, created_at, updated_at}]}",
    ),
    (
        "post",
        "/api/v1/projects/{entity}/{project}/reports",
        "Create a report: {title, blocks?} (write access)",
        [E, P],
        JSON_OBJ,
        "report",
    ),
    (
        "get",
        "/api/v1/reports/{report_id}",
        "One report",
        [REP],
        None,
        "{id, entity, project, title, blocks, version, created_by, updated_by, shared_since, can_edit, ...}",
    ),
    (
        "patch",
        "/api/v1/reports/{report_id}",
        "Save an edit: {version (the one edited), title?, blocks?}; 409 version_conflict with error.current when another edit saved first",
        [REP],
        JSON_OBJ,
        "report",
    ),
    ("delete", "/api/v1/reports/{report_id}", "Delete a report", [REP], None, "{deleted}"),
    (
        "get",
        "/api/v1/reports/{report_id}/versions",
        "Saved versions, newest first",
        [REP],
        None,
        "{versions: [{version, title, author, created_at}]}",
    ),
    (
        "get",
        "/api/v1/reports/{report_id}/versions/{version}",
        "One saved version",
        [REP, VER],
        None,
        "{version, title, blocks, created_at}",
    ),
    (
        "post",
        "/api/v1/reports/{report_id}/versions/{version}/restore",
        "Save an older version's content as the newest: {version (the current one)}",
        [REP, VER],
        JSON_OBJ,
        "report",
    ),
    (
        "get",
        "/api/v1/reports/{report_id}/comments",
        "Comments on a report, oldest first",
        [REP],
        None,
        "{comments: [{id, author, body, created_at}]}",
    ),
    (
        "post",
        "/api/v1/reports/{report_id}/comments",
        "Comment on a report: {body} (write access)",
        [REP],
        JSON_OBJ,
        "comment",
    ),
    (
        "get",
        "/api/v1/runs/{entity}/{project}/{run_id}/comments",
        "Comments on a run, oldest first",
        [E, P, R],
        None,
        "{comments}",
    ),
    (
        "post",
        "/api/v1/runs/{entity}/{project}/{run_id}/comments",
        "Comment on a run: {body} (write access)",
        [E, P, R],
        JSON_OBJ,
        "comment",
    ),
    (
        "delete",
        "/api/v1/comments/{comment_id}",
        "Delete a comment (its author, or an admin of the project)",
        [_p("comment_id", "path", typ="integer")],
        None,
        "{deleted}",
    ),
    (
        "post",
        "/api/v1/reports/{report_id}/share",
        "Create (or replace) the read-only share link; the body is the static page it serves (text/html)",
        [REP],
        {"content": {"text/html": {"schema": {"type": "string"}}}},
        "{token, path}",
    ),
    ("delete", "/api/v1/reports/{report_id}/share", "Revoke the share link", [REP], None, "{revoked}"),
    (
        "get",
        "/api/v1/shared/{token}",
        "A shared report's static page (no key needed: the token is the permission)",
        [_p("token", "path")],
        None,
        "text/html",
    ),
]

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "additionalProperties": True,
        }
    },
}


def spec() -> dict[str, Any]:
    paths: dict[str, dict] = {}
    err = {
        "description": "error envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for method, path, summary, params, body, ok in OPERATIONS:
        op: dict[str, Any] = {
            "summary": summary,
            "parameters": params,
            "responses": {"200": {"description": ok}, "4XX": err, "5XX": err},
        }
        if body is not None:
            op["requestBody"] = body
        if (method.upper(), path) in PUBLIC or path == PUBLIC_PREFIX + "{token}":
            op["security"] = []
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "runyard tracking server",
            "version": __version__,
            "description": 'Every call needs `Authorization: Bearer <key>` (or `Basic base64("api:"+key)`), or a browser '
            "session cookie plus `X-CSRF-Token` on state-changing requests (docs/teams.md). "
            'Errors are always `{"error": {"code", "message"}}`.',
        },
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
        },
        "security": [{"bearer": []}, {"basic": []}],
    }
