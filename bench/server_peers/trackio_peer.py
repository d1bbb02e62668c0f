"""Trackio side of bench/bench_server_peers.py (runs in Trackio's own venv; local SQLite store).

    python trackio_peer.py ingest --dir D --steps N --keys K [--name R]
    python trackio_peer.py read --dir D --name R --key K [--expect N]

ingest: `trackio.init(project, name)`, then `trackio.log({K metrics}, step=s)` for N steps (its public
  log API, the values of the runyard run), then `trackio.finish()`, which returns when the sender
  thread has written everything to TRACKIO_DIR/<project>.db.
read: fresh process; `SQLiteStorage.get_metric_values(project, run, key)` (what the shared harness's
  W5, `trackio get metric` and the dashboard use; `trackio.Api` has no metric history), first call
  and 3 warm calls; and `max_points=1000` (Trackio's downsampled read: even subsampling, no min/max).
Prints one JSON line. TRACKIO_DIR and the offline switches come from the environment.
"""

import argparse
import json
import os
import statistics
import sys
import time

t_start = time.perf_counter()
PROJECT = "bench"


def du(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


def ingest(a):
    t = time.perf_counter()
    import trackio

    import_s = time.perf_counter() - t
    names = [f"m{j:02d}" for j in range(a.keys)]
    t0 = time.perf_counter()
    trackio.init(project=PROJECT, name=a.name)
    t1 = time.perf_counter()
    log = trackio.log
    for s in range(a.steps):
        log({k: s * 0.001 + j for j, k in enumerate(names)}, step=s)
    t2 = time.perf_counter()
    trackio.finish()
    t3 = time.perf_counter()
    return {
        "import_s": import_s,
        "open_s": t1 - t0,
        "loop_s": t2 - t1,
        "ingest_s": t3 - t1,
        "total_s": t3 - t0,
        "points": a.steps * a.keys,
        "disk_bytes": du(os.environ["TRACKIO_DIR"]),
        "version": getattr(trackio, "__version__", "?"),
    }


def read(a):
    t = time.perf_counter()
    from trackio.sqlite_storage import SQLiteStorage

    import_s = time.perf_counter() - t

    def one(**kw):
        rows = SQLiteStorage.get_metric_values(PROJECT, a.name, a.key, **kw)
        return [r["step"] for r in rows], [r["value"] for r in rows]

    t = time.perf_counter()
    steps, vals = one()
    first_s = time.perf_counter() - t
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        steps, vals = one()
        warm.append(time.perf_counter() - t)
    out = {"import_s": import_s, "first_s": first_s, "warm_s": statistics.median(warm), "points": len(vals)}
    t = time.perf_counter()
    _, sampled = one(max_points=1000)
    out["sampled_s"] = time.perf_counter() - t
    out["sampled_points"] = len(sampled)
    if a.expect is not None:
        assert len(vals) == a.expect and sorted(steps) == list(range(a.expect)), (len(vals), a.expect)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["ingest", "read"])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--name", default="r")
    ap.add_argument("--key", default="m00")
    ap.add_argument("--expect", type=int)
    a = ap.parse_args()
    out = ingest(a) if a.cmd == "ingest" else read(a)
    out["process_s"] = time.perf_counter() - t_start
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
