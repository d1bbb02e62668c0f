"""Health and readiness, the caller (`viewer`), and the OpenAPI description."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ... import __version__
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..http import JSON, read, user


@endpoint("Liveness probe (no key needed)", answer=m.Health)
async def health(request: Request) -> Response:
    return JSON(m.Health(status="ok", version=__version__))


READY_TIMEOUT_S = 5.0


@endpoint(
    "Readiness (no key needed): the database, the blob store and the bus answer; 503 with the same "
    "document naming the ones that do not",
    answer=m.Ready,
    other={503: m.Ready},
)
async def ready(request: Request) -> Response:
    """Readiness: the database, the blob store and the bus answer (503 naming the ones that do not)."""
    s, broker = request.app.state.store, request.app.state.broker
    zero = "0" * 64  # any name: the question is whether the store answers, not what it holds

    async def check(what: str, probe: Any) -> tuple[str, str]:
        try:
            await asyncio.wait_for(probe(), READY_TIMEOUT_S)
        except Exception as e:  # whatever the cause, the answer is "not ready, because ..."
            return what, f"{type(e).__name__}: {e}"[:200]
        return what, "ok"

    checks = dict(
        await asyncio.gather(
            check("database", lambda: read(request, lambda c: c.exec_driver_sql("SELECT 1").scalar())),
            check("blob_store", lambda: run_in_threadpool(s.blobs.exists, zero)),
            check("bus", broker.ping),
        )
    )
    ok = all(v == "ok" for v in checks.values())
    return JSON(
        {"status": "ready" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@endpoint("The caller: user name, admin flag, entities it can write to", answer=m.Viewer)
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


@endpoint("This document", answer=dict[str, Any])
async def openapi(request: Request) -> Response:
    from ..openapi import spec  # built from the routes, this one included

    return JSON(spec())


routes = [
    Route("/api/v1/health", health, methods=["GET"]),
    Route("/api/v1/ready", ready, methods=["GET"]),
    Route("/api/v1/viewer", viewer, methods=["GET"]),
    Route("/api/v1/openapi.json", openapi, methods=["GET"]),
]
