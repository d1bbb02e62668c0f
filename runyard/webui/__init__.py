"""The web UI: the built single-page app (``runyard/webui/dist/``, made by ``scripts/build-web.sh``)
served as an ASGI app, so ``runyard server`` needs no Node at run time.

    from runyard.webui import ui_app
    Mount("/", app=ui_app())          # after the /api routes

- ``/assets/*`` are content-hashed by Vite: served with ``Cache-Control: public, max-age=31536000,
  immutable``.
- Any other path that is a file in ``dist/`` is served with ``no-cache`` (revalidated each time).
- Every other path gets ``index.html`` (``no-cache``): the SPA routes on the client
  (``/entity/project``, ``/entity/project/runs/id``...). ``/api/...`` paths are never answered with
  the page: they get a JSON 404 in the API's error envelope.
- Without a build, every page answers 503 with the command that makes one.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["DIST", "ui_app"]

DIST = Path(__file__).resolve().parent / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>runyard</title>
<h1>The runyard web UI is not built</h1>
<p>Build it with <code>scripts/build-web.sh</code> (needs Node.js 20+), or install a runyard
package that ships it. The API is available under <code>/api/v1/</code>.</p>"""


class _UI:
    def __init__(self, dist: Path):
        self.dist = dist

    def _file(self, rel: str) -> Path | None:
        if not rel or rel.endswith("/"):
            return None
        target = (self.dist / rel).resolve()
        try:
            target.relative_to(self.dist.resolve())
        except ValueError:
            return None  # ../ traversal
        return target if target.is_file() else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope)
        response = self.respond(request)
        await response(scope, receive, send)

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return JSONResponse(
                {"error": {"code": "method_not_allowed", "message": "the web UI only answers GET"}},
                status_code=405,
                headers={"Allow": "GET, HEAD"},
            )
        path = request.url.path
        root = scope_root(request)
        rel = path[len(root) :] if path.startswith(root) else path
        rel = rel.lstrip("/")
        if rel == "api" or rel.startswith("api/"):
            return JSONResponse(
                {"error": {"code": "not_found", "message": f"no API route {request.method} {path}"}},
                status_code=404,
            )
        index = self.dist / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
        f = self._file(rel)
        if f is not None:
            cache = IMMUTABLE if rel.startswith("assets/") else REVALIDATE
            return FileResponse(f, headers={"Cache-Control": cache})
        if rel.startswith("assets/"):
            # a hashed asset of an older build: 404, not the page (a script tag must not get HTML)
            return Response(
                "not found", status_code=404, media_type="text/plain", headers={"Cache-Control": "no-store"}
            )
        return FileResponse(index, headers={"Cache-Control": REVALIDATE}, media_type="text/html")


def scope_root(request: Request) -> str:
    return request.scope.get("root_path", "") or ""


def ui_app(dist: str | os.PathLike[str] | None = None) -> ASGIApp:
    """The ASGI app serving the built UI from ``dist`` (default: the package's own ``dist/``)."""
    return _UI(Path(dist) if dist is not None else DIST)
