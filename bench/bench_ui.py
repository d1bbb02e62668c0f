"""Web UI benchmark in real Chromium: workspace load, zoom round-trip, runs-table frame times.

    .venv/bin/python bench/bench_ui.py [--reps 3] [--viewport 1440x900] [--trace DIR] [--json OUT]

Targets (issue 4):
(a) a workspace of 20 runs x 50 metrics x 100,000 steps (100M points) is interactive in < 2 s;
(b) a zoom round-trip (drag-zoom -> server re-bucket request -> redraw) < 200 ms;
(c) the runs table of 10,000 runs scrolls and sorts without a frame over 50 ms.

Data: written through the store layer (the metric write path ingest uses, as bench/bench_server.py
does; one transaction per run with one 100,000-point batch per metric), into a temporary RUNYARD_HOME
made once per invocation and reused by every repetition. A second project holds 10,000 runs with
config and summary (rows inserted directly) and 10 points of one metric each (store layer). The
server is a real `runyard` server (uvicorn) in a child process, so it does not share a GIL with the
playwright driver. Chromium is Debian's /usr/bin/chromium (headless, flags as tests/ui), signed in
by putting the API key into localStorage.

Definitions (performance.now() in the page, 0 = navigation start; every repetition is a fresh
browser context, so nothing is cached):
- interactive: every panel whose box intersects the viewport once the layout is settled has drawn
  its data (the chart's first `runyard:draw` with points, see web/src/components/LineChart.tsx), and
  no long task (> 50 ms, PerformanceObserver "longtask") that started before that draw is still
  running: interactive = max(last first-draw, end of every long task starting before it).
- zoom round-trip: a real mouse drag over the first visible chart (playwright mouse down/move/up);
  from the mouseup event (a capture listener records its time) to the first draw of that panel
  after its re-bucketed response arrived (the panel's data-ready-at). "all visible" is the same up to
  the last visible panel's redraw (every panel follows the workspace zoom).
- frames: a requestAnimationFrame loop records frame intervals while the mouse wheel scrolls the
  virtualized table (40 wheel events of 300 px, one per 16 ms, then 10 flings of 3,000 px) and
  while a column header is clicked to sort (three clicks: ascending, descending, off, each followed by
  1 s of frames). The maximum interval is the figure; long tasks are counted too. The idle page's
  frame interval is printed as the baseline.

Figures are the medians of --reps repetitions; the 1-minute load average is printed with each (this
is a shared 2-core machine). Always exits 0 (a report, not a gate).
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

CHROMIUM = os.environ.get("RUNYARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
N_RUNS, N_METRICS, N_STEPS = 20, 50, 100_000
SECTIONS = ["train", "eval", "grad", "optim", "data"]
TABLE_RUNS = 10_000


# -- data + server (child process) -------------------------------------------------------------------
def _generate(store, entity: str, runs_n: int, metrics_n: int, steps: int, table_runs: int) -> dict:
    import numpy as np
    import sqlalchemy as sa

    from runyard.store import run_values
    from runyard.store.chunks import Points
    from runyard.store.tables import runs

    out = {}
    t = time.perf_counter()
    eid = store.db.read(lambda c: store.entities.get(c, entity).id)
    pid = store.db.write(lambda c: store.projects.get_or_create(c, eid, "perf"))
    rng = np.random.default_rng(0)
    step = np.arange(steps, dtype=np.int64)
    gseq = np.arange(1, steps + 1, dtype=np.int64)
    ts = 1.7e9 + step * 0.05
    per = metrics_n // len(SECTIONS)
    names = [f"{SECTIONS[j // per]}/m{j % per:02d}" for j in range(metrics_n)]
    for i in range(runs_n):

        def one(c, i=i):
            rid = f"run{i:02d}"
            pk = store.runs.get_or_create(
                c, pid, rid, {"start_time": 1.7e9 + i, "name": f"perf-{i:02d}"}, None
            )
            series, summary = {}, {}
            for j, k in enumerate(names):
                v = np.cumsum(rng.normal(size=steps)) * 0.01 + np.exp(-step / (20_000 + 1000 * j)) * (
                    1 + i * 0.05
                )
                series[k] = [Points(gseq, step, ts, v)]
                summary[k] = float(v[-1])
            store.metrics.append(c, pk, "history", series)
            c.execute(
                sa.update(runs)
                .where(runs.c.id == pk)
                .values(
                    state="finished",
                    config={"lr": [1e-4, 3e-4, 1e-3][i % 3], "seed": i},
                    summary=summary,
                    last_step=steps - 1,
                    history_points=steps * metrics_n,
                    ended_at=1.7e9 + i + steps * 0.05,
                    runtime=steps * 0.05,
                )
            )

        store.db.write(one)
    out["perf_generate_s"] = time.perf_counter() - t

    t = time.perf_counter()
    pid2 = store.db.write(lambda c: store.projects.get_or_create(c, eid, "table"))
    now = time.time()
    r = np.random.default_rng(1)
    opts = ["adam", "sgd", "lamb"]
    rows = [
        {
            "project_id": pid2,
            "run_id": f"t{i:05d}",
            "name": f"sweep-{i:05d}",
            "state": ["finished", "failed", "crashed", "finished"][i % 4],
            "config": {
                "optimizer": opts[i % 3],
                "lr": float(r.random()),
                "layers": int(r.integers(1, 48)),
                "model": {"width": [256, 512, 1024][i % 3]},
            },
            "summary": {"acc": float(r.random()), "loss": float(r.random() * 3), "_step": 9},
            "summary_state": {},
            "tags": [["grpo"], ["ppo"], ["grpo", "long"]][i % 3],
            "flags": {},
            "metadata": {},
            "created_at": now - i * 60,
            "updated_at": now,
            "heartbeat_at": now,
            "ended_at": now - i * 60 + 3600 + i,
            "runtime": 3600.0 + i,
            "last_step": 9,
            "history_points": 10,
        }
        for i in range(table_runs)
    ]
    store.db.write(lambda c: c.execute(sa.insert(runs), rows))
    store.db.write(run_values.backfill)  # rows inserted past Runs.update: indexed as the migration does
    pks = store.db.read(
        lambda c: c.execute(sa.select(runs.c.id).where(runs.c.project_id == pid2)).scalars().all()
    )
    s10 = np.arange(10, dtype=np.int64)

    def pts(c):
        for pk in pks:
            v = np.exp(-s10 / 5) + r.random(10) * 0.1
            store.metrics.append(c, pk, "history", {"loss": [Points(s10 + 1, s10, now + s10, v)]})

    store.db.write(pts)
    out["table_generate_s"] = time.perf_counter() - t
    return out


def serve(home: Path, dist: Path | None) -> None:
    """Child: make the data once (if the home is new), start the server, print how to reach it."""
    import runyard.webui
    from runyard.server import ServerConfig, ServerThread

    if dist:
        runyard.webui.DIST = dist  # ui_app() serves this build (A/B against another build)

    fresh = not (home / "bench-ui-data").exists()
    cfg = ServerConfig.resolve(home=home, db_url=f"sqlite:///{home / 'runyard.db'}", port=0)
    srv = ServerThread(cfg)
    srv.start()
    info: dict = {"url": srv.url, "entity": cfg.admin_name}
    if fresh:
        info.update(_generate(srv.store, cfg.admin_name, N_RUNS, N_METRICS, N_STEPS, TABLE_RUNS))
        (home / "bench-ui-data").write_text(json.dumps({"key": srv.api_key}))
    info["key"] = json.loads((home / "bench-ui-data").read_text())["key"]
    print("READY " + json.dumps(info), flush=True)
    sys.stdin.readline()
    srv.stop()


# -- browser (parent) --------------------------------------------------------------------------------
INIT = """
localStorage.setItem('runyard:chart-format', %s);
window.__longtasks = [];
try {
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
} catch (e) {}
window.__ups = [];
addEventListener('mouseup', () => window.__ups.push(performance.now()), true);
window.__frames = null;
window.__startFrames = () => {
  window.__frames = [];
  let last = null;
  const tick = (t) => {
    if (!window.__frames) return;
    if (last !== null) window.__frames.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};
window.__stopFrames = () => { const f = window.__frames; window.__frames = null; return f; };
"""

# Every panel on screen has drawn its data (and none is still loading).
ALL_VISIBLE_DRAWN = """() => {
  const ps = [...document.querySelectorAll('section.panel')];
  if (!ps.length) return false;
  const vis = ps.filter((p) => { const r = p.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; });
  if (!vis.length) return false;
  return vis.every((p) => p.dataset.state === 'ready' && p.querySelector('.chart[data-first-drawn-at]'));
}"""

VISIBLE_STATS = """() => {
  const ps = [...document.querySelectorAll('section.panel')];
  const vis = ps.filter((p) => { const r = p.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; });
  const first = vis.map((p) => Number(p.querySelector('.chart').dataset.firstDrawnAt));
  const last = Math.max(...first);
  const lt = window.__longtasks.filter(([s]) => s < last);
  const ltEnd = Math.max(0, ...lt.map(([s, d]) => s + d));
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  const res = performance.getEntriesByType('resource');
  const hist = res.filter((r) => r.name.includes('/history?'));
  return {
    panels: ps.length, visible: vis.length, last_first_draw_ms: last, first_first_draw_ms: Math.min(...first),
    interactive_ms: Math.max(last, ltEnd), longtasks_before: lt.length,
    longtask_ms_before: lt.reduce((a, [, d]) => a + d, 0),
    dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null, fcp_ms: fcp ? fcp.startTime : null,
    history_requests: hist.length, history_bytes: hist.reduce((a, r) => a + (r.encodedBodySize || 0), 0),
    history_max_ms: Math.max(0, ...hist.map((r) => r.duration)),
  };
}"""


def _load() -> float:
    return os.getloadavg()[0]


def _sign_in(ctx, info: dict) -> None:
    """The browser signs in with a session cookie, as users do (a one-time link made with the key)."""
    auth = {"Authorization": f"Bearer {info['key']}"}
    token = (
        ctx.request.post(info["url"] + "/api/v1/session/links", headers=auth).json()["url"].split("=", 1)[1]
    )
    assert ctx.request.post(info["url"] + "/api/v1/session", data={"token": token}).ok


def _visible_panels(page) -> list:
    return page.evaluate(
        """() => [...document.querySelectorAll('section.panel')].filter((p) => { const r = p.getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; }).map((p) => p.dataset.metric)"""
    )


def measure_workspace(browser, info: dict, viewport: tuple[int, int], trace: Path | None, rep: int) -> dict:
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    _sign_in(ctx, info)
    ctx.add_init_script(INIT % json.dumps(info["format"]))
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    load = _load()
    if trace:
        browser.start_tracing(page=page, path=str(trace / f"workspace-{rep}.json"), screenshots=False)
    page.goto(f"{info['url']}/{info['entity']}/perf" + (f"?grid={info['grid']}" if info.get("grid") else ""))
    page.wait_for_function(ALL_VISIBLE_DRAWN, timeout=60_000, polling=20)
    page.wait_for_timeout(400)  # let long tasks that started before the last draw report
    out = page.evaluate(VISIBLE_STATS)
    if trace:
        browser.stop_tracing()
    out["load"] = load

    # zoom round-trips: drag over 30 %..60 % of the first visible chart, three times (nested windows)
    zooms = []
    metric = _visible_panels(page)[0]
    for _ in range(3):
        load = _load()
        over = page.locator(f'section.panel[data-metric="{metric}"] .u-over')
        box = over.bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.3, y)
        page.mouse.down()
        for k in range(1, 6):
            page.mouse.move(box["x"] + box["width"] * (0.3 + 0.06 * k), y)
        page.mouse.up()
        res = page.wait_for_function(
            """([m]) => {
              const up = window.__ups[window.__ups.length - 1];
              const vis = [...document.querySelectorAll('section.panel')].filter((p) => { const r = p.getBoundingClientRect();
                return r.bottom > 0 && r.top < innerHeight; });
              const done = (p) => { const ready = Number(p.dataset.readyAt || 0); const c = p.querySelector('.chart');
                return p.dataset.state === 'ready' && ready > up && c && Number(c.dataset.drawnAt) >= ready ? Number(c.dataset.drawnAt) : null; };
              const me = document.querySelector(`section.panel[data-metric="${m}"]`);
              const t = done(me);
              const all = vis.map(done);
              if (t === null || all.some((x) => x === null)) return null;
              const req = performance.getEntriesByType('resource').filter((r) => r.startTime > up
                && r.name.includes('/history?') && r.name.includes('key=' + encodeURIComponent(m)))[0];
              const parts = req ? [req.startTime - up, req.responseEnd - req.startTime, t - req.responseEnd] : null;
              return [t - up, Math.max(...all) - up, new URL(location.href).searchParams.get('zoom'), parts];
            }""",
            arg=[metric],
            timeout=30_000,
            polling="raf",
        ).json_value()
        assert res[2], "the drag did not zoom"
        # parts: mouseup -> request sent, request sent -> response end, response end -> drawn
        zooms.append({"ms": res[0], "all_ms": res[1], "parts": res[3], "load": load})
        page.wait_for_timeout(300)
    out["zoom"] = zooms
    out["errors"] = errors
    ctx.close()
    return out


SCROLLER = ".runs-table .rt-scroll"


def _frames(page, action) -> dict:
    page.evaluate("window.__longtasks = []; window.__startFrames()")
    page.wait_for_timeout(200)
    action()
    page.wait_for_timeout(300)
    f = page.evaluate("window.__stopFrames()")
    lt = page.evaluate("window.__longtasks")
    f = f[3:]  # the first frames after the loop starts include the evaluate round trip
    return {
        "frames": len(f),
        "max_ms": max(f) if f else None,
        "p95_ms": sorted(f)[int(len(f) * 0.95)] if f else None,
        "over_50": sum(1 for x in f if x > 50),
        "longtasks": len(lt),
        "longtask_max_ms": max((d for _, d in lt), default=0),
    }


def measure_table(browser, info: dict, viewport: tuple[int, int], trace: Path | None, rep: int) -> dict:
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    _sign_in(ctx, info)
    ctx.add_init_script(INIT % json.dumps(info["format"]))
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    t = time.perf_counter()
    page.goto(
        f"{info['url']}/{info['entity']}/table?cols=config.lr,summary.acc,config.optimizer"
        + os.environ.get("BENCH_UI_TABLE_EXTRA", "")
    )
    page.wait_for_function(
        """() => (document.querySelector('.ws-runs-bar')?.textContent ?? '').replace(/[^0-9 ]/g, '').startsWith('10000 ')""",
        timeout=60_000,
    )
    if "collapsed" not in page.url:
        page.wait_for_function(ALL_VISIBLE_DRAWN, timeout=60_000)
    out: dict = {"open_s": time.perf_counter() - t}
    page.wait_for_timeout(500)
    out["idle"] = _frames(page, lambda: page.wait_for_timeout(1000))
    box = page.locator(SCROLLER).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    def scroll():
        for _ in range(40):
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(16)
        for _ in range(10):
            page.mouse.wheel(0, 3000)
            page.wait_for_timeout(50)

    if trace:
        browser.start_tracing(page=page, path=str(trace / f"table-{rep}.json"), screenshots=False)
    out["load"] = _load()
    out["scroll"] = _frames(page, scroll)
    out["scroll"]["scroll_top"] = page.evaluate(f"document.querySelector('{SCROLLER}').scrollTop")
    assert out["scroll"]["scroll_top"] > 20_000, out["scroll"]
    sorts = []
    for label in ("acc", "Name", "lr"):
        head = page.locator(".runs-table [role=columnheader] button", has_text=label).first
        for _ in range(3):

            def click(head=head):
                head.click()
                page.wait_for_timeout(1000)

            sorts.append(_frames(page, click))
    if trace:
        browser.stop_tracing()
    out["sort"] = {
        "clicks": len(sorts),
        "max_ms": max(s["max_ms"] for s in sorts),
        "over_50": sum(s["over_50"] for s in sorts),
        "longtask_max_ms": max(s["longtask_max_ms"] for s in sorts),
        "per_click_max_ms": [round(s["max_ms"], 1) for s in sorts],
    }
    out["errors"] = errors
    ctx.close()
    return out


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--viewport", default="1440x900")
    ap.add_argument("--trace", type=Path, help="write Chrome traces (chrome://tracing format) here")
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--home", type=Path, help="reuse this RUNYARD_HOME (made when new) instead of a temp dir")
    ap.add_argument("--only", choices=["workspace", "table"])
    ap.add_argument(
        "--grid",
        type=int,
        default=3,
        choices=[0, 1, 2, 3, 4],
        help="workspace panel columns (?grid=N; 0: as many as fit)",
    )
    ap.add_argument(
        "--format",
        choices=["json", "msgpack", "both"],
        default="both",
        help="chart answers' wire format (localStorage runyard:chart-format); both: measure each",
    )
    ap.add_argument(
        "--dist", type=Path, help="serve the UI from this vite build instead of runyard/webui/dist (A/B runs)"
    )
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        serve(a.serve, a.dist)
        return
    from runyard.webui import DIST

    if not ((a.dist or DIST) / "index.html").is_file():
        sys.exit("web UI not built: run scripts/build-web.sh")
    vp = tuple(int(x) for x in a.viewport.split("x"))
    if a.trace:
        a.trace.mkdir(parents=True, exist_ok=True)
    tmp = None
    if a.home:
        home = a.home
        home.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="runyard-bench-ui-")
        home = Path(tmp.name)
    print(
        f"bench_ui: {N_RUNS} runs x {N_METRICS} metrics x {N_STEPS:,} steps + {TABLE_RUNS:,}-run table; "
        f"home {home}; load {_load():.2f}",
        flush=True,
    )
    t = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(home), *(["--dist", str(a.dist)] if a.dist else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = ""
    while not line.startswith("READY "):
        line = child.stdout.readline()
        if not line:
            sys.exit("bench_ui: the server child exited")
    info = json.loads(line[6:])
    print(
        f"data + server ready in {time.perf_counter() - t:.1f} s "
        + " ".join(f"{k}={v:.1f}" for k, v in info.items() if k.endswith("_s")),
        flush=True,
    )

    from playwright.sync_api import sync_playwright

    formats = ["json", "msgpack"] if a.format == "both" else [a.format]
    result: dict = {"viewport": a.viewport, "ws": {f: [] for f in formats}, "table": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for rep in range(a.reps):
                for fmt in formats if a.only != "table" else []:
                    w = measure_workspace(browser, dict(info, format=fmt, grid=a.grid), vp, a.trace, rep)
                    result["ws"][fmt].append(w)
                    print(
                        f"  rep {rep + 1} workspace ({fmt}): interactive {w['interactive_ms']:.0f} ms "
                        f"({w['visible']}/{w['panels']} panels visible, {w['history_requests']} chart requests, "
                        f"{w['history_bytes'] / 1e3:.0f} kB, {w['longtasks_before']} long tasks "
                        f"{w['longtask_ms_before']:.0f} ms) zoom {[round(z['ms']) for z in w['zoom']]} ms, "
                        f"all visible {[round(z['all_ms']) for z in w['zoom']]} ms, load {w['load']:.2f}",
                        flush=True,
                    )
                if a.only != "workspace":
                    tb = measure_table(browser, dict(info, format=formats[0]), vp, a.trace, rep)
                    result["table"].append(tb)
                    print(
                        f"  rep {rep + 1} table: scroll max frame {tb['scroll']['max_ms']:.1f} ms "
                        f"({tb['scroll']['frames']} frames, {tb['scroll']['over_50']} > 50 ms), sort max frame "
                        f"{tb['sort']['max_ms']:.1f} ms {tb['sort']['per_click_max_ms']}, idle frame "
                        f"{tb['idle']['p95_ms']:.1f} ms p95, load {tb['load']:.2f}",
                        flush=True,
                    )
            browser.close()
    finally:
        child.stdin.write("\n")
        child.stdin.flush()
        child.wait(30)
        if tmp:
            tmp.cleanup()
    report(result, a.reps)
    if a.json:
        a.json.write_text(json.dumps(result, indent=1))


def report(result: dict, reps: int) -> None:
    def row(name, values, target, loads, extra=""):
        v = med(values)
        print(
            f"{name:<46} {v:8.1f} ms  target < {target:g} ms  {'PASS' if v < target else 'MISS'}"
            f"  (min {min(values):.0f} max {max(values):.0f}, load {med(loads):.2f}){extra}"
        )

    print(f"\nmedians of {reps} (viewport {result['viewport']}, Chromium headless, software rendering)")
    for fmt, ws in result["ws"].items():
        if not ws:
            continue
        row(
            f"(a) workspace interactive [{fmt}]",
            [w["interactive_ms"] for w in ws],
            2000,
            [w["load"] for w in ws],
        )
        zs = [z for w in ws for z in w["zoom"]]
        row(
            f"(b) zoom round-trip, dragged panel [{fmt}]",
            [z["ms"] for z in zs],
            200,
            [z["load"] for z in zs],
            f" {len(zs)} zooms",
        )
        print(
            f"{'    every visible panel redrawn':<46} {med([z['all_ms'] for z in zs]):8.1f} ms"
            f"  (max {max(z['all_ms'] for z in zs):.0f})"
        )
        parts = [z["parts"] for z in zs if z["parts"]]
        if parts:
            print(
                f"{'    dragged panel: to request / request / draw':<46} "
                + " / ".join(f"{med([x[i] for x in parts]):.0f}" for i in range(3))
                + " ms (medians)"
            )
    if result["table"]:
        tb = result["table"]
        loads = [t["load"] for t in tb]
        row("(c) table scroll: worst frame", [t["scroll"]["max_ms"] for t in tb], 50, loads)
        row("(c) table sort: worst frame", [t["sort"]["max_ms"] for t in tb], 50, loads)
        print(
            f"{'    idle frame interval p95 (baseline)':<46} {med([t['idle']['p95_ms'] for t in tb]):8.1f} ms"
        )
    errs = [e for r in [x for v in result["ws"].values() for x in v] + result["table"] for e in r["errors"]]
    if errs:
        print("page errors:", errs[:5])


if __name__ == "__main__":
    main()
