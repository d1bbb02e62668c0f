"""Artifacts: `/api/v1/artifacts/{entity}/{project}[/{name}[/{version}[/...]]]`, `/api/v1/blobs/{sha256}`,
a run's artifacts, and blob garbage collection (`/api/v1/admin/gc`). See docs/artifacts.md.

Upload protocol: POST the manifest; the answer is `committed` (the version, new or the one with the
same digest) or `pending` with the blobs the server lacks; PUT each of those to /api/v1/blobs/{sha256}
(verified against its name), or many small ones at once with POST /api/v1/blobs/batch, then POST the
manifest again.

Direct transfers (a blob store that signs URLs, i.e. S3): POST /api/v1/blobs/{sha256}/direct answers a
signed URL the client PUTs the bytes to, then POST .../direct/finish adopts them; a GET of a blob with
`?direct=1` answers 307 to a signed URL of the store. The bytes never pass through the API server.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import struct
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ...store import Store, User
from ...store.artifacts import check_name, parse_commit
from ...store.blob_deletions import DELETING
from ...store.blobs import direct
from ...store.jsonsafe import jsonable
from ...wire import api_models as m
from ...wire.manifest import is_sha256
from .. import access, deletions
from ..contract import endpoint
from ..errors import ApiError
from ..headers import user_file_headers
from ..http import JSON, body, name_param, read, run_names, store, user, write
from ..uploads import body_too_large, receive_blob

DOWNLOAD_BLOCK = 4 * 1024 * 1024  # bytes per read of a blob being downloaded
FRAME_HEADER = 64 + 8  # a batch frame: sha256 as hex, then the size (8 bytes, big-endian)
MAX_BATCH_BLOBS = 10_000
MAX_BATCH_BLOB = 16 * 1024 * 1024  # larger blobs are downloaded one GET each (streamed, resumable)
BLOBS_TYPE = "application/vnd.runyard.blobs"
RANGE_RE = re.compile(r"^bytes=(\d+)-(\d*)$")


def _ep(request: Request) -> tuple[str, str]:
    return name_param(request, "entity"), name_param(request, "project")


def _name(request: Request) -> str:
    return check_name(request.path_params["name"])


def _sha(request: Request) -> str:
    sha = request.path_params["sha256"]
    if not is_sha256(sha):
        raise ApiError(400, "bad_parameter", f"{sha!r} is not a sha256 digest (64 lowercase hex characters)")
    return sha


def _version(
    conn: Any,
    repos: Store,
    caller: User,
    entity: str,
    project: str,
    name: str,
    ref: str,
    action: str = access.READ,
) -> Any:
    pid = access.project_id(conn, repos, caller, entity, project, action)
    version = repos.artifacts.resolve(conn, pid, name, ref)
    if version is None:
        raise deletions.missing_version(conn, repos, pid, f"{entity}/{project}", name, ref)
    return version


# -- collections and versions --------------------------------------------------------------------------
@endpoint(
    "Artifact names (collections) of a project with type and version count",
    query=m.CollectionsQuery,
    answer=m.Collections,
)
async def list_collections(request: Request, query: m.CollectionsQuery) -> Response:
    entity, project = _ep(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        return repos.artifacts.collections(
            conn, access.project_id(conn, repos, caller, entity, project), query.type
        )

    return JSON({"artifacts": await read(request, in_txn)})


@endpoint(
    "Versions of an artifact, newest first, with aliases and the run that logged each", answer=m.Versions
)
async def list_versions(request: Request) -> Response:
    entity, project = _ep(request)
    name = _name(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        pid = access.project_id(conn, repos, caller, entity, project)
        return repos.artifacts.versions(
            conn, pid, name, entity, project, access.readable(conn, repos, caller)
        )

    versions = await read(request, in_txn)
    if not versions:
        raise ApiError(404, "unknown_artifact", f"artifact {entity}/{project}/{name} does not exist")
    return JSON({"name": name, "type": versions[0]["type"], "versions": versions})


@endpoint(
    "Commit a version. Same digest as an existing version: that version (aliases applied). Blobs the "
    "server lacks: state=pending with `missing` (PUT them, then POST again).",
    body=m.CommitRequest,
    body_limit="max_ingest_bytes",
    answer=m.CommitAnswer,
)
async def commit(request: Request, req: m.CommitRequest) -> Response:
    entity, project = _ep(request)
    name = _name(request)
    cm = await run_in_threadpool(parse_commit, name, msgspec.to_builtins(req))
    repos, caller = store(request), user(request)

    def usable(conn: Any) -> tuple[set[str], dict[str, str]]:
        """The blobs the caller may name, and what gc last did to them (read before asking the store
        whether they are there: store/blob_deletions.py); refuses (403/404) a caller who could not
        commit here."""
        access.check_writable(conn, repos, caller, entity)
        return access.usable_blobs(conn, repos, caller, cm.blobs), repos.blob_deletions.marks(conn, cm.blobs)

    usable_now, marks = await read(request, usable)
    deleting = {sha for sha, mark in marks.items() if mark.endswith(DELETING)}
    missing = await run_in_threadpool(
        lambda: sorted(cm.blobs - repos.blobs.present(sorted((usable_now & cm.blobs) - deleting)))
    )
    if missing:
        return JSON({"state": "pending", "digest": cm.digest, "missing": missing})

    def in_txn(conn: Any) -> tuple[dict, bool] | list[str]:
        collected = repos.blob_deletions.moved(conn, cm.blobs, marks)
        if collected:  # gc took them since they were found present: the client uploads them again
            return sorted(collected)
        pid = access.writable_project(conn, repos, caller, entity, project)
        if (
            access.usable_blobs(conn, repos, caller, cm.blobs) != cm.blobs
        ):  # access changed since the check above
            raise ApiError(409, "blobs_unavailable", "some blobs of the manifest are no longer yours to use")
        vid, created = repos.artifacts.commit(conn, pid, cm, caller.id)
        version = repos.artifacts.resolve(conn, pid, name, cm.digest)
        assert version is not None and version.id == vid
        if created:
            repos.audit.record(
                conn, caller, "artifact.create", f"{entity}/{project}/{name}:v{version.version_index}"
            )
        return repos.artifacts.doc(
            conn, version, entity, project, access.readable(conn, repos, caller)
        ), created

    done = await write(request, in_txn)
    if isinstance(done, list):
        return JSON({"state": "pending", "digest": cm.digest, "missing": done})
    out, created = done
    if created:
        request.app.state.broker.publish(
            {
                "type": "artifact.committed",
                "entity": entity,
                "project": project,
                "name": name,
                "version": out["version"],
            }
        )
    return JSON(out | {"created": created, "missing": []})


@endpoint(
    "One version (vN, alias or digest) with its manifest", query=m.VersionQuery, answer=m.ArtifactVersion
)
async def get_version(request: Request, query: m.VersionQuery) -> Response:
    entity, project = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        version = _version(conn, repos, caller, entity, project, name, ref)
        return repos.artifacts.doc(
            conn, version, entity, project, access.readable(conn, repos, caller), manifest=query.manifest
        )

    return JSON(await read(request, in_txn))


@endpoint(
    "Edit a version's description (a string or null) and metadata (an object)",
    body=m.VersionPatch,
    answer=m.ArtifactVersion,
)
async def patch_version(request: Request, patch: m.VersionPatch) -> Response:
    entity, project = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    values: dict[str, Any] = {}
    if patch.description is not msgspec.UNSET:
        values["description"] = patch.description
    if patch.metadata is not msgspec.UNSET:
        values["metadata"] = jsonable(patch.metadata)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        version = _version(conn, repos, caller, entity, project, name, ref, access.WRITE)
        if values:
            repos.artifacts.update_version(conn, version.id, **values)
            repos.audit.record(
                conn,
                caller,
                "artifact.update",
                f"{entity}/{project}/{name}:v{version.version_index}",
                fields=sorted(values),
            )
        version = _version(conn, repos, caller, entity, project, name, f"v{version.version_index}")
        return repos.artifacts.doc(conn, version, entity, project, access.readable(conn, repos, caller))

    return JSON(await write(request, in_txn))


@endpoint(
    "Delete a version (409 has_aliases unless delete_aliases=true); blobs are freed by gc",
    query=m.DeleteVersionQuery,
    answer=m.ArtifactDeleted,
)
async def delete_version(request: Request, query: m.DeleteVersionQuery) -> Response:
    entity, project = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    force = query.delete_aliases
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> str:
        version = _version(conn, repos, caller, entity, project, name, ref, access.WRITE)
        return deletions.delete_version(
            conn, repos, caller, entity, project, version, delete_aliases=force, registered_ok=force
        )

    return JSON(
        m.ArtifactDeleted(deleted=await write(request, in_txn), note="blobs are freed by `runyard gc`")
    )


@endpoint(
    "Add aliases (moved from other versions) or remove them", body=m.AliasChange, answer=m.ArtifactVersion
)
async def aliases(request: Request, change: m.AliasChange) -> Response:
    entity, project = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        version = _version(conn, repos, caller, entity, project, name, ref, access.WRITE)
        repos.artifacts.set_aliases(conn, version.id, change.add or [], change.remove or [])
        version = _version(conn, repos, caller, entity, project, name, f"v{version.version_index}")
        return repos.artifacts.doc(conn, version, entity, project, access.readable(conn, repos, caller))

    return JSON(await write(request, in_txn))


@endpoint("Runs that logged and used this version", answer=m.Lineage)
async def lineage(request: Request) -> Response:
    entity, project = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        return repos.artifacts.lineage(
            conn,
            _version(conn, repos, caller, entity, project, name, ref),
            entity,
            project,
            access.readable(conn, repos, caller),
        )

    return JSON(await read(request, in_txn))


@endpoint("Artifacts a run logged and used (lineage)", answer=m.RunArtifacts)
async def run_artifacts(request: Request) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        return repos.artifacts.run_links(
            conn,
            access.run(conn, repos, caller, entity, project, run_id).id,
            access.readable(conn, repos, caller),
        )

    return JSON(await read(request, in_txn))


# -- blobs -----------------------------------------------------------------------------------------------
@endpoint(
    "Download one file of a version by content hash; `Range: bytes=N-` resumes (206)",
    media="application/octet-stream",
)
async def get_blob(request: Request) -> Response:
    """One blob of a version; `Range: bytes=N-[M]` answers 206 (resumed downloads)."""
    entity, project = _ep(request)
    name, ref, sha = _name(request), request.path_params["version"], _sha(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> int | None:
        return repos.artifacts.has_blob(
            conn, _version(conn, repos, caller, entity, project, name, ref).id, sha
        )

    size = await read(request, in_txn)
    if size is None or not await run_in_threadpool(repos.blobs.exists, sha):
        raise ApiError(404, "unknown_file", f"artifact {entity}/{project}/{name}:{ref} has no blob {sha}")
    redirect = direct_redirect(request, sha)
    if redirect is not None:
        return redirect
    start, end, status = 0, size, 200
    rng = request.headers.get("range")
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha}"', **user_file_headers(sha)}
    if rng:
        match = RANGE_RE.match(rng.strip())
        if (
            not match
            or int(match.group(1)) > size
            or (match.group(2) and int(match.group(2)) < int(match.group(1)))
        ):
            raise ApiError(416, "bad_range", f"range {rng!r} does not fit a blob of {size} bytes")
        start = int(match.group(1))
        end = min(size, int(match.group(2)) + 1) if match.group(2) else size
        status = 206
        headers["Content-Range"] = f"bytes {start}-{max(start, end - 1)}/{size}"
    headers["Content-Length"] = str(end - start)

    async def chunks() -> AsyncIterator[bytes]:
        """The range in DOWNLOAD_BLOCK pieces, the next one read (in a thread) while this one is sent."""
        blob_file = await run_in_threadpool(repos.blobs.open, sha)
        nxt: asyncio.Future | None = None
        try:
            await run_in_threadpool(blob_file.seek, start)
            left = end - start
            if left > 0:
                nxt = asyncio.ensure_future(run_in_threadpool(blob_file.read, min(DOWNLOAD_BLOCK, left)))
            while nxt is not None:
                data = await nxt
                nxt = None
                left -= len(data)
                if left > 0 and data:
                    nxt = asyncio.ensure_future(run_in_threadpool(blob_file.read, min(DOWNLOAD_BLOCK, left)))
                if data:
                    yield data
        finally:
            if nxt is not None:  # a disconnected client: let the read finish before closing the file
                await asyncio.wait([nxt])
            blob_file.close()

    return StreamingResponse(
        chunks(), status_code=status, media_type="application/octet-stream", headers=headers
    )


def direct_redirect(request: Request, sha: str) -> Response | None:
    """With `?direct=1`: `store_redirect`. Call it once access to the blob is established."""
    if request.query_params.get("direct", "").lower() not in ("1", "true", "yes"):
        return None
    return store_redirect(request, sha)


def store_redirect(request: Request, sha: str) -> Response | None:
    """With a store that signs URLs: 307 to a URL of the store that serves the blob (ranges included)
    for `signed_url_seconds`, else None. Call it once access to the blob is established."""
    direct_store = direct(store(request).blobs)
    if direct_store is None:
        return None
    url = direct_store.presign_get(sha, request.app.state.config.signed_url_seconds)
    return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})


@endpoint(
    "Download many files of a version at once (at most 10000). The answer (streamed) is one frame per "
    "blob in the order asked: <sha256, 64 hex characters><size, 8 bytes big-endian><content>. "
    "404 unknown_file when one is not the version's.",
    body=m.BlobList,
    media=BLOBS_TYPE,
)
async def get_blobs(request: Request, req: m.BlobList) -> Response:
    """Many blobs of a version in one answer: body {sha256: [...]}; the answer is frames of <64 hex sha256>
    <8-byte big-endian size><content> in the order asked (as put_blobs takes them), streamed a few MiB
    at a time. Every blob must belong to the version (404 unknown_file names the first that does not)."""
    entity, project = _ep(request)
    name, ref = _name(request), request.path_params["version"]
    shas = list(dict.fromkeys(req.sha256))
    if len(shas) > MAX_BATCH_BLOBS:
        raise ApiError(413, "too_many_blobs", f"{len(shas)} blobs in one batch; at most {MAX_BATCH_BLOBS}")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict[str, int]:
        return repos.artifacts.blob_sizes(
            conn, _version(conn, repos, caller, entity, project, name, ref).id, shas
        )

    sizes = await read(request, in_txn)
    absent = [digest for digest in shas if digest not in sizes]
    if not absent:
        held = await run_in_threadpool(repos.blobs.present, shas)
        absent = [digest for digest in shas if digest not in held]
    if absent:
        raise ApiError(
            404, "unknown_file", f"artifact {entity}/{project}/{name}:{ref} has no blob {absent[0]}"
        )
    big = [digest for digest in shas if sizes[digest] > MAX_BATCH_BLOB]
    if big:
        raise ApiError(
            422,
            "too_large",
            f"blob {big[0]} has {sizes[big[0]]} bytes; batches carry at most {MAX_BATCH_BLOB}",
        )

    def frames(group: list[str]) -> bytes:
        parts: list[bytes] = []
        for sha in group:
            with repos.blobs.open(sha) as blob_file:
                data = blob_file.read(sizes[sha] + 1)  # a blob grown on disk shows as a mismatch, bounded
            parts += (sha.encode(), struct.pack(">Q", len(data)), data)
        return b"".join(parts)

    async def body_parts() -> AsyncIterator[bytes]:
        group: list[str] = []
        nbytes = 0
        for sha in shas:
            group.append(sha)
            nbytes += sizes[sha] + FRAME_HEADER
            if nbytes >= DOWNLOAD_BLOCK:
                yield await run_in_threadpool(frames, group)
                group, nbytes = [], 0
        if group:
            yield await run_in_threadpool(frames, group)

    return StreamingResponse(body_parts(), media_type=BLOBS_TYPE)


@endpoint(
    "Upload a blob (raw body, streamed); 400 checksum_mismatch when it does not hash to the name",
    raw="application/octet-stream",
    answer=m.BlobStored,
)
async def put_blob(request: Request) -> Response:
    """Store a blob; its content must hash to the sha256 in the path (400 checksum_mismatch otherwise)."""
    sha = _sha(request)
    repos, caller = store(request), user(request)
    limit = request.app.state.config.max_file_bytes

    def verify(got: str) -> None:
        if got != sha:
            raise ApiError(400, "checksum_mismatch", f"the body hashes to {got}, not {sha}")

    _, size = await receive_blob(request, repos.blobs, limit, verify=verify)
    await write(request, lambda conn: repos.blob_refs.add_owner(conn, [sha], caller.id))
    return JSON(m.BlobStored(sha256=sha, size=size))


@endpoint(
    "A signed URL to PUT a blob straight into the object store, or direct: false where the store "
    "cannot (signs false: the local disk; or more than one PUT may carry it): upload through the API",
    body=m.DirectUploadRequest,
    answer=m.DirectUpload,
)
async def direct_upload(request: Request, req: m.DirectUploadRequest) -> Response:
    from ...store.s3blobs import MAX_SINGLE_PUT

    sha = _sha(request)
    size = req.size
    limit = request.app.state.config.max_file_bytes
    if size > limit:
        raise body_too_large(f"a blob of {size} bytes exceeds the limit of {limit} bytes")
    direct_store = direct(store(request).blobs)
    if direct_store is None or size > MAX_SINGLE_PUT:
        return JSON({"direct": False, "signs": direct_store is not None})
    token = secrets.token_hex(16)
    expires = request.app.state.config.signed_url_seconds
    url, headers = await run_in_threadpool(
        direct_store.presign_put, sha, size, _staging_name(sha, user(request), token), expires
    )
    return JSON(
        {
            "direct": True,
            "url": url,
            "method": "PUT",
            "headers": headers,
            "upload_id": token,
            "expires_in": expires,
        }
    )


def _staging_name(sha: str, caller: User, token: str) -> str:
    """The staging object of an upload: the caller's id in it, so nobody finishes another's upload."""
    if len(token) != 32 or any(char not in "0123456789abcdef" for char in token):
        raise ApiError(400, "bad_parameter", "upload_id is not one this server handed out")
    return f"{sha}.{caller.id}.{token}"


@endpoint(
    "The bytes of a direct upload are in the store: check them (size; content where the store or the "
    "server checks it) and adopt them as the blob; the caller then owns it like after a PUT",
    body=m.DirectFinish,
    answer=m.BlobStored,
)
async def direct_finish(request: Request, req: m.DirectFinish) -> Response:
    sha = _sha(request)
    token, size = req.upload_id, req.size
    repos, caller = store(request), user(request)
    direct_store = direct(repos.blobs)
    if direct_store is None:
        raise ApiError(
            409, "no_direct_uploads", "this server's blob store takes uploads through the API only"
        )
    refused = await run_in_threadpool(direct_store.adopt, _staging_name(sha, caller, token), sha, size)
    if refused is not None:
        raise ApiError(400, "upload_refused", f"blob {sha}: {refused}")
    await write(request, lambda conn: repos.blob_refs.add_owner(conn, [sha], caller.id))
    return JSON({"sha256": sha, "size": size})


@endpoint(
    "Upload many small blobs in one body: frames of <sha256, 64 hex characters><size, 8 bytes "
    "big-endian><content>. All are verified first: 400 checksum_mismatch (error.sha256 names the blob) "
    "stores none; 400 bad_frame for a malformed body; blobs the server has are skipped. Bounded by the "
    "ingest body limit (64 MiB by default).",
    raw=BLOBS_TYPE,
    answer=m.BatchStored,
)
async def put_blobs(request: Request) -> Response:
    """Many small blobs in one request: the body is frames of <64 hex sha256><8-byte big-endian size>
    <content>. Every frame is verified before anything is stored (400 checksum_mismatch, with error.sha256,
    stores none of them); blobs the server has already are skipped."""
    limit = request.app.state.config.max_ingest_bytes
    raw = await body(request, limit)
    repos, caller = store(request), user(request)

    def parse_and_store() -> tuple[m.BatchStored, list[str]]:
        blobs = parse_blob_frames(raw)
        for sha, data in blobs:
            got = hashlib.sha256(data).hexdigest()
            if got != sha:
                raise ApiError(
                    400, "checksum_mismatch", f"blob {sha}: the content hashes to {got}", sha256=sha
                )
        new = repos.blobs.put_many(blobs)
        stored = m.BatchStored(count=len(blobs), new=new, bytes=sum(len(content) for _, content in blobs))
        return stored, [digest for digest, _ in blobs]

    out, shas = await run_in_threadpool(parse_and_store)
    await write(request, lambda conn: repos.blob_refs.add_owner(conn, shas, caller.id))
    return JSON(out)


def parse_blob_frames(raw: bytes) -> list[tuple[str, memoryview]]:
    """The frames of a batch body (see put_blobs); 400 bad_frame for anything malformed."""
    view, out, pos = memoryview(raw), [], 0
    while pos < len(view):
        if len(view) - pos < FRAME_HEADER:
            raise ApiError(400, "bad_frame", f"truncated frame header at byte {pos}")
        sha = bytes(view[pos : pos + 64]).decode("ascii", "replace")
        if not is_sha256(sha):
            raise ApiError(400, "bad_frame", f"frame at byte {pos}: {sha!r} is not a sha256 hex digest")
        (size,) = struct.unpack_from(">Q", view, pos + 64)
        pos += FRAME_HEADER
        if size > len(view) - pos:
            raise ApiError(400, "bad_frame", f"blob {sha} declares {size} bytes; the body ends before")
        out.append((sha, view[pos : pos + size]))
        pos += size
    if len(out) > MAX_BATCH_BLOBS:
        raise ApiError(413, "too_many_blobs", f"{len(out)} blobs in one batch; at most {MAX_BATCH_BLOBS}")
    return out


@endpoint(
    "Which of these blobs the caller must upload: those the server lacks, and those it holds but the "
    "caller may not use, so the answer tells nobody what others stored",
    body=m.BlobList,
    answer=m.MissingBlobs,
)
async def missing_blobs(request: Request, req: m.BlobList) -> Response:
    shas = req.sha256
    repos, caller = store(request), user(request)
    usable = await read(request, lambda conn: access.usable_blobs(conn, repos, caller, shas))
    held = await run_in_threadpool(
        repos.blobs.present, [digest for digest in dict.fromkeys(shas) if digest in usable]
    )
    missing = [digest for digest in dict.fromkeys(shas) if digest not in held]
    return JSON(m.MissingBlobs(missing=missing))


@endpoint(
    "Blobs no artifact and no run file references (admin); deleted only with delete=true",
    body=m.GcRequest,
    answer=m.GcResult,
)
async def gc(request: Request, req: m.GcRequest) -> Response:
    caller = user(request)
    if not caller.is_admin:
        raise ApiError(403, "forbidden", "only the server admin can collect garbage")
    out = await run_in_threadpool(store(request).collect_garbage, req.delete, req.grace_seconds)
    return JSON(out)


A = "/api/v1/artifacts/{entity}/{project}"
V = A + "/{name}/{version}"
routes = [
    Route(A, list_collections, methods=["GET"]),
    Route(A + "/{name}", list_versions, methods=["GET"]),
    Route(A + "/{name}", commit, methods=["POST"]),
    Route(V, get_version, methods=["GET"]),
    Route(V, delete_version, methods=["DELETE"]),
    Route(V, patch_version, methods=["PATCH"]),
    Route(V + "/aliases", aliases, methods=["POST"]),
    Route(V + "/lineage", lineage, methods=["GET"]),
    Route(V + "/blobs", get_blobs, methods=["POST"]),
    Route(V + "/blobs/{sha256}", get_blob, methods=["GET"]),
    Route("/api/v1/blobs/missing", missing_blobs, methods=["POST"]),
    Route("/api/v1/blobs/batch", put_blobs, methods=["POST"]),
    Route("/api/v1/blobs/{sha256}", put_blob, methods=["PUT"]),
    Route("/api/v1/blobs/{sha256}/direct", direct_upload, methods=["POST"]),
    Route("/api/v1/blobs/{sha256}/direct/finish", direct_finish, methods=["POST"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/artifacts", run_artifacts, methods=["GET"]),
    Route("/api/v1/admin/gc", gc, methods=["POST"]),
]
