"""History as rows, the shape of wandb's `run.history()` / `run.scan_history()` (store/history_rows.py).

GET /api/v1/runs/{e}/{p}/{id}/history/rows?keys=loss,acc&min_step=&max_step=&limit=&samples=&require=
    &format=json|msgpack

Columnar answer: `_step`, `_timestamp`, `_runtime` and one column per key, row-aligned. In JSON an
absent value is null (NaN and infinities are strings, as everywhere); in msgpack numeric columns are
raw little-endian float64 (`{"dtype": "<f8", "data": bytes}`, NaN where absent) and `present` holds
a uint8 mask for the keys that are absent from some rows.
"""

from __future__ import annotations

from typing import Any

import msgpack
import numpy as np
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.history_rows import Rows
from ...store.history_rows import rows as build_rows
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..http import JSON, column, read, run_names, store, user


def _arr(array: np.ndarray) -> dict:
    return {"dtype": array.dtype.str, "data": array.tobytes()}


@endpoint(
    "History as rows (wandb's run.history / scan_history): _step, _timestamp, _runtime and one "
    "column per key, row-aligned; pages cut at step boundaries",
    query=m.RowsQuery,
    answer=m.HistoryRows,
    msgpack=True,
)
async def history_rows(request: Request, query: m.RowsQuery) -> Response:
    entity, project, run_id = run_names(request)
    keys, lo, hi, limit, samples = query.keys, query.min_step, query.max_step, query.limit, query.samples
    require, fmt = query.require, query.format
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> tuple[list[str], float, Rows]:
        loc = access.run(conn, repos, caller, entity, project, run_id)
        ks = keys or [key["key"] for key in repos.metrics.keys(conn, loc.id, "history")]
        ids = {
            key: kid for key in ks if (kid := repos.metrics.key_id(conn, loc.id, "history", key)) is not None
        }
        if keys and require == "all" and len(ids) < len(ks):
            ids = {}  # a key without any point: no row has all of them
        res = build_rows(conn, ids, lo, hi, limit, require == "all", samples, db=repos.db)
        return ks, float(loc.created_at), res

    ks, start, res = await read(request, in_txn)
    runtime = res.ts - start
    if fmt == "msgpack":
        cols: dict[str, Any] = {}
        present: dict[str, Any] = {}
        for key, col in res.columns.items():
            cols[key] = _arr(col.values) if isinstance(col.values, np.ndarray) else col.values
            if not col.present.all():
                present[key] = _arr(col.present.astype(np.uint8))
        doc = {
            "run": run_id,
            "keys": ks,
            "rows": len(res),
            "_step": _arr(res.step),
            "_timestamp": _arr(res.ts),
            "_runtime": _arr(runtime),
            "columns": cols,
            "present": present,
            "next_min_step": res.next_min_step,
        }
        return Response(msgpack.packb(doc, use_bin_type=True), media_type="application/x-msgpack")
    jcols: dict[str, list] = {}
    for key, col in res.columns.items():
        vals = column(col.values)
        if not col.present.all():
            vals = [value if ok else None for value, ok in zip(vals, col.present.tolist())]
        jcols[key] = vals
    return JSON(
        {
            "run": run_id,
            "keys": ks,
            "rows": len(res),
            "_step": res.step.tolist(),
            "_timestamp": column(res.ts),
            "_runtime": column(runtime),
            "columns": jcols,
            "next_min_step": res.next_min_step,
        }
    )


routes = [Route("/api/v1/runs/{entity}/{project}/{run_id}/history/rows", history_rows, methods=["GET"])]
