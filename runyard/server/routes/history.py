"""Metric queries: bucketed series (one run or many), full-resolution export, system metrics, keys.

GET /api/v1/runs/{e}/{p}/{id}/history?keys=loss,acc&buckets=1000&x_axis=_step&min=0&max=5000
GET /api/v1/projects/{e}/{p}/history?key=loss&runs=id1,id2&buckets=1000
GET /api/v1/runs/{e}/{p}/{id}/history/raw?keys=loss&min_step=&max_step=
GET /api/v1/runs/{e}/{p}/{id}/system?keys=cpu&buckets=500           (x axis: _timestamp)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store.metrics import X_AXES, SeriesRef
from ...wire import api_models as m
from ...wire.api_models.history import MAX_TOTAL_BUCKETS, MIN_SERIES_BUCKETS
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, column, columns_response, name_param, read, run_names, store, user

MAX_SERIES = 1000


def _range(query: m.BucketQuery) -> None:
    for name in ("min", "max"):
        bound = getattr(query, name)
        if bound is not None and not math.isfinite(bound):
            raise ApiError(422, "wrong_type", f"query parameter {name!r} must be finite", field=name)
    if query.min is not None and query.max is not None and query.max < query.min:
        raise ApiError(422, "out_of_range", "max must not be below min", field="max")


@dataclass
class _Buckets:
    """The bucketed series of the refs found, as `store.metrics.buckets` answers them."""

    results: list
    value_range: tuple[float | None, float | None]
    buckets: int  # the count answered (the summary blocks' grid may change the one asked)
    seconds: float


def _bucketed(
    conn: Any, repos: Any, refs: list[SeriesRef | None], query: m.BucketQuery, x_axis: str
) -> _Buckets:
    """Bucket the series found (None: not found) over the query's window. Unzoomed on the step axis,
    edges are on the summary blocks' grid (a bucket count near the one asked; the answer says which)."""
    started = time.perf_counter()
    found = [ref for ref in refs if ref is not None]
    per_series = max(MIN_SERIES_BUCKETS, MAX_TOTAL_BUCKETS // max(1, len(found)))
    lo, hi, buckets = query.min, query.max, min(query.buckets, per_series)
    if x_axis == "_step" and lo is None and hi is None and found:
        lo, hi, buckets = repos.metrics.step_window(conn, found, buckets)
    results, value_range = repos.metrics.buckets(conn, found, buckets, x_axis, lo, hi)
    return _Buckets(results, value_range, buckets, time.perf_counter() - started)


def _refs(
    conn: Any, repos: Any, run_pk: int, start: float, kind: str, keys: list[str], x_axis: str
) -> list[SeriesRef | None]:
    x_key = None
    if x_axis not in X_AXES:
        x_key = repos.metrics.key_id(conn, run_pk, "history", x_axis)
    out: list[SeriesRef | None] = []
    for key in keys:
        key_id = repos.metrics.key_id(conn, run_pk, kind, key)
        out.append(None if key_id is None else SeriesRef(key_id, start, x_key))
    return out


def _answer(
    request: Request, x_axis: str, done: _Buckets, labels: list[tuple[str, str]], refs: list
) -> Response:
    """The chart answer: one series per (run, key) label, in the order asked."""
    series, results = [], iter(done.results)
    for (run, key), ref in zip(labels, refs):
        doc = {"run": run, "key": key, "found": ref is not None}
        if ref is not None:
            doc.update(next(results))
        series.append(doc)
    return columns_response(
        request,
        {
            "x_axis": x_axis,
            "buckets": done.buckets,
            "min": done.value_range[0],
            "max": done.value_range[1],
            "query_ms": round(done.seconds * 1000, 3),
            "series": series,
        },
    )


async def _query(
    request: Request, query: m.RunHistoryQuery, kind: str, default_axis: str | None = None
) -> Response:
    entity, project, run_id = run_names(request)
    _range(query)
    x_axis = query.x_axis
    if default_axis and "x_axis" not in request.query_params:
        x_axis = default_axis
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> tuple[list[str], list[SeriesRef | None], _Buckets]:
        loc = access.run(conn, repos, caller, entity, project, run_id)
        keys = query.keys or [row["key"] for row in repos.metrics.keys(conn, loc.id, kind)]
        refs = _refs(conn, repos, loc.id, loc.created_at, kind, keys, x_axis)
        return keys, refs, _bucketed(conn, repos, refs, query, x_axis)

    keys, refs, done = await read(request, in_txn)
    return _answer(request, x_axis, done, [(run_id, key) for key in keys], refs)


CHART = {"answer": m.HistoryAnswer, "msgpack": True}


@endpoint("Bucketed history of one run", query=m.RunHistoryQuery, **CHART)
async def run_history(request: Request, query: m.RunHistoryQuery) -> Response:
    return await _query(request, query, "history")


@endpoint("Bucketed system metrics (x axis: _timestamp)", query=m.RunHistoryQuery, **CHART)
async def run_system(request: Request, query: m.RunHistoryQuery) -> Response:
    return await _query(request, query, "system", "_timestamp")


@endpoint("Bucketed series of several runs (chart query)", query=m.ProjectHistoryQuery, **CHART)
async def project_history(request: Request, query: m.ProjectHistoryQuery) -> Response:
    entity, project = name_param(request, "entity"), name_param(request, "project")
    keys, run_ids = query.key + query.keys, query.runs
    if len(keys) * len(run_ids) > MAX_SERIES:
        raise ApiError(422, "out_of_range", f"at most {MAX_SERIES} series (runs x keys) per query")
    _range(query)
    labels = [(run_id, key) for run_id in run_ids for key in keys]
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> tuple[list[SeriesRef | None], _Buckets]:
        pid = access.project_id(conn, repos, caller, entity, project)
        by_label = repos.metrics.series_refs(conn, pid, run_ids, keys, query.x_axis)
        refs = [by_label.get(label) for label in labels]
        return refs, _bucketed(conn, repos, refs, query, query.x_axis)

    refs, done = await read(request, in_txn)
    return _answer(request, query.x_axis, done, labels, refs)


@endpoint("Every point of some series, in log order", query=m.RawQuery, answer=m.RawHistory)
async def raw_history(request: Request, query: m.RawQuery) -> Response:
    entity, project, run_id = run_names(request)
    keys, lo, hi, kind = query.keys, query.min_step, query.max_step, query.kind
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        loc = access.run(conn, repos, caller, entity, project, run_id)
        out = []
        for key in keys:
            kid = repos.metrics.key_id(conn, loc.id, kind, key)
            if kid is None:
                out.append({"key": key, "found": False})
                continue
            pts = repos.metrics.raw(conn, kid, lo, hi)
            out.append(
                {
                    "key": key,
                    "found": True,
                    "step": pts.step.tolist(),
                    "value": column(pts.val),
                    "timestamp": pts.ts.tolist(),
                    "seq": pts.gseq.tolist(),
                }
            )
        return out

    return JSON({"run": run_id, "series": await read(request, in_txn)})


@endpoint("History (or system) keys of a run", query=m.KindQuery, answer=m.MetricKeys)
async def run_keys(request: Request, query: m.KindQuery) -> Response:
    entity, project, run_id = run_names(request)
    repos, caller = store(request), user(request)
    keys = await read(
        request,
        lambda conn: repos.metrics.keys(
            conn, access.run(conn, repos, caller, entity, project, run_id).id, query.kind
        ),
    )
    return JSON({"keys": keys})


routes = [
    Route("/api/v1/runs/{entity}/{project}/{run_id}/history", run_history, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", raw_history, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/keys", run_keys, methods=["GET"]),
    Route("/api/v1/runs/{entity}/{project}/{run_id}/system", run_system, methods=["GET"]),
    Route("/api/v1/projects/{entity}/{project}/history", project_history, methods=["GET"]),
]
