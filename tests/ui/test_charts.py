"""Chart panels and the runs around them: log scales, colours, run order, axes, the hover legend and
empty states. A project of 20 runs named by learning rate (see conftest.py for the server)."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from .conftest import client_env, runyard_cli, shot, sign_in, write_runs

LOSS = 'section.panel[data-metric="train/loss"]'
LRS = ["0.0001", "0.0002", "0.0003", "0.0005", "0.001", "0.002", "0.003", "0.005", "0.01", "0.02"]
LRS += ["0.03", "0.05", "0.1", "0.2", "0.3", "0.5", "1", "2", "3", "5"]

CHARTS_WRITER = textwrap.dedent("""
    import json, sys, runyard
    out = []
    for i, lr in enumerate(json.loads(sys.argv[1])):
        run = runyard.init(project="charts", mode="offline", name=f"lr-{lr}", config={"lr": float(lr)},
                           settings={"silent": True, "x_disable_stats": True})
        runyard.define_metric("train/loss", summary="min")
        steps = 20 if i == 0 else 200  # the first run ends long before the others
        for s in range(steps):
            runyard.log({"train/loss": 1.0 / (s + 1) + float(lr), "net/recv": 1_000_000 + 10_000 * s})
            if s % 50 == 49:
                runyard.log({"eval/score": s / 200})  # a row of its own: never with train/loss
        runyard.finish()
        out.append({"dir": run.sync_dir, "id": run.id})
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def charts(server, tmp_path_factory):
    work = tmp_path_factory.mktemp("charts-runs")
    env = client_env(server.config.home)
    runs = write_runs(CHARTS_WRITER, [json.dumps(LRS)], work, env)
    runyard_cli(["sync", *[r["dir"] for r in runs]], work, env)
    return runs


def ws_url(server, project: str, query: str = "") -> str:
    return f"{server.url}/{server.entity}/{project}{query}"


def _drawn(page, selector: str, timeout: float = 20_000) -> None:
    """Wait until the chart in `selector` has drawn points (a frozen tab never gets there)."""
    page.wait_for_function(
        "s => !!document.querySelector(s + ' .chart[data-draws]')", arg=selector, timeout=timeout
    )


def _ticks(page, selector: str, axis: str) -> list[str]:
    page.wait_for_function("s => !!document.querySelector(s)", arg=f"{selector} .chart[data-{axis}-ticks]")
    return page.locator(f"{selector} .chart").first.get_attribute(f"data-{axis}-ticks").split("|")


def test_log_y_from_the_url_and_full_screen(page, server):
    page.goto(ws_url(server, "demo", "?logy=1"))
    _drawn(page, LOSS)
    page.locator(LOSS).get_by_role("button", name="Show train/loss full screen").click()
    _drawn(page, ".modal " + LOSS)
    shot(page, "charts-log-y")


def test_twenty_runs_get_twenty_colours(page, server, charts):
    page.goto(ws_url(server, "charts"))
    page.get_by_text("20 runs", exact=True).wait_for()
    colours = page.locator(".rt-row input[type=color]").evaluate_all("els => els.map(e => e.value)")
    assert len(colours) == 20 and len(set(colours)) == 20, colours
    # a run keeps its colour when the table order changes
    before = dict(zip(page.locator(".rt-row a").all_inner_texts(), colours))
    page.get_by_role("button", name=re.compile("^Name")).click()
    page.wait_for_function("() => document.querySelector('.rt-row a').textContent === 'lr-0.0001'")
    after = page.locator(".rt-row input[type=color]").evaluate_all("els => els.map(e => e.value)")
    assert dict(zip(page.locator(".rt-row a").all_inner_texts(), after)) == before


def test_name_sort_is_numeric(page, server, charts):
    page.goto(ws_url(server, "charts", "?sort=name"))
    page.get_by_text("20 runs", exact=True).wait_for()
    page.wait_for_function("() => document.querySelectorAll('.rt-row a').length === 20")
    assert page.locator(".rt-row a").all_inner_texts() == [f"lr-{x}" for x in LRS]


def test_large_values_have_compact_ticks(page, server, charts):
    page.goto(ws_url(server, "charts"))
    sel = 'section.panel[data-metric="net/recv"]'
    page.locator(sel).scroll_into_view_if_needed()
    _drawn(page, sel)
    ticks = _ticks(page, sel, "y")
    assert ticks and all(len(t) <= 6 for t in ticks), ticks
    assert any(t.endswith("M") for t in ticks), ticks


def test_wall_time_ticks_fit_on_one_line(page, server, charts):
    page.goto(ws_url(server, "charts", "?x=_timestamp"))
    _drawn(page, LOSS)
    ticks = _ticks(page, LOSS, "x")
    assert ticks and all("\\n" not in t and "\n" not in t for t in ticks), ticks
    shot(page, "charts-wall-time")


def test_hover_legend_leaves_out_runs_that_ended(page, server, charts):
    page.goto(ws_url(server, "charts", "?q=config.lr%20%3C%3D%200.0002"))
    page.get_by_text("2 of 20 runs").wait_for()
    _drawn(page, LOSS)
    over = page.locator(LOSS + " .u-over")
    # hover() waits until the chart stops moving: a move to coordinates read earlier could land beside it
    size = over.bounding_box()
    over.hover(position={"x": size["width"] * 0.05, "y": size["height"] / 2})
    legend = page.locator(LOSS + " .chart-legend")
    legend.wait_for()
    assert sorted(legend.locator(".chart-legend-label").all_inner_texts()) == ["lr-0.0001", "lr-0.0002"]
    over.hover(position={"x": size["width"] * 0.95, "y": size["height"] / 2})
    page.wait_for_function(
        "s => [...document.querySelectorAll(s + ' .chart-legend-label')].map(e => e.textContent).join() === 'lr-0.0002'",
        arg=LOSS,
    )


def test_hide_all_says_so(page, server, charts):
    page.goto(ws_url(server, "charts"))
    _drawn(page, LOSS)
    page.get_by_role("button", name="Hide all").click()
    page.locator(LOSS).get_by_text("No runs shown").wait_for()
    assert page.locator(LOSS + " canvas").count() == 0


def test_toolbar_stays_on_one_line_at_1280(browser, server, charts):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    sign_in(ctx, server)
    page = ctx.new_page()
    try:
        page.goto(ws_url(server, "charts", "?group=config.lr"))
        bar = page.get_by_role("toolbar", name="Workspace controls")
        bar.wait_for()
        page.get_by_text("20 runs", exact=True).wait_for()
        height = bar.bounding_box()["height"]
        log_y = page.get_by_text("log y").bounding_box()
        page.get_by_label("Smoothing", exact=True).select_option("twema")
        page.get_by_label("Smoothing amount").first.wait_for()
        assert bar.bounding_box()["height"] == height
        assert page.get_by_text("log y").bounding_box() == log_y  # nothing shifts when the slider shows
        assert height < 60, height  # one line of controls
        shot(page, "charts-toolbar-1280")
    finally:
        ctx.close()


def test_empty_panel_names_the_x_axis(page, server, charts):
    page.goto(ws_url(server, "charts", "?x=train/loss"))
    sel = 'section.panel[data-metric="eval/score"]'
    page.locator(sel).get_by_text("never logged at the same step as train/loss").wait_for()


def test_no_unknown_key_warning_while_the_key_sample_is_on_its_way(page, server, charts):
    """The rows (with the filtered values) can come before the sample of whole runs that the key
    check reads: the filter then matches runs, and no warning may say that no run has the key."""
    held = []

    def hold(route):
        body = route.request.post_data or ""
        if '"fields"' in body or '"filter"' in body:
            route.continue_()
        else:  # the newest whole runs: the sample the key check and column picker read
            held.append(route)

    page.route("**/runs/query", hold)
    page.goto(ws_url(server, "charts", "?q=summary.train%2Floss%20%3C%200.01"))
    page.get_by_text("6 of 20 runs").wait_for()
    assert held, "the sample was not asked for before the rows were shown"
    assert page.get_by_role("status").filter(has_text="No run has").count() == 0
    for route in held:
        route.continue_()


def test_filter_warns_about_unknown_keys(page, server, charts):
    page.goto(ws_url(server, "charts"))
    page.get_by_text("20 runs", exact=True).wait_for()
    f = page.get_by_label("Filter runs")
    f.fill("config.lrr > 0.1")
    page.get_by_role("status").filter(has_text="config.lrr").wait_for()
    f.fill("config.lr > 0.1")
    page.get_by_text("7 of 20 runs").wait_for()
    assert page.get_by_role("status").filter(has_text="No run has").count() == 0


def test_filter_on_a_define_metric_summary(page, server, charts):
    # train/loss is summarised by its min: 1/200 + lr for all runs but the first (1/20 + lr)
    page.goto(ws_url(server, "charts", "?q=summary.train%2Floss%20%3C%200.01"))
    page.get_by_text("6 of 20 runs").wait_for()
    assert page.get_by_role("status").filter(has_text="No run has").count() == 0
