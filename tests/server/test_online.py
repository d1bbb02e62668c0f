"""Online mode: the SDK streams its run log to a real server while training, exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from runyard.runlog import read
from runyard.sdk.http_client import ApiError, Client
from runyard.server import ServerConfig, ServerThread

from .conftest import REPO, cli, start_script

TRAIN = textwrap.dedent("""
    import sys, time, runyard
    steps, sleep = int(sys.argv[1]), float(sys.argv[2])
    run = runyard.init(project="online", config={"lr": 0.1}, settings=runyard.Settings(x_disable_stats=True,
                       finish_timeout=float(sys.argv[3]) if len(sys.argv) > 3 else 30.0))
    print("RUN", run.id, run.sync_dir, flush=True)
    worst = 0.0
    for i in range(steps):
        t = time.perf_counter()
        runyard.log({"loss": 1.0 / (i + 1), "i": i})
        worst = max(worst, time.perf_counter() - t)
        if i % 100 == 0:
            print("STEP", i, flush=True)
        time.sleep(sleep)
    print("WORST", worst, flush=True)
    runyard.finish()
    print("DONE", flush=True)
""")


def api(url, key, path, **params):
    c = Client(url, key)
    try:
        return c.get_json(path, params or None)
    finally:
        c.close()


def start(children, env, cwd, *args):
    p, (run_id, run_dir) = start_script(children, cwd, "train.py", TRAIN, env, *args)
    return p, run_id, Path(run_dir)


def wait_lines(p, prefix, until):
    while True:
        line = p.stdout.readline()
        assert line, p.stderr.read()
        if line.startswith(prefix) and until(line):
            return line


def check_exactly_once(url, key, run_id, n):
    s = api(url, key, f"/api/v1/runs/admin/online/{run_id}/history/raw", keys="i")["series"][0]
    assert s["value"] == list(range(n))  # every point once, in order: nothing lost, nothing duplicated
    return s


def test_online_run_streams_live_and_finishes_synced(server, client_env, tmp_path, children):
    p, run_id, run_dir = start(children, client_env, tmp_path, 400, 0.005)
    wait_lines(p, "STEP", lambda line: int(line.split()[1]) >= 200)
    deadline = time.time() + 5
    live = 0
    while time.time() < deadline and live == 0:  # points arrive while the run is still going
        try:
            live = api(server.url, server.api_key, f"/api/v1/runs/admin/online/{run_id}")["history_points"]
        except ApiError:
            pass
        time.sleep(0.1)
    assert live > 0 and p.poll() is None
    assert p.wait(60) == 0, p.stderr.read()
    doc = api(server.url, server.api_key, f"/api/v1/runs/admin/online/{run_id}")
    assert doc["state"] == "finished" and doc["config"] == {"lr": 0.1}
    check_exactly_once(server.url, server.api_key, run_id, 400)
    assert (run_dir / ".synced").exists() and run_dir.name.startswith("run-")
    files = {
        f["path"]
        for f in api(server.url, server.api_key, f"/api/v1/runs/admin/online/{run_id}/files")["files"]
    }
    assert "requirements.txt" in files
    # a later sync has nothing to do
    assert "nothing to sync" in cli(["sync", str(tmp_path)], client_env).stdout


def test_server_killed_mid_run_then_back_exactly_once(tmp_path, db_url, children):
    home = tmp_path / "home"
    home.mkdir()
    config = ServerConfig.resolve(home=home, db_url=db_url, port=0)
    srv = ServerThread(config).start()
    env = dict(os.environ, RUNYARD_HOME=str(home), PYTHONPATH=str(REPO), RUNYARD_SILENT="true")
    p, run_id, run_dir = start(children, env, tmp_path, 1500, 0.002)
    wait_lines(p, "STEP", lambda line: int(line.split()[1]) >= 300)
    srv.stop()  # the tracker goes away in the middle of training
    wait_lines(p, "STEP", lambda line: int(line.split()[1]) >= 900)
    srv = ServerThread(ServerConfig.resolve(home=home, db_url=db_url, port=config.port)).start()
    worst = float(wait_lines(p, "WORST", lambda line: True).split()[1])
    assert p.wait(90) == 0, p.stderr.read()
    try:
        check_exactly_once(srv.url, srv.api_key or _key(home), run_id, 1500)
        assert (
            api(srv.url, srv.api_key or _key(home), f"/api/v1/runs/admin/online/{run_id}")["state"]
            == "finished"
        )
    finally:
        srv.stop()
    # a stall on the dead server would last a connect timeout or a retry back-off (seconds); the
    # bound leaves room for a descheduled thread on a busy CI core
    assert worst < 0.5, f"log() stalled for {worst:.3f} s while the server was down"
    assert (run_dir / ".synced").exists()


FINISH_LATE = textwrap.dedent("""
    import sys, runyard
    run = runyard.init(project="online", settings=runyard.Settings(x_disable_stats=True, console="off",
                       finish_timeout=120))
    for i in range(200):
        runyard.log({"i": i})
    print("RUN", run.id, run.sync_dir, flush=True)
    sys.stdin.readline()  # the test stops the server, then lets the run end
    runyard.finish()
""")


def test_finish_retries_until_a_restarted_server_is_back(tmp_path, db_url, children):
    home = tmp_path / "home"
    home.mkdir()
    config = ServerConfig.resolve(home=home, db_url=db_url, port=0)
    srv = ServerThread(config).start()
    env = dict(os.environ, RUNYARD_HOME=str(home), PYTHONPATH=str(REPO))
    env.pop("RUNYARD_SILENT", None)
    p, (run_id, run_dir) = start_script(children, tmp_path, "late.py", FINISH_LATE, env)
    run_dir = Path(run_dir)
    srv.stop()  # the server restarts while the run ends
    p.stdin.write("\n")
    p.stdin.flush()
    while "waiting up to" not in (line := p.stderr.readline()):  # finish() is in its retry window
        assert line, "finish() gave up without waiting for the server"
    srv = ServerThread(ServerConfig.resolve(home=home, db_url=db_url, port=config.port)).start()
    try:
        assert p.wait(120) == 0
        rest = p.stderr.read()
        assert "not fully uploaded" not in rest and "runyard sync" not in rest, rest
        check_exactly_once(srv.url, _key(home), run_id, 200)
        assert api(srv.url, _key(home), f"/api/v1/runs/admin/online/{run_id}")["state"] == "finished"
        assert (run_dir / ".synced").exists()
    finally:
        srv.stop()


def _key(home: Path) -> str:
    import json

    return json.loads((home / "credentials").read_text())["api_key"]


def test_server_down_at_init_then_sync_later(tmp_path, db_url, children):
    home = tmp_path / "home"
    home.mkdir()
    config = ServerConfig.resolve(home=home, db_url=db_url, port=0)
    srv = ServerThread(config).start()
    key = srv.api_key
    srv.stop()
    env = dict(os.environ, RUNYARD_HOME=str(home), PYTHONPATH=str(REPO))
    env.pop("RUNYARD_SILENT", None)
    p, run_id, run_dir = start(children, env, tmp_path, 300, 0.0, 2)
    assert p.wait(60) == 0
    err = p.stderr.read()
    assert "cannot reach the runyard server" in err and f"runyard sync {run_dir}" in err
    assert read(run_dir).series("i")[1] == list(range(300))  # all on disk
    srv = ServerThread(ServerConfig.resolve(home=home, db_url=db_url, port=config.port)).start()
    try:
        cli(["sync", str(tmp_path)], dict(env, RUNYARD_SILENT="true"))
        check_exactly_once(srv.url, key, run_id, 300)
    finally:
        srv.stop()


def test_init_timeout_raises_and_bad_key(server, client_env, tmp_path):
    code = (
        "import runyard\n"
        "try:\n"
        "    runyard.init(project='p', settings=runyard.Settings(init_timeout=1, init_timeout_raises=True, {}))\n"
        "except runyard.CommError as e:\n"
        "    print('COMM', e)\n"
    )
    env = dict(client_env, RUNYARD_BASE_URL="http://127.0.0.1:9", RUNYARD_API_KEY="k" * 40)
    res = subprocess.run(
        [sys.executable, "-c", code.format("")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "COMM cannot reach the runyard server at http://127.0.0.1:9" in res.stdout, res.stderr
    env = dict(client_env, RUNYARD_BASE_URL=server.url, RUNYARD_API_KEY="wrong-key")
    res = subprocess.run(
        [sys.executable, "-c", code.format("")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "COMM the server at" in res.stdout and "refused the API key from RUNYARD_* env" in res.stdout


def test_online_resume_continues_steps(server, client_env, tmp_path):
    code = textwrap.dedent("""
        import sys, runyard
        run = runyard.init(project="online", id="resumable", resume=sys.argv[1], config={"lr": 0.5},
                           settings=runyard.Settings(x_disable_stats=True))
        print("START", run.starting_step, run.resumed, flush=True)
        for i in range(50):
            runyard.log({"x": run.step})
        runyard.finish()
    """)
    outs = []
    for mode in ("allow", "must"):
        res = subprocess.run(
            [sys.executable, "-c", code, mode],
            env=client_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
        outs.append(res.stdout.split())
    assert outs[0][:3] == ["START", "0", "False"] and outs[1][:3] == ["START", "50", "True"]
    s = api(server.url, server.api_key, "/api/v1/runs/admin/online/resumable/history/raw", keys="x")[
        "series"
    ][0]
    assert s["step"] == list(range(100)) and s["value"] == list(range(100))


@pytest.mark.parametrize("n", [20])
def test_concurrent_online_runs(server, client_env, tmp_path, n, children):
    procs = []
    for i in range(n):
        d = tmp_path / f"w{i}"
        d.mkdir()
        (d / "train.py").write_text(TRAIN)
        procs.append(children([sys.executable, "train.py", "300", "0"], cwd=d, env=client_env))
    ids = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        ids.append(out.split()[1])
    for run_id in ids:
        check_exactly_once(server.url, server.api_key, run_id, 300)
