"""Concurrent ingest: N offline runs uploaded at once to a real `runyard server` process.

    python bench/bench_ingest.py                          # SQLite, 20 runs x 20,000 steps x 50 metrics
    python bench/bench_ingest.py --db sqlite --db postgresql://postgres@127.0.0.1:5432/postgres
    python bench/bench_ingest.py --quick                  # 4 runs x 2,000 steps, one rep (pipeline check)
    python bench/bench_ingest.py --profile                # + cProfile of the server's decode/apply path

1. The real SDK writes N offline runs (steps x keys points each) once, in one child process.
2. For each database and repetition, a fresh `runyard server` subprocess (fresh home; on PostgreSQL a
   temporary database created on that server and dropped afterwards, never the one in the URL) gets:
   - single: one run uploaded alone (`sync_run_dir`, one `Client`), for comparison;
   - threads: N threads in one client process, each with its own `runyard.sdk.http_client.Client`
     calling `runyard.sdk.sync_run.sync_run_dir` on its run, released together;
   - procs: N concurrent `runyard sync <run dir>` processes (the real CLI; a wrapper records the wall
     time of each process's first request and last ingest acknowledgement).
   Points/s = total points / (first request .. last ingest acknowledgement), over all uploaders.
   After each upload every run is checked on the server (`history_points`) and one chart query runs.
   Server CPU (user+sys of the server process, from /proc) is reported per million points.
3. `--profile`: the server's ingest path (`store.ingest.decode` then `Ingest.apply` in the writer),
   called in-process on the same chunks `sync_run_dir` sends, under cProfile.

Target (server issue): >= 1,000,000 points/s with 20 runs uploading concurrently.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import temporary_database  # noqa: E402

from runyard.sdk.http_client import Client  # noqa: E402
from runyard.sdk.sync_run import SYNCED, chunk_bounds, scan_log, sync_run_dir  # noqa: E402

PROJECT = "ingest"

WRITE_RUNS = """
import runyard, sys
n, steps, keys = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
names = [f"m{j:02d}" for j in range(keys)]
for i in range(n):
    r = runyard.init(project="ingest", mode="offline",
                     settings={"silent": True, "x_disable_stats": True, "console": "off"})
    for s in range(steps):
        runyard.log({k: s * 0.001 + j + i for j, k in enumerate(names)})
    runyard.finish()
    print(r.sync_dir, flush=True)
"""

# `runyard sync` as the CLI runs it, plus two timestamps: the first request of the process and the
# return of its last ingest POST (the last acknowledgement).
SYNC_CLI = """
import json, sys, time
from runyard.sdk import http_client
C = http_client.Client
t = {"first": None, "last": None}
_request, _ingest = C.request, C.ingest
def request(self, *a, **k):
    if t["first"] is None:
        t["first"] = time.time()
    return _request(self, *a, **k)
def ingest(self, *a, **k):
    r = _ingest(self, *a, **k)
    t["last"] = time.time()
    return r
C.request, C.ingest = request, ingest
from runyard.cli.main import cli
try:
    cli.main(args=sys.argv[2:], prog_name="runyard", standalone_mode=False)
finally:
    open(sys.argv[1], "w").write(json.dumps(t))
"""


def child_env(home: Path, root: Path = ROOT) -> dict:
    env = dict(os.environ, PYTHONPATH=str(root), RUNYARD_HOME=str(home))
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL", "RUNYARD_DB_URL"):
        env.pop(k, None)
    return env


def generate(work: Path, n: int, steps: int, keys: int) -> tuple[list[Path], float]:
    work.mkdir(parents=True)
    t = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", WRITE_RUNS, str(n), str(steps), str(keys)],
        cwd=work,
        env=child_env(work / "home"),
        capture_output=True,
        text=True,
        check=True,
    )
    return [Path(x) for x in p.stdout.split()], time.perf_counter() - t


def cpu_s(pid: int) -> float:
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class Server:
    """`runyard server` in a subprocess, on a fresh home (and database)."""

    def __init__(self, home: Path, db_url: str | None, root: Path = ROOT):
        """`root`: the runyard checkout the server runs from (another one compares two versions)."""
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.home = home
        cmd = [sys.executable, "-m", "runyard.cli.main", "server", "--home", str(home)]
        cmd += ["--port", str(self.port), "--log-level", "warning"]
        if db_url:
            cmd += ["--db", db_url]
        self.proc = subprocess.Popen(
            cmd, env=child_env(home, root), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            cred = home / "credentials"
            if cred.exists():
                try:
                    self.key = json.loads(cred.read_text())["api_key"]
                    Client(self.url, self.key, retries=0).get_json("/api/v1/health")
                    break
                except Exception:
                    pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {self.proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class TimedClient(Client):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.first = self.last = None

    def request(self, *a, **k):
        if self.first is None:
            self.first = time.time()
        return super().request(*a, **k)

    def ingest(self, *a, **k):
        r = super().ingest(*a, **k)
        self.last = time.time()
        return r


def upload_threads(srv: Server, dirs: list[Path]) -> tuple[float, float]:
    clients = [TimedClient(srv.url, srv.key) for _ in dirs]
    gate = threading.Barrier(len(dirs) + 1)
    errors: list[BaseException] = []

    def work(c: TimedClient, d: Path) -> None:
        gate.wait()
        try:
            sync_run_dir(c, d, "admin", PROJECT, None)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=work, args=(c, d)) for c, d in zip(clients, dirs)]
    for t in threads:
        t.start()
    gate.wait()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return min(c.first for c in clients), max(c.last for c in clients)


def upload_procs(srv: Server, dirs: list[Path], tmp: Path) -> tuple[float, float, float]:
    env = child_env(srv.home)
    outs = [tmp / f"t{i}.json" for i in range(len(dirs))]
    t0 = time.time()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SYNC_CLI, str(o), "sync", str(d), "--project", PROJECT, "--host", srv.url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for o, d in zip(outs, dirs)
    ]
    for p in procs:
        if p.wait() != 0:
            raise RuntimeError(f"runyard sync failed: {p.stderr.read().decode()[-2000:]}")
    wall = time.time() - t0
    ts = [json.loads(o.read_text()) for o in outs]
    return min(t["first"] for t in ts), max(t["last"] for t in ts), wall


def verify(srv: Server, dirs: list[Path], points: int) -> float:
    c = Client(srv.url, srv.key)
    for d in dirs:
        run_id = d.name.rsplit("-", 1)[-1]
        doc = c.get_json(f"/api/v1/runs/admin/{PROJECT}/{run_id}")
        assert doc["history_points"] == points, (d, doc["history_points"], points)
    t = time.perf_counter()
    c.get_json(f"/api/v1/runs/admin/{PROJECT}/{run_id}/history", {"keys": "m00", "buckets": 1000})
    dt = time.perf_counter() - t
    c.close()
    return dt


def unmark(dirs: list[Path]) -> None:
    for d in dirs:
        (d / SYNCED).unlink(missing_ok=True)


def measure(mode: str, dirs: list[Path], db_url: str | None, tmp: Path, points_per_run: int) -> dict:
    unmark(dirs)
    srv = Server(tmp / "home", db_url)
    try:
        load0, cpu0 = loadavg(), cpu_s(srv.proc.pid)
        wall = None
        if mode == "procs":
            first, last, wall = upload_procs(srv, dirs, tmp)
        else:
            first, last = upload_threads(srv, dirs)
        server_cpu = cpu_s(srv.proc.pid) - cpu0
        query_s = verify(srv, dirs, points_per_run)
    finally:
        srv.close()
    pts = points_per_run * len(dirs)
    dt = last - first
    return {
        "mode": mode,
        "runs": len(dirs),
        "points": pts,
        "seconds": dt,
        "points_per_s": pts / dt,
        "spawn_to_exit_s": wall,
        "server_cpu_s": server_cpu,
        "server_cpu_s_per_m": server_cpu / pts * 1e6,
        "first_query_ms": query_s * 1e3,
        "load": (load0 + loadavg()) / 2,
    }


def profile(dirs: list[Path], tmp: Path, top: int) -> str:
    """cProfile of the server's ingest path on the chunks `sync_run_dir` sends: `decode` (thread pool in
    the server) then `Ingest.apply` in one write transaction per chunk (the writer), on one thread."""
    from runyard.server import ServerConfig, ServerThread
    from runyard.store.ingest import decode

    home = tmp / "prof"
    home.mkdir()
    work = []
    for d in dirs:
        for log in sorted(d.glob("*.rylog")):
            info = scan_log(log)
            for a, b in chunk_bounds(info.frames, 0, 4 * 1024 * 1024):
                work.append((info.run["run_id"], info.run["segment"], a, info.data[a:b]))
    with ServerThread(ServerConfig.resolve(home=home, port=0)) as srv:
        store = srv.store
        user = store.db.read(lambda c: store.entities.user_for_key(c, srv.api_key))
        t_dec = t_app = 0.0
        prof = cProfile.Profile()
        prof.enable()
        for run_id, seg, off, data in work:
            t = time.perf_counter()
            dec = decode(run_id, seg, off, data)
            t_dec += time.perf_counter() - t
            t = time.perf_counter()
            store.db._run_write(
                lambda c, r=run_id, s=seg, dec=dec: store.ingest.apply(c, user, "admin", PROJECT, r, s, dec)
            )
            t_app += time.perf_counter() - t
        prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(top)
    return (
        f"profile (SQLite, one thread, under cProfile so inflated): {len(dirs)} run(s), {len(work)} chunks; "
        f"decode {t_dec:.2f} s, apply incl. commit {t_app:.2f} s\n" + buf.getvalue()
    )


def fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f} M"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", help="sqlite (default) or a postgresql:// URL; repeatable")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--keys", type=int, default=50)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--modes", default="single,threads,procs", help="comma list of single,threads,procs")
    ap.add_argument("--quick", action="store_true", help="4 runs x 2,000 steps, 1 rep")
    ap.add_argument("--profile", action="store_true", help="also profile decode/apply in-process")
    ap.add_argument("--json", default=None, help="write every measurement here")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.steps, args.reps = 4, 2_000, 1
    dbs = args.db or ["sqlite"]
    modes = args.modes.split(",")
    ppr = args.steps * args.keys
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ry-ingest-") as tmp_s:
        tmp = Path(tmp_s)
        dirs, gen_s = generate(tmp / "runs", args.runs, args.steps, args.keys)
        log_mb = sum(f.stat().st_size for d in dirs for f in d.glob("*.rylog")) / 1e6
        print(
            f"generated {len(dirs)} runs x {args.steps:,} steps x {args.keys} metrics = {len(dirs) * ppr:,} points "
            f"({log_mb:.0f} MB of run log) with the SDK in {gen_s:.1f} s; {os.cpu_count()} CPUs, "
            f"load {loadavg():.2f}",
            flush=True,
        )
        for db in dbs:
            url = None if db == "sqlite" else db
            name = "SQLite" if url is None else "PostgreSQL"
            for rep in range(args.reps):
                for mode in modes:
                    use = dirs[:1] if mode == "single" else dirs
                    with temporary_database(url) as db_url:
                        wd = tmp / f"{name}-{rep}-{mode}"
                        wd.mkdir()
                        r = measure(mode, use, db_url, wd, ppr)
                    r["db"] = name
                    r["rep"] = rep
                    results.append(r)
                    extra = (
                        f", processes spawn to exit {r['spawn_to_exit_s']:.2f} s"
                        if r["spawn_to_exit_s"]
                        else ""
                    )
                    print(
                        f"  {name:10s} rep {rep} {mode:7s}: {r['points']:>11,} points in {r['seconds']:.2f} s = "
                        f"{fmt_rate(r['points_per_s'])} points/s; server CPU {r['server_cpu_s']:.1f} s "
                        f"({r['server_cpu_s_per_m']:.2f} s per M points){extra}; load {r['load']:.1f}",
                        flush=True,
                    )
        print()
        print(f"summary (median of {args.reps}; target >= 1.00 M points/s with {args.runs} concurrent runs):")
        for db in ("SQLite", "PostgreSQL"):
            for mode in modes:
                rs = [r for r in results if r["db"] == db and r["mode"] == mode]
                if not rs:
                    continue
                rates = sorted(r["points_per_s"] for r in rs)
                med = statistics.median(rates)
                verdict = ""
                if mode != "single":
                    verdict = "PASS" if med >= 1e6 else "MISS"
                print(
                    f"  {db:10s} {mode:7s} ({rs[0]['runs']:>2} run(s)): {fmt_rate(med)} points/s "
                    f"(min {fmt_rate(rates[0])}, max {fmt_rate(rates[-1])}); "
                    f"{statistics.median(r['seconds'] for r in rs):.2f} s; server CPU "
                    f"{statistics.median(r['server_cpu_s_per_m'] for r in rs):.2f} s per M points; "
                    f"first chart query after upload {statistics.median(r['first_query_ms'] for r in rs):.0f} ms "
                    f"{verdict}"
                )
        if args.profile:
            print()
            print(profile(dirs[: max(1, min(4, len(dirs)))], tmp, 30))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
