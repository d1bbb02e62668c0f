"""Prometheus metrics of one server process at `GET /metrics` (prometheus_client's text format).

Who may read them is `ServerConfig.metrics`: `admin` (default; an admin's key or session, checked by
the auth middleware like any /api/ call), `open` (anyone who reaches the port: a scraper inside the
cluster, with the port kept off the balancer) or `off` (404). Each replica (and each `--workers`
process) answers for itself; the scraper sums them.

| metric | what |
|---|---|
| `runyard_http_requests_total{method,route,status}` | requests answered, by route template |
| `runyard_http_request_duration_seconds{method,route}` | latency (a live stream counts until it ends) |
| `runyard_ingest_points_total` | metric points ingested through this process (rate: points/s) |
| `runyard_db_write_queue` | database write tasks waiting or running |
| `runyard_live_streams` | open live-update streams (server-sent events) |
| `runyard_bus_send_queue` | events waiting to be sent to the bus |
| `runyard_bus_{published,received,dropped}_total` | events of this process, from other processes, lost |
| `runyard_bus_lag_seconds` | from publish on another process to delivery here |

Every answer also carries its own time in a `Server-Timing` header (W3C; browsers' developer tools
show it): `total` from the request's arrival to its answer, `db` the database transactions the route
ran (to their COMMIT) and `dbq` the time those waited for a writer or a pooled
thread (`http.read` / `http.write` record them). bench/bench_sweeps.py reads it to tell the
controller's own time from the client's.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError
from .http import TIMING, user
from .pubsub import Broker

PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _BusCounters(Collector):
    def __init__(self, broker: Broker):
        self.broker = broker

    def collect(self) -> Iterator[Metric]:
        st = self.broker.stats
        for name, value, doc in (
            ("runyard_bus_published", st.published, "events published by this process"),
            ("runyard_bus_received", st.received, "events received from other processes"),
            ("runyard_bus_dropped", st.dropped, "events that could not be sent to the bus"),
            ("runyard_ingest_points", st.points, "metric points ingested through this process"),
        ):
            yield CounterMetricFamily(name, doc, value=value)


class Metrics:
    """One registry per app (tests start many apps in one process)."""

    def __init__(self, app: Any):
        self.registry = r = CollectorRegistry()
        broker: Broker = app.state.broker
        self.requests = Counter(
            "runyard_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "runyard_http_request_duration_seconds", "HTTP request latency", ["method", "route"], registry=r
        )
        lag = Histogram("runyard_bus_lag_seconds", "bus delivery lag", buckets=LAG_BUCKETS, registry=r)
        broker.stats.lag = lag.observe
        r.register(_BusCounters(broker))
        Gauge("runyard_live_streams", "open live-update streams", registry=r).set_function(
            lambda: broker.subscribers
        )
        Gauge("runyard_bus_send_queue", "events waiting for the bus", registry=r).set_function(
            lambda: broker.send_queue
        )

        def writes() -> float:
            store = getattr(app.state, "store", None)
            return store.db.queued_writes if store is not None else 0

        Gauge("runyard_db_write_queue", "database writes waiting or running", registry=r).set_function(writes)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


def _route(scope: Scope) -> str:
    """The matched route's template (bounded label values); the web UI and misses are one label each."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    return path if path.startswith(("/api/", "/files/", "/graphql", "/wandb/", "/sdk/", PATH)) else "ui"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, app_ref: Any):
        self.app = app
        self.app_ref = app_ref

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics: Metrics | None = getattr(self.app_ref.state, "metrics", None)
        if scope["type"] != "http" or metrics is None:
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500
        timing = scope[TIMING] = {"db": 0.0, "dbq": 0.0}

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                total = (time.perf_counter() - start) * 1000
                header = f"total;dur={total:.2f}, db;dur={timing['db'] * 1000:.2f}, dbq;dur={timing['dbq'] * 1000:.2f}"
                message["headers"] = [*message.get("headers", ()), (b"server-timing", header.encode())]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            metrics.observe(scope["method"], _route(scope), status, time.perf_counter() - start)


async def endpoint(request: Request) -> Response:
    mode = request.app.state.config.metrics
    if mode == "off":
        raise ApiError(404, "not_found", "metrics are off (RUNYARD_METRICS=off)")
    if mode == "admin" and not user(request).is_admin:
        raise ApiError(403, "forbidden", "only an admin may read metrics (or set RUNYARD_METRICS=open)")
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE)
