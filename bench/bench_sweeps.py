"""Sweep controller overhead: the assignment round trip with many agents polling one sweep.

    python bench/bench_sweeps.py                        # SQLite, 50 agents, 300 trials of ~10 s, beats every 5 s
    python bench/bench_sweeps.py --db sqlite --db postgresql://postgres@127.0.0.1:5432/postgres
    python bench/bench_sweeps.py --trial-s 0 --trials 500          # back to back: the server saturated
    python bench/bench_sweeps.py --compare /tmp/main --reps 2      # this checkout's server vs another's,
                                                                   # alternating, same agents and load

A fresh `runyard server` subprocess per database and run (on PostgreSQL a temporary database,
dropped afterwards) holds one random sweep with `run_cap` = trials. `--agents` agents, each in its
own process by default (`--procs` to group them as threads), each with its own keep-alive
`runyard.sdk.http_client.Client`, pace themselves as runyard's and wandb's agents do (both poll and
heart-beat every 5 s; wandb/wandb_agent.py POLL_INTERVAL): `next` (the assignment round trip), a
`heartbeat` every `--beat-s` while the trial runs (`--trial-s` on average, each uniform(0.5, 1.5)
times that, so agents drift apart), `report`, and after a `wait` answer (run_cap reached while
trials run) ask again `--wait-s` later; they start spread over one beat interval. `--trial-s 0`
runs trials back to back with one beat each (a stress test, not what agents do). Each call is
timed three ways: at the client; on the server, from the answer's `Server-Timing` header
(server/metrics.py): `server` (arrival to answer), `db` (the transactions, to their COMMIT: the
controller's own work) and `db wait` (queued for a writer or a pooled reader). `next` counts the
assignments (answered run); `poll` the `next` calls answered wait or exit. Also: trials per second,
the server process's CPU per trial, the load average at start and end.

Target: assignment round trip under 20 ms p95 with 50 agents polling.

Measured 2026-12-06 on this 2-core machine shared with other jobs:
- the store alone (`--store`: `Sweeps.next` + `report`, SQLite, one thread), random search, before
  (every trial read per assignment) and after (unfinished trials and the count, through indexes):
    trials so far        0        1,000     10,000     50,000
    before  p50     5.0 ms      27 ms     559 ms    3,375 ms
    after   p50     4.7 ms     4.3 ms     6.3 ms      4.0 ms   (p95 10-50 ms: the machine's noise)
- the writer's share of a trial (`--store` now: next + heartbeat + report through `access.sweep`),
  CPU per trial: 4.8-5.6 ms before the one-query lookup and the prebuilt statements, 1.5-2.2 ms
  after (flat from 1,000 to 50,000 trials; wall p50 2.0-3.1 ms, p95 15-28 ms at load 13).
- 50 agent processes over HTTP, 500 trials, load average 13-17 (ms, p50 / p95):
    SQLite, back to back   next: client 620 / 1,461  server 489 / 833  db 1.5 / 63  db wait 341 / 693
    SQLite, 1 s trials     next: client 251 / 751    server 148 / 558  db 1.6 / 55  db wait 69 / 488
    PostgreSQL, 1 s trials next: client 1,135 / 2,612 server 1,110 / 2,603 db 118 / 313
  Server CPU per trial: 5.6-6.2 ms on SQLite, 13-14 ms on PostgreSQL (measured with four writer
  threads, which queued on the sweep's row lock inside their transactions, so there `db` holds the
  lock wait too; PostgreSQL has had one writer thread since, as SQLite). Almost all of
  a round trip is waiting: for the one SQLite writer, and for CPU, with 50 agent processes, the
  server and the other jobs on two cores. The 20 ms p95 target is not met here and cannot be judged
  on this machine; the controller's own transaction is 1.5 ms at p50 on SQLite.
- agents paced as real ones (10 s trials, beats every 5 s), `--compare` with the server before the
  calls were kept short and apart (docs/sweeps.md), same run, load 21-26 (`next`, ms, p50 / p95):
    SQLite      before: client 15.9 / 224.1  server  9.6 / 90.0   db  1.0 / 13.5
                after:  client 11.9 / 51.3   server  7.0 / 34.1   db  0.9 / 9.7
    PostgreSQL  before: client 48.5 / 341.7  server 41.1 / 244.0  db 35.1 / 200.6
                after:  client 24.1 / 138.7  server 20.9 / 105.2  db 16.4 / 76.9
  and heartbeats at the client ~510 ms -> 13-18 ms p50 (the SDK client's fix for connections the
  server closed while idle). The 20 ms p95 target is not met on this loaded machine
  (docs/benchmarks.md).
Bayes still reads every finished trial (TPE is fitted on them); a hyperband heartbeat reads every
trial's metric history.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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


CALLS = ("next", "heartbeat", "report", "poll")  # poll: a `next` answered wait or exit


def timed_post(cl: Client, path: str, doc: dict) -> tuple[dict, tuple[float, float, float, float]]:
    """POST `doc`; the answer and (client seconds, server total, db, db wait) from its Server-Timing."""
    t0 = time.perf_counter()
    resp = cl.post_json_stream(path, doc)
    answer = json.loads(resp.read())
    client = time.perf_counter() - t0
    st = dict(p.strip().split(";dur=") for p in (resp.getheader("server-timing") or "").split(",") if p)
    return answer, (client, *(float(st.get(k, "nan")) / 1000 for k in ("total", "db", "dbq")))


@dataclass
class Pace:
    """How agents pace their calls. `trial_s`: mean trial length (each lasts trial_s x uniform(0.5,
    1.5), seeded per agent, so agents drift apart as real ones do); `beat_s`: heartbeat interval
    during a trial (0: one beat halfway); `wait_s`: pause after a `wait` answer; `stagger_s`: each
    agent starts after uniform(0, stagger_s)."""

    trial_s: float = 10.0
    beat_s: float = 5.0
    wait_s: float = 5.0
    stagger_s: float = 5.0


def agent_process(url: str, key: str, base: str, names: list[str], pace: Pace, go: Any, out: Any) -> None:
    """One agent process (its own interpreter: no GIL shared with the other agents) running the agents
    `names` as threads (one each by default), each with its own keep-alive connection, looping as
    runyard's and wandb's agents do: `next`; while the trial runs, a `heartbeat` every `beat_s`; then
    `report`; until told to exit (after `wait`, ask again `wait_s` later)."""
    times: dict[str, list[tuple[float, ...]]] = {k: [] for k in CALLS}
    lock = threading.Lock()

    def agent(name: str) -> None:
        cl = Client(url, key)
        rng = random.Random(name)
        mine: dict[str, list[tuple[float, ...]]] = {k: [] for k in CALLS}
        go.wait()
        time.sleep(rng.uniform(0, pace.stagger_s))
        while True:
            a, t = timed_post(cl, base + "/next", {"agent": name})
            mine["next" if a["kind"] == "run" else "poll"].append(t)
            if a["kind"] == "exit":
                break
            if a["kind"] == "wait":
                time.sleep(pace.wait_s)
                continue
            beat = {"agent": name, "index": a["index"]}
            length = pace.trial_s * rng.uniform(0.5, 1.5)
            every = pace.beat_s if pace.beat_s > 0 else length / 2
            end = time.monotonic() + length
            while end - time.monotonic() > every:
                time.sleep(every)
                mine["heartbeat"].append(timed_post(cl, f"{base}/heartbeat", beat)[1])
            time.sleep(max(0.0, end - time.monotonic()))
            mine["report"].append(timed_post(cl, f"{base}/report", beat | {"state": "finished"})[1])
        cl.close()
        with lock:
            for k, v in mine.items():
                times[k].extend(v)

    threads = [threading.Thread(target=agent, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(times)


def one(
    db: str | None, agents: int, procs: int, trials: int, pace: Pace, pre: int = 0, root: Path = ROOT
) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_database(None if db in (None, "sqlite") else db) as url,
    ):
        srv = Server(Path(tmp) / "home", url, root)
        try:
            c = Client(srv.url, srv.key)
            cfg = {"method": "random", "run_cap": pre + trials, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
            sweep = c.post_json("/api/v1/sweeps/admin/bench", {"config": cfg})
            sid = sweep["id"]
            prefill(c, sweep, pre)
            base = f"/api/v1/sweeps/admin/bench/{sid}"
            ctx = mp.get_context("fork")  # nothing but this thread runs here yet: forking is safe
            go, out = ctx.Event(), ctx.Queue()
            names = [f"agent-{i}" for i in range(agents)]
            ps = [
                ctx.Process(
                    target=agent_process, args=(srv.url, srv.key, base, names[i::procs], pace, go, out)
                )
                for i in range(procs)
            ]
            for p in ps:
                p.start()
            load0, cpu0, t0 = loadavg(), server_cpu(srv.proc.pid), time.perf_counter()
            go.set()
            times: dict[str, list[tuple[float, ...]]] = {k: [] for k in CALLS}
            for _ in ps:
                for k, v in out.get(timeout=3600).items():
                    times[k].extend(v)
            wall, cpu = time.perf_counter() - t0, server_cpu(srv.proc.pid) - cpu0
            for p in ps:
                p.join()
            doc = c.get_json(base)
            assert len(doc["trials"]) == pre + trials and doc["state"] == "finished", (
                len(doc["trials"]),
                doc["state"],
            )
            assert len({t["params"]["x"] for t in doc["trials"]}) == pre + trials
            return {
                "db": "postgresql" if url else "sqlite",
                "trials/s": trials / wall,
                "server cpu/trial": cpu / trials * 1000,
                "load": (load0, loadavg()),
                **{k: [summary([t[j] for t in v]) for j in range(4)] for k, v in times.items() if v},
            }
        finally:
            srv.close()


def summary(xs: list[float]) -> tuple[float, float, float, float, int]:
    """p50, p95, p99, max in ms, and the count (NaN: a server without that Server-Timing part)."""
    xs = [x for x in xs if not math.isnan(x)] or [math.nan]
    return statistics.median(xs) * 1000, pct(xs, 0.95), pct(xs, 0.99), max(xs) * 1000, len(xs)


def server_cpu(pid: int) -> float:
    """user + system CPU seconds of the server process so far (from /proc)."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def store_next(pre: int, n: int) -> tuple[float, float, float]:
    """The writer's share of a trial as the routes run it: `next`, `heartbeat`, `report`, each one
    write transaction that finds the locked sweep through the access policy (`access.sweep`, an
    admin caller) then runs the controller; SQLite, one thread, no HTTP. p50 and p95 of the wall
    time per trial and its CPU time (all threads of this process) in ms, over `n` trials after `pre`
    finished ones."""
    from runyard.server import access
    from runyard.store import Store, User
    from runyard.sweeps.controller import TrialRecord

    with tempfile.TemporaryDirectory() as tmp:
        s = Store.open(f"sqlite:///{tmp}/r.db", Path(tmp) / "blobs")
        s.migrate()
        cfg = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}

        def setup(c: Any) -> Any:
            ent = s.entities.create(c, "bench")
            row = s.sweeps.create(c, s.projects.get_or_create(c, ent, "p"), cfg, None)
            done = [
                TrialRecord(i, {"x": -1.0 - i}, f"pre{i}", state="finished", run_ids=[f"pre{i}"])
                for i in range(pre)
            ]
            s.sweeps.put_trials(c, row, done)
            return row, User(ent, "bench", is_admin=True)

        row, admin = s.db.write(setup)

        def locked(c: Any) -> Any:
            return access.sweep(c, s, admin, "bench", "p", row.sweep_id, access.WRITE, lock=True)

        times = []
        cpu0 = time.process_time()
        for _ in range(n):
            t0 = time.perf_counter()
            a = s.db.write(lambda c: s.sweeps.next(c, locked(c), "a", 120.0))
            s.db.write(lambda c, i=a.index: s.sweeps.heartbeat(c, locked(c), "a", i))
            s.db.write(lambda c, i=a.index: s.sweeps.report(c, locked(c), "a", i, "finished"))
            times.append(time.perf_counter() - t0)
        cpu = (time.process_time() - cpu0) / n * 1000
        s.close()
        return statistics.median(times) * 1000, pct(times, 0.95), cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", help="sqlite (default) or a postgresql:// URL; repeatable")
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument(
        "--procs",
        type=int,
        default=0,
        help="agent processes, the agents split among them (default: one each)",
    )
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--trial-s", type=float, default=10.0, help="mean trial length (0: back to back)")
    ap.add_argument("--beat-s", type=float, default=5.0, help="heartbeat interval (0: one beat halfway)")
    ap.add_argument("--wait-s", type=float, default=5.0, help="pause after a wait answer")
    ap.add_argument(
        "--prefill", type=int, default=0, help="finished trials the sweep holds before the agents start"
    )
    ap.add_argument(
        "--compare",
        type=Path,
        help="another runyard checkout: its server runs alternately with this one's, --reps times each",
    )
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument(
        "--store", action="store_true", help="also time the writer's share of a trial alone (0 to 50k trials)"
    )
    a = ap.parse_args()
    if a.store:
        for pre in (0, 1_000, 10_000, 50_000):
            p50, p95, cpu = store_next(pre, 200)
            print(
                f"writer's share of a trial after {pre:6d} trials (SQLite, one thread): "
                f"p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  CPU {cpu:5.2f} ms"
            )
    procs = min(a.procs or a.agents, a.agents)
    back_to_back = a.trial_s <= 0
    pace = Pace(a.trial_s, a.beat_s, 0.05 if back_to_back else a.wait_s, 0.0 if back_to_back else a.beat_s)
    roots = [("this", ROOT)] + ([("compare", a.compare.resolve())] if a.compare else [])
    for db in a.db or ["sqlite"]:
        for rep in range(a.reps):
            for label, root in roots:
                r = one(db, a.agents, procs, a.trials, pace, a.prefill, root)
                print(
                    f"{r['db']} [{label}: {root}] rep {rep + 1}: {a.agents} agents in {procs} processes, "
                    f"{a.trials} trials of {a.trial_s:g} s, beats every {a.beat_s:g} s, after {a.prefill}, "
                    f"{r['trials/s']:.1f} trials/s, server CPU {r['server cpu/trial']:.2f} ms/trial, "
                    f"load {r['load'][0]:.1f} -> {r['load'][1]:.1f}"
                )
                print("  ms: p50 / p95 / p99 / max")
                for k in CALLS:
                    if k not in r:
                        continue
                    n = r[k][0][4]
                    cells = "  ".join(
                        f"{lab} {p50:6.1f} {p95:6.1f} {p99:6.1f} {mx:7.1f}"
                        for lab, (p50, p95, p99, mx, _) in zip(("client", "server", "db", "db wait"), r[k])
                    )
                    print(f"  {k:9s} n={n:5d}  {cells}", flush=True)


if __name__ == "__main__":
    main()
