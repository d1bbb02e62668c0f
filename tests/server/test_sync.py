"""`runyard sync` against a real server on a free port, with runs written by the real SDK."""

from __future__ import annotations

import http.client
import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runyard.sdk.http_client import Client
from runyard.sdk.sync_run import Stats, sync_run_dir
from runyard.wire.reader import find_runlog, read

from .conftest import cli, make_runs


def api(server, path, **params):
    c = Client(server.url, server.api_key)
    try:
        return c.get_json(path, params or None)
    finally:
        c.close()


def test_sync_end_to_end(server, client_env, tmp_path):
    (run,) = make_runs(
        tmp_path / "w", client_env, steps=500, keys=["loss", "acc"], file="some notes", stats=True
    )
    rd = read(find_runlog(run["dir"]))
    out = cli(["sync", str(tmp_path / "w")], client_env).stdout
    assert "1 run(s) uploaded" in out
    assert (Path(run["dir"]) / ".synced").exists()
    base = f"/api/v1/runs/admin/p/{run['id']}"
    doc = api(server, base)
    assert doc["state"] == "finished" and doc["config"] == rd.config
    assert doc["summary"]["best"] == 42 and doc["summary"]["loss"] == rd.summary["loss"]
    assert doc["metadata"]["python"] and doc["host"] and doc["history_points"] == 1000
    raw = api(server, base + "/history/raw", keys="loss,acc")["series"]
    for s in raw:
        steps, values = rd.series(s["key"])
        assert s["step"] == steps and s["value"] == values  # every point, in log order
    lines = [x["line"] for x in api(server, base + "/console")["lines"]]
    assert any("line from the run" in x for x in lines)
    files = {f["path"]: f for f in api(server, base + "/files")["files"]}
    assert "notes.txt" in files and "requirements.txt" in files
    c = Client(server.url, server.api_key)
    c._connection().request(
        "GET", base + "/files/notes.txt", headers={"Authorization": f"Bearer {server.api_key}"}
    )
    assert c._connection().getresponse().read() == b"some notes"
    c.close()
    assert rd.system, "the SDK took no system-metric samples"
    sysm = api(server, base + "/system", buckets=10)["series"]
    assert sysm and all(s["found"] and sum(s["count"]) == len(rd.system) for s in sysm if s["key"] == "cpu")
    # a second sync uploads nothing and says so; --include-synced checks and still uploads nothing
    assert "nothing to sync" in cli(["sync", str(tmp_path / "w")], client_env).stdout
    assert "1 already up to date" in cli(["sync", "--include-synced", str(tmp_path / "w")], client_env).stdout
    assert api(server, base)["history_points"] == 1000
    # --clean deletes what is synced
    cli(["sync", "--clean", "--yes", str(tmp_path / "w")], client_env)
    assert not Path(run["dir"]).exists()


def test_sync_killed_midway_resumes_exactly_once(server, client_env, tmp_path, children):
    (run,) = make_runs(tmp_path / "w", client_env, steps=30_000, keys=["a", "b", "c"])
    seg = read(find_runlog(run["dir"])).run["segment"]
    size = find_runlog(run["dir"]).stat().st_size
    p = children(
        [sys.executable, "-m", "runyard.cli.main", "sync", "--chunk-size", "2048", run["dir"]], env=client_env
    )
    ingest = f"/api/v1/ingest/admin/p/{run['id']}"
    deadline = time.monotonic() + 60
    acked = 0
    while time.monotonic() < deadline and p.poll() is None:
        try:
            acked = api(server, ingest, segment=seg)["acked_offset"]
        except Exception:
            acked = 0
        if acked > 0:
            break
        time.sleep(0.005)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    acked = api(server, ingest, segment=seg)["acked_offset"]
    assert 0 < acked < size, "the sync was not interrupted midway"
    assert not (Path(run["dir"]) / ".synced").exists()
    cli(["sync", run["dir"]], client_env)
    doc = api(server, f"/api/v1/runs/admin/p/{run['id']}")
    assert doc["history_points"] == 90_000
    for s in api(server, f"/api/v1/runs/admin/p/{run['id']}/history/raw", keys="a,b,c")["series"]:
        assert s["step"] == list(range(30_000))


def test_twenty_runs_synced_concurrently(server, client_env, tmp_path):
    runs = make_runs(tmp_path / "w", client_env, runs=20, steps=200, keys=["loss"])

    def one(r):
        c = Client(server.url, server.api_key)
        try:
            sync_run_dir(c, Path(r["dir"]), "admin", None, None, 4096, stats=Stats())
        finally:
            c.close()

    with ThreadPoolExecutor(20) as ex:
        list(ex.map(one, runs))
    doc = api(server, "/api/v1/projects/admin/p/runs", limit=100, total="true")
    assert doc["total"] == 20 and all(
        r["history_points"] == 200 and r["state"] == "finished" for r in doc["runs"]
    )
    assert all((Path(r["dir"]) / ".synced").exists() for r in runs)


def test_resumed_run_segments(server, client_env, tmp_path):
    first = make_runs(tmp_path / "w", client_env, id="resumeme", steps=50, keys=["loss"])
    second = make_runs(tmp_path / "w", client_env, id="resumeme", steps=30, keys=["loss"])
    assert first[0]["dir"] != second[0]["dir"]
    cli(["sync", str(tmp_path / "w")], client_env)
    doc = api(server, "/api/v1/runs/admin/p/resumeme")
    assert [s["ordinal"] for s in doc["segments"]] == [1, 2]
    assert doc["segments"][1]["resumed"] and doc["segments"][1]["starting_step"] == 50
    (s,) = api(server, "/api/v1/runs/admin/p/resumeme/history/raw", keys="loss")["series"]
    assert s["step"] == list(range(80))  # the resumed segment continues the steps
    assert doc["state"] == "finished" and doc["last_step"] == 79


def test_live_updates_stream(server, client_env, tmp_path):
    (run,) = make_runs(tmp_path / "w", client_env, steps=10)
    events: list[str] = []
    ready = threading.Event()

    def listen():
        conn = http.client.HTTPConnection("127.0.0.1", server.config.port, timeout=20)
        conn.request(
            "GET", "/api/v1/stream?project=admin/p", headers={"Authorization": f"Bearer {server.api_key}"}
        )
        resp = conn.getresponse()
        assert resp.status == 200
        ready.set()
        while True:
            line = resp.fp.readline().decode()
            if line.startswith("data: "):
                events.append(line)
                conn.close()
                return

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    assert ready.wait(10)
    cli(["sync", run["dir"]], client_env)
    t.join(10)
    assert events and json.loads(events[0][6:])["run_id"] == run["id"]


def test_login_uses_local_credentials(server, client_env, home):
    out = cli(["login", "--host", server.url], client_env).stdout
    assert "as admin" in out
    settings = home / "settings"
    assert json.loads(settings.read_text())["api_key"] == server.api_key
    assert settings.stat().st_mode & 0o777 == 0o600
    bad = cli(["login", "--host", server.url, "f" * 40], client_env, check=False)
    assert bad.returncode != 0 and "login failed" in bad.stderr
    env = dict(client_env, RUNYARD_API_KEY="x" * 40, RUNYARD_BASE_URL=server.url)
    p = cli(["sync", "."], env, cwd=home, check=False)
    assert "no run directories" in p.stderr
