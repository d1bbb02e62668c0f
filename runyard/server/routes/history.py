"""Metric queries: bucketed series (one run or many), full-resolution export, system metrics, keys.

GET /api/v1/runs/{e}/{p}/{id}/history?keys=loss,acc&buckets=1000&x_axis=_step&min=0&max=5000
GET /api/v1/projects/{e}/{p}/history?key=loss&runs=id1,id2&buckets=1000
GET /api/v1/runs/{e}/{p}/{id}/history/raw?keys=loss&min_step=&max_step=
GET /api/v1/runs/{e}/{p}/{id}/system?keys=cpu&buckets=500           (x axis: _timestamp)
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.metrics import X_AXES, SeriesRef
from .. import access
from ..errors import ApiError
from ..http import (
    JSON,
    column,
    columns_response,
    float_param,
    int_param,
    kind_param,
    list_param,
    name_param,
    read,
    store,
    user,
)

MAX_BUCKETS = 10_000
MAX_SERIES = 1000


def _common(request: Request) -> tuple[int, str, float | None, float | None]:
    nb = int_param(request, "buckets", 1000, lo=1, hi=MAX_BUCKETS)
    x_axis = request.query_params.get("x_axis", "_step")
    a, b = float_param(request, "min"), float_param(request, "max")
    if a is not None and b is not None and b < a:
        raise ApiError(422, "out_of_range", "max must not be below min")
    return nb, x_axis, a, b  # type: ignore[return-value]


def _refs(
    c: Any, s: Any, run_pk: int, start: float, kind: str, keys: list[str], x_axis: str
) -> list[SeriesRef | None]:
    x_key = None
    if x_axis not in X_AXES:
        x_key = s.metrics.key_id(c, run_pk, "history", x_axis)
    out: list[SeriesRef | None] = []
    for k in keys:
        kid = s.metrics.key_id(c, run_pk, kind, k)
        out.append(None if kid is None else SeriesRef(kid, start, x_key))
    return out


def _series(results: list, labels: list[tuple[str, str]], refs: list) -> list[dict]:
    out, it = [], iter(results)
    for (run, key), ref in zip(labels, refs):
        doc = {"run": run, "key": key, "found": ref is not None}
        if ref is not None:
            doc.update(next(it))
        out.append(doc)
    return out


async def _query(request: Request, kind: str, default_axis: str | None = None) -> Response:
    e, p, r = name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")
    keys = list_param(request, "keys")
    nb, x_axis, a, b = _common(request)
    if default_axis and "x_axis" not in request.query_params:
        x_axis = default_axis
    s, u = store(request), user(request)

    def q(c: Any) -> tuple:
        loc = access.run(c, s, u, e, p, r)
        ks = keys or [k["key"] for k in s.metrics.keys(c, loc.id, kind)]
        refs = _refs(c, s, loc.id, loc.created_at, kind, ks, x_axis)
        t0 = time.perf_counter()
        res, rng = s.metrics.buckets(c, [x for x in refs if x is not None], nb, x_axis, a, b)
        return ks, refs, res, rng, time.perf_counter() - t0

    ks, refs, res, rng, took = await read(request, q)
    series = _series(res, [(r, k) for k in ks], refs)
    return columns_response(
        request,
        {
            "x_axis": x_axis,
            "buckets": nb,
            "min": rng[0],
            "max": rng[1],
            "query_ms": round(took * 1000, 3),
            "series": series,
        },
    )


async def run_history(request: Request) -> Response:
    return await _query(request, "history")


async def run_system(request: Request) -> Response:
    return await _query(request, "system", "_timestamp")


async def project_history(request: Request) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    keys = list_param(request, "key", required=True) + list_param(request, "keys")
    run_ids = list_param(request, "runs", required=True)
    if len(keys) * len(run_ids) > MAX_SERIES:
        raise ApiError(422, "out_of_range", f"at most {MAX_SERIES} series (runs x keys) per query")
    nb, x_axis, a, b = _common(request)
    s, u = store(request), user(request)

    def q(c: Any) -> tuple:
        access.project_id(c, s, u, e, p)
        labels: list[tuple[str, str]] = []
        refs: list[SeriesRef | None] = []
        for rid in run_ids:
            loc = s.runs.locate(c, e, p, rid)
            for k in keys:
                labels.append((rid, k))
                refs.extend(_refs(c, s, loc.id, loc.created_at, "history", [k], x_axis) if loc else [None])
        t0 = time.perf_counter()
        res, rng = s.metrics.buckets(c, [x for x in refs if x is not None], nb, x_axis, a, b)
        return labels, refs, res, rng, time.perf_counter() - t0

    labels, refs, res, rng, took = await read(request, q)
    return columns_response(
        request,
        {
            "x_axis": x_axis,
            "buckets": nb,
            "min": rng[0],
            "max": rng[1],
            "query_ms": round(took * 1000, 3),
            "series": _series(res, labels, refs),
        },
    )


async def raw_history(request: Request) -> Response:
    e, p, r = name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")
    keys = list_param(request, "keys", required=True)
    lo, hi = int_param(request, "min_step"), int_param(request, "max_step")
    kind = kind_param(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        loc = access.run(c, s, u, e, p, r)
        out = []
        for k in keys:
            kid = s.metrics.key_id(c, loc.id, kind, k)
            if kid is None:
                out.append({"key": k, "found": False})
                continue
            pts = s.metrics.raw(c, kid, lo, hi)
            out.append(
                {
                    "key": k,
                    "found": True,
                    "step": pts.step.tolist(),
                    "value": column(pts.val),
                    "timestamp": pts.ts.tolist(),
                    "seq": pts.gseq.tolist(),
                }
            )
        return out

    return JSON({"run": r, "series": await read(request, q)})


async def run_keys(request: Request) -> Response:
    e, p, r = name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")
    kind = kind_param(request)
    s, u = store(request), user(request)
    keys = await read(request, lambda c: s.metrics.keys(c, access.run(c, s, u, e, p, r).id, kind))
    return JSON({"keys": keys})


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}/history", run_history, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", raw_history, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/keys", run_keys, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/system", run_system, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/history", project_history, methods=["GET"]),
]
