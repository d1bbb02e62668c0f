"""runyard's server side by side with MLflow and Trackio on the same data: ingest, read, chart query.

    python bench/bench_server_peers.py                       # SQLite
    python bench/bench_server_peers.py --db sqlite --db postgresql://postgres@127.0.0.1:5432/postgres
    python bench/bench_server_peers.py --quick               # small sizes, 1 rep (pipeline check)

Needs the peers' venvs (~/.cache/peer-venvs, override with PEER_VENV_mlflow / PEER_VENV_trackio);
missing ones are made on first use by `PEERS="mlflow trackio" RUNYARD_VENV=0 bench/make_venvs.sh`.
Each peer runs in its own venv, in a subprocess (bench/server_peers/*_peer.py), with its offline/telemetry switches, HOME and its store inside a
fresh temporary directory, and in an empty network namespace (`unshare -n`) where the machine allows.

(a) ingest of one run of 20,000 steps x 50 metrics (1M points, metrics m00..m49, the same values):
    - runyard: the real SDK writes the offline run, then `runyard sync <run dir>` (CLI process, Python
      start-up included) to a `runyard server` subprocess, until the server acknowledged the last
      byte (then the run is queryable; checked). Also shown: SDK write + sync.
    - MLflow: `MlflowClient.log_batch` (1,000 metrics per call), its fastest honest path, into a local
      file store and into a local SQLite store. MLflow is slow, so by default it ingests 2,000 steps x
      50 metrics (100,000 points) and the 1M-point time is extrapolated linearly (`--mlflow-steps 20000`
      for the full size; measured linear, see docs/benchmarks.md).
    - Trackio: `trackio.log(d, step=s)` x 20,000 then `trackio.finish()` (local SQLite store).
(b) read one metric's full history (20,000 points) in a fresh process, after the import:
    runyard `runyard.Api().run(path).history(keys=[k])` and the bucketed chart query over HTTP
    (1,000 buckets, JSON); MLflow `MlflowClient.get_metric_history` (from a 20,000-step run of that one
    metric: MLflow stores each metric apart, so the other 49 do not change this read); Trackio
    `SQLiteStorage.get_metric_values` (from the 1M-point run: Trackio stores one row per step).
(c) 100 runs x 100,000 steps of one metric into 1,000 buckets with min/max (runyard, bench_server (b)).
    Neither peer has a min/max bucketed query; each has a subsampled read (MLflow's store
    `get_metric_history_bulk_interval`, Trackio's `max_points`). For them one 100,000-step run is
    written and read in full (and subsampled); the 100-run figure is that x 100 (extrapolated).
Ratios are runyard / peer from this one invocation (below 1: runyard is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_ingest import Server, child_env, loadavg  # noqa: E402
from bench_server import bench_chart, temporary_database  # noqa: E402

from runyard.sdk.http_client import Client  # noqa: E402
from runyard.server import ServerConfig, ServerThread  # noqa: E402

VENV_ROOT = Path(os.environ.get("PEER_VENV_ROOT", Path.home() / ".cache" / "peer-venvs"))

WRITE_RUNS = """
import runyard, sys, time
n, steps, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
names = [f"m{j:02d}" for j in range(keys)]
for i in range(n):
    t = time.perf_counter()
    r = runyard.init(project="peers", mode="offline",
                     settings={"silent": True, "x_disable_stats": True, "console": "off"})
    for s in range(steps):
        runyard.log({k: s * 0.001 + j for j, k in enumerate(names)}, step=s)
    runyard.finish()
    print(r.sync_dir, time.perf_counter() - t, flush=True)
"""

READ_API = """
import json, sys, time
import runyard
path, key = sys.argv[1], sys.argv[2]
t = time.perf_counter()
rows = runyard.Api().run(path).history(keys=[key], pandas=False)
dt = time.perf_counter() - t
assert all(key in r for r in rows)
print(json.dumps({"read_s": dt, "points": len(rows)}))
"""

PEER_ENV = {
    "mlflow": {
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MLFLOW_ENABLE_ASYNC_LOGGING": "false",
        "MLFLOW_ALLOW_FILE_STORE": "true",  # MLflow 3.x: the file store is in "maintenance mode"
    },
    "trackio": {
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "DO_NOT_TRACK": "1",
    },
}


def med(xs):
    return statistics.median(xs)


def can_jail() -> bool:
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


JAIL = False


def peer_venv(name: str) -> Path:
    return Path(os.environ.get(f"PEER_VENV_{name}", VENV_ROOT / f"v_{name}"))


def peer(name: str, wd: Path, *args: str) -> dict:
    """Run bench/server_peers/<name>_peer.py in the peer's venv; store, HOME and XDG dirs inside `wd`."""
    py = peer_venv(name) / "bin" / "python"
    wd.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "MLFLOW_", "WANDB_"))}
    env.update(PEER_ENV[name], HOME=str(wd), XDG_CACHE_HOME=str(wd / ".cache"))
    env.update(XDG_CONFIG_HOME=str(wd / ".config"), XDG_DATA_HOME=str(wd / ".local"))
    if name == "trackio":
        env["TRACKIO_DIR"] = str(wd / "trackio")
    cmd = [str(py), str(HERE / "server_peers" / f"{name}_peer.py"), *args, "--dir", str(wd)]
    if JAIL:
        cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh", *cmd]
    p = subprocess.run(cmd, cwd=wd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{name} {args}: {p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


# -- runyard --------------------------------------------------------------------------------------


def write_runs(work: Path, n: int, steps: int, keys: int) -> list[tuple[Path, float]]:
    work.mkdir(parents=True)
    p = subprocess.run(
        [sys.executable, "-c", WRITE_RUNS, str(n), str(steps), str(keys)],
        cwd=work,
        env=child_env(work / "home"),
        capture_output=True,
        text=True,
        check=True,
    )
    return [(Path(a), float(b)) for a, b in (line.split() for line in p.stdout.splitlines())]


def runyard_db(db_url: str | None, runs: list[tuple[Path, float]], tmp: Path, a) -> dict:
    out: dict = {"sync_s": [], "sdk_s": [r[1] for r in runs]}
    points = a.steps * a.keys
    with temporary_database(db_url) as url:
        srv = Server(tmp / "home", url)
        try:
            env = child_env(srv.home)
            c = Client(srv.url, srv.key)
            for d, _ in runs:
                t = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "runyard.cli.main", "sync", str(d), "--host", srv.url],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                out["sync_s"].append(time.perf_counter() - t)
                doc = c.get_json(f"/api/v1/runs/admin/peers/{d.name.rsplit('-', 1)[-1]}")
                assert doc["history_points"] == points, (doc["history_points"], points)
            path = f"admin/peers/{runs[0][0].name.rsplit('-', 1)[-1]}"
            reads = []
            for _ in range(a.reps):
                r = subprocess.run(
                    [sys.executable, "-c", READ_API, path, "m00"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                doc = json.loads(r.stdout)
                assert doc["points"] == a.steps, doc
                reads.append(doc["read_s"])
            out["api_read_s"] = med(reads)
            chart = []
            for _ in range(5):
                t = time.perf_counter()
                doc = c.get_json(f"/api/v1/runs/{path}/history", {"keys": "m00", "buckets": 1000})
                chart.append(time.perf_counter() - t)
            out["chart_http_s"] = med(chart)
            c.close()
        finally:
            srv.close()
    # (c) the 100-run chart query (in-process server: the 10M points go in through the store)
    with temporary_database(db_url) as url:
        home = tmp / "chart"
        home.mkdir()
        with ServerThread(ServerConfig.resolve(home=home, db_url=url, port=0)) as srv:
            out["chart"] = bench_chart(srv, a.chart_runs, a.chart_steps)
            env = child_env(home)
            reads = []
            for _ in range(a.reps):
                r = subprocess.run(
                    [sys.executable, "-c", READ_API, "admin/chart/run0000", "loss"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                doc = json.loads(r.stdout)
                assert doc["points"] == a.chart_steps, doc
                reads.append(doc["read_s"])
            out["long_api_read_s"] = med(reads)
    return out


# -- peers ----------------------------------------------------------------------------------------


def bench_mlflow(store: str, tmp: Path, a) -> dict:
    base = tmp / f"mlflow-{store}"
    ing = [
        peer("mlflow", base / f"ingest{i}", "ingest", "--store", store, "--steps", str(a.mlflow_steps))
        for i in range(a.reps)
    ]
    r20 = peer("mlflow", base / "read20k", "ingest", "--store", store, "--steps", str(a.steps), "--keys", "1")
    rd = peer(
        "mlflow",
        base / "read20k",
        "read",
        "--store",
        store,
        "--run-id",
        r20["run_id"],
        "--expect",
        str(a.steps),
    )
    lng = peer(
        "mlflow", base / "long", "ingest", "--store", store, "--steps", str(a.chart_steps), "--keys", "1"
    )
    rl = peer(
        "mlflow",
        base / "long",
        "read",
        "--store",
        store,
        "--run-id",
        lng["run_id"],
        "--expect",
        str(a.chart_steps),
    )
    pts = ing[0]["points"]
    return {
        "version": ing[0]["version"],
        "ingest_points": pts,
        "ingest_s": med(r["ingest_s"] for r in ing),
        "ingest_1m_s": med(r["ingest_s"] for r in ing) * (a.steps * a.keys) / pts,
        "bytes_per_point": med(r["disk_bytes"] for r in ing) / pts,
        "read_first_s": rd["first_s"],
        "read_warm_s": rd["warm_s"],
        "sampled_s": rd.get("sampled_s"),
        "long_ingest_s": lng["ingest_s"],
        "long_read_first_s": rl["first_s"],
        "long_read_warm_s": rl["warm_s"],
        "long_sampled_s": rl.get("sampled_s"),
        "import_s": rd["import_s"],
    }


def bench_trackio(tmp: Path, a) -> dict:
    base = tmp / "trackio"
    ing = [
        peer("trackio", base / f"ingest{i}", "ingest", "--steps", str(a.steps), "--keys", str(a.keys))
        for i in range(a.reps)
    ]
    rd = peer("trackio", base / "ingest0", "read", "--expect", str(a.steps))
    lng = peer("trackio", base / "long", "ingest", "--steps", str(a.chart_steps), "--keys", "1")
    rl = peer("trackio", base / "long", "read", "--expect", str(a.chart_steps))
    pts = ing[0]["points"]
    return {
        "version": ing[0]["version"],
        "ingest_points": pts,
        "ingest_s": med(r["ingest_s"] for r in ing),
        "ingest_1m_s": med(r["ingest_s"] for r in ing) * (a.steps * a.keys) / pts,
        "bytes_per_point": med(r["disk_bytes"] for r in ing) / pts,
        "read_first_s": rd["first_s"],
        "read_warm_s": rd["warm_s"],
        "sampled_s": rd["sampled_s"],
        "long_ingest_s": lng["ingest_s"],
        "long_read_first_s": rl["first_s"],
        "long_read_warm_s": rl["warm_s"],
        "long_sampled_s": rl["sampled_s"],
        "import_s": rd["import_s"],
    }


def ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 1e3:,.0f} ms" if x < 10 else f"{x:,.1f} s"


def main() -> None:
    global JAIL
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", help="sqlite (default) or a postgresql:// URL; repeatable")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--mlflow-steps", type=int, default=2_000, help="MLflow ingest size (steps x --keys)")
    ap.add_argument("--mlflow-stores", default="file,sqlite")
    ap.add_argument("--chart-runs", type=int, default=100)
    ap.add_argument("--chart-steps", type=int, default=100_000)
    ap.add_argument("--no-jail", action="store_true")
    ap.add_argument(
        "--quick", action="store_true", help="2,000 x 50, MLflow 200 x 50, 10 x 10,000 chart, 1 rep"
    )
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    if args.quick:
        args.steps, args.mlflow_steps, args.chart_runs, args.chart_steps, args.reps = (
            2_000,
            200,
            10,
            10_000,
            1,
        )
    JAIL = not args.no_jail and can_jail()
    missing = [p for p in ("mlflow", "trackio") if not (peer_venv(p) / "bin" / "python").exists()]
    if missing:  # first use: make them with the harness's logic (PyPI, once)
        env = dict(os.environ, PEERS=" ".join(missing), RUNYARD_VENV="0")
        subprocess.run([str(HERE / "make_venvs.sh")], env=env, check=True)
    dbs = args.db or ["sqlite"]
    res: dict = {"runyard": {}, "load": [loadavg()]}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ry-peers-") as tmp_s:
        tmp = Path(tmp_s)
        runs = write_runs(tmp / "runs", args.reps, args.steps, args.keys)
        for db in dbs:
            name = "SQLite" if db == "sqlite" else "PostgreSQL"
            for d, _ in runs:
                (d / ".synced").unlink(missing_ok=True)
            wd = tmp / f"ry-{name}"
            wd.mkdir()
            res["runyard"][name] = runyard_db(None if db == "sqlite" else db, runs, wd, args)
            res["load"].append(loadavg())
            print(f"runyard {name} done ({time.perf_counter() - t_all:.0f} s)", flush=True)
        res["trackio"] = bench_trackio(tmp, args)
        res["load"].append(loadavg())
        print(f"trackio done ({time.perf_counter() - t_all:.0f} s)", flush=True)
        for store in args.mlflow_stores.split(","):
            res[f"mlflow {store}"] = bench_mlflow(store, tmp, args)
            res["load"].append(loadavg())
            print(f"mlflow {store} done ({time.perf_counter() - t_all:.0f} s)", flush=True)
        shutil.rmtree(tmp / "runs", ignore_errors=True)
    report(res, args, time.perf_counter() - t_all)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))


def report(res: dict, a, total_s: float) -> None:
    pts = a.steps * a.keys
    peers = [k for k in res if k.startswith(("mlflow", "trackio"))]
    print()
    print(
        f"runyard server vs peers: {a.steps:,} steps x {a.keys} metrics = {pts:,} points; medians of {a.reps}; "
        f"{os.cpu_count()} CPUs, load {min(res['load']):.1f}-{max(res['load']):.1f}; peers "
        f"{'in an empty network namespace' if JAIL else 'NOT jailed (no unshare -n here)'}; {total_s:.0f} s"
    )
    print()
    print(f"(a) ingest of the {pts:,}-point run until queryable")
    for db, r in res["runyard"].items():
        sync, sdk = med(r["sync_s"]), med(r["sdk_s"])
        print(
            f"  runyard {db:10s} `runyard sync` (CLI process) {sync:.2f} s = {pts / sync / 1e6:.2f} M points/s; "
            f"SDK write (offline) + sync {sdk + sync:.2f} s"
        )
    for p in peers:
        r = res[p]
        note = (
            ""
            if r["ingest_points"] == pts
            else f" (measured {r['ingest_points']:,} points in {r['ingest_s']:.1f} s, x{pts / r['ingest_points']:.0f})"
        )
        api = "log_batch" if p.startswith("mlflow") else "trackio.log + finish"
        print(
            f"  {p:15s} {r['version']:8s} {api}: {r['ingest_1m_s']:.1f} s = {pts / r['ingest_1m_s'] / 1e6:.3f} M points/s"
            f"{note}; {r['bytes_per_point']:.0f} B/point on disk"
        )
    print()
    print(f"(b) one metric's full history ({a.steps:,} points), fresh process, after import")
    for db, r in res["runyard"].items():
        print(
            f"  runyard {db:10s} Api().run().history(keys=[k]) {ms(r['api_read_s'])}; chart query over HTTP "
            f"(1000 buckets, JSON) {ms(r['chart_http_s'])}"
        )
    for p in peers:
        r = res[p]
        print(
            f"  {p:15s} full history {ms(r['read_first_s'])} (first call, incl. open; warm {ms(r['read_warm_s'])}); "
            f"subsampled to 1000 {ms(r['sampled_s'])}; import {ms(r['import_s'])}"
        )
    print()
    n, s = a.chart_runs, a.chart_steps
    print(f"(c) {n} runs x {s:,} steps of one metric, 1000 buckets (min/max/mean)")
    for db, r in res["runyard"].items():
        c = r["chart"]
        print(
            f"  runyard {db:10s} engine {c['full_median_ms']:.0f} ms; over HTTP JSON {c['http_json_ms']:.0f} ms, "
            f"msgpack {c['http_msgpack_ms']:.0f} ms; full history of one run via Api {ms(r['long_api_read_s'])} "
            f"(x{n}: {ms(r['long_api_read_s'] * n)})"
        )
    for p in peers:
        r = res[p]
        print(
            f"  {p:15s} no min/max bucketed query; full history of one {s:,}-step run {ms(r['long_read_first_s'])} "
            f"(warm {ms(r['long_read_warm_s'])}) -> x{n} runs ~{ms(r['long_read_warm_s'] * n)}; subsampled "
            f"(no min/max) {ms(r['long_sampled_s'])} -> x{n} ~{ms((r['long_sampled_s'] or 0) * n)}; "
            f"writing the {s:,}-point run took {r['long_ingest_s']:.1f} s"
        )
    print()
    print("ratios runyard / peer (below 1: runyard faster), runyard on " + ", ".join(res["runyard"]))
    for p in peers:
        r = res[p]
        for db, ry in res["runyard"].items():
            sync = med(ry["sync_s"])
            c = ry["chart"]
            print(
                f"  vs {p:15s} [{db:10s}] ingest (sync) {sync / r['ingest_1m_s']:.3f}, ingest (SDK+sync) "
                f"{(sync + med(ry['sdk_s'])) / r['ingest_1m_s']:.3f}; read 1 metric (Api vs first call) "
                f"{ry['api_read_s'] / r['read_first_s']:.3f}; chart over HTTP vs full read "
                f"{ry['chart_http_s'] / r['read_first_s']:.3f}; {n}-run chart (HTTP JSON) vs {n} x subsampled read "
                f"{c['http_json_ms'] / 1e3 / ((r['long_sampled_s'] or float('nan')) * n):.4f}, vs {n} x full read "
                f"{c['http_json_ms'] / 1e3 / (r['long_read_warm_s'] * n):.4f}"
            )


if __name__ == "__main__":
    main()
