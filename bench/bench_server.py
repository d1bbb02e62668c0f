"""Tracking-server benchmark: sync throughput, chart queries, run listing, storage per point.

    python bench/bench_server.py [--db URL] [--quick]

(a) `runyard sync` of an offline run of 20,000 steps x 50 metrics (1M points), written by the real
    SDK, until it is queryable (CLI subprocess, so Python start-up is included; target < 2 s);
(b) chart query: 100 runs x 100,000 steps of one metric into 1,000 buckets with min/max (target
    < 150 ms server time) and a 1 % zoom window (< 50 ms). The 10M points are generated through
    the store's metric write path (the same code ingest uses), not through the SDK, for time;
(c) list 10,000 runs sorted by a summary metric, filtered by a config value, first page (< 100 ms);
    rows inserted directly into the runs table;
(d) `runyard.Api()` in a fresh process: read one metric of a 20,000-step run (10 metrics), and all ten,
    as wandb's `run.history()` does (every row, not sampled); time after `import runyard` (target
    < 50 ms for one, < 100 ms for ten; peers: MLflow file store 0.06 s / 0.87 s, Aim 0.14 s / 1.1 s);
(e) store bytes per million points (target < 12 MB), from (a) and (b).

With `--db postgresql://...` a temporary database is created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runyard.sdk.http_client import Client  # noqa: E402
from runyard.server import ServerConfig, ServerThread  # noqa: E402
from runyard.server.app import freeze_loaded  # noqa: E402
from runyard.store import run_values  # noqa: E402
from runyard.store.chunks import Points  # noqa: E402
from runyard.store.metrics import SeriesRef  # noqa: E402
from runyard.store.tables import metric_chunks, runs  # noqa: E402

WRITE_RUN = """
import runyard, sys
steps, keys = int(sys.argv[1]), int(sys.argv[2])
names = [f"m{j:02d}" for j in range(keys)]
r = runyard.init(project="bench", mode="offline", settings={"silent": True, "x_disable_stats": True, "console": "off"})
for s in range(steps):
    runyard.log({k: s * 0.001 + j for j, k in enumerate(names)})
runyard.finish()
print(r.sync_dir)
"""


READ_API = """
import json, sys, time
t0 = time.perf_counter()
import runyard
t_import = time.perf_counter() - t0
path, mode = sys.argv[1], sys.argv[2]
pandas = mode.startswith("pandas")
if pandas:
    import pandas as pd  # its import (~0.2-0.5 s) is reported apart: MLflow/Aim readers do not pay it
t = time.perf_counter()
api = runyard.Api()
run = api.run(path)
res = run.history(keys=["m00"] if mode.endswith("one") else None, pandas=pandas)
dt = time.perf_counter() - t
cols = len(res.columns) if pandas else len(res[0])
print(json.dumps({"import_s": t_import, "read_s": dt, "rows": len(res), "cols": cols}))
"""


def timed(fn, repeat=5):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        res = fn()
        out.append(time.perf_counter() - t)
    return res, statistics.median(out), min(out)


def db_bytes(store) -> int:
    if store.db.is_sqlite:
        path = sa.engine.make_url(store.db.url).database
        with store.db.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(path)
    with store.db.engine.connect() as c:
        return c.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()


def chunk_bytes(store) -> int:
    q = sa.select(
        sa.func.sum(
            sa.func.length(metric_chunks.c.steps)
            + sa.func.length(metric_chunks.c.vals)
            + sa.func.length(metric_chunks.c.aux)
        )
    )
    return store.db.read(lambda c: c.execute(q).scalar() or 0)


def bench_sync(srv, home: Path, work: Path, steps: int, keys: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RUNYARD_HOME=str(home))
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", WRITE_RUN, str(steps), str(keys)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    sdk_s = time.perf_counter() - t
    run_dir = Path(p.stdout.strip().splitlines()[-1])
    before = db_bytes(srv.store)
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "runyard.cli.main", "sync", str(run_dir)],
        env=env,
        check=True,
        capture_output=True,
    )
    sync_s = time.perf_counter() - t
    run_id = run_dir.name.rsplit("-", 1)[-1]
    c = Client(srv.url, srv.api_key)
    doc = c.get_json(f"/api/v1/runs/admin/bench/{run_id}")
    t = time.perf_counter()
    c.get_json(f"/api/v1/runs/admin/bench/{run_id}/history", {"keys": "m00", "buckets": 1000})
    first_query = time.perf_counter() - t
    c.close()
    points = doc["history_points"]
    assert points == steps * keys, (points, steps * keys)
    return {
        "points": points,
        "log_bytes": sum(f.stat().st_size for f in run_dir.glob("*.rylog")),
        "sdk_write_s": sdk_s,
        "sync_s": sync_s,
        "first_query_s": first_query,
        "db_growth_bytes": db_bytes(srv.store) - before,
    }


def bench_chart(srv, n_runs: int, steps: int) -> dict:
    store = srv.store
    rng = np.random.default_rng(0)

    def setup(c):
        eid = store.entities.get(c, "admin").id
        return store.projects.get_or_create(c, eid, "chart")

    pid = store.db.write(setup)
    bytes_before = chunk_bytes(store)
    t = time.perf_counter()
    refs = []
    for i in range(n_runs):

        def one(c, i=i):
            pk = store.runs.get_or_create(c, pid, f"run{i:04d}", {"start_time": 1e9}, None)
            v = np.cumsum(rng.normal(size=steps))
            pts = Points(
                np.arange(1, steps + 1, dtype=np.int64),
                np.arange(steps, dtype=np.int64),
                1e9 + np.arange(steps) * 0.01,
                v,
            )
            store.metrics.append(c, pk, "history", {"loss": [pts]})
            return store.metrics.key_id(c, pk, "history", "loss")

        refs.append(SeriesRef(store.db.write(one)))
    gen_s = time.perf_counter() - t
    full, full_med, full_min = timed(lambda: store.db.read(lambda c: store.metrics.buckets(c, refs, 1000)))
    a = steps * 0.42
    zoom, zoom_med, zoom_min = timed(
        lambda: store.db.read(lambda c: store.metrics.buckets(c, refs, 1000, "_step", a, a + steps / 100))
    )
    assert all(r["count"].sum() == steps for r in full[0])
    c = Client(srv.url, srv.api_key)
    ids = ",".join(f"run{i:04d}" for i in range(n_runs))

    def http(fmt):
        t = time.perf_counter()
        c.request(
            "GET",
            "/api/v1/projects/admin/chart/history",
            params={"key": "loss", "runs": ids, "buckets": 1000, "format": fmt},
        ) if fmt == "json" else None
        if fmt == "msgpack":
            conn = c._connection()
            conn.request(
                "GET",
                f"/api/v1/projects/admin/chart/history?key=loss&runs={ids}&buckets=1000&format=msgpack",
                headers={"Authorization": f"Bearer {srv.api_key}"},
            )
            conn.getresponse().read()
        return time.perf_counter() - t

    http_json = statistics.median([http("json") for _ in range(3)])
    http_mp = statistics.median([http("msgpack") for _ in range(3)])
    c.close()
    raw_vals = np.cumsum(rng.normal(size=100_000)).tobytes()
    return {
        "points": n_runs * steps,
        "generate_s": gen_s,
        "full_median_ms": full_med * 1e3,
        "full_min_ms": full_min * 1e3,
        "zoom_median_ms": zoom_med * 1e3,
        "zoom_min_ms": zoom_min * 1e3,
        "http_json_ms": http_json * 1e3,
        "http_msgpack_ms": http_mp * 1e3,
        "chunk_bytes": chunk_bytes(store) - bytes_before,
        "zlib_on_values_ratio": len(zlib.compress(raw_vals, 6)) / len(raw_vals),
    }


def bench_api(srv, home: Path, work: Path, steps: int, keys: int, repeat: int = 5) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RUNYARD_HOME=str(home))
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        env.pop(k, None)
    (work / "api").mkdir()
    p = subprocess.run(
        [sys.executable, "-c", WRITE_RUN, str(steps), str(keys)],
        cwd=work / "api",
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    run_dir = Path(p.stdout.strip().splitlines()[-1])
    subprocess.run(
        [sys.executable, "-m", "runyard.cli.main", "sync", str(run_dir)],
        env=env,
        check=True,
        capture_output=True,
    )
    path = f"admin/bench/{run_dir.name.rsplit('-', 1)[-1]}"
    out: dict = {"steps": steps, "keys": keys}
    for mode in ("list_one", "list_all", "pandas_one", "pandas_all"):
        docs = []
        for _ in range(repeat):
            r = subprocess.run(
                [sys.executable, "-c", READ_API, path, mode],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            docs.append(json.loads(r.stdout))
        assert all(d["rows"] == steps for d in docs), docs[0]
        out[mode + "_ms"] = statistics.median(d["read_s"] for d in docs) * 1e3
        out["import_ms"] = statistics.median(d["import_s"] for d in docs) * 1e3
    return out


def bench_list(srv, n: int) -> dict:
    store = srv.store
    pid = store.db.write(lambda c: store.projects.get_or_create(c, store.entities.get(c, "admin").id, "many"))
    rnd = random.Random(1)
    now = time.time()
    rows = [
        {
            "project_id": pid,
            "run_id": f"r{i:05d}",
            "name": f"run-{i}",
            "state": "finished",
            "config": {
                "optimizer": rnd.choice(["adam", "sgd", "lamb"]),
                "lr": rnd.random(),
                "layers": rnd.randint(1, 48),
                "model": {"width": rnd.choice([256, 512, 1024])},
            },
            "summary": {"acc": rnd.random(), "loss": rnd.random() * 3, "_step": 1000},
            "summary_state": {},
            "tags": [],
            "flags": {},
            "metadata": {},
            "created_at": now - i,
            "updated_at": now,
            "heartbeat_at": now,
            "history_points": 0,
        }
        for i in range(n)
    ]
    store.db.write(lambda c: c.execute(sa.insert(runs), rows))
    store.db.write(run_values.backfill)  # rows inserted past Runs.update: indexed as the migration does
    flt = {"config.optimizer": "adam"}
    (page, _, _), med, mn = timed(
        lambda: store.db.read(lambda c: store.runs.list(c, pid, flt, "-summary.acc", 50))
    )
    expected = sorted(
        (r for r in rows if r["config"]["optimizer"] == "adam"), key=lambda r: -r["summary"]["acc"]
    )[:50]
    assert [p["id"] for p in page] == [r["run_id"] for r in expected]
    (_, total, _), tmed, _ = timed(
        lambda: store.db.read(lambda c: store.runs.list(c, pid, flt, "-summary.acc", 50, with_total=True))
    )
    c = Client(srv.url, srv.api_key)
    t = time.perf_counter()
    c.request(
        "POST",
        "/api/v1/projects/admin/many/runs/query",
        json.dumps({"filter": flt, "order": "-summary.acc"}).encode(),
        content_type="application/json",
    )
    http_s = time.perf_counter() - t
    c.close()
    return {
        "runs": n,
        "page_median_ms": med * 1e3,
        "page_min_ms": mn * 1e3,
        "with_total_ms": tmed * 1e3,
        "http_ms": http_s * 1e3,
        "matched": total,
    }


@contextlib.contextmanager
def temporary_database(url: str | None):
    """SQLite (None) as is; for a PostgreSQL URL, a fresh database on that server, dropped afterwards."""
    if not url or not url.startswith("postgresql"):
        yield url
        return
    admin_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"runyard_bench_{secrets.token_hex(4)}"
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary home)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args()
    steps, keys, n_runs, chart_steps, n_list = (20_000, 50, 100, 100_000, 10_000)
    if args.quick:
        steps, keys, n_runs, chart_steps, n_list = (2_000, 50, 10, 10_000, 1_000)
    api_steps = 2_000 if args.quick else 20_000
    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.db) as db_url:
        home, work = Path(tmp) / "home", Path(tmp) / "work"
        home.mkdir()
        work.mkdir()
        cfg = ServerConfig.resolve(home=home, db_url=db_url, port=0)
        with ServerThread(cfg) as srv:
            freeze_loaded()  # as `runyard server` does once its app is built
            a = bench_sync(srv, home, work, steps, keys)
            b = bench_chart(srv, n_runs, chart_steps)
            c = bench_list(srv, n_list)
            d = bench_api(srv, home, work, api_steps, 10)
        db = "SQLite" if cfg.db_url.startswith("sqlite") else "PostgreSQL"
    mb_per_m = lambda nbytes, pts: nbytes / pts * 1e6 / 1e6  # noqa: E731
    print(f"runyard server benchmark ({db}, {os.cpu_count()} CPUs)")
    print(
        f"(a) sync {a['points']:,} points ({keys} metrics x {steps:,} steps, run log {a['log_bytes'] / 1e6:.1f} MB): "
        f"{a['sync_s']:.2f} s to queryable via `runyard sync` (target < 2 s); SDK wrote the run in "
        f"{a['sdk_write_s']:.2f} s; first chart query after sync {a['first_query_s'] * 1e3:.0f} ms"
    )
    print(
        f"(b) chart query {n_runs} runs x {chart_steps:,} steps -> 1000 buckets: median {b['full_median_ms']:.0f} ms "
        f"(min {b['full_min_ms']:.0f}; target < 150); 1 % zoom median {b['zoom_median_ms']:.1f} ms (target < 50); "
        f"over HTTP: JSON {b['http_json_ms']:.0f} ms, msgpack {b['http_msgpack_ms']:.0f} ms "
        f"[{b['points']:,} points generated through the store in {b['generate_s']:.1f} s]"
    )
    print(
        f"(c) list {c['runs']:,} runs, filter config.optimizer == adam, sort -summary.acc, first page of 50: "
        f"median {c['page_median_ms']:.1f} ms (target < 100); with total count {c['with_total_ms']:.1f} ms; "
        f"over HTTP {c['http_ms']:.1f} ms"
    )
    print(
        f"(d) runyard.Api() in a fresh process, run of {d['steps']:,} steps x {d['keys']} metrics, every row: "
        f"one metric {d['list_one_ms']:.0f} ms (target < 50), all ten {d['list_all_ms']:.0f} ms (target < 100) "
        f"as lists of dicts; as DataFrames {d['pandas_one_ms']:.0f} / {d['pandas_all_ms']:.0f} ms (pandas "
        f"imported before the clock); `import runyard` {d['import_ms']:.0f} ms"
    )
    print(
        f"(e) storage: {mb_per_m(a['db_growth_bytes'], a['points']):.2f} MB per million points for the synced run "
        f"(database growth incl. indexes); metric chunk payload {mb_per_m(b['chunk_bytes'], b['points']):.2f} MB "
        f"per million points in (b) (target < 12); zlib on float values keeps {b['zlib_on_values_ratio']:.0%} "
        "of their size (why values stay uncompressed)"
    )


if __name__ == "__main__":
    main()
