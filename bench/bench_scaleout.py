"""Scale-out benchmark: ingest points/s through nginx with 1, 2 and 3 replicas on PostgreSQL, and the
10M-point chart query through a replica.

    python bench/bench_scaleout.py [--db postgresql://postgres@127.0.0.1:5432/postgres] [--quick]

Ingest: offline runs written once by the real SDK (RUNS runs x STEPS steps x KEYS metrics), then, for
each replica count, a fresh database, the replicas (`runyard server` processes, Redis bus) behind nginx
(the same cluster as tests/scaleout), and SYNCERS `runyard sync` processes uploading the runs through
the balancer at once; points/s = points / wall time from the first upload to the last run queryable.

Chart: 100 runs x 100,000 steps generated into the cluster's database through the store (as
bench_server.py (b) does), the 1,000-bucket query timed in-process (engine time, the same database)
and over HTTP through one replica.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import bench_chart, temporary_database  # noqa: E402

from runyard.store import Store  # noqa: E402
from tests.scaleout.conftest import Cluster  # noqa: E402

WRITE = """
import runyard, sys
n, steps, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
names = [f"m{j:02d}" for j in range(keys)]
for i in range(n):
    r = runyard.init(project="ingest", mode="offline", reinit="finish_previous",
                     settings={"silent": True, "x_disable_stats": True, "console": "off"})
    for s in range(steps):
        r.log({k: s * 0.001 + j for j, k in enumerate(names)}, step=s)
    r.finish()
    print(r.sync_dir, flush=True)
"""


def clean_env(home: Path, url: str | None = None, key: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    env.update(PYTHONPATH=str(ROOT), RUNYARD_HOME=str(home), RUNYARD_SILENT="true")
    if url:
        env.update(RUNYARD_BASE_URL=url, RUNYARD_API_KEY=key or "")
    return env


def write_runs(work: Path, n: int, steps: int, keys: int) -> list[str]:
    work.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [sys.executable, "-c", WRITE, str(n), str(steps), str(keys)],
        cwd=work,
        env=clean_env(work / "home"),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert p.returncode == 0, p.stderr
    return [x for x in p.stdout.splitlines() if x.strip()]


def ingest(db_url: str, replicas: int, dirs: list[str], syncers: int, points: int, tmp: Path) -> dict:
    (tmp / f"cluster{replicas}").mkdir()
    cl = Cluster(tmp / f"cluster{replicas}", db_url, replicas)
    try:
        groups = [dirs[i::syncers] for i in range(syncers)]
        env = clean_env(tmp / f"client{replicas}", cl.url, cl.api_key)
        t = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "runyard.cli.main", "sync", *g],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for g in groups
            if g
        ]
        for p in procs:
            _, err = p.communicate(timeout=1800)
            assert p.returncode == 0, err
        wall = time.perf_counter() - t
        return {"replicas": replicas, "points": points, "wall_s": wall, "points_per_s": points / wall}
    finally:
        cl.stop()


def chart_through_replica(db_url: str, tmp: Path, quick: bool) -> dict:
    (tmp / "chart").mkdir()
    cl = Cluster(tmp / "chart", db_url, 2)
    store = Store.open(db_url, tmp / "chart-blobs")
    try:

        class Via:  # what bench_chart needs of a server: the store, a URL and a key
            def __init__(self, url: str):
                self.store, self.url, self.api_key = store, url, cl.api_key

        out = bench_chart(Via(cl.replicas[1].url), 10 if quick else 100, 10_000 if quick else 100_000)
        out["through"] = "replica 1 (direct)"
        return out
    finally:
        store.close()
        cl.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--replicas", default="1,2,3")
    ap.add_argument("--syncers", type=int, default=6)
    args = ap.parse_args()
    n, steps, keys = (6, 500, 5) if args.quick else (24, 5000, 10)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t = time.perf_counter()
        dirs = write_runs(tmp / "runs", n, steps, keys)
        print(f"wrote {n} offline runs x {steps} steps x {keys} metrics in {time.perf_counter() - t:.1f} s")
        points = n * steps * keys
        results = []
        for r in (int(x) for x in args.replicas.split(",")):
            with temporary_database(args.db) as url:
                res = ingest(url, r, dirs, args.syncers, points, tmp)
            results.append(res)
            print(
                f"ingest, {r} replica(s): {res['points']:,} points in {res['wall_s']:.2f} s "
                f"= {res['points_per_s']:,.0f} points/s",
                flush=True,
            )
        base = results[0]["points_per_s"]
        for res in results:
            res["speedup"] = res["points_per_s"] / base
        with temporary_database(args.db) as url:
            chart = chart_through_replica(url, tmp, args.quick)
        print(
            f"chart, {chart['points']:,} points -> 1,000 buckets: engine median {chart['full_median_ms']:.0f} ms, "
            f"HTTP through a replica json {chart['http_json_ms']:.0f} ms / msgpack {chart['http_msgpack_ms']:.0f} ms"
        )
        load = os.getloadavg()
        print(
            json.dumps({"ingest": results, "chart": chart, "cpus": os.cpu_count(), "loadavg": load}, indent=1)
        )


if __name__ == "__main__":
    main()
