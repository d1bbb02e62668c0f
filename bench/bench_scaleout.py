"""Scale-out benchmark: ingest points/s through nginx with 1, 2 and 3 replicas on PostgreSQL, and the
10M-point chart query through a replica.

    python bench/bench_scaleout.py [--db postgresql://postgres@127.0.0.1:5432/postgres] [--quick]

Ingest: offline runs written once by the real SDK (RUNS runs x STEPS steps x KEYS metrics), then, for
each replica count, a fresh database, the replicas (`runyard server` processes, Redis bus) behind nginx
(the same cluster as tests/scaleout), and SYNCERS `runyard sync` processes uploading the runs through
the balancer at once; points/s = points / wall time from the first upload to the last run queryable.

`--replica-cpus C` gives each replica C CPUs (a cgroup v1 CPU quota, as root), as if each ran on a
machine of its own: on a host with fewer cores than the cluster needs (this project's test machine
has 2), extra replicas otherwise add no CPU. The database, nginx, Redis and the sync clients are left
unlimited, so what the figures then show is how ingest scales with replica CPU until the rest
saturates. Per replica count it prints the replicas' CPU seconds and time throttled (at its quota a
replica is the bottleneck) and the host's idle CPU over the upload (none left: the host saturated).

Chart: 100 runs x 100,000 steps generated into the cluster's database through the store (as
bench_server.py (b) does), the 1,000-bucket query timed in-process (engine time, the same database)
and over HTTP through one replica.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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


CGROUP = Path("/sys/fs/cgroup/cpu")


class CpuQuota:
    """One cgroup (v1 `cpu` controller) per replica process with a CFS quota of `cpus` CPUs."""

    def __init__(self, cpus: float):
        self.cpus = cpus
        self.groups: list[Path] = []

    def limit(self, pid: int) -> None:
        g = CGROUP / f"runyard-bench-{os.getpid()}-{len(self.groups)}"
        g.mkdir()
        self.groups.append(g)
        period = int((g / "cpu.cfs_period_us").read_text())
        (g / "cpu.cfs_quota_us").write_text(str(int(period * self.cpus)))
        (g / "cgroup.procs").write_text(str(pid))  # every thread of the process moves with it

    def throttled_s(self) -> float:
        stat = [dict(line.split() for line in (g / "cpu.stat").read_text().splitlines()) for g in self.groups]
        return sum(int(s_["throttled_time"]) for s_ in stat) / 1e9

    def close(self) -> None:
        for g in self.groups:
            for pid in (g / "cgroup.procs").read_text().split():
                (CGROUP / "cgroup.procs").write_text(pid)  # back to the root group before removing
            g.rmdir()
        self.groups.clear()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def host_idle() -> tuple[float, float]:
    """(idle, total) jiffies of the host so far (/proc/stat)."""
    cpu = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return cpu[3] + cpu[4], sum(cpu[:8])


def applied_points(cl: Cluster) -> int:
    """History points the cluster holds in the project the runs were written to."""
    import httpx

    r = httpx.get(
        cl.url + "/api/v1/projects/admin/ingest/runs",
        params={"limit": 1000},
        headers={"Authorization": f"Bearer {cl.api_key}"},
        timeout=60,
    )
    r.raise_for_status()
    return sum(run["history_points"] for run in r.json()["runs"])


def ingest(
    db_url: str, replicas: int, dirs: list[str], syncers: int, points: int, tmp: Path, cpus: float | None
) -> dict:
    (tmp / f"cluster{replicas}").mkdir()
    cl = Cluster(tmp / f"cluster{replicas}", db_url, replicas)
    quota = CpuQuota(cpus) if cpus else None
    try:
        pids = [r.proc.pid for r in cl.replicas if r.proc is not None]
        if quota:
            for pid in pids:
                quota.limit(pid)
        cpu0, idle0 = [cpu_seconds(p) for p in pids], host_idle()
        groups = [dirs[i::syncers] for i in range(syncers)]
        env = clean_env(tmp / f"client{replicas}", cl.url, cl.api_key)
        t = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "runyard.cli.main", "sync", "--include-synced", *g],
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
        idle1 = host_idle()
        got = applied_points(cl)
        assert got == points, f"{got:,} points applied, {points:,} sent (a sync that uploaded nothing?)"
        return {
            "replicas": replicas,
            "points": points,
            "wall_s": wall,
            "points_per_s": points / wall,
            "replica_cpu_s": [round(cpu_seconds(p) - c, 2) for p, c in zip(pids, cpu0)],
            "replica_throttled_s": round(quota.throttled_s(), 2) if quota else None,
            "host_idle_share": round((idle1[0] - idle0[0]) / max(1, idle1[1] - idle0[1]), 3),
        }
    finally:
        cl.stop()
        if quota:
            quota.close()


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
    ap.add_argument("--replica-cpus", type=float, help="CPUs each replica may use (cgroup v1 quota, as root)")
    ap.add_argument("--no-chart", action="store_true", help="ingest only")
    ap.add_argument(
        "--rounds", type=int, default=1, help="repeat the replica counts, alternating their order"
    )
    args = ap.parse_args()
    n, steps, keys = (6, 500, 5) if args.quick else (24, 5000, 10)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t = time.perf_counter()
        dirs = write_runs(tmp / "runs", n, steps, keys)
        for rnd in range(args.rounds):
            (tmp / f"round{rnd}").mkdir()
        print(f"wrote {n} offline runs x {steps} steps x {keys} metrics in {time.perf_counter() - t:.1f} s")
        points = n * steps * keys
        counts = [int(x) for x in args.replicas.split(",")]
        results = []
        for rnd in range(args.rounds):  # alternate the order: a cold database favours later counts
            for r in counts if rnd % 2 == 0 else counts[::-1]:
                with temporary_database(args.db) as url:
                    res = ingest(url, r, dirs, args.syncers, points, tmp / f"round{rnd}", args.replica_cpus)
                results.append(res)
                print(
                    f"ingest, {r} replica(s): {res['points']:,} points in {res['wall_s']:.2f} s "
                    f"= {res['points_per_s']:,.0f} points/s; replica CPU {res['replica_cpu_s']} s, throttled "
                    f"{res['replica_throttled_s']} s, host idle {res['host_idle_share']:.0%}",
                    flush=True,
                )
        median = {
            r: statistics.median(x["points_per_s"] for x in results if x["replicas"] == r) for r in counts
        }
        for r in counts:
            print(
                f"ingest, {r} replica(s), median of {args.rounds}: {median[r]:,.0f} points/s, "
                f"{median[r] / median[counts[0]]:.2f}x {counts[0]} replica(s)"
            )
        if args.no_chart:
            return
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
