"""A run whose client went silent is marked crashed by the server; `runyard sync` completes it later.

The server runs with a tiny `heartbeat_timeout`; every wait is on a condition the server reports.
"""

from __future__ import annotations

import os
import signal
import textwrap
import time

import pytest

from runyard.server import ServerConfig, ServerThread

from .conftest import REPO, cli, start_script
from .test_online import _key, api, check_exactly_once

TIMEOUT = 2.0  # the server's heartbeat_timeout in these tests (seconds)

CHILD = textwrap.dedent("""
    import sys, time, runyard
    run = runyard.init(project="online", settings=runyard.Settings(x_disable_stats=True, console="off",
                       finish_timeout=0.5))
    for i in range(100):
        runyard.log({"i": i})
    print("RUN", run.id, run.sync_dir, flush=True)
    command = sys.stdin.readline().strip()  # the run is quiet (alive, logging nothing) until told
    for i in range(100, 200):
        runyard.log({"i": i})
    run.flush()
    if command == "finish":
        runyard.finish()
    print("LOGGED", flush=True)
    time.sleep(600)  # "hang": killed by the test
""")


def _start(children, tmp_path, home):
    env = dict(os.environ, RUNYARD_HOME=str(home), PYTHONPATH=str(REPO), RUNYARD_SILENT="true")
    p, (run_id, _dir) = start_script(children, tmp_path, "child.py", CHILD, env)
    return p, run_id, env


def _server(home, db_url, port=0):
    return ServerThread(
        ServerConfig.resolve(home=home, db_url=db_url, port=port, heartbeat_timeout=TIMEOUT)
    ).start()


def _wait_run(srv, home, run_id, until, deadline=90.0):
    """Poll the run as the server shows it until `until(doc)`; returns that doc."""
    end = time.monotonic() + deadline
    doc: dict = {}
    while time.monotonic() < end:
        try:
            doc = api(srv.url, _key(home), f"/api/v1/runs/admin/online/{run_id}")
        except Exception:  # not created yet
            doc = {}
        if doc and until(doc):
            return doc
        time.sleep(0.05)
    pytest.fail(f"run never reached the expected condition; last seen: {doc.get('state')}")


def test_quiet_run_heartbeats_a_frozen_one_is_crashed_and_revives(tmp_path, db_url, children):
    home = tmp_path / "home"
    home.mkdir()
    srv = _server(home, db_url)
    p, run_id, _env = _start(children, tmp_path, home)
    try:
        first = _wait_run(srv, home, run_id, lambda d: d["history_points"] == 100)
        # logging nothing, the live client keeps the run alive past several timeouts
        _wait_run(
            srv,
            home,
            run_id,
            lambda d: d["heartbeat_at"] > first["heartbeat_at"] + 2 * TIMEOUT and d["state"] == "running",
        )
        p.send_signal(signal.SIGSTOP)  # frozen: silent, as a hung or unreachable client is
        crashed = _wait_run(srv, home, run_id, lambda d: d["state"] == "crashed")
        assert crashed["exit_code"] is None
        p.send_signal(signal.SIGCONT)  # it was alive after all: its next heartbeat revives the run
        _wait_run(srv, home, run_id, lambda d: d["state"] == "running")
        p.stdin.write("finish\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "LOGGED"
        assert _wait_run(srv, home, run_id, lambda d: d["state"] != "running")["state"] == "finished"
        check_exactly_once(srv.url, _key(home), run_id, 200)
    finally:
        p.kill()
        p.wait()
        srv.stop()


@pytest.mark.parametrize("ending, final", [("kill", "crashed"), ("finish", "finished")])
def test_silent_run_is_crashed_then_sync_completes_it(tmp_path, db_url, ending, final, children):
    home = tmp_path / "home"
    home.mkdir()
    srv = _server(home, db_url)
    p, run_id, env = _start(children, tmp_path, home)
    try:
        _wait_run(srv, home, run_id, lambda d: d["history_points"] == 100)
        url = srv.url
        srv.stop()  # the rest of the run never reaches the server by stream
        p.stdin.write(ending + "\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "LOGGED"
        p.kill()  # "finish" has written its EXIT record and handed over to sync
        p.wait()
        srv = _server(home, db_url, int(url.rsplit(":", 1)[1]))
        crashed = _wait_run(srv, home, run_id, lambda d: d["state"] != "running")
        assert crashed["state"] == "crashed" and crashed["history_points"] == 100
        cli(["sync", str(tmp_path)], env)
        done = _wait_run(srv, home, run_id, lambda d: d["history_points"] == 200)
        assert done["state"] == final
        check_exactly_once(srv.url, _key(home), run_id, 200)
    finally:
        p.kill()
        srv.stop()
