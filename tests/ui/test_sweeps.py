"""Sweep pages in Chromium: a project's sweeps list; a sweep's page (metric over trials, parallel
coordinates, metric against each parameter, importance and correlation, trials table); brushing an
axis of the parallel coordinates filters the trials table; pause / resume / stop; the Pareto front of
a two-metric sweep; the Parameters section of any project's workspace, whose brushing filters the
workspace's runs table. The sweeps run for real: the
SDK's `runyard.sweep` + `runyard.agent` online against the session server, in project "sw".
Screenshots at 1280x800."""

from __future__ import annotations

import json
import textwrap

import pytest

from .conftest import client_env, drag, shot, sign_in, write_runs

SWEEPS = textwrap.dedent("""
    import json, runyard

    def train():
        run = runyard.init(settings=runyard.Settings(x_disable_stats=True, console="off"))
        c = run.config
        loss = (c.x - 0.3) ** 2 + 0.1 * c.y
        runyard.log({"loss": loss, "acc": 1 - c.x * 0.5 - 0.05 * c.y})
        runyard.finish()

    grid = runyard.sweep({"name": "grid-xy", "method": "grid", "metric": {"name": "loss", "goal": "minimize"},
                          "parameters": {"x": {"values": [0.1, 0.3, 0.5]}, "y": {"values": [1, 2, 3]}}}, project="sw")
    runyard.agent(grid, function=train)
    pareto = runyard.sweep({"name": "two-metrics", "method": "random", "run_cap": 6, "seed": 7,
                            "metric": [{"name": "loss", "goal": "minimize"}, {"name": "acc", "goal": "maximize"}],
                            "parameters": {"x": {"min": 0.0, "max": 1.0}, "y": {"values": [1, 2, 3]}}}, project="sw")
    runyard.agent(pareto, function=train)
    idle = runyard.sweep({"name": "idle", "method": "random", "metric": {"name": "loss"},
                          "parameters": {"x": {"min": 0.0, "max": 1.0}}}, project="sw")
    print("RESULT " + json.dumps({"grid": grid, "pareto": pareto, "idle": idle}))
""")


@pytest.fixture(scope="module")
def sweeps(server, tmp_path_factory):
    work = tmp_path_factory.mktemp("sweeps")
    return write_runs(SWEEPS, [], work, client_env(server.config.home))


@pytest.fixture
def small(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    sign_in(ctx, server)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    ctx.close()
    assert not errors, errors


def url(server, rest: str) -> str:
    return f"{server.url}/{server.entity}/sw/{rest}"


def test_sweeps_list_and_a_sweep_page_with_brushing(small, server, sweeps):
    page = small
    page.goto(url(server, "sweeps"))
    page.locator("tr[data-sweep]").nth(2).wait_for()
    assert page.locator("tr[data-sweep]").count() == 3
    shot(page, "sweeps-list")
    page.get_by_role("link", name="grid-xy").click()
    page.locator("tr[data-trial]").nth(8).wait_for()
    assert page.locator("tr[data-trial]").count() == 9
    assert page.locator(".sweep-state").get_attribute("data-state") == "finished"
    # importance (fANOVA) and correlation of both parameters, from the server
    page.locator(".importance-table tr[data-param='x']").wait_for()
    assert page.locator(".importance-table tr[data-param]").count() == 2
    assert page.locator("[data-testid='over-trials-loss'] circle").count() == 9
    assert page.locator("[data-testid='scatter-x'] circle").count() == 9
    assert page.locator("[data-testid='parcoords'] path[data-row]").count() == 9
    shot(page, "sweep-page")

    # brush the top quarter of the x axis (x = 0.5 sits at its top): the table keeps x = 0.5 only
    axis = page.locator("rect[data-axis='x']")
    axis.scroll_into_view_if_needed()
    drag(page, axis, lambda b: [(b["width"] / 2, 2), (b["width"] / 2, b["height"] * 0.25)])
    page.wait_for_function("() => document.querySelectorAll('tr[data-trial]').length === 3")
    xs = page.locator("tr[data-trial] td:nth-child(4)").all_inner_texts()
    assert xs == ["0.5", "0.5", "0.5"], xs
    assert page.get_by_test_id("trial-count").inner_text() == "3 of 9"
    assert page.locator("[data-testid='parcoords'] path[data-in='1']").count() == 3
    shot(page, "sweep-brushed")
    page.get_by_role("button", name="Clear brushes").click()
    page.wait_for_function("() => document.querySelectorAll('tr[data-trial]').length === 9")


def test_pause_resume_stop(small, server, sweeps):
    page = small
    page.goto(url(server, f"sweeps/{sweeps['idle']}"))
    state = page.locator(".sweep-state")
    state.wait_for()
    assert state.get_attribute("data-state") == "running"
    page.get_by_role("button", name="Pause").click()
    page.locator(".sweep-state[data-state='paused']").wait_for()
    page.get_by_role("button", name="Resume").click()
    page.locator(".sweep-state[data-state='running']").wait_for()
    page.get_by_role("button", name="Stop").click()
    page.locator(".sweep-state[data-state='stopped']").wait_for()
    assert page.get_by_role("button", name="Pause").count() == 0


def test_pareto_front_of_a_two_metric_sweep(small, server, sweeps):
    page = small
    page.goto(url(server, f"sweeps/{sweeps['pareto']}"))
    page.locator("[data-testid='pareto'] circle").nth(5).wait_for()
    front = page.locator("[data-testid='pareto'] circle.ring").count()
    doc = page.request.get(f"{server.url}/api/v1/sweeps/{server.entity}/sw/{sweeps['pareto']}").json()
    assert front == len(doc["pareto_front"]) >= 1
    page.get_by_role("region", name="Pareto front").scroll_into_view_if_needed()
    shot(page, "sweep-pareto")


def _top_half(box) -> list[tuple[float, float]]:
    """A brush path down the middle of an axis, from its top to its middle."""
    return [(box["width"] / 2, 2), (box["width"] / 2, box["height"] * 0.5)]


def test_workspace_parameters_section(small, server, sweeps):
    page = small
    page.goto(f"{server.url}/{server.entity}/sw")
    page.get_by_role("region", name="Section Parameters").locator(".section-toggle").click()
    lines = page.locator("[data-testid='ws-parcoords'] path[data-row]")
    lines.nth(14).wait_for()  # the 15 runs of the two sweeps that ran
    assert lines.count() == 15
    assert page.locator("[data-testid='ws-scatter'] circle").count() == 15
    page.get_by_test_id("ws-parcoords").scroll_into_view_if_needed()
    shot(page, "workspace-parameters")
    assert json.dumps(sweeps)

    # brush the top half of the first axis: the runs table keeps exactly the runs drawn inside
    table = page.locator(".runs-table")
    assert table.get_attribute("aria-rowcount") == "16"  # the 15 runs and the header
    axis = page.locator("[data-testid='ws-parcoords'] rect[data-axis]").first
    drag(page, axis, _top_half)
    page.get_by_test_id("ws-brushed").wait_for()
    inside = lines.evaluate_all("ps => ps.filter(p => p.dataset.in === '1').map(p => p.dataset.row)")
    assert 0 < len(inside) < 15, inside
    page.wait_for_function(
        f"() => document.querySelector('.runs-table').getAttribute('aria-rowcount') === '{len(inside) + 1}'"
    )
    shown = table.locator("[data-run]").evaluate_all("rs => rs.map(r => r.dataset.run)")
    assert sorted(shown) == sorted(inside)
    assert page.get_by_test_id("ws-brushed").inner_text().strip() == f"· {len(inside)} in the brushed ranges"
    shot(page, "workspace-parameters-brushed")
    page.get_by_role("button", name="Clear brushes").click()
    page.wait_for_function(
        "() => document.querySelector('.runs-table').getAttribute('aria-rowcount') === '16'"
    )
    assert page.get_by_test_id("ws-brushed").count() == 0
    # a brush is dropped with the section: closing it never leaves the table filtered out of sight
    drag(page, axis, _top_half)
    page.get_by_test_id("ws-brushed").wait_for()
    page.get_by_role("region", name="Section Parameters").locator(".section-toggle").click()
    page.wait_for_function(
        "() => document.querySelector('.runs-table').getAttribute('aria-rowcount') === '16'"
    )
