"""Run files: `/api/v1/runs/{e}/{p}/{id}/files[/{path}]` (list, PUT upload, GET download)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ...store.files import BadPath, clean_path
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, read, store, user, write


def _names(request: Request) -> tuple[str, str, str]:
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")


def _path(request: Request) -> str:
    try:
        return clean_path(request.path_params["path"])
    except BadPath as e:
        raise ApiError("bad_path", str(e)) from None


@endpoint("Files of a run (path, size, sha256)", answer=m.RunFiles)
async def list_files(request: Request) -> Response:
    e, p, r = _names(request)
    s, u = store(request), user(request)
    files = await read(request, lambda c: s.files.list(c, access.run(c, s, u, e, p, r).id))
    return JSON({"files": files})


@endpoint("Upload a file (raw body)", raw="application/octet-stream", answer=m.FileStored)
async def put_file(request: Request) -> Response:
    e, p, r = _names(request)
    path = _path(request)
    s, u = store(request), user(request)
    limit = request.app.state.config.max_file_bytes
    await read(request, lambda c: access.run(c, s, u, e, p, r, access.WRITE))  # 404/403 before the body
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError("body_too_large", f"file of {declared} bytes exceeds the limit of {limit} bytes")
    w = s.blobs.staging()
    try:
        async for chunk in request.stream():
            if w.size + len(chunk) > limit:
                raise ApiError("body_too_large", f"file exceeds the limit of {limit} bytes")
            await run_in_threadpool(w.write, chunk)
        sha = await run_in_threadpool(w.finish)
        await run_in_threadpool(s.blobs.put_file, w.path, sha)
    except BaseException:
        w.discard()
        raise

    def q(c: Any) -> None:
        loc = access.run(c, s, u, e, p, r, access.WRITE)
        kind = (s.runs.load(c, loc.id)["metadata"].get("files") or {}).get(path)
        # the blob a replaced file pointed to is left for `runyard gc`: an artifact version, or another
        # run's file written concurrently, may still need it, and only gc sees all references
        s.files.upsert(c, loc.id, path, w.size, sha, kind)

    await write(request, q)
    return JSON(m.FileStored(path=path, size=w.size, sha256=sha))


@endpoint("Download a file", media="application/octet-stream")
async def get_file(request: Request) -> Response:
    e, p, r = _names(request)
    path = _path(request)
    s, u = store(request), user(request)
    row = await read(request, lambda c: s.files.get(c, access.run(c, s, u, e, p, r).id, path))
    if row is None:
        raise ApiError("unknown_file", f"run {e}/{p}/{r} has no file {path!r}")
    return StreamingResponse(
        s.blobs.iter_bytes(row.sha256),
        media_type=row.content_type,
        headers={"Content-Length": str(row.size), "ETag": f'"{row.sha256}"'},
    )


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}/files", list_files, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/files/{path:path}", put_file, methods=["PUT"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/files/{path:path}", get_file, methods=["GET"]),
]
