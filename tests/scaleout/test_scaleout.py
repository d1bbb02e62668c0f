"""Several replicas behind nginx on PostgreSQL + Redis (conftest.py): what a lab that scales out sees.

- 50 online runs log concurrently through the balancer while one replica is SIGKILLed and restarted:
  every point arrives exactly once.
- A browser on replica A follows a run whose points are ingested through replica B.
- The official wandb client logs through the balancer while each replica in turn restarts (its
  protocol state is in the database, so the other replica carries on); its files, uploaded to
  whichever replica, are served by both from the object store.
- A 1 GB artifact goes up and down through URLs of the object store that the replicas sign: the
  replicas' memory stays flat (RUNYARD_TEST_SCALEOUT_BIG_MB sets the size).
- The heartbeat job marks a silent run crashed once, whichever replicas run the timer.
- The gc job runs once per period across the replicas, whichever replica's timer fires first.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

import runyard
from tests.compat.conftest import wandb_python  # noqa: F401
from tests.conftest import rss_growth, sign_in

from .conftest import GC_INTERVAL, REPO, wait_for

pytestmark = pytest.mark.scaleout

RUNS_PER_WRITER, WRITERS, HALF = 10, 5, 60

WRITER = r"""
import os, sys, time, runyard
n, half, prefix, go = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
opts = {"silent": True, "x_disable_stats": True, "console": "off"}
runs = [runyard.init(project="scale", id=f"{prefix}-{i}", reinit="create_new", settings=opts) for i in range(n)]
for s in range(half):
    for r in runs:
        r.log({"loss": 1.0 / (s + 1), "acc": s * 0.5}, step=s)
print("HALF", flush=True)
for _ in range(12000):  # the test kills a replica, then says go (bounded: 10 minutes)
    if os.path.exists(go):
        break
    time.sleep(0.05)
for s in range(half, 2 * half):
    for r in runs:
        r.log({"loss": 1.0 / (s + 1), "acc": s * 0.5}, step=s)
for r in runs:
    r.finish()
print("DONE", flush=True)
"""


def sdk_env(cluster, url: str, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    home.mkdir(parents=True, exist_ok=True)
    env.update(
        PYTHONPATH=str(REPO),
        RUNYARD_HOME=str(home),
        RUNYARD_BASE_URL=url,
        RUNYARD_API_KEY=cluster.api_key,
        RUNYARD_SILENT="true",
    )
    return env


def reap(proc: subprocess.Popen) -> None:
    """Kill (if still running), wait, and close the pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for f in (proc.stdin, proc.stdout):
        if f is not None:
            f.close()


def get(cluster, path: str, url: str | None = None, missing_ok: bool = False) -> dict:
    r = httpx.get(
        (url or cluster.url) + path, headers={"Authorization": f"Bearer {cluster.api_key}"}, timeout=60
    )
    if missing_ok and r.status_code == 404:  # not there yet (a run before its first upload)
        return {}
    assert r.status_code == 200, r.text
    return r.json()


def steps_of(cluster, project: str, run_id: str, key: str) -> list[int]:
    doc = get(cluster, f"/api/v1/runs/admin/{project}/{run_id}/history/raw?keys={key}")
    (series,) = doc["series"]
    return series["step"] if series["found"] else []


def test_fifty_online_runs_exactly_once_while_a_replica_is_killed(cluster, tmp_path):
    go = tmp_path / "go"
    procs = []
    for w in range(WRITERS):
        cwd = tmp_path / f"w{w}"
        cwd.mkdir()
        env = sdk_env(cluster, cluster.url, tmp_path / f"home{w}")
        args = [sys.executable, "-u", "-c", WRITER, str(RUNS_PER_WRITER), str(HALF), f"r{w}", str(go)]
        procs.append(subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True))
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "HALF"
        victim = cluster.replicas[0]
        victim.kill()  # while the 50 runs' uploaders are sending their first halves
        go.write_text("go")
        victim.start()  # the second halves arrive while it restarts and after
        for p in procs:
            assert p.stdout.readline().strip() == "DONE"
            assert p.wait(120) == 0
    finally:
        for p in procs:
            reap(p)
    expected = list(range(2 * HALF))
    for w in range(WRITERS):
        for i in range(RUNS_PER_WRITER):
            rid = f"r{w}-{i}"
            run = get(cluster, f"/api/v1/runs/admin/scale/{rid}")
            assert run["state"] == "finished", rid
            assert run["history_points"] == 2 * len(expected), rid
            assert steps_of(cluster, "scale", rid, "loss") == expected, rid
            assert steps_of(cluster, "scale", rid, "acc") == expected, rid


LIVE = r"""
import sys, runyard
run = runyard.init(project="live", name="across", settings={"silent": True, "x_disable_stats": True})
print("ID " + run.id, flush=True)
s = 0
for line in sys.stdin:
    if line.strip() == "stop":
        break
    for _ in range(int(line)):
        runyard.log({"train/loss": 1.0 / (s + 1)}, step=s)
        s += 1
    print("LOGGED " + str(s), flush=True)
runyard.finish()
print("DONE", flush=True)
"""


class _Site:
    """What `sign_in` needs of a server: its URL and a key."""

    def __init__(self, url: str, api_key: str):
        self.url, self.api_key = url, api_key


def test_browser_on_a_sees_points_ingested_through_b(cluster, browser, ui_built, tmp_path):
    a, b = cluster.replicas[0], cluster.replicas[1]
    env = sdk_env(cluster, b.url, tmp_path / "home")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", LIVE],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        run_id = proc.stdout.readline().strip().removeprefix("ID ")

        def log(n: int) -> None:
            proc.stdin.write(f"{n}\n")
            proc.stdin.flush()
            assert proc.stdout.readline().startswith("LOGGED")

        log(5)
        wait_for(
            lambda: get(cluster, f"/api/v1/runs/admin/live/{run_id}", b.url, True).get("last_step") == 4,
            60,
            "B to have 5 steps",
        )
        sign_in(ctx, _Site(a.url, cluster.api_key))
        page = ctx.new_page()
        page.goto(f"{a.url}/admin/live/runs/{run_id}")
        page.get_by_role("tab", name="Charts").click()
        chart = page.locator('section.panel[data-metric="train/loss"] .chart[data-draws]')
        chart.wait_for(timeout=30_000)
        draws = int(chart.get_attribute("data-draws"))
        log(5)  # through B only: A hears of them over the bus
        page.wait_for_function(
            "([el, n]) => Number(el.dataset.draws) > n", arg=[chart.element_handle(), draws], timeout=30_000
        )
        from tests.ui.conftest import shot

        shot(page, "scaleout-live-across-replicas")
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "DONE"
    finally:
        ctx.close()
        reap(proc)


WANDB_SCRIPT = r"""
import os, sys, time, wandb
go = sys.argv[1]
run = wandb.init(project="wbscale", config={"lr": 0.1})
print("ID " + run.id, flush=True)
for s in range(40):
    wandb.log({"x": s, "y": s * 0.5})
time.sleep(1.5)  # a file_stream round goes out
print("MID", flush=True)
for _ in range(12000):
    if os.path.exists(go):
        break
    time.sleep(0.05)
for s in range(40, 80):
    wandb.log({"x": s, "y": s * 0.5})
wandb.finish()
print("DONE", flush=True)
"""


def test_official_client_logs_through_the_balancer_while_replicas_restart(cluster, wandb_python, tmp_path):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    env.pop("PYTHONPATH", None)
    home = tmp_path / "client-home"
    home.mkdir()
    env.update(
        HOME=str(home),
        WANDB_BASE_URL=cluster.url,
        WANDB_API_KEY=cluster.api_key,
        WANDB_SILENT="true",
        WANDB_DISABLE_GIT="true",
        WANDB__FILE_STREAM_TRANSMIT_INTERVAL="0.5",
        WANDB_DIR=str(tmp_path),
        WANDB_CACHE_DIR=str(tmp_path / ".cache"),
        WANDB_CONFIG_DIR=str(tmp_path / ".config"),
        WANDB_DATA_DIR=str(tmp_path / ".data"),
    )
    go = tmp_path / "go"
    (tmp_path / "script.py").write_text(WANDB_SCRIPT)
    proc = subprocess.Popen(
        [str(wandb_python), "script.py", str(go)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        run_id = proc.stdout.readline().strip().removeprefix("ID ")
        assert proc.stdout.readline().strip() == "MID"
        for r in cluster.replicas:  # a rolling restart: each replica dies (SIGKILL) and comes back
            r.kill()
            r.start()
        go.write_text("go")
        assert proc.stdout.readline().strip() == "DONE"
        assert proc.wait(120) == 0
    finally:
        reap(proc)
    expected = list(range(80))
    run = get(cluster, f"/api/v1/runs/admin/wbscale/{run_id}")
    assert run["state"] == "finished"
    assert steps_of(cluster, "wbscale", run_id, "x") == expected
    assert steps_of(cluster, "wbscale", run_id, "y") == expected
    assert run["config"]["lr"] == 0.1
    # the files it uploaded (signed PUTs to whichever replica) are in the object store: every
    # replica serves the same bytes
    names = {f["path"] for f in get(cluster, f"/api/v1/runs/admin/wbscale/{run_id}/files")["files"]}
    assert "wandb-metadata.json" in names
    bodies = set()
    for r in cluster.replicas:
        got = httpx.get(
            f"{r.url}/api/v1/runs/admin/wbscale/{run_id}/files/wandb-metadata.json",
            headers={"Authorization": f"Bearer {cluster.api_key}"},
            timeout=60,
        )
        assert got.status_code == 200, got.text
        bodies.add(got.content)
    assert len(bodies) == 1 and b"python" in next(iter(bodies))


SILENT = r"""
import sys, runyard
run = runyard.init(project="hb", id=sys.argv[1], settings={"silent": True, "x_disable_stats": True, "console": "off"})
for s in range(3):
    runyard.log({"x": s}, step=s)
print("LOGGED", flush=True)
sys.stdin.readline()  # killed here: the run goes silent
"""


def _crash_lines(cluster, run_id: str) -> int:
    return sum(
        1
        for r in cluster.replicas
        for rec in r.log_records()
        if f"admin/hb/{run_id} marked crashed" in rec.get("message", "")
    )


def _silent_run(cluster, tmp_path: Path, run_id: str) -> None:
    env = sdk_env(cluster, cluster.url, tmp_path / f"home-{run_id}")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", SILENT, run_id],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "LOGGED"
        wait_for(
            lambda: (
                get(cluster, f"/api/v1/runs/admin/hb/{run_id}", missing_ok=True).get("history_points") == 3
            ),
            60,
            "the run's points",
        )
    finally:
        proc.send_signal(signal.SIGKILL)
        reap(proc)
    wait_for(lambda: get(cluster, f"/api/v1/runs/admin/hb/{run_id}")["state"] == "crashed", 60, "the crash")


BIG_MB = int(os.environ.get("RUNYARD_TEST_SCALEOUT_BIG_MB", "1024"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 << 20):
            h.update(block)
    return h.hexdigest()


@pytest.mark.timeout(1200)
def test_gigabyte_artifact_goes_between_client_and_store_with_replica_memory_flat(
    cluster, tmp_path, monkeypatch
):
    big = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as f:
        for i in range(BIG_MB):
            f.write(i.to_bytes(8, "little") + block[8:])
    for k in list(os.environ):
        if k.startswith(("WANDB_", "RUNYARD_")):
            monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RUNYARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RUNYARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RUNYARD_BASE_URL", cluster.url)
    monkeypatch.setenv("RUNYARD_API_KEY", cluster.api_key)
    monkeypatch.chdir(tmp_path)
    settings = runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)
    run = runyard.init(project="big", settings=settings)
    replicas = [psutil.Process(r.proc.pid) for r in cluster.replicas if r.proc is not None]
    with rss_growth(replicas) as grown:  # from after each has served requests
        art = runyard.Artifact("big", "model")
        art.add_file(big)
        run.log_artifact(art).wait(900)
        got = run.use_artifact("big:latest")
        out = Path(got.download(root=tmp_path / "out")) / "big.bin"
        run.finish()
    # the bytes went between the SDK and the store (the replicas only signed), and came back whole
    assert art.stats.direct_blobs == 1 and got.stats.direct_blobs == 1
    assert out.stat().st_size == big.stat().st_size == BIG_MB << 20
    assert _sha256(out) == _sha256(big)
    assert max(grown) < 64e6, f"replica RSS grew by {[g / 1e6 for g in grown]} MB"


def test_heartbeat_job_marks_a_silent_run_crashed_once_across_replicas(cluster, tmp_path):
    _silent_run(cluster, tmp_path, "silent1")
    # a second silent run: by the time it is crashed, every replica has run more rounds of the job
    _silent_run(cluster, tmp_path, "silent2")
    wait_for(lambda: _crash_lines(cluster, "silent2") >= 1, 30, "the log line of the second crash")
    assert _crash_lines(cluster, "silent1") == 1
    assert _crash_lines(cluster, "silent2") == 1


def _gc_rounds(cluster) -> list[tuple[float, int]]:
    """(start, replica) of every gc round in the replicas' logs."""
    out = []
    for r in cluster.replicas:
        for rec in r.log_records():
            m = re.match(r"gc round started at ([0-9.]+):", rec.get("message", ""))
            if m:
                out.append((float(m.group(1)), r.n))
    return sorted(out)


def test_gc_job_runs_once_per_period_across_replicas(cluster):
    # both replicas look every GC_INTERVAL / 10 whether a round is due: each period, the first to look
    # claims it in the database and the other skips (which one wins is the timers' phase: not asserted)
    first = len(_gc_rounds(cluster))
    rounds = wait_for(
        lambda: (got := _gc_rounds(cluster)) and len(got) >= first + 4 and got, 120, "gc rounds"
    )
    starts = [t for t, _ in rounds]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= GC_INTERVAL, rounds  # never two rounds in one period
