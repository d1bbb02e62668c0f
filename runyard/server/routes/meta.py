"""Health, the caller (`viewer`), and the OpenAPI description."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ... import __version__
from .. import access
from ..http import JSON, read, user
from ..openapi import spec


async def health(request: Request) -> Response:
    return JSON({"status": "ok", "version": __version__})


async def viewer(request: Request) -> Response:
    u = user(request)
    ents = await read(request, lambda c: access.visible_entities(c, u))
    return JSON(
        {
            "user": u.name,
            "is_admin": u.is_admin,
            "default_entity": u.name,
            "entities": [{"name": e["name"], "kind": e["kind"]} for e in ents],
        }
    )


async def openapi(request: Request) -> Response:
    return JSON(spec())


routes = [
    Route("/api/v1/health", health, methods=["GET"]),
    Route("/api/v1/viewer", viewer, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
