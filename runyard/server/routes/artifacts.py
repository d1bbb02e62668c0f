"""Artifacts: `/api/v1/artifacts/{entity}/{project}[/{name}[/{version}[/...]]]`, `/api/v1/blobs/{sha256}`,
a run's artifacts, and blob garbage collection (`/api/v1/admin/gc`). See docs/artifacts.md.

Upload protocol: POST the manifest; the answer is `committed` (the version, new or the one with the
same digest) or `pending` with the blobs the server lacks; PUT each of those to /api/v1/blobs/{sha256}
(verified against its name), then POST the manifest again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ...store import Store, User
from ...store.artifacts import ArtifactError, check_name, collect_garbage, parse_commit
from ...store.entities import valid_name
from ...wire.manifest import is_sha256
from .. import access
from ..errors import ApiError
from ..http import JSON, body, json_body, name_param, read, store, user, write

UPLOAD_BATCH = 4 * 1024 * 1024  # bytes gathered before one hop to the thread pool (hash + write)
RANGE_RE = re.compile(r"^bytes=(\d+)-(\d*)$")


def _ep(request: Request) -> tuple[str, str]:
    return name_param(request, "entity"), name_param(request, "project")


def _name(request: Request) -> str:
    try:
        return check_name(request.path_params["name"])
    except ArtifactError as e:
        raise ApiError(e.status, e.code, e.message) from None


def _sha(request: Request) -> str:
    sha = request.path_params["sha256"]
    if not is_sha256(sha):
        raise ApiError(400, "bad_parameter", f"{sha!r} is not a sha256 digest (64 lowercase hex characters)")
    return sha


def _version(c: Any, s: Store, u: User, e: str, p: str, name: str, ref: str) -> Any:
    pid = access.project_id(c, s, u, e, p)
    v = s.artifacts.resolve(c, pid, name, ref)
    if v is None:
        raise ApiError(404, "unknown_artifact", f"artifact {e}/{p}/{name}:{ref} does not exist")
    return v


def _writable_project(c: Any, s: Store, u: User, e: str, p: str) -> int:
    ent = s.entities.get(c, e)
    if ent is None:
        if not u.is_admin and e != u.name:
            raise ApiError(404, "unknown_entity", f"entity {e!r} does not exist")
        if not valid_name(e):
            raise ApiError(400, "bad_name", f"invalid entity name {e!r}")
        eid = s.entities.get_or_create_team(c, e, u)
    else:
        eid = ent.id
        if not s.entities.can_write(c, u, eid):
            raise ApiError(403, "forbidden", f"user {u.name!r} cannot write to entity {e!r}")
    return s.projects.get_or_create(c, eid, p)


def _wrap(fn: Any) -> Any:
    def inner(c: Any) -> Any:
        try:
            return fn(c)
        except ArtifactError as e:
            raise ApiError(e.status, e.code, e.message, **e.extra) from None

    return inner


# -- collections and versions --------------------------------------------------------------------------
async def list_collections(request: Request) -> Response:
    e, p = _ep(request)
    s, u = store(request), user(request)
    typ = request.query_params.get("type") or None

    def q(c: Any) -> list[dict]:
        return s.artifacts.collections(c, access.project_id(c, s, u, e, p), typ)

    return JSON({"artifacts": await read(request, q)})


async def list_versions(request: Request) -> Response:
    e, p = _ep(request)
    name = _name(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.artifacts.versions(c, access.project_id(c, s, u, e, p), name, e, p)

    versions = await read(request, q)
    if not versions:
        raise ApiError(404, "unknown_artifact", f"artifact {e}/{p}/{name} does not exist")
    return JSON({"name": name, "type": versions[0]["type"], "versions": versions})


async def commit(request: Request) -> Response:
    e, p = _ep(request)
    name = _name(request)
    raw = await body(request, request.app.state.config.max_ingest_bytes)
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "bad_json", f"request body is not valid JSON: {err}") from None
    if not isinstance(doc, dict):
        raise ApiError(422, "wrong_type", "request body must be a JSON object")
    try:
        cm = await run_in_threadpool(parse_commit, name, doc)
    except ArtifactError as err:
        raise ApiError(err.status, err.code, err.message) from None
    s, u = store(request), user(request)

    def known(c: Any) -> bool:
        """Whether the version exists already; refuses (403/404) a caller who could not commit it."""
        ent = s.entities.get(c, e)
        if ent is None:
            if not u.is_admin and e != u.name:
                raise ApiError(404, "unknown_entity", f"entity {e!r} does not exist")
            return False
        if not s.entities.can_write(c, u, ent.id):
            raise ApiError(403, "forbidden", f"user {u.name!r} cannot write to entity {e!r}")
        pid = s.projects.id_of(c, ent.id, p)
        return pid is not None and s.artifacts.find_digest(c, pid, name, cm.digest) is not None

    if not await read(request, known):
        missing = await run_in_threadpool(lambda: sorted(b for b in cm.blobs if not s.blobs.exists(b)))
        if missing:
            return JSON({"state": "pending", "digest": cm.digest, "missing": missing})

    def w(c: Any) -> tuple[dict, bool]:
        pid = _writable_project(c, s, u, e, p)
        vid, created = s.artifacts.commit(c, pid, cm, u.id)
        v = s.artifacts.resolve(c, pid, name, cm.digest)
        assert v is not None and v.id == vid
        return s.artifacts.doc(c, v, e, p), created

    out, created = await write(request, _wrap(w))
    if created:
        request.app.state.broker.publish(
            {"type": "artifact.committed", "entity": e, "project": p, "name": name, "version": out["version"]}
        )
    return JSON(out | {"created": created, "missing": []})


async def get_version(request: Request) -> Response:
    e, p = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    manifest = request.query_params.get("manifest", "true").lower() not in ("0", "false", "no")
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        return s.artifacts.doc(c, _version(c, s, u, e, p, name, ref), e, p, manifest=manifest)

    return JSON(await read(request, q))


async def delete_version(request: Request) -> Response:
    e, p = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    force = request.query_params.get("delete_aliases", "false").lower() in ("1", "true", "yes")
    s, u = store(request), user(request)

    def w(c: Any) -> str:
        v = _version(c, s, u, e, p, name, ref)
        if not s.entities.can_write(c, u, access.entity_id(c, s, u, e)):
            raise ApiError(403, "forbidden", f"user {u.name!r} cannot write to entity {e!r}")
        user_aliases = [a for a in s.artifacts.aliases(c, [v.id])[v.id] if a != "latest"]
        if user_aliases and not force:
            raise ApiError(
                409,
                "has_aliases",
                f"{name}:v{v.version_index} has aliases {user_aliases}; pass delete_aliases=true to delete it",
            )
        s.artifacts.delete_version(c, v.id)
        return f"{e}/{p}/{name}:v{v.version_index}"

    return JSON({"deleted": await write(request, w), "note": "blobs are freed by `runyard gc`"})


async def aliases(request: Request) -> Response:
    e, p = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    doc = await json_body(request)
    add, remove = doc.get("add") or [], doc.get("remove") or []
    if not isinstance(add, list) or not isinstance(remove, list):
        raise ApiError(422, "wrong_type", "add and remove must be lists of aliases")
    s, u = store(request), user(request)

    def w(c: Any) -> dict:
        v = _version(c, s, u, e, p, name, ref)
        s.artifacts.set_aliases(c, v.id, [str(a) for a in add], [str(a) for a in remove])
        return s.artifacts.doc(c, _version(c, s, u, e, p, name, f"v{v.version_index}"), e, p)

    return JSON(await write(request, _wrap(w)))


async def lineage(request: Request) -> Response:
    e, p = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        return s.artifacts.lineage(c, _version(c, s, u, e, p, name, ref), e, p)

    return JSON(await read(request, q))


async def run_artifacts(request: Request) -> Response:
    e, p, r = _ep(request) + (name_param(request, "run_id"),)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        return s.artifacts.run_links(c, access.run(c, s, u, e, p, r).id)

    return JSON(await read(request, q))


# -- blobs -----------------------------------------------------------------------------------------------
async def get_blob(request: Request) -> Response:
    """One blob of a version; `Range: bytes=N-[M]` answers 206 (resumed downloads)."""
    e, p = _ep(request)
    name, ref, sha = _name(request), request.path_params["version"], _sha(request)
    s, u = store(request), user(request)

    def q(c: Any) -> int | None:
        return s.artifacts.has_blob(c, _version(c, s, u, e, p, name, ref).id, sha)

    size = await read(request, q)
    if size is None or not s.blobs.exists(sha):
        raise ApiError(404, "unknown_file", f"artifact {e}/{p}/{name}:{ref} has no blob {sha}")
    start, end, status = 0, size, 200
    rng = request.headers.get("range")
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha}"'}
    if rng:
        m = RANGE_RE.match(rng.strip())
        if not m or int(m.group(1)) > size or (m.group(2) and int(m.group(2)) < int(m.group(1))):
            raise ApiError(416, "bad_range", f"range {rng!r} does not fit a blob of {size} bytes")
        start = int(m.group(1))
        end = min(size, int(m.group(2)) + 1) if m.group(2) else size
        status = 206
        headers["Content-Range"] = f"bytes {start}-{max(start, end - 1)}/{size}"
    headers["Content-Length"] = str(end - start)

    def chunks() -> Iterator[bytes]:
        with s.blobs.open(sha) as f:
            f.seek(start)
            left = end - start
            while left > 0:
                data = f.read(min(1 << 20, left))
                if not data:
                    break
                left -= len(data)
                yield data

    return StreamingResponse(
        chunks(), status_code=status, media_type="application/octet-stream", headers=headers
    )


async def put_blob(request: Request) -> Response:
    """Store a blob; its content must hash to the sha256 in the path (400 checksum_mismatch otherwise)."""
    sha = _sha(request)
    s = store(request)
    limit = request.app.state.config.max_file_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", f"blob of {declared} bytes exceeds the limit of {limit} bytes")
    w = s.blobs.staging()
    buf: list[bytes] = []
    pending = 0
    try:
        async for chunk in request.stream():
            buf.append(chunk)
            pending += len(chunk)
            if w.size + pending > limit:
                raise ApiError(413, "body_too_large", f"blob exceeds the limit of {limit} bytes")
            if pending >= UPLOAD_BATCH:
                await run_in_threadpool(w.write, b"".join(buf))
                buf, pending = [], 0
        if buf:
            await run_in_threadpool(w.write, b"".join(buf))
        got = await run_in_threadpool(w.finish)
        if got != sha:
            raise ApiError(400, "checksum_mismatch", f"the body hashes to {got}, not {sha}")
        await run_in_threadpool(s.blobs.put_file, w.path, sha)
    except BaseException:
        w.discard()
        raise
    return JSON({"sha256": sha, "size": w.size})


async def missing_blobs(request: Request) -> Response:
    doc = await json_body(request)
    shas = doc.get("sha256")
    if not isinstance(shas, list) or not all(is_sha256(x) for x in shas):
        raise ApiError(422, "wrong_type", "sha256 must be a list of sha256 hex digests")
    s = store(request)
    missing = await run_in_threadpool(lambda: [x for x in dict.fromkeys(shas) if not s.blobs.exists(x)])
    return JSON({"missing": missing})


async def gc(request: Request) -> Response:
    u = user(request)
    if not u.is_admin:
        raise ApiError(403, "forbidden", "only the server admin can collect garbage")
    doc = await json_body(request)
    delete = bool(doc.get("delete", False))
    grace = doc.get("grace_seconds", 3600)
    if not isinstance(grace, (int, float)) or isinstance(grace, bool) or grace < 0:
        raise ApiError(422, "bad_value", "grace_seconds must be a non-negative number")
    s = store(request)
    out = await run_in_threadpool(collect_garbage, s.db.read, s.artifacts, s.blobs, delete, float(grace))
    return JSON(out)


A = "/api/v1/artifacts/{entity}/{project}"
V = A + "/{name}/{version}"
routes = [
    Route(A, list_collections, methods=["GET"]),
    Route(A + "/{name}", list_versions, methods=["GET"]),
    Route(A + "/{name}", commit, methods=["POST"]),
    Route(V, get_version, methods=["GET"]),
    Route(V, delete_version, methods=["DELETE"]),
    Route(V + "/aliases", aliases, methods=["POST"]),
    Route(V + "/lineage", lineage, methods=["GET"]),
    Route(V + "/blobs/{sha256}", get_blob, methods=["GET"]),
    Route("/api/v1/blobs/missing", missing_blobs, methods=["POST"]),
    Route("/api/v1/blobs/{sha256}", put_blob, methods=["PUT"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/artifacts", run_artifacts, methods=["GET"]),
    Route("/api/v1/admin/gc", gc, methods=["POST"]),
]
