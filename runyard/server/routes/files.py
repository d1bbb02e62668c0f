"""Run files: `/api/v1/runs/{e}/{p}/{id}/files[/{path}]` (list, PUT upload, GET download)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ...store.blob_deletions import DELETING
from ...wire import api_models as m
from ...wire.manifest import is_sha256
from ...wire.paths import BadPath, clean_path
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..headers import user_file_headers
from ..http import JSON, read, run_names, store, user, write
from ..uploads import receive_blob
from .artifacts import direct_redirect


def _path(request: Request) -> str:
    try:
        return clean_path(request.path_params["path"])
    except BadPath as err:
        raise ApiError(400, "bad_path", str(err)) from None


@endpoint("Files of a run (path, size, sha256)", answer=m.RunFiles)
async def list_files(request: Request) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)
    files = await read(
        request,
        lambda conn: repos.files.list(conn, access.run(conn, repos, caller, entity, project, run_id).id),
    )
    return JSON({"files": files})


@endpoint("Upload a file (raw body)", raw="application/octet-stream", answer=m.FileStored)
async def put_file(request: Request) -> Response:
    """The body is the file; or, with `?sha256=` and an empty body, the file is that blob (one the
    caller may use: uploaded by it, e.g. through a signed URL, or in something it can read)."""
    entity, project, run_id = run_names(request)
    path = _path(request)
    repos, caller = store(request), user(request)
    limit = request.app.state.config.max_file_bytes
    await read(
        request, lambda conn: access.run(conn, repos, caller, entity, project, run_id, access.WRITE)
    )  # 404/403 before the body
    named = request.query_params.get("sha256")
    if named is not None:
        sha, size = await _named_blob(request, named)
    else:
        sha, size = await receive_blob(request, repos.blobs, limit)
    # An upload of bytes the store holds keeps the stored blob, which gc may be deleting: what gc last
    # did to it is read, then the store asked, then the transaction refuses a change (blob_deletions.py)
    marks = await read(request, lambda conn: repos.blob_deletions.marks(conn, [sha]))
    if marks.get(sha, "").endswith(DELETING) or not await run_in_threadpool(repos.blobs.exists, sha):
        raise ApiError(409, "blob_collected", f"blob {sha} was garbage-collected meanwhile: send it again")

    def in_txn(conn: Any) -> None:
        if repos.blob_deletions.moved(conn, [sha], marks):
            raise ApiError(
                409, "blob_collected", f"blob {sha} was garbage-collected meanwhile: send it again"
            )
        loc = access.run(conn, repos, caller, entity, project, run_id, access.WRITE)
        kind = (repos.runs.load(conn, loc.id)["metadata"].get("files") or {}).get(path)
        # the blob a replaced file pointed to is left for `runyard gc`: an artifact version, or another
        # run's file written concurrently, may still need it, and only gc sees all references
        repos.files.upsert(conn, loc.id, path, size, sha, kind)

    await write(request, in_txn)
    return JSON(m.FileStored(path=path, size=size, sha256=sha))


async def _named_blob(request: Request, sha: str) -> tuple[str, int]:
    if not is_sha256(sha):
        raise ApiError(400, "bad_parameter", f"{sha!r} is not a sha256 digest (64 lowercase hex characters)")
    if (request.headers.get("content-length") or "0") != "0":
        raise ApiError(400, "bad_request", "a file named by its sha256 has an empty body")
    repos, caller = store(request), user(request)
    usable = await read(request, lambda conn: access.usable_blobs(conn, repos, caller, [sha]))

    def size() -> int | None:
        try:
            with repos.blobs.open(sha) as blob_file:
                return blob_file.seek(0, 2)
        except FileNotFoundError:
            return None

    got = await run_in_threadpool(size) if sha in usable else None
    if got is None:  # absent and not the caller's to use look alike: nothing is revealed
        raise ApiError(404, "unknown_blob", f"no blob {sha} the caller may use: upload it first")
    return sha, got


@endpoint("Download a file", media="application/octet-stream")
async def get_file(request: Request) -> Response:
    entity, project, run_id = run_names(request)
    path = _path(request)
    repos, caller = store(request), user(request)
    row = await read(
        request,
        lambda conn: repos.files.get(conn, access.run(conn, repos, caller, entity, project, run_id).id, path),
    )
    if row is None:
        raise ApiError(404, "unknown_file", f"run {entity}/{project}/{run_id} has no file {path!r}")
    redirect = direct_redirect(request, row.sha256)
    if redirect is not None:
        return redirect
    return StreamingResponse(
        repos.blobs.iter_bytes(row.sha256),
        media_type=row.content_type,
        headers={
            "Content-Length": str(row.size),
            "ETag": f'"{row.sha256}"',
            **user_file_headers(path, row.content_type),
        },
    )


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}/files", list_files, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/files/{path:path}", put_file, methods=["PUT"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/files/{path:path}", get_file, methods=["GET"]),
]
