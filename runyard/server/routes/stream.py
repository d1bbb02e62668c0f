"""Live updates as server-sent events: `GET /api/v1/stream?project=entity/project`.

Each event is `event: <type>` plus a JSON `data:` line (run.created, run.updated, run.deleted); a
comment line every 15 s keeps proxies from closing an idle stream.

Access is checked when the stream opens and again whenever a membership or key changes (the
broker's access.changed event, which a shared bus carries to every replica: the removed member's
stream ends at once) and at least every 15 s (an event the bus lost, or processes without a shared
bus). A stream whose caller lost access gets `event: access.revoked` and is closed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import read, store, user
from ..pubsub import ACCESS_CHANGED

KEEPALIVE = 15.0


@endpoint(
    "Server-sent events: run.created, run.updated, run.deleted, artifact.committed; access.revoked, then "
    "the stream closes, when the caller loses access (team membership or key). Each `data:` line is one "
    "of the event models",
    query=m.StreamQuery,
    media="text/event-stream",
    events=m.StreamEvent,
)
async def stream(request: Request, query: m.StreamQuery) -> Response:
    project = query.project
    repos, caller = store(request), user(request)
    if project is not None:
        entity_name, _, project_name = project.partition("/")
        if not entity_name or not project_name:
            raise ApiError(400, "bad_parameter", "project must be 'entity/project'")

        def check(conn: Any) -> None:  # the project may not exist yet: its first run will create it
            access.project_or_entity(conn, repos, caller, entity_name, project_name)

        await read(request, check)
    elif not caller.is_admin:
        raise ApiError(400, "missing_parameter", "query parameter 'project' (entity/project) is required")
    broker = request.app.state.broker
    queue = broker.subscribe(project)

    def allowed(conn: Any) -> bool:
        now = access.current(conn, repos, caller)
        if now is None:
            return False
        if project is None:
            return now.is_admin
        try:
            access.project_or_entity(conn, repos, now, *project.partition("/")[::2])
        except ApiError:
            return False
        return True

    async def events() -> AsyncIterator[bytes]:
        try:
            yield b": connected\n\n"
            checked = time.monotonic()
            while True:
                try:
                    ev = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except asyncio.TimeoutError:
                    if await request.is_disconnected():
                        return
                    ev = None
                # a busy stream re-checks too (its queue may have been too full for access.changed)
                if ev is None or ev["type"] == ACCESS_CHANGED or time.monotonic() - checked >= KEEPALIVE:
                    if not await read(request, allowed):
                        yield b'event: access.revoked\ndata: {"type": "access.revoked"}\n\n'
                        return
                    checked = time.monotonic()
                if ev is None:
                    yield b": keepalive\n\n"
                elif ev["type"] != ACCESS_CHANGED:
                    yield f"event: {ev['type']}\ndata: {json.dumps(ev)}\n\n".encode()
        finally:
            broker.unsubscribe(queue)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


routes = [Route("/api/v1/stream", stream, methods=["GET"])]
