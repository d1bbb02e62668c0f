"""Sweep controller overhead: the assignment round trip with many agents polling one sweep.

    python bench/bench_sweeps.py                                   # SQLite, 50 agents, 1,000 trials
    python bench/bench_sweeps.py --db sqlite --db postgresql://postgres@127.0.0.1:5432/postgres
    python bench/bench_sweeps.py --agents 10 --trials 200          # quick

A fresh `runyard server` subprocess per database (on PostgreSQL a temporary database, dropped
afterwards) holds one random sweep with `run_cap` = trials. `--agents` threads in this process, each
with its own `runyard.sdk.http_client.Client` (one keep-alive connection, as a real agent), loop
as an agent does with trials that take no time: `next` (the assignment round trip: lock the sweep,
reap, suggest, insert the trial, commit), one `heartbeat`, then `report`, until the controller says
exit. Reported: latency percentiles of each call (client-side, so they include this process's own
GIL contention between threads), trials per second, and the load average (the machine is shared).

Target: assignment round trip under 20 ms p95 with 50 agents polling.

Measured 2026-12-06 on this 2-core machine shared with other jobs (load average 18-25):
- the store alone (`--store`: `Sweeps.next` + `report`, SQLite, one thread), random search, before
  (every trial read per assignment) and after (unfinished trials and the count, through indexes):
    trials so far        0        1,000     10,000     50,000
    before  p50     5.0 ms      27 ms     559 ms    3,375 ms
    after   p50     4.7 ms     4.3 ms     6.3 ms      4.0 ms   (p95 10-50 ms: the machine's noise)
- 50 agents over HTTP, 500 trials after 5,000 (`--agents 50 --trials 500 --prefill 5000`), SQLite:
  `next` p50 114-224 ms, p95 619-759 ms after, against p50 118-124 ms, p95 501-1,151 ms before.
  Here every call waits for CPU behind 50 client threads, the server and the other jobs on two
  cores, so the 20 ms p95 target cannot be shown (nor refuted) on this machine; the store's own
  share of an assignment is the 4-6 ms above, flat in the number of trials.
Bayes still reads every finished trial (TPE is fitted on them); a hyperband heartbeat reads every
trial's metric history.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import Server, loadavg  # noqa: E402
from bench_server import temporary_database  # noqa: E402

from runyard.sdk.http_client import Client  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


PREFILL_CHUNK = 500  # trials per request when pre-filling (the body stays well under the server's limit)


def prefill(c: Client, sweep: dict, n: int) -> None:
    """`n` finished trials before the agents start, sent as a synced local sweep brings its trials:
    a long-running sweep, to show whether an assignment's cost grows with the trials so far."""
    for start in range(0, n, PREFILL_CHUNK):
        trials = [
            {"index": i, "params": {"x": -1.0 - i}, "run_id": f"pre{i}", "state": "finished"}
            for i in range(start, min(n, start + PREFILL_CHUNK))
        ]
        c.post_json(
            "/api/v1/sweeps/admin/bench",
            {"config": sweep["config"], "id": sweep["id"], "state": "running", "trials": trials},
        )


def one(db: str | None, agents: int, trials: int, pre: int = 0) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_database(None if db in (None, "sqlite") else db) as url,
    ):
        srv = Server(Path(tmp) / "home", url)
        try:
            c = Client(srv.url, srv.key)
            cfg = {"method": "random", "run_cap": pre + trials, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
            sweep = c.post_json("/api/v1/sweeps/admin/bench", {"config": cfg})
            sid = sweep["id"]
            prefill(c, sweep, pre)
            base = f"/api/v1/sweeps/admin/bench/{sid}"
            times: dict[str, list[float]] = {"next": [], "heartbeat": [], "report": []}
            lock = threading.Lock()
            go = threading.Event()

            def agent(i: int) -> None:
                cl = Client(srv.url, srv.key)
                mine: dict[str, list[float]] = {k: [] for k in times}
                name = f"agent-{i}"
                go.wait()
                while True:
                    t0 = time.perf_counter()
                    a = cl.post_json(base + "/next", {"agent": name})
                    mine["next"].append(time.perf_counter() - t0)
                    if a["kind"] == "exit":
                        break
                    if a["kind"] == "wait":
                        time.sleep(0.05)
                        continue
                    for call, body in (
                        ("heartbeat", {"agent": name, "index": a["index"]}),
                        ("report", {"agent": name, "index": a["index"], "state": "finished"}),
                    ):
                        t0 = time.perf_counter()
                        cl.post_json(f"{base}/{call}", body)
                        mine[call].append(time.perf_counter() - t0)
                cl.close()
                with lock:
                    for k, v in mine.items():
                        times[k].extend(v)

            threads = [threading.Thread(target=agent, args=(i,)) for i in range(agents)]
            for t in threads:
                t.start()
            load0, t0 = loadavg(), time.perf_counter()
            go.set()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            doc = c.get_json(base)
            assert len(doc["trials"]) == pre + trials and doc["state"] == "finished", (
                len(doc["trials"]),
                doc["state"],
            )
            assert len({t["params"]["x"] for t in doc["trials"]}) == pre + trials
            return {
                "db": "postgresql" if url else "sqlite",
                "trials/s": trials / wall,
                "load": (load0, loadavg()),
                **{
                    k: (statistics.median(v) * 1000, pct(v, 0.95), pct(v, 0.99), max(v) * 1000, len(v))
                    for k, v in times.items()
                },
            }
        finally:
            srv.close()


def store_next(pre: int, n: int) -> tuple[float, float]:
    """The store's own cost of an assignment (`Sweeps.next` then `report`, each one write transaction
    on SQLite, one thread, no HTTP): p50 and p95 in ms over `n` trials after `pre` finished ones."""
    from runyard.store import Store
    from runyard.sweeps.controller import TrialRecord

    with tempfile.TemporaryDirectory() as tmp:
        s = Store.open(f"sqlite:///{tmp}/r.db", Path(tmp) / "blobs")
        s.migrate()
        cfg = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}

        def setup(c: Any) -> Any:
            pid = s.projects.get_or_create(c, s.entities.create(c, "bench"), "p")
            row = s.sweeps.create(c, pid, cfg, None)
            done = [
                TrialRecord(i, {"x": -1.0 - i}, f"pre{i}", state="finished", run_ids=[f"pre{i}"])
                for i in range(pre)
            ]
            s.sweeps.put_trials(c, row, done)
            return row

        row = s.db.write(setup)

        def locked(c: Any) -> Any:
            return s.sweeps.get(c, row.project_id, row.sweep_id, lock=True)

        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            a = s.db.write(lambda c: s.sweeps.next(c, locked(c), "a", 120.0))
            s.db.write(lambda c, i=a.index: s.sweeps.report(c, locked(c), "a", i, "finished"))
            times.append(time.perf_counter() - t0)
        s.close()
        return statistics.median(times) * 1000, pct(times, 0.95)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", help="sqlite (default) or a postgresql:// URL; repeatable")
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument(
        "--prefill", type=int, default=0, help="finished trials the sweep holds before the agents start"
    )
    ap.add_argument(
        "--store", action="store_true", help="also time the store's next+report alone (0 to 50k trials)"
    )
    a = ap.parse_args()
    if a.store:
        for pre in (0, 1_000, 10_000, 50_000):
            p50, p95 = store_next(pre, 200)
            print(
                f"store next+report after {pre:6d} trials (SQLite, one thread): p50 {p50:6.2f} ms  p95 {p95:6.2f} ms"
            )
    for db in a.db or ["sqlite"]:
        r = one(db, a.agents, a.trials, a.prefill)
        print(
            f"{r['db']}: {a.agents} agents, {a.trials} trials after {a.prefill}, {r['trials/s']:.0f} trials/s, "
            f"load {r['load'][0]:.1f} -> {r['load'][1]:.1f}"
        )
        for k in ("next", "heartbeat", "report"):
            p50, p95, p99, mx, n = r[k]
            print(
                f"  {k:9s} n={n:5d}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  max {mx:6.1f} ms"
            )


if __name__ == "__main__":
    main()
