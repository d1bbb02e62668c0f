"""Report benchmark in real Chromium: a report of 20 panels over 50 runs x 100,000 steps (100M points)
opens interactive in < 2 s (issue 13).

    .venv/bin/python bench/bench_report.py [--reps 3] [--viewport 1440x900] [--home DIR] [--format both]

The method is bench_ui.py's, reused from it: data written through the store layer into a temporary
RUNYARD_HOME (50 runs x 20 metrics x 100,000 steps, a project "perf"), a real server in a child
process, Debian's Chromium signed in with a session; "interactive" = every panel on screen has drawn
its data and no long task that started before the last of those draws is still running. The report
is one panel grid of the 20 metrics bound to a run set of the project's 50 runs, made with
`runyard.Api().create_report`. Each repetition is a fresh browser context, for each chart answer
format (msgpack, the UI's default, and JSON; localStorage runyard:chart-format). Always exits 0.
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

import bench_ui as ui

RUNS, METRICS = 50, 20


def serve(home: Path) -> None:
    ui.N_RUNS, ui.N_METRICS, ui.TABLE_RUNS = RUNS, METRICS, 1
    ui.serve(home, None)


def measure(browser, info: dict, report_url: str, viewport: tuple[int, int], fmt: str) -> dict:
    ctx = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    ui._sign_in(ctx, info)
    ctx.add_init_script(ui.INIT % json.dumps(fmt))
    page = ctx.new_page()
    load = ui._load()
    page.goto(report_url)
    page.wait_for_function(ui.ALL_VISIBLE_DRAWN, timeout=120_000, polling=20)
    page.wait_for_timeout(400)  # long tasks that started before the last draw report late
    out = page.evaluate(ui.VISIBLE_STATS)
    out["load"] = load
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--viewport", default="1440x900")
    ap.add_argument("--home", type=Path, help="reuse this RUNYARD_HOME (made when new)")
    ap.add_argument(
        "--format", choices=["msgpack", "json", "both"], default="both", help="chart answers' format"
    )
    ap.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.serve:
        serve(a.serve)
        return
    vp = tuple(int(x) for x in a.viewport.split("x"))
    tmp = None if a.home else tempfile.TemporaryDirectory(prefix="runyard-bench-report-")
    home = a.home or Path(tmp.name)  # type: ignore[union-attr]
    home.mkdir(parents=True, exist_ok=True)
    print(
        f"bench_report: {RUNS} runs x {METRICS} metrics x {ui.N_STEPS:,} steps; load {ui._load():.2f}",
        flush=True,
    )
    t = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ui.ROOT))
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    line = ""
    while not line.startswith("READY "):
        line = child.stdout.readline()  # type: ignore[union-attr]
        if not line:
            sys.exit("bench_report: the server child exited")
    info = json.loads(line[6:])
    print(f"data + server ready in {time.perf_counter() - t:.1f} s", flush=True)
    try:
        import runyard

        api = runyard.Api({"base_url": info["url"]}, api_key=info["key"])
        metrics = [
            k["key"] for k in api.client.call("GET", f"/api/v1/projects/{info['entity']}/perf/keys")["keys"]
        ]
        rs = {"projects": [f"{info['entity']}/perf"]}
        rep = api.create_report(
            f"{info['entity']}/perf",
            "bench",
            blocks=[{"type": "panels", "runset": rs, "metrics": sorted(metrics)}],
        )
        from playwright.sync_api import sync_playwright

        formats = ["msgpack", "json"] if a.format == "both" else [a.format]
        figures: dict[str, list[float]] = {f: [] for f in formats}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=ui.CHROMIUM, args=ui.CHROMIUM_ARGS)
            for r in range(a.reps):
                for fmt in formats:  # interleaved: both formats see the same load
                    m = measure(browser, info, rep.url, vp, fmt)
                    figures[fmt].append(m["interactive_ms"])
                    print(
                        f"  rep {r + 1} ({fmt}): interactive {m['interactive_ms']:.0f} ms ({m['visible']}/{m['panels']} "
                        f"panels visible, {m['history_requests']} chart requests, {m['history_bytes'] / 1e3:.0f} kB, "
                        f"{m['longtasks_before']} long tasks) load {m['load']:.2f}",
                        flush=True,
                    )
            browser.close()
        for fmt, fs in figures.items():
            print(
                f"report of {len(metrics)} panels x {RUNS} runs [{fmt}]: interactive median "
                f"{statistics.median(fs):.0f} ms (min {min(fs):.0f}, max {max(fs):.0f}; target < 2000 ms)"
            )
    finally:
        child.stdin.write("\n")  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]
        child.wait(30)
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
