"""Health, the caller (`viewer`), and the OpenAPI description."""

from __future__ import annotations

from typing import Any

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
    s = request.app.state.store

    def q(c: Any) -> tuple[list[dict], list[dict]]:
        teams = [] if u.anonymous else s.entities.teams_of(c, u.id)
        return access.visible_entities(c, u), teams

    ents, teams = await read(request, q)
    return JSON(
        {
            "user": u.name,
            "is_admin": u.is_admin,
            "anonymous": u.anonymous,
            "default_entity": u.name,
            "entities": [{"name": e["name"], "kind": e["kind"]} for e in ents],
            "teams": teams,
            "auth": "anonymous" if u.anonymous else "key" if u.key_id is not None else "session",
            "scope": u.scope,
        }
    )


async def openapi(request: Request) -> Response:
    return JSON(spec())


routes = [
    Route("/api/v1/health", health, methods=["GET"]),
    Route("/api/v1/viewer", viewer, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
