"""The live-update bus between server processes, readiness and metrics.

Two real servers share one PostgreSQL database and a bus (Redis on 127.0.0.1:6379, or LISTEN/NOTIFY
on the database): a live stream opened on A hears a run synced through B, with the run's last step.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import os
import secrets
import threading

import httpx
import pytest

from runyard.server import ServerConfig, ServerThread
from runyard.server.pubsub import make_broker

from .conftest import cli, make_runs

REDIS_URL = os.environ.get("RUNYARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


def need_redis() -> None:
    if _redis_up():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Redis is unreachable at {REDIS_URL} and CI is set")
    pytest.skip(f"Redis unreachable at {REDIS_URL}")


def own_channel() -> str:
    """A channel of this test alone: other suites may share this Redis and database server."""
    return "runyard_test_" + secrets.token_hex(6)


def listen(port: int, key: str, project: str, until) -> tuple[threading.Event, list[dict]]:
    """Open a live stream; collect its events until `until(event)`; `ready` once the stream is open."""
    got: list[dict] = []
    ready = threading.Event()

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", f"/api/v1/stream?project={project}", headers={"Authorization": f"Bearer {key}"})
        resp = conn.getresponse()
        assert resp.status == 200
        ready.set()
        try:
            for _ in range(10_000):
                line = resp.fp.readline().decode()
                if not line:
                    return
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    if until(got[-1]):
                        return
        finally:
            conn.close()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    ready.thread = t  # type: ignore[attr-defined]
    return ready, got


@pytest.mark.parametrize("bus", ["postgres", "redis"])
def test_stream_on_a_hears_ingest_through_b(bus, pg_database, tmp_path):
    if bus == "redis":
        need_redis()
    import sqlalchemy as sa

    from runyard.store.tables import metadata

    eng = sa.create_engine(pg_database)
    with eng.begin() as c:
        if c.exec_driver_sql("SELECT to_regclass('public.runs')").scalar():
            names = ", ".join(t.name for t in metadata.sorted_tables)
            c.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    eng.dispose()
    url = REDIS_URL if bus == "redis" else "postgres"
    homes = [tmp_path / "a", tmp_path / "b"]
    channel = own_channel()
    cfgs = [
        ServerConfig.resolve(home=h, db_url=pg_database, port=0, bus=url, bus_channel=channel) for h in homes
    ]
    with ServerThread(cfgs[0]) as a, ServerThread(cfgs[1]) as b:
        key = a.api_key
        assert key and b.api_key is None  # one database: B found the admin A created
        (run,) = make_runs(tmp_path / "w", steps=25)
        ready, got = listen(a.config.port, key, "admin/p", lambda ev: ev.get("last_step") == 24)
        assert ready.wait(30)
        env = dict(os.environ, RUNYARD_BASE_URL=b.url, RUNYARD_API_KEY=key, RUNYARD_SILENT="true")
        env["RUNYARD_HOME"] = str(tmp_path / "client")
        cli(["sync", run["dir"]], env)
        ready.thread.join(60)  # type: ignore[attr-defined]
        mine = [ev for ev in got if ev.get("run_id") == run["id"]]
        assert mine, got
        assert max(ev.get("last_step") or 0 for ev in mine) == 24
        assert all(ev["origin"] != a.app.state.broker.origin for ev in mine)  # it came over the bus
        for srv in (a, b):
            r = httpx.get(srv.url + "/api/v1/ready", timeout=30)
            assert r.status_code == 200 and r.json()["checks"] == {
                "database": "ok",
                "blob_store": "ok",
                "bus": "ok",
            }
        text = httpx.get(a.url + "/metrics", headers={"Authorization": f"Bearer {key}"}, timeout=30).text
        assert "runyard_bus_received_total" in text and "runyard_bus_lag_seconds_count" in text


@pytest.mark.parametrize("bus", ["postgres", "redis"])
def test_deployments_on_one_bus_server_do_not_hear_each_other(bus, pg_database):
    """Two deployments share one Redis (or one database): each hears only its own channel."""
    if bus == "redis":
        need_redis()
    url = REDIS_URL if bus == "redis" else "postgres"
    mine, theirs = own_channel(), own_channel()

    async def scenario() -> list[dict]:
        # listener and sender of "mine"; sender and a second listener of "theirs"
        brokers = [make_broker(url, pg_database, ch) for ch in (mine, mine, theirs, theirs)]
        for b in brokers:
            await b.start()
        try:
            heard, sender, other, other_heard = brokers
            q, q_other = heard.subscribe(None), other_heard.subscribe(None)
            other.publish({"type": "run.updated", "entity": "e", "project": "p", "run_id": "theirs"})
            # once the other deployment's listener has it, the bus server has delivered it everywhere
            assert (await asyncio.wait_for(q_other.get(), 30))["run_id"] == "theirs"
            sender.publish({"type": "run.updated", "entity": "e", "project": "p", "run_id": "mine"})
            first = await asyncio.wait_for(q.get(), 30)
            return [first, *[q.get_nowait() for _ in range(q.qsize())]]
        finally:
            for b in brokers:
                await b.stop()

    # in a thread of its own: the session-scoped `browser` fixture (Playwright's sync API) keeps an event
    # loop running on the main thread for the rest of the session, and asyncio.run refuses to nest in it
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        got = pool.submit(asyncio.run, scenario()).result()
    assert [ev["run_id"] for ev in got] == ["mine"]


def test_bus_channel_must_be_an_identifier(tmp_path):
    with pytest.raises(ValueError, match="RUNYARD_BUS_CHANNEL"):
        ServerConfig.resolve(home=tmp_path, bus_channel="a; DROP TABLE runs")


def test_ready_names_an_unreachable_bus(tmp_path):
    cfg = ServerConfig.resolve(
        home=tmp_path, db_url=f"sqlite:///{tmp_path / 'r.db'}", port=0, bus="redis://127.0.0.1:1/0"
    )
    with ServerThread(cfg) as srv:
        assert httpx.get(srv.url + "/api/v1/health", timeout=30).status_code == 200
        r = httpx.get(srv.url + "/api/v1/ready", timeout=30)
        assert r.status_code == 503
        doc = r.json()
        assert doc["status"] == "unavailable"
        assert doc["checks"]["database"] == "ok" and doc["checks"]["bus"] != "ok"


def test_metrics_guard_and_content(client):
    assert client.get("/metrics", headers={"Authorization": ""}).status_code == 401
    assert client.get("/api/v1/viewer").status_code == 200
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    body = r.text
    for name in (
        "runyard_http_requests_total",
        "runyard_http_request_duration_seconds_bucket",
        "runyard_ingest_points_total",
        "runyard_db_write_queue",
        "runyard_live_streams",
        "runyard_bus_lag_seconds",
    ):
        assert name in body, name
    assert 'route="/api/v1/viewer",status="200"' in body


def server_timing(r) -> dict[str, float]:
    parts = (p.strip().split(";dur=") for p in r.headers["server-timing"].split(","))
    return {name: float(ms) for name, ms in parts}


def test_server_timing(client):
    """Every answer says how long it took on the server and how much of that was the database: a
    read (the viewer), a write (a new sweep), and an answer that ran no query (the health check)."""
    t = server_timing(client.get("/api/v1/viewer"))
    assert set(t) == {"total", "db", "dbq"} and t["db"] > 0 and t["total"] >= t["db"] + t["dbq"] - 0.02
    cfg = {"method": "grid", "parameters": {"x": {"values": [1, 2]}}}
    t = server_timing(client.post("/api/v1/sweeps/admin/timing", json={"config": cfg}))
    assert t["db"] > 0 and t["total"] >= t["db"] + t["dbq"] - 0.02
    t = server_timing(client.get("/api/v1/health"))
    assert t["db"] == t["dbq"] == 0 and t["total"] >= 0


@pytest.mark.parametrize("mode,status", [("open", 200), ("off", 404)])
def test_metrics_modes(mode, status, tmp_path):
    from starlette.testclient import TestClient

    from runyard.server import create_app

    cfg = ServerConfig.resolve(home=tmp_path, db_url=f"sqlite:///{tmp_path / 'm.db'}", port=0, metrics=mode)
    with TestClient(create_app(cfg, announce=False)) as c:
        assert c.get("/metrics").status_code == status
