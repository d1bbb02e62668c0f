"""Health, the caller (`viewer`), and the OpenAPI description."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ... import __version__
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..http import JSON, read, user


@endpoint("Liveness probe (no key needed)", answer=m.Health, public=True)
async def health(request: Request) -> Response:
    return JSON(m.Health(status="ok", version=__version__))


@endpoint("The caller: user name, admin flag, entities it can write to", answer=m.Viewer)
async def viewer(request: Request) -> Response:
    u = user(request)
    ents = await read(request, lambda c: access.visible_entities(c, u))
    return JSON(
        m.Viewer(
            user=u.name,
            is_admin=u.is_admin,
            default_entity=u.name,
            entities=[m.ViewerEntity(name=e["name"], kind=e["kind"]) for e in ents],
        )
    )


@endpoint("This document", answer=dict[str, Any])
async def openapi(request: Request) -> Response:
    from ..openapi import spec  # built from the routes, this one included

    return JSON(spec())


routes = [
    Route("/api/v1/health", health, methods=["GET"]),
    Route("/api/v1/viewer", viewer, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
