"""Scale benchmark: chart queries over 100M points, runs lists of 100k runs, an SDK logging 1,000 keys.

    python bench/bench_scale.py                                   # SQLite, the full sizes below
    python bench/bench_scale.py --db sqlite --db postgresql://postgres@127.0.0.1:5432/postgres
    python bench/bench_scale.py --quick                           # 10 runs x 100k, 10k runs, 2k steps
    python bench/bench_scale.py --baseline ../other-checkout      # the same figures for another tree too
    python bench/bench_scale.py --only chart --chart 1000x100000  # one part, another size

Parts (`--only chart,list,sdk`, default all):
  chart  R runs x S steps of one metric (`--chart RxS`, repeatable; default 100x1000000). A 1,000-bucket
         query of every run over the whole range and a 1 % zoom, over HTTP (msgpack) against a
         `runyard server` subprocess: engine time (the answer's `query_ms`), HTTP time, answer size,
         and the server's anonymous memory from /proc (sampled every 5 ms): peak growth over the
         phase's start and what is still held after it, over idle; then four full queries at once,
         and what is held SETTLE_S after them (`four_settled_mb`, the server's quiet-time trim).
  panel  the same datasets' workspace in Chromium: its one panel of every run (100 at most) drawn and
         idle (`panel_interactive_ms`), as bench_ui.py measures a workspace.
  list   N runs (`--list-runs`, default 100,000) with config/summary values: first page of 50 filtered
         by a config value and sorted by a summary value, and every run of the project page by page
         (whole runs; with `fields` of two values; as columns, `runs/columns`, as the workspace asks,
         with the answer's size); then in Chromium
         (Debian's /usr/bin/chromium, as bench_ui.py) the project's workspace with two value columns:
         from navigation to the runs table holding every run (`ui_all_rows_ms`), and the page's JS heap
         then (`ui_heap_mb`, and `ui_heap_gc_mb` after a forced garbage collection; CDP
         Runtime.getHeapUsage). `--no-browser` leaves the Chromium figures out.
  sdk    the SDK logging K keys per step for S steps (`--sdk KxS`, default 1000x50000) offline: peak
         RSS over a bare interpreter, log() p50/p99/p99.9, finish() time; medians of `--sdk-reps` runs.

Datasets are built once by the code under test (its own store write path, in a child process) and
cached under `--cache` (default ~/.cache/runyard-bench-scale), keyed by database, size and the code's
schema revision; on PostgreSQL a database `rybench_<key>` is kept on the server next to the one in the
URL (`--drop` removes the cached datasets). Build times are printed. With `--baseline DIR` every part
also runs with the runyard package of DIR (same interpreter) and the figures print side by side.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import msgpack
import numpy as np
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]

BUILD_CHART = r"""
import sys, time, numpy as np
from runyard.server import ServerConfig, ServerThread
from runyard.store.chunks import Points
home, db_url, n_runs, steps = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), int(sys.argv[4])
with ServerThread(ServerConfig.resolve(home=home, db_url=db_url, port=0)) as srv:
    store = srv.store
    pid = store.db.write(lambda c: store.projects.get_or_create(c, store.entities.get(c, "admin").id, "scale"))
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    for i in range(n_runs):
        def one(c, i=i):
            pk = store.runs.get_or_create(c, pid, f"run{i:04d}", {"start_time": 1e9}, None)
            for s0 in range(0, steps, 1_000_000):  # bounded memory per transaction
                n = min(1_000_000, steps - s0)
                pts = Points(np.arange(s0 + 1, s0 + n + 1, dtype=np.int64), np.arange(s0, s0 + n, dtype=np.int64),
                             1e9 + np.arange(s0, s0 + n) * 0.01, np.cumsum(rng.normal(size=n)))
                store.metrics.append(c, pk, "history", {"loss": [pts]})
        store.db.write(one)
    print(time.perf_counter() - t)
"""

BUILD_LIST = r"""
import random, sys, time
import sqlalchemy as sa
from runyard.server import ServerConfig, ServerThread
try:
    from runyard.store.tables import runs
except ImportError:  # a tree from before store/schema.py was renamed
    from runyard.store.schema import runs
home, db_url, n = sys.argv[1], sys.argv[2] or None, int(sys.argv[3])
with ServerThread(ServerConfig.resolve(home=home, db_url=db_url, port=0)) as srv:
    store = srv.store
    pid = store.db.write(lambda c: store.projects.get_or_create(c, store.entities.get(c, "admin").id, "scale"))
    rnd, now, t = random.Random(1), 1.7e9, time.perf_counter()
    for i0 in range(0, n, 10_000):
        rows = [{"project_id": pid, "run_id": f"r{i:06d}", "name": f"run-{i}", "state": "finished",
                 "config": {"optimizer": rnd.choice(["adam", "sgd", "lamb"]), "lr": rnd.random(),
                            "layers": rnd.randint(1, 48)},
                 "summary": {"acc": rnd.random(), "loss": rnd.random() * 3, "_step": 1000},
                 "summary_state": {}, "tags": [], "flags": {}, "metadata": {}, "created_at": now - i,
                 "updated_at": now, "heartbeat_at": now, "history_points": 0}
                for i in range(i0, min(n, i0 + 10_000))]
        store.db.write(lambda c: c.execute(sa.insert(runs), rows))
    try:  # rows inserted past Runs.update: index their values as the migration does existing runs
        from runyard.store.run_values import backfill
    except ImportError:  # a tree from before run_values
        pass
    else:
        store.db.write(backfill)
    print(time.perf_counter() - t)
"""

SDK = r"""
import json, re, sys, time
import runyard
keys, steps = int(sys.argv[1]), int(sys.argv[2])
names = [f"layer{j // 10}/m{j % 10}" for j in range(keys)]
r = runyard.init(project="scale", mode="offline",
                 settings={"silent": True, "x_disable_stats": True, "console": "off"})
lat = []
for s in range(steps):
    row = {k: s * 0.001 + j for j, k in enumerate(names)}
    t = time.perf_counter_ns()
    runyard.log(row)
    lat.append(time.perf_counter_ns() - t)
t = time.perf_counter()
runyard.finish()
fin = time.perf_counter() - t
lat.sort()
print(json.dumps({"p50_us": lat[len(lat) // 2] / 1e3, "p99_us": lat[int(len(lat) * 0.99)] / 1e3,
                  "p999_us": lat[int(len(lat) * 0.999)] / 1e3, "finish_ms": fin * 1e3,
                  "peak_kb": int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read())[1])}))
"""


def code_env(code: Path, home: Path | None = None) -> dict:
    """Environment for a child running the runyard package of `code` (children run with cwd=code:
    `python -m`/`-c` put the working directory first on sys.path)."""
    env = dict(os.environ, PYTHONPATH=str(code))
    for k in list(env):
        if k.startswith(("RUNYARD_", "WANDB_")):
            env.pop(k)
    if home:
        env["RUNYARD_HOME"] = str(home)
    return env


def revision(code: Path) -> str:
    """The code's schema, as a short hash of its migration file names (datasets are per schema)."""
    names = sorted(p.name for p in (code / "runyard/store/migrations/versions").glob("*.py"))
    return hashlib.sha1(" ".join(names).encode()).hexdigest()[:8]


def pg_url(base: str, name: str) -> str:
    u = sa.engine.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    return u.set(database=name).render_as_string(hide_password=False)


def pg_admin(base: str, sql: str) -> None:
    eng = sa.create_engine(pg_url(base, "postgres"), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(sql)
    eng.dispose()


class Dataset:
    """A cached home (and PostgreSQL database) built by `script` of the code under test."""

    def __init__(self, cache: Path, db: str, code: Path, what: str, script: str, args: list[str]):
        self.kind = "sqlite" if db == "sqlite" else "postgresql"
        key = f"{self.kind}-{what}-{revision(code)}"
        self.dir = cache / key
        self.home = self.dir / "home"
        self.db_url = "" if db == "sqlite" else pg_url(db, "rybench_" + re.sub(r"\W", "_", key))
        done = self.dir / "done.json"
        if done.exists():
            self.build_s = json.loads(done.read_text())["build_s"]
            self.cached = True
            return
        self.cached = False
        shutil.rmtree(self.dir, ignore_errors=True)
        self.home.mkdir(parents=True)
        if self.db_url:
            name = sa.engine.make_url(self.db_url).database
            pg_admin(db, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            pg_admin(db, f"CREATE DATABASE {name}")
        print(f"  building {key} ...", flush=True)
        p = subprocess.run(
            [sys.executable, "-c", script, str(self.home), self.db_url, *args],
            env=code_env(code, self.home),
            cwd=code,
            capture_output=True,
            text=True,
        )
        if p.returncode:
            raise RuntimeError(f"build of {key} failed:\n{p.stderr[-3000:]}")
        self.build_s = float(p.stdout.strip().splitlines()[-1])
        done.write_text(json.dumps({"build_s": self.build_s}))


class Server:
    """`runyard server` of the code under test in a subprocess, on a dataset's home."""

    def __init__(self, ds: Dataset, code: Path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        cmd = [sys.executable, "-m", "runyard.cli.main", "server", "--home", str(ds.home)]
        cmd += ["--port", str(self.port), "--log-level", "warning"]
        if ds.db_url:
            cmd += ["--db", ds.db_url]
        self.proc = subprocess.Popen(cmd, env=code_env(code, ds.home), cwd=code, stdout=subprocess.DEVNULL)
        self.key = json.loads((ds.home / "credentials").read_text())["api_key"]
        deadline = time.monotonic() + 300  # a migration of a cached dataset may run first
        while True:
            try:
                self.get("/api/v1/health")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)
        self.started_s = time.monotonic() - deadline + 300

    def get(self, path: str, params: dict | None = None) -> bytes:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        c.request("GET", path + ("?" + urlencode(params) if params else ""), headers=self._h())
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError(f"GET {path}: {r.status} {body[:300]!r}")
        return body

    def post(self, path: str, doc: dict) -> dict:
        return json.loads(self.post_raw(path, doc))

    def post_raw(self, path: str, doc: dict) -> bytes:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        c.request("POST", path, json.dumps(doc).encode(), {**self._h(), "Content-Type": "application/json"})
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError(f"POST {path}: {r.status} {body[:300]!r}")
        return body

    def _h(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"}

    def anon(self) -> int:
        """Anonymous resident memory in bytes (RSS less file pages: SQLite's mmap of the database
        counts in RSS but is page cache, not memory the server holds)."""
        st = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"^RssAnon:\s+(\d+) kB", st, re.M).group(1)) * 1024  # type: ignore[union-attr]

    def peak_during(self, fn):
        """(fn(), highest anonymous memory sampled every 5 ms while it ran)."""
        peak, done = [self.anon()], threading.Event()

        def sample() -> None:
            while not done.wait(0.005):
                peak[0] = max(peak[0], self.anon())

        th = threading.Thread(target=sample)
        th.start()
        try:
            res = fn()
        finally:
            done.set()
            th.join()
        return res, max(peak[0], self.anon())

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


SETTLE_S = 2.0


def chart_part(srv: Server, n_runs: int, steps: int, reps: int) -> dict:
    ids = ",".join(f"run{i:04d}" for i in range(n_runs))
    path = "/api/v1/projects/admin/scale/history"

    def query(lo: float | None = None, hi: float | None = None, fmt: str = "msgpack") -> tuple:
        params = {"key": "loss", "runs": ids, "buckets": 1000, "format": fmt}
        if lo is not None:
            params.update(min=lo, max=hi)
        t = time.perf_counter()
        body = srv.get(path, params)
        wall = time.perf_counter() - t
        doc = msgpack.unpackb(body) if fmt == "msgpack" else json.loads(body)
        return doc, wall, len(body)

    srv.get(path, {"key": "loss", "runs": "run0000", "buckets": 10, "min": 0, "max": 10})  # warm-up
    idle = srv.anon()
    out: dict = {"idle_mb": idle / 1e6}

    def phase(name: str, fn) -> list:
        before = srv.anon()
        res, peak = srv.peak_during(fn)
        out[name + "_peak_mb"] = (peak - before) / 1e6
        out[name + "_retained_mb"] = (srv.anon() - idle) / 1e6
        return res

    full = phase("full", lambda: [query() for _ in range(reps)])
    doc = full[0][0]
    counts = [int(np.frombuffer(s["count"]["data"], s["count"]["dtype"]).sum()) for s in doc["series"]]
    assert counts == [steps] * n_runs, counts[:3]
    out["full_engine_ms"] = statistics.median(d["query_ms"] for d, _w, _n in full)
    out["full_http_ms"] = statistics.median(w for _d, w, _n in full) * 1e3
    out["answer_msgpack_mb"] = full[0][2] / 1e6
    out["answer_json_mb"] = query(fmt="json")[2] / 1e6

    def four() -> list[float]:
        walls: list[float] = []
        ths = [threading.Thread(target=lambda: walls.append(query()[1])) for _ in range(4)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        return walls

    walls = phase("four", lambda: [w for _ in range(max(1, reps // 2)) for w in four()])
    out["four_http_ms"] = statistics.median(walls) * 1e3
    time.sleep(SETTLE_S)  # the server gives freed memory back a moment after its last large answer
    out["four_settled_mb"] = (srv.anon() - idle) / 1e6
    a = steps * 0.42
    zoom = phase("zoom", lambda: [query(a, a + steps / 100) for _ in range(reps)])
    out["zoom_engine_ms"] = statistics.median(d["query_ms"] for d, _w, _n in zoom)
    out["zoom_http_ms"] = statistics.median(w for _d, w, _n in zoom) * 1e3
    return out


PANEL_RUNS = """() => performance.getEntriesByType('resource').filter((r) => r.name.includes('/history?'))
  .map((r) => new URL(r.name).searchParams.get('runs') || '').reduce((a, s) => a + (s ? s.split(',').length : 0), 0)"""


def panel_part(srv: Server, reps: int) -> dict:
    """The project's workspace in Chromium (Debian's, headless, as bench_ui.py): its one panel charts
    every run (up to the workspace's 100). Interactive = every panel on screen drawn and no long task
    still running (bench_ui.py's measure), from navigation start; medians of `reps` fresh pages."""
    from bench_ui import ALL_VISIBLE_DRAWN, CHROMIUM, CHROMIUM_ARGS, INIT, VISIBLE_STATS, _sign_in
    from playwright.sync_api import sync_playwright

    info = {"url": f"http://127.0.0.1:{srv.port}", "key": srv.key}
    pages = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(reps):
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                _sign_in(ctx, info)
                ctx.add_init_script(INIT % json.dumps("msgpack"))
                page = ctx.new_page()
                page.goto(info["url"] + "/admin/scale")
                page.wait_for_function(ALL_VISIBLE_DRAWN, timeout=120_000, polling=20)
                page.wait_for_timeout(400)  # long tasks that began before the draw report late
                st = page.evaluate(VISIBLE_STATS)
                st["runs"] = page.evaluate(PANEL_RUNS)
                pages.append(st)
                ctx.close()
        finally:
            browser.close()
    return {
        "panel_interactive_ms": statistics.median(x["interactive_ms"] for x in pages),
        "panel_first_draw_ms": statistics.median(x["last_first_draw_ms"] for x in pages),
        "panel_runs": statistics.median(x["runs"] for x in pages),
    }


def list_part(srv: Server, n: int, reps: int) -> dict:
    path = "/api/v1/projects/admin/scale/runs/query"
    q = {"filter": {"config.optimizer": "adam"}, "order": "-summary.acc", "limit": 50}
    srv.post(path, {"limit": 1})
    walls = []
    for _ in range(reps):
        t = time.perf_counter()
        first = srv.post(path, q)
        walls.append(time.perf_counter() - t)
    assert len(first["runs"]) == 50
    out = {"first_page_ms": statistics.median(walls) * 1e3}
    t = time.perf_counter()
    total, page = 0, {"limit": 1000}
    while True:
        doc = srv.post(path, page)
        total += len(doc["runs"])
        if doc.get("next_cursor"):
            page = {"limit": 1000, "cursor": doc["next_cursor"]}
        elif doc.get("next_offset"):
            page = {"limit": 1000, "offset": doc["next_offset"]}
        else:
            break
    assert total == n, (total, n)
    out["all_pages_ms"] = (time.perf_counter() - t) * 1e3
    t = time.perf_counter()
    total, page = 0, {"limit": 1000, "fields": UI_COLUMNS}
    while True:
        try:
            doc = srv.post(path, page)
        except RuntimeError:  # a tree from before `fields`
            return out
        total += len(doc["runs"])
        if not doc.get("next_cursor"):
            break
        page = {**page, "cursor": doc["next_cursor"]}
    assert total == n, (total, n)
    out["all_pages_fields_ms"] = (time.perf_counter() - t) * 1e3
    t = time.perf_counter()
    total, page, size = 0, {"fields": UI_COLUMNS}, 0
    while True:
        try:
            body = srv.post_raw(path.replace("/query", "/columns"), page)
        except RuntimeError:  # a tree from before `runs/columns`
            return out
        doc = json.loads(body)
        total, size = total + len(doc["id"]), size + len(body)
        if not doc["next_cursor"]:
            break
        page = {**page, "cursor": doc["next_cursor"]}
    assert total == n, (total, n)
    out["all_columns_ms"] = (time.perf_counter() - t) * 1e3
    out["all_columns_mb"] = size / 1e6
    return out


UI_COLUMNS = ["config.lr", "summary.loss"]


def ui_list_part(srv: Server, n: int, reps: int) -> dict:
    """The workspace of the N-run project in Chromium, two value columns shown: medians of `reps`
    fresh browser contexts."""
    from bench_ui import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    walls, heaps, gcs = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(reps):
                ctx = browser.new_context(viewport={"width": 1440, "height": 900})
                base = f"http://127.0.0.1:{srv.port}"
                link = ctx.request.post(base + "/api/v1/session/links", headers=srv._h()).json()["url"]
                assert ctx.request.post(base + "/api/v1/session", data={"token": link.split("=", 1)[1]}).ok
                page = ctx.new_page()
                page.goto(f"{base}/admin/scale?cols={','.join(UI_COLUMNS)}")
                page.wait_for_function(
                    f"() => document.querySelector('.runs-table')?.getAttribute('aria-rowcount') === '{n + 1}'",
                    timeout=600_000,
                    polling=10,
                )
                walls.append(page.evaluate("() => performance.now()"))
                cdp = ctx.new_cdp_session(page)
                heaps.append(cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6)
                cdp.send("HeapProfiler.collectGarbage")
                gcs.append(cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6)
                ctx.close()
        finally:
            browser.close()
    return {
        "ui_all_rows_ms": statistics.median(walls),
        "ui_heap_mb": statistics.median(heaps),
        "ui_heap_gc_mb": statistics.median(gcs),
    }


def sdk_part(code: Path, keys: int, steps: int, work: Path, reps: int) -> dict:
    """Medians of `reps` runs, each in a fresh process."""
    runs = [sdk_once(code, keys, steps, work) for _ in range(reps)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def sdk_once(code: Path, keys: int, steps: int, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    env = code_env(code, work / "home")
    bare = subprocess.run(
        # VmHWM, not ru_maxrss: the latter keeps the forking parent's size across exec
        [
            sys.executable,
            "-c",
            "import re; print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    p = subprocess.run(
        [sys.executable, "-c", SDK, str(keys), str(steps)], cwd=work, env=env, capture_output=True, text=True
    )
    if p.returncode:
        raise RuntimeError(p.stderr[-3000:])
    doc = json.loads(p.stdout.strip().splitlines()[-1])
    doc["rss_over_bare_mb"] = (doc.pop("peak_kb") - int(bare.stdout)) * 1024 / 1e6
    shutil.rmtree(work, ignore_errors=True)
    return doc


def size(s: str) -> tuple[int, int]:
    a, b = s.lower().split("x")
    return int(a), int(b)


def run_all(args: argparse.Namespace, code: Path) -> dict:
    res: dict = {}
    for db in args.db or ["sqlite"]:
        kind = "sqlite" if db == "sqlite" else "postgresql"
        if args.only & {"chart", "panel"}:
            for r_, s_ in map(size, args.chart):
                ds = Dataset(args.cache, db, code, f"chart{r_}x{s_}", BUILD_CHART, [str(r_), str(s_)])
                srv = Server(ds, code)
                try:
                    d = chart_part(srv, r_, s_, args.reps) if "chart" in args.only else {}
                    if "panel" in args.only:
                        d.update(panel_part(srv, args.reps))
                finally:
                    srv.close()
                d["build_s"], d["server_start_s"] = ds.build_s, srv.started_s
                res[f"{kind} chart {r_}x{s_:,}"] = d
        if "list" in args.only:
            n = args.list_runs
            ds = Dataset(args.cache, db, code, f"list{n}", BUILD_LIST, [str(n)])
            srv = Server(ds, code)
            if ds.db_url:  # table statistics, as autovacuum takes them after a bulk load (a server
                # with autovacuum off would otherwise plan every page for an empty table)
                eng = sa.create_engine(ds.db_url, isolation_level="AUTOCOMMIT")
                with eng.connect() as c:
                    c.exec_driver_sql("ANALYZE")
                eng.dispose()
            try:
                d = list_part(srv, n, args.reps)
                if not args.no_browser:
                    d |= ui_list_part(srv, n, args.ui_reps)
            finally:
                srv.close()
            d["build_s"] = ds.build_s
            res[f"{kind} list {n:,} runs"] = d
    if "sdk" in args.only:
        k, s = size(args.sdk)
        res[f"sdk {k} keys x {s:,} steps"] = sdk_part(code, k, s, args.cache / "sdk-work", args.sdk_reps)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db", action="append", help="sqlite or a postgresql:// URL (repeatable; default sqlite)"
    )
    ap.add_argument("--only", default="chart,panel,list,sdk", help="parts to run: chart,panel,list,sdk")
    ap.add_argument("--chart", action="append", help="RUNSxSTEPS (repeatable; default 100x1000000)")
    ap.add_argument("--list-runs", type=int, default=100_000)
    ap.add_argument("--sdk", default="1000x50000", help="KEYSxSTEPS")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--ui-reps", type=int, default=3, help="Chromium loads of the runs list; medians")
    ap.add_argument("--no-browser", action="store_true", help="list part without the Chromium figures")
    ap.add_argument("--sdk-reps", type=int, default=3, help="SDK runs (fresh processes) per tree; medians")
    ap.add_argument("--quick", action="store_true", help="10x100000 chart, 10,000 runs, 1000x2000 SDK")
    ap.add_argument("--cache", type=Path, default=Path.home() / ".cache/runyard-bench-scale")
    ap.add_argument("--baseline", type=Path, help="another checkout: its runyard package runs too")
    ap.add_argument("--drop", action="store_true", help="remove the cached datasets and exit")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    if args.drop:
        for d in args.cache.glob("postgresql-*"):
            name = "rybench_" + re.sub(r"\W", "_", d.name)
            for db in args.db or []:
                if db != "sqlite":
                    pg_admin(db, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(args.cache, ignore_errors=True)
        return
    if args.quick:
        args.chart, args.list_runs, args.sdk = args.chart or ["10x100000"], 10_000, "1000x2000"
    args.chart = args.chart or ["100x1000000"]
    args.only = set(args.only.split(","))
    trees = {"this tree": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    load = os.getloadavg()[0]
    print(f"runyard bench_scale: {os.cpu_count()} CPUs, load average {load:.1f} at start", flush=True)
    results = {}
    for name, code in trees.items():
        print(f"[{name}: {code}]", flush=True)
        results[name] = run_all(args, code)
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    for part in results["this tree"]:
        print(part)
        for k, v in results["this tree"][part].items():
            base = results.get("baseline", {}).get(part, {}).get(k)
            line = f"  {k:<22} {v:>10.1f}"
            if base is not None:
                line += f"   baseline {base:>10.1f}   ratio {v / base if base else float('nan'):.2f}"
            print(line)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
