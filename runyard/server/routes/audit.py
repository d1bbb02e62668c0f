"""The audit log for the server admin: `GET /api/v1/admin/audit`, newest first, paged by `before`
(the last id of the previous page); `format=jsonl` exports it as JSON lines (one entry a line)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...wire import api_models as m
from ..contract import endpoint
from ..http import JSON, dumps, read, signed_in, store
from .accounts import _admin


@endpoint(
    "The audit log (admin), newest first; format=jsonl exports JSON lines (X-Next-Before header)",
    query=m.AuditQuery,
    answer=m.AuditPage,
    media="application/x-ndjson",
)
async def audit_log(request: Request, query: m.AuditQuery) -> Response:
    caller = signed_in(request)
    _admin(caller)
    fmt = query.format
    limit = query.limit or (100 if fmt == "json" else 1000)
    repos = store(request)

    def in_txn(conn: Any) -> list[dict]:
        return repos.audit.page(conn, query.before, limit, query.action, query.actor)

    rows = await read(request, in_txn)
    nxt = rows[-1]["id"] if len(rows) == limit else None
    if fmt == "jsonl":
        headers = {"X-Next-Before": str(nxt)} if nxt is not None else {}
        return Response(
            b"".join(dumps(row) + b"\n" for row in rows), media_type="application/x-ndjson", headers=headers
        )
    return JSON({"entries": rows, "next_before": nxt})


routes = [Route("/api/v1/admin/audit", audit_log, methods=["GET"])]
