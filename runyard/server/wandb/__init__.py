"""A wandb-compatible server endpoint: the official `wandb` client logs into runyard.

Point the client at a runyard server (`WANDB_BASE_URL=http://host:port`, `WANDB_API_KEY=<runyard key>`)
and online runs, resumes and `wandb sync` of offline runs arrive as ordinary runyard runs. See
docs/wandb-server.md for what is supported. Needs graphql-core (the `server` extra).
"""

from __future__ import annotations

from typing import Any

__all__ = ["server_routes"]

HINT = "the wandb-compatible endpoint needs graphql-core: pip install 'runyard[server]'"


def server_routes() -> list[Any]:
    """The routes server/app.py mounts; without graphql-core, routes that answer 501 with the hint."""
    try:
        from .endpoints import routes
    except ImportError as e:
        if e.name != "graphql":
            raise
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def missing(_request: Any) -> JSONResponse:
            return JSONResponse({"errors": [{"message": HINT}], "error": HINT}, status_code=501)

        return [
            Route("/graphql", missing, methods=["POST"]),
            Route("/files/{entity}/{project}/{run_id}/file_stream", missing, methods=["POST"]),
        ]
    return list(routes)
