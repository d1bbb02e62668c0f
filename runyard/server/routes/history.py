"""Metric queries: bucketed series (one run or many), full-resolution export, system metrics, keys.

GET /api/v1/runs/{e}/{p}/{id}/history?keys=loss,acc&buckets=1000&x_axis=_step&min=0&max=5000
GET /api/v1/projects/{e}/{p}/history?key=loss&runs=id1,id2&buckets=1000
GET /api/v1/runs/{e}/{p}/{id}/history/raw?keys=loss&min_step=&max_step=
GET /api/v1/runs/{e}/{p}/{id}/system?keys=cpu&buckets=500           (x axis: _timestamp)
"""

from __future__ import annotations

import math
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.metrics import X_AXES, SeriesRef
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, column, columns_response, name_param, read, store, user

MAX_SERIES = 1000


def _range(q: m.BucketQuery) -> None:
    for name in ("min", "max"):
        v = getattr(q, name)
        if v is not None and not math.isfinite(v):
            raise ApiError(422, "wrong_type", f"query parameter {name!r} must be finite", field=name)
    if q.min is not None and q.max is not None and q.max < q.min:
        raise ApiError(422, "out_of_range", "max must not be below min", field="max")


def _window(
    c: Any, s: Any, refs: list[SeriesRef], nb: int, x_axis: str, a: float | None, b: float | None
) -> tuple[float | None, float | None, int]:
    """The window and bucket count the query answers: as asked, except that an unzoomed query on the
    step axis gets edges on the summary blocks' grid (a bucket count near the one asked; the answer
    says which)."""
    if x_axis != "_step" or a is not None or b is not None or not refs:
        return a, b, nb
    return s.metrics.step_window(c, refs, nb)


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


async def _query(
    request: Request, query: m.RunHistoryQuery, kind: str, default_axis: str | None = None
) -> Response:
    e, p, r = name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")
    _range(query)
    keys, nb, x_axis, a, b = query.keys, query.buckets, query.x_axis, query.min, query.max
    if default_axis and "x_axis" not in request.query_params:
        x_axis = default_axis
    s, u = store(request), user(request)

    def q(c: Any) -> tuple:
        loc = access.run(c, s, u, e, p, r)
        ks = keys or [k["key"] for k in s.metrics.keys(c, loc.id, kind)]
        refs = _refs(c, s, loc.id, loc.created_at, kind, ks, x_axis)
        t0 = time.perf_counter()
        found = [x for x in refs if x is not None]
        w = _window(c, s, found, nb, x_axis, a, b)
        res, rng = s.metrics.buckets(c, found, w[2], x_axis, w[0], w[1])
        return ks, refs, res, rng, w[2], time.perf_counter() - t0

    ks, refs, res, rng, nb, took = await read(request, q)
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


CHART = {"answer": m.HistoryAnswer, "msgpack": True}


@endpoint("Bucketed history of one run", query=m.RunHistoryQuery, **CHART)
async def run_history(request: Request, q: m.RunHistoryQuery) -> Response:
    return await _query(request, q, "history")


@endpoint("Bucketed system metrics (x axis: _timestamp)", query=m.RunHistoryQuery, **CHART)
async def run_system(request: Request, q: m.RunHistoryQuery) -> Response:
    return await _query(request, q, "system", "_timestamp")


@endpoint("Bucketed series of several runs (chart query)", query=m.ProjectHistoryQuery, **CHART)
async def project_history(request: Request, query: m.ProjectHistoryQuery) -> Response:
    e, p = name_param(request, "entity"), name_param(request, "project")
    keys, run_ids = query.key + query.keys, query.runs
    if len(keys) * len(run_ids) > MAX_SERIES:
        raise ApiError(422, "out_of_range", f"at most {MAX_SERIES} series (runs x keys) per query")
    _range(query)
    nb, x_axis, a, b = query.buckets, query.x_axis, query.min, query.max
    s, u = store(request), user(request)

    def q(c: Any) -> tuple:
        by_label = s.metrics.series_refs(c, access.project_id(c, s, u, e, p), run_ids, keys, x_axis)
        labels = [(rid, k) for rid in run_ids for k in keys]
        refs = [by_label.get(lab) for lab in labels]
        t0 = time.perf_counter()
        found = [x for x in refs if x is not None]
        w = _window(c, s, found, nb, x_axis, a, b)
        res, rng = s.metrics.buckets(c, found, w[2], x_axis, w[0], w[1])
        return labels, refs, res, rng, w[2], time.perf_counter() - t0

    labels, refs, res, rng, nb, took = await read(request, q)
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


@endpoint("Every point of some series, in log order", query=m.RawQuery, answer=m.RawHistory)
async def raw_history(request: Request, query: m.RawQuery) -> Response:
    e, p, r = name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")
    keys, lo, hi, kind = query.keys, query.min_step, query.max_step, query.kind
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


@endpoint("History (or system) keys of a run", query=m.KindQuery, answer=m.MetricKeys)
async def run_keys(request: Request, query: m.KindQuery) -> Response:
    e, p, r = name_param(request, "entity"), name_param(request, "project"), name_param(request, "run_id")
    s, u = store(request), user(request)
    keys = await read(request, lambda c: s.metrics.keys(c, access.run(c, s, u, e, p, r).id, query.kind))
    return JSON({"keys": keys})


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}/history", run_history, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", raw_history, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/keys", run_keys, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/system", run_system, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/history", project_history, methods=["GET"]),
]
