"""`/api/v1/ingest/{entity}/{project}/{run_id}`: raw run-log bytes in, exactly once (see store/ingest.py)."""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.ingest import IngestError, decode
from .. import access
from ..errors import ApiError
from ..http import JSON, body, int_param, name_param, read, store, user, write

SEGMENT_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _params(request: Request) -> tuple[str, str, str, str]:
    seg = request.query_params.get("segment")
    if not seg:
        raise ApiError(
            400,
            "missing_parameter",
            "query parameter 'segment' (the segment id of the run log's RUN record) is required",
        )
    if not SEGMENT_RE.match(seg):
        raise ApiError(400, "bad_parameter", "segment must be 1-64 characters of [A-Za-z0-9_-]")
    return name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id"), seg


async def get_offset(request: Request) -> Response:
    e, p, r, seg = _params(request)
    s, u = store(request), user(request)

    def q(c: Any) -> int:
        if s.entities.get(c, e) is None:  # a first upload: the entity is created by its first write
            access.check_writable(c, s, u, e)
            return 0
        access.project_or_entity(c, s, u, e, p)  # a first upload into a new project: entity READ
        return s.ingest.acked(c, e, p, r, seg)

    return JSON({"acked_offset": await read(request, q)})


async def post_chunk(request: Request) -> Response:
    e, p, r, seg = _params(request)
    offset = int_param(request, "offset", required=True, lo=0)
    assert offset is not None
    live = request.query_params.get("live") == "1"  # from the run's own process: also a heartbeat
    config = request.app.state.config
    data = await body(request, config.max_ingest_bytes)
    s, u = store(request), user(request)
    try:
        dec = await run_in_threadpool(decode, r, seg, offset, data, s.limits)
        res = await write(request, lambda c: access.apply_run_log(c, s, u, e, p, r, seg, dec, live))
    except IngestError as err:
        raise ApiError(err.status, err.code, err.message, **err.extra) from None
    if res.applied or res.revived:
        request.app.state.broker.publish(
            {
                "type": "run.created" if res.created else "run.updated",
                "entity": e,
                "project": res.project or p,  # a moved run's live updates go to its new project
                "run_id": r,
                "state": res.state,
                "points": res.points,
                "last_step": res.last_step,
                "acked_offset": res.acked_offset,
            }
        )
    return JSON(
        {
            "acked_offset": res.acked_offset,
            "applied_records": res.applied,
            "skipped_records": res.skipped,
            "points": res.points,
            "heartbeat_timeout": config.heartbeat_timeout,  # live clients heartbeat well within it
        }
    )


routes = [
    Route("/api/v1/ingest/{entity}/{project}/{run_id}", get_offset, methods=["GET"]),
    Route("/api/v1/ingest/{entity}/{project}/{run_id}", post_chunk, methods=["POST"]),
]
