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
    repos, broker = request.app.state.store, request.app.state.broker
    zero = "0" * 64  # any name: the question is whether the store answers, not what it holds

    async def check(what: str, probe: Any) -> tuple[str, str]:
        try:
            await asyncio.wait_for(probe(), READY_TIMEOUT_S)
        except Exception as err:  # whatever the cause, the answer is "not ready, because ..."
            return what, f"{type(err).__name__}: {err}"[:200]
        return what, "ok"

    checks = dict(
        await asyncio.gather(
            check("database", lambda: read(request, lambda conn: conn.exec_driver_sql("SELECT 1").scalar())),
            check("blob_store", lambda: run_in_threadpool(repos.blobs.exists, zero)),
            check("bus", broker.ping),
        )
    )
    ok = all(status == "ok" for status in checks.values())
    return JSON(
        {"status": "ready" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@endpoint("The caller: user name, admin flag, entities it can write to", answer=m.Viewer)
async def viewer(request: Request) -> Response:
    caller = user(request)
    repos = request.app.state.store

    def in_txn(conn: Any) -> tuple[list[dict], list[dict]]:
        teams = [] if caller.anonymous else repos.entities.teams_of(conn, caller.id)
        return access.visible_entities(conn, caller), teams

    ents, teams = await read(request, in_txn)
    return JSON(
        {
            "user": caller.name,
            "is_admin": caller.is_admin,
            "anonymous": caller.anonymous,
            "default_entity": caller.name,
            "entities": [{"name": ent["name"], "kind": ent["kind"]} for ent in ents],
            "teams": teams,
            "auth": "anonymous" if caller.anonymous else "key" if caller.key_id is not None else "session",
            "scope": caller.scope,
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
