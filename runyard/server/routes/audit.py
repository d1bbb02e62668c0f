"""The audit log for the server admin: `GET /api/v1/admin/audit`, newest first, paged by `before`
(the last id of the previous page); `format=jsonl` exports it as JSON lines (one entry a line)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import ApiError
from ..http import JSON, dumps, int_param, read, signed_in, store
from .accounts import _admin

MAX_PAGE = 1000


async def audit_log(request: Request) -> Response:
    u = signed_in(request)
    _admin(u)
    fmt = request.query_params.get("format", "json")
    if fmt not in ("json", "jsonl"):
        raise ApiError(422, "bad_parameter", f"format must be json or jsonl, not {fmt!r}")
    limit = int_param(request, "limit", 100 if fmt == "json" else MAX_PAGE, lo=1, hi=MAX_PAGE)
    before = int_param(request, "before", None, lo=1)
    action, actor = request.query_params.get("action"), request.query_params.get("actor")
    s = store(request)

    def q(c: Any) -> list[dict]:
        return s.audit.page(c, before, limit, action, actor)  # type: ignore[arg-type]

    rows = await read(request, q)
    nxt = rows[-1]["id"] if len(rows) == limit else None
    if fmt == "jsonl":
        headers = {"X-Next-Before": str(nxt)} if nxt is not None else {}
        return Response(
            b"".join(dumps(r) + b"\n" for r in rows), media_type="application/x-ndjson", headers=headers
        )
    return JSON({"entries": rows, "next_before": nxt})


routes = [Route("/api/v1/admin/audit", audit_log, methods=["GET"])]
