"""`/api/v1/ingest/{entity}/{project}/{run_id}`: raw run-log bytes in, exactly once (see store/ingest.py)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.ingest import decode
from ...wire import api_models as m
from .. import access, live_events
from ..contract import endpoint
from ..http import JSON, body, read, run_names, store, user, write


@endpoint(
    "Acknowledged byte offset of one run-log segment (needs read access; 0 for a first upload)",
    query=m.IngestQuery,
    answer=m.IngestOffset,
)
async def get_offset(request: Request, query: m.IngestQuery) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> int:
        if (
            repos.entities.get(conn, entity) is None
        ):  # a first upload: the entity is created by its first write
            access.check_writable(conn, repos, caller, entity)
            return 0
        access.project_or_entity(
            conn, repos, caller, entity, project
        )  # a first upload into a new project: entity READ
        return repos.ingest.acked(conn, entity, project, run_id, query.segment)

    return JSON(m.IngestOffset(acked_offset=await read(request, in_txn)))


@endpoint(
    "Upload run-log bytes (whole frames from a frame boundary; offset 0 includes the 16-byte header). "
    "Frames ending at or below the acknowledged offset are skipped; the rest is applied in one "
    "transaction. 409 offset_mismatch carries error.acked_offset to resend from. live=1: sent by the "
    "run's own process, so it is also a heartbeat (an empty body is a heartbeat alone).",
    query=m.IngestPostQuery,
    raw="application/octet-stream",
    answer=m.IngestAnswer,
)
async def post_chunk(request: Request, query: m.IngestPostQuery) -> Response:
    entity, project, run_id = run_names(request)
    seg, offset, live = query.segment, query.offset, query.live
    config = request.app.state.config
    data = await body(request, config.max_ingest_bytes)
    repos, caller = store(request), user(request)
    dec = await run_in_threadpool(decode, run_id, seg, offset, data, repos.limits)
    res = await write(
        request,
        lambda conn: access.apply_run_log(conn, repos, caller, entity, project, run_id, seg, dec, live),
    )
    if res.applied or res.revived:
        # a moved run's live updates go to its new project
        request.app.state.broker.publish(live_events.run_logged(entity, res.project or project, run_id, res))
    return JSON(
        m.IngestAnswer(
            acked_offset=res.acked_offset,
            applied_records=res.applied,
            skipped_records=res.skipped,
            points=res.points,
            heartbeat_timeout=config.heartbeat_timeout,  # live clients heartbeat well within it
        )
    )


routes = [
    Route("/api/v1/ingest/{entity}/{project}/{run_id}", get_offset, methods=["GET"]),
    Route("/api/v1/ingest/{entity}/{project}/{run_id}", post_chunk, methods=["POST"]),
]
