"""The web UI in real Chromium against a real server (see conftest.py)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import msgpack
import numpy as np

from .conftest import drag, shot


def ws_url(server, query: str = "") -> str:
    return f"{server.url}/{server.entity}/demo{query}"


def test_home_lists_projects(page, server):
    page.goto(server.url + "/")
    row = page.get_by_role("row").filter(has_text="demo")
    row.wait_for()
    assert "8" in row.inner_text()
    shot(page, "01-home")


def test_workspace_table_panels_filter_sort(page, server):
    page.goto(ws_url(server))
    page.get_by_text("8 runs").wait_for()
    # auto panels in / sections, stable order: eval before train (wait until the keys have loaded)
    page.locator('section.panel[data-metric="train/loss"] canvas').first.wait_for()
    sections = page.locator("section.section h2").all_inner_texts()
    names = [s.split()[1] for s in sections]
    assert names.index("eval") < names.index("train"), names
    shot(page, "02-workspace")

    f = page.get_by_label("Filter runs")
    f.fill('config.lr > 5e-4 and tags contains "grpo"')
    page.get_by_text("of 8 runs").wait_for()
    rows = page.locator(".rt-row")
    names = rows.locator("a").all_inner_texts()
    assert names and all(int(n.split("-")[1]) % 2 == 0 for n in names), names
    assert "q=" in page.url
    f.fill("config.lr >")
    page.get_by_role("alert").filter(has_text="Expected a value").wait_for()
    shot(page, "03-filter-error")
    f.fill("")
    page.get_by_text("8 runs", exact=True).wait_for()

    page.get_by_role("button", name=re.compile("^Name")).click()
    first = page.locator(".rt-row a").first.inner_text()
    assert first == "run-00"
    page.get_by_role("button", name=re.compile("^Name")).click()
    page.wait_for_function("() => document.querySelector('.rt-row a').textContent === 'run-07'")
    assert "sort=name" in page.url or "sort=-name" in page.url


def test_group_toggle_smoothing(page, server):
    page.goto(ws_url(server, "?group=config.optimizer.name"))
    panel = page.locator('section.panel[data-metric="train/loss"]')
    panel.locator("canvas").first.wait_for()
    shot(page, "04-grouped")
    # hide one run with its eye toggle
    page.goto(ws_url(server))
    page.get_by_role("button", name="Hide run-03 in charts").click()
    assert "hide=" in page.url
    assert page.get_by_role("button", name="Show run-03 in charts").get_attribute("aria-pressed") == "false"
    page.get_by_label("Smoothing", exact=True).select_option("twema")
    assert "smooth=twema" in page.url
    page.locator('section.panel[data-metric="train/loss"] canvas').first.wait_for()
    shot(page, "05-smoothing")


def test_zoom_requeries_the_server(page, server):
    page.goto(ws_url(server))
    panel = page.locator('section.panel[data-metric="train/loss"]')
    over = panel.locator(".u-over")
    over.wait_for()
    page.wait_for_timeout(300)
    # under load the panel may still be laying out (or re-creating its chart): wait until it has a size
    page.wait_for_function(
        """() => { const o = document.querySelector('section.panel[data-metric="train/loss"] .u-over');
                   return !!o && o.getBoundingClientRect().width > 0; }"""
    )
    with page.expect_response(
        lambda r: "/history?" in r.url and "min=" in r.url and "key=train%2Floss" in r.url
    ) as resp:
        drag(
            page,
            over,
            lambda b: [(b["width"] * 0.3, b["height"] / 2), (b["width"] * 0.5, b["height"] / 2)],
            steps=8,
        )
    q = parse_qs(urlparse(resp.value.url).query)
    a, b = float(q["min"][0]), float(q["max"][0])
    assert 300 < a < b < 1300, (a, b)
    # the UI's chart answers are msgpack: numeric columns as {dtype, data} (raw little-endian arrays)
    assert resp.value.headers["content-type"].startswith("application/x-msgpack")
    body = msgpack.unpackb(resp.value.body())
    assert body["min"] == a and body["max"] == b
    # the re-bucketed window keeps exact extremes: run-00's spike at step 777 is still there
    if a <= 777 <= b:
        tops = [np.frombuffer(s["max"]["data"], s["max"]["dtype"]) for s in body["series"] if s["found"]]
        assert max(float(np.nanmax(t)) for t in tops if len(t)) == 50.0
    assert "zoom=" in page.url
    shot(page, "06-zoomed")
    over.dblclick()
    page.wait_for_function("() => !location.search.includes('zoom=')")


def test_run_page_overview_and_logs(page, server):
    rid = server.runs[1]["id"]
    page.goto(f"{server.url}/{server.entity}/demo/runs/{rid}")
    page.get_by_role("heading", name="run-01").wait_for()
    page.get_by_text("optimizer.name").wait_for()
    shot(page, "07-run-overview")
    page.get_by_role("tab", name="Logs").click()
    warn = page.locator(".console-line span", has_text="WARN").first
    warn.wait_for()
    assert "font-weight: 700" in (warn.get_attribute("style") or "")
    page.get_by_label("Search logs").fill("lr=")
    page.get_by_text("1 of").wait_for()
    shot(page, "08-run-logs")
    page.get_by_role("tab", name="Charts").click()
    page.locator('section.panel[data-metric="train/loss"] canvas').first.wait_for()


def test_compare_differences_only(page, server):
    ids = [server.runs[0]["id"], server.runs[2]["id"]]
    page.goto(f"{server.url}/{server.entity}/demo/compare?runs={','.join(ids)}")
    page.get_by_role("heading", name="Compare runs").wait_for()
    cfg = page.get_by_role("region", name="Config")
    all_rows = cfg.locator("tbody tr").count()
    page.get_by_label("Differences only").check()
    page.wait_for_function(
        f"() => document.querySelectorAll('section[aria-label=Config] tbody tr').length < {all_rows}"
    )
    keys = cfg.locator("tbody th").all_inner_texts()
    assert "lr" in keys and "seed" in keys and "optimizer.name" not in keys, keys
    shot(page, "09-compare")


def test_error_pages(page, server):
    page.goto(f"{server.url}/{server.entity}/demo/runs/does-not-exist")
    page.get_by_role("heading", name="Not found").wait_for()
    page.goto(f"{server.url}/{server.entity}/no-such-project")
    page.get_by_role("heading", name="Not found").wait_for()
    page.goto(f"{server.url}/a/b/c/d/e/f")
    page.get_by_role("heading", name="Not found").wait_for()
    shot(page, "10-not-found")


def test_server_unreachable(browser, server):
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.route("**/api/**", lambda route: route.abort())
    pg.goto(server.url + "/")
    pg.get_by_role("heading", name="Cannot reach the runyard server").wait_for()
    pg.get_by_role("button", name="Retry").wait_for()
    shot(pg, "11-unreachable")
    ctx.close()


LIVE_WRITER = """
import sys, time, runyard
run = runyard.init(project="demo", mode="offline", name="live-run", config={"lr": 0.5},
                   settings={"silent": True, "x_disable_stats": True})
print("DIR " + run.sync_dir, flush=True)
s = 0
while True:  # until the test kills it: a run that stays "running"
    runyard.log({"train/loss": 1.0 / (s + 1)})
    s += 1
    time.sleep(0.01)
"""


def test_live_run_points_arrive_without_refetching(page, server, tmp_path):
    import os
    import subprocess
    import sys
    import time

    from .conftest import REPO

    env = dict(os.environ, RUNYARD_HOME=str(server.config.home), PYTHONPATH=str(REPO), RUNYARD_SILENT="true")
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        env.pop(k, None)
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", LIVE_WRITER], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        run_dir = proc.stdout.readline().split("DIR ", 1)[1].strip()
        time.sleep(1.0)

        def sync() -> None:
            p = subprocess.run(
                [sys.executable, "-m", "runyard", "sync", run_dir],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert p.returncode == 0, p.stdout + p.stderr

        sync()
        page.goto(ws_url(server, "?q=name%20%3D%20live-run"))
        page.get_by_role("row").filter(has_text="live-run").get_by_text("running").wait_for()
        page.locator('section.panel[data-metric="train/loss"] canvas').first.wait_for()
        page.wait_for_timeout(500)
        seen: list[str] = []
        page.on("request", lambda r: seen.append(r.url) if "/history" in r.url else None)
        time.sleep(0.5)
        # how soon the push arrives is measured in bench/, not asserted here (the machine is shared)
        with page.expect_response(lambda r: "/history/raw?" in r.url and "min_step=" in r.url) as resp:
            sync()
        series = resp.value.json()["series"]
        new = next(s for s in series if s["key"] == "train/loss")
        assert new["found"] and len(new["step"]) > 0
        min_step = int(parse_qs(urlparse(resp.value.url).query)["min_step"][0])
        assert min(new["step"]) >= min_step > 0  # only the new points came, not the history
        assert not [u for u in seen if "/projects/" in u and "/history?" in u], (
            seen
        )  # no whole-history refetch
        shot(page, "12-live")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def test_runs_table_fetches_only_the_columns_it_shows(page, server):
    """The table lists runs as columns, with the config/summary values of its columns only; a
    column added later is fetched then (that value alone) and shows for every run."""
    asked: list[dict] = []
    page.on(
        "request",
        lambda r: asked.append(r.post_data_json) if r.url.endswith("/runs/columns") else None,
    )

    def listing(r) -> bool:
        return r.url.endswith("/runs/columns")

    with page.expect_response(listing) as first:
        page.goto(ws_url(server, "?cols=config.lr"))
    cols = first.value.json()  # the demo's 8 runs (and a run of the live test, if it ran)
    assert len(cols["id"]) >= 8 and set(cols["values"]) == {"config.lr"} and "config" not in cols, cols
    page.get_by_text(f"{len(cols['id'])} runs", exact=True).wait_for()

    def column(i: int) -> dict[str, str]:
        """The demo runs' cells of column i, by run name."""
        cells = page.evaluate(
            "(i) => [...document.querySelectorAll('.rt-row')].map((r) => [r.querySelector('a').textContent,"
            " r.querySelectorAll('[role=cell]')[i].textContent])",
            i,
        )
        return {name: text for name, text in cells if name.startswith("run-")}

    assert page.locator(".rt-head [role=columnheader]").nth(6).inner_text().strip() == "lr"
    lrs = column(6)
    assert len(lrs) == 8 and all(lrs.values()), lrs

    page.locator(".ws-runs-bar").get_by_role("button", name="Columns").click()
    with page.expect_response(
        lambda r: listing(r) and r.request.post_data_json["fields"] == ["summary.best"]
    ):
        page.get_by_role("checkbox", name="summary.best").check()
    page.get_by_role("button", name="Done").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.rt-row')].some((r) => r.querySelectorAll('[role=cell]')[7].textContent)"
    )
    assert column(7) == {f"run-{i:02d}": str(42 + i) for i in range(8)}
    assert column(6) == lrs  # the first column's values are kept
    assert [q["fields"] for q in asked] == [["config.lr"], ["summary.best"]], asked
