"""Saved views and reports in Chromium against the session's server (tests/ui/conftest.py): a view
saved, reloaded and opened by its link in a fresh browser shows the same workspace. Screenshots at
1280x800 go to test-output/ui/."""

from __future__ import annotations

import contextlib
import re

import pytest

from .conftest import shot, sign_in, watch_errors

LOSS = 'section.panel[data-metric="train/loss"]'


@pytest.fixture
def fresh(browser, server):
    """A new browser context (signed in to `srv`, the session's server by default, nothing stored),
    at 1280x800; yields a page factory."""
    made = []

    def new_page(srv=server):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        sign_in(ctx, srv)
        pg = ctx.new_page()
        errors: list[str] = []
        watch_errors(pg, errors)
        made.append((ctx, errors))
        return pg

    yield new_page
    for ctx, errors in made:
        ctx.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def observed(page) -> dict:
    """What the user sees of the workspace's view: the controls and one panel's and run's settings."""
    page.locator(LOSS + " canvas").first.wait_for()
    panel = page.locator(LOSS)
    if panel.get_by_role("group", name="Panel settings").count() == 0:
        panel.get_by_role("button", name="Settings for train/loss").click()
    bar = page.get_by_role("toolbar", name="Workspace controls")
    return {
        "filter": bar.get_by_label("Filter runs").input_value(),
        "group": bar.get_by_label("Group runs by").input_value(),
        "smoothing": bar.get_by_label("Smoothing", exact=True).input_value(),
        "grid": page.locator(".panels-bar").get_by_label("Columns").input_value(),
        "rows": page.locator(".rt-row a").all_inner_texts(),
        "run03_hidden": page.get_by_role("button", name="Show run-03 in charts").count() == 1,
        "colour": page.get_by_label("Colour of run-02").input_value(),
        "panel_log_y": panel.get_by_label("log y").is_checked(),
    }


def test_saved_view_reloads_and_opens_by_link_in_a_fresh_browser(fresh, server):
    page = fresh()
    q = "?q=" + "config.lr%20%3E%202e-4" + "&group=config.optimizer.name&smooth=ema:0.6&grid=2&sort=-name"
    page.goto(f"{server.url}/{server.entity}/demo{q}")
    page.get_by_role("button", name="Hide run-03 in charts").click()
    page.get_by_label("Colour of run-02").fill("#ff0000")
    page.locator(LOSS + " canvas").first.wait_for()
    page.locator(LOSS).get_by_role("button", name="Settings for train/loss").click()
    page.locator(LOSS).get_by_label("log y").check()
    before = observed(page)
    assert before["filter"] == "config.lr > 2e-4" and before["run03_hidden"] and before["panel_log_y"]
    assert before["colour"] == "#ff0000" and before["grid"] == "2" and before["rows"][0] == "run-07"

    page.get_by_role("button", name="Save view").click()
    page.get_by_role("textbox", name="Name").fill("lr sweep <b>bold</b>")
    page.get_by_label(re.compile("Shared with the project")).check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]view=\d+"))
    view_id = re.search(r"view=(\d+)", page.url).group(1)
    assert page.get_by_label("Saved views").input_value() == view_id
    shot(page, "views-01-saved")

    page.reload()
    assert observed(page) == before

    # the link with only the view's id, in a browser that has nothing stored: the same workspace
    other = fresh()
    other.goto(f"{server.url}/{server.entity}/demo?view={view_id}")
    assert observed(other) == before
    assert re.search(r"[?&]q=config\.lr", other.url), other.url  # the URL carries the state again
    shot(other, "views-02-opened-by-link")

    # changed there and updated: the first browser, opening the link, gets the change
    other.get_by_label("Filter runs").fill("config.lr > 2e-3")
    other.get_by_text("modified").wait_for()
    other.get_by_role("button", name="Update view").click()
    other.get_by_text("modified").wait_for(state="detached")
    page.goto(f"{server.url}/{server.entity}/demo?view={view_id}")
    page.locator(LOSS + " canvas").first.wait_for()
    assert page.get_by_label("Filter runs").input_value() == "config.lr > 2e-3"

    # rename, duplicate, delete
    page.get_by_role("button", name="Rename view").click()
    page.get_by_role("textbox", name="Name").fill("lr sweep v2")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("option", name="lr sweep v2 (shared)").wait_for(state="attached")
    page.get_by_role("button", name="Duplicate view").click()
    page.get_by_role("option", name="lr sweep v2 (copy)").wait_for(state="attached")
    assert page.get_by_label("Saved views").input_value() != view_id
    page.get_by_role("button", name="Delete view").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete view").click()
    page.get_by_role("option", name="lr sweep v2 (copy)").wait_for(state="detached")
    assert "view=" not in page.url
    assert page.get_by_label("Saved views").input_value() == ""


XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def no_xss(page) -> None:
    assert page.evaluate("() => window.__xss === undefined"), "a script from report content ran"


def report_status(page, text: str) -> None:
    """Wait for the editor's save status; "Saved" only once nothing is left unsaved."""
    where = '.save-status[data-dirty="false"]' if text == "Saved" else ".save-status"
    page.locator(where).filter(has_text=text).wait_for()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_server(request):
    """The session's server, or its twin on PostgreSQL: the main flow runs on both databases."""
    return request.getfixturevalue("server" if request.param == "sqlite" else "pg_server")


def test_report_from_workspace_panels_text_table_conflict_and_export(browser, fresh, any_server, tmp_path):
    server = any_server

    def fresh_page():
        return fresh(server)

    a = fresh_page()
    a.goto(f"{server.url}/{server.entity}/demo")
    a.locator(LOSS + " canvas").first.wait_for()
    a.get_by_role("button", name="Add panels to a report").click()
    a.get_by_role("dialog").get_by_label("Title of a new report").fill("Findings " + XSS)
    a.get_by_role("dialog").get_by_role("button", name="Add").click()
    a.wait_for_url(re.compile(r"/reports/\d+$"))
    report_url = a.url
    grid = a.get_by_role("region", name="Panel grid")
    grid.locator(LOSS + " canvas").first.wait_for()
    assert a.get_by_role("heading", name="Findings " + XSS).is_visible()  # the title is text, not markup

    # text (Markdown, with attempts at markup and script) and a run table, autosaved
    a.get_by_role("button", name="Edit").click()
    a.get_by_label("Block type").select_option("markdown")
    a.get_by_role("button", name="Add block").click()
    a.get_by_role("textbox", name="Text").fill(
        "Loss **drops** fast.\n\n" + XSS + "\n\n[click](javascript:window.__xss=3)"
    )
    a.get_by_label("Block type").select_option("runs")
    a.get_by_role("button", name="Add block").click()
    a.get_by_role("region", name="Run table").get_by_label("Columns").fill("config.lr, summary.best")
    report_status(a, "Saved")
    first = re.search(r"version (\d+)", a.locator(".save-status").inner_text()).group(1)
    a.get_by_role("button", name="Done").click()
    a.reload()
    a.get_by_role("region", name="Text").locator("strong", has_text="drops").wait_for()
    table = a.get_by_role("region", name="Run table")
    table.get_by_role("link", name="run-00").wait_for()
    n_runs = a.request.get(f"{server.url}/api/v1/projects/{server.entity}/demo").json()["run_count"]
    assert n_runs >= 8 and table.get_by_role("row").count() == 1 + n_runs  # a header, each run of the project
    assert "summary.best" in table.inner_text() and "42" in table.inner_text()
    a.get_by_role("region", name="Panel grid").locator(LOSS + " canvas").first.wait_for()
    assert a.get_by_role("region", name="Text").locator("a[href^='javascript']").count() == 0
    no_xss(a)
    shot(a, "reports-01-report")

    # two editors: the second save is refused, the editor says so and keeps its text
    b = fresh_page()
    b.goto(report_url)
    b.get_by_role("button", name="Edit").click()
    a.get_by_role("button", name="Edit").click()
    a.get_by_role("textbox", name="Text").fill("A's version of the text.")
    report_status(a, "Saved")
    b.get_by_role("textbox", name="Text").fill("B's careful analysis.")
    alert = b.get_by_role("alert").filter(has_text="saved version")
    alert.wait_for()
    assert b.get_by_role("textbox", name="Text").input_value() == "B's careful analysis."
    report_status(b, "Not saved: conflict")
    shot(b, "reports-02-conflict")
    b.get_by_role("button", name="Save mine over theirs").click()
    report_status(b, "Saved")
    a.goto(report_url)
    a.get_by_role("region", name="Text").get_by_text("B's careful analysis.").wait_for()

    # history: the first text comes back by restoring its version
    a.get_by_role("button", name="History").click()
    versions = a.get_by_role("complementary", name="History")
    versions.get_by_role("listitem").first.wait_for()
    assert versions.get_by_role("listitem").count() >= 4
    a.get_by_role("button", name=f"Restore v{first}", exact=True).click()
    a.get_by_role("region", name="Text").locator("strong", has_text="drops").wait_for()

    # comments show their author and keep markup as text
    a.get_by_label("Add a comment").fill("Nice **work** " + XSS)
    a.get_by_role("button", name="Comment", exact=True).click()
    comment = a.locator(".comment").first
    comment.get_by_text("admin").wait_for()
    assert comment.locator("strong", has_text="work").count() == 1 and comment.locator("img").count() == 0
    no_xss(a)

    # export: a static file that opens from file:// with no server, charts drawn, no script
    with a.expect_download() as dl:
        a.get_by_role("button", name="Export HTML").click()
    path = tmp_path / "report.html"
    dl.value.save_as(path)
    html = path.read_text()
    assert html.count("<script") == 1 and 'type="application/json"' in html
    offline = fresh_page()
    offline.context.set_offline(True)
    offline.goto(path.as_uri())
    offline.get_by_role("heading", name="Findings " + XSS).wait_for()
    chart = offline.get_by_role("img", name="train/loss")
    chart.wait_for()
    assert chart.locator("polyline").count() >= 8  # a line per run
    assert offline.get_by_role("table").last.get_by_role("row").count() == 1 + n_runs
    no_xss(offline)
    shot(offline, "reports-03-export-file")

    # the read-only link: the report itself (live charts, text as text), for a browser not signed in
    a.get_by_role("button", name="Share link", exact=True).click()
    link = a.get_by_role("textbox", name="Read-only link").input_value()
    outsider = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        shared = outsider.new_page()
        errors: list[str] = []
        watch_errors(shared, errors)
        shared.goto(link)
        shared.get_by_role("heading", name="Findings " + XSS).wait_for()
        shared.get_by_role("region", name="Panel grid").locator(LOSS + " canvas").first.wait_for()
        shared.get_by_role("region", name="Text").locator("strong", has_text="drops").wait_for()
        no_xss(shared)
        assert shared.get_by_role("button", name="Edit").count() == 0
        assert shared.locator(".comment").count() == 0  # the team's discussion is not shared
        a.get_by_role("button", name="Revoke link").click()
        # exact: "New share link" (shown while shared) would match a substring at once
        a.get_by_role("button", name="Share link", exact=True).wait_for()
        shared.reload()
        shared.get_by_role("alert").get_by_text("does not exist or was revoked").wait_for()
        assert not errors, errors
    finally:
        outsider.close()


def test_cli_exports_html_and_pdf(browser, server, tmp_path):
    """`runyard report export`: the HTML opens from file:// with its charts; the PDF's first page,
    rendered to PNG, has the charts' ink on it."""
    import io
    import os
    import subprocess
    import sys

    import numpy as np
    import pypdfium2
    from PIL import Image

    import runyard

    api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
    run = server.runs[0]["id"]
    png = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(png, format="PNG")
    api.client.request("PUT", f"/api/v1/runs/{server.entity}/demo/{run}/files/plot.png", body=png.getvalue())
    rs = {"projects": [f"{server.entity}/demo"], "filter": ""}
    rep = api.create_report(
        f"{server.entity}/demo",
        "CLI export",
        blocks=[
            {"type": "markdown", "text": "Exported **from the command line**."},
            {"type": "panels", "runset": rs, "metrics": ["train/loss", "eval/acc"]},
            {"type": "image", "run": f"{server.entity}/demo/{run}", "path": "plot.png", "caption": "A plot"},
        ],
    )
    env = dict(os.environ, RUNYARD_BASE_URL=server.url, RUNYARD_API_KEY=server.api_key, RUNYARD_SILENT="true")
    outs = {}
    for fmt in ("html", "pdf"):
        out = tmp_path / f"r.{fmt}"
        p = subprocess.run(
            [
                sys.executable,
                "-m",
                "runyard",
                "report",
                "export",
                str(rep.id),
                "--format",
                fmt,
                "-o",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert p.returncode == 0, p.stdout + p.stderr
        outs[fmt] = out
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    try:
        page = ctx.new_page()
        page.goto(outs["html"].as_uri())
        page.get_by_role("heading", name="CLI export").wait_for()
        assert page.get_by_role("img", name="train/loss").locator("polyline").count() >= 8
        image = page.get_by_role("img", name="A plot")
        assert image.get_attribute("src").startswith("data:image/png;base64,")
        assert image.evaluate("(i) => i.complete && i.naturalWidth") == 40  # embedded: it loads offline
        shot(page, "reports-04-cli-html")
    finally:
        ctx.close()
    pdf = pypdfium2.PdfDocument(str(outs["pdf"]))
    image = pdf[0].render(scale=1.5).to_pil().convert("RGB")
    image.save(tmp_path / "page1.png")
    px = np.asarray(image).astype(int)
    ink = int((px.sum(axis=2) < 600).sum())
    coloured = int((px.max(axis=2) - px.min(axis=2) > 80).sum())
    assert ink > 0.01 * px.shape[0] * px.shape[1], ink  # text and axes
    assert coloured > 500, coloured  # the runs' coloured lines


LIVE_WRITER = """
import sys, time, runyard
run = runyard.init(project=sys.argv[1], mode="offline", name="live-run",
                   settings={"silent": True, "x_disable_stats": True})
print("DIR " + run.sync_dir, flush=True)
s = 0
while True:  # until the test kills it: a run that stays "running"
    runyard.log({"train/loss": 1.0 / (s + 1)})
    s += 1
    time.sleep(0.01)
"""


@contextlib.contextmanager
def live_writer(server, tmp_path, project: str):
    """An offline run of `project` that keeps logging train/loss (state "running") until the test
    ends; yields `sync()`, which syncs what it has logged so far (some points are synced first)."""
    import os
    import subprocess
    import sys
    import time

    from .conftest import REPO

    env = dict(os.environ, RUNYARD_HOME=str(server.config.home), PYTHONPATH=str(REPO), RUNYARD_SILENT="true")
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        env.pop(k, None)
    proc = subprocess.Popen(
        [sys.executable, "-u", "-c", LIVE_WRITER, project],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )

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

    try:
        run_dir = proc.stdout.readline().split("DIR ", 1)[1].strip()
        time.sleep(0.5)  # some points to sync first (how many does not matter)
        sync()
        yield sync
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def test_report_panels_follow_a_live_run(fresh, server, tmp_path):
    """A run that logs while its report is open: its new points reach the report's panel through the
    live stream (only the new points are fetched), and the run shows in the report's run table."""
    import runyard

    with live_writer(server, tmp_path, "live-report") as sync:
        api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
        rs = {"projects": [f"{server.entity}/live-report"]}
        rep = api.create_report(
            f"{server.entity}/live-report",
            "Live",
            blocks=[
                {"type": "panels", "runset": rs, "metrics": ["train/loss"]},
                {"type": "runs", "runset": rs},
            ],
        )
        page = fresh()
        page.goto(rep.url)
        page.get_by_role("region", name="Run table").get_by_text("running").wait_for()
        page.locator(LOSS + " canvas").first.wait_for()
        page.wait_for_timeout(500)
        with page.expect_response(lambda r: "/history/raw?" in r.url and "min_step=" in r.url) as resp:
            sync()
        new = next(s for s in resp.value.json()["series"] if s["key"] == "train/loss")
        assert new["found"] and len(new["step"]) > 0 and min(new["step"]) > 0
        shot(page, "reports-05-live")


def test_live_points_of_every_project_of_a_mixed_chart(fresh, server, tmp_path):
    """In a chart mixing two projects, a running run of the second project gets its new points live
    (its project's stream fetches them and the chart draws them), not only on a reload."""
    import runyard

    with live_writer(server, tmp_path, "live-mix") as sync:
        api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
        a_name, b_name = f"{server.entity}/demo", f"{server.entity}/live-mix"
        rep = api.create_report(
            a_name,
            "Live over two projects",
            blocks=[{"type": "panels", "runset": {"projects": [a_name, b_name]}, "metrics": ["train/loss"]}],
        )
        page = fresh()
        page.goto(rep.url)
        page.wait_for_function("s => document.querySelector(s)?.dataset.state === 'ready'", arg=LOSS)
        chart = page.locator(LOSS + " .chart[data-draws]")
        chart.wait_for()
        page.wait_for_timeout(500)  # the page's streams connect (what they hear next is the test)
        draws = int(chart.get_attribute("data-draws"))
        with page.expect_response(
            lambda r: f"/{b_name}/" in r.url and "/history/raw?" in r.url and "min_step=" in r.url
        ) as resp:
            sync()
        new = next(s for s in resp.value.json()["series"] if s["key"] == "train/loss")
        assert new["found"] and len(new["step"]) > 0 and min(new["step"]) > 0
        # the chart draws them (a redraw after the points arrive; nothing else changes on the page)
        page.wait_for_function(
            "([s, n]) => Number(document.querySelector(s)?.dataset.draws) > n",
            arg=[LOSS + " .chart[data-draws]", draws],
        )


def test_scripts_in_block_settings_run_notes_and_run_comments_never_run(fresh, server):
    import runyard

    api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
    proj = f"{server.entity}/demo"
    rs = {"projects": [proj, XSS], "filter": XSS, "runs": [XSS]}
    rep = api.create_report(
        proj,
        XSS,
        blocks=[
            {"type": "heading", "text": XSS, "level": 2},
            {"type": "panels", "runset": rs, "metrics": [XSS], "settings": {"xAxis": XSS}},
            {"type": "runs", "runset": {"projects": [proj], "filter": XSS}, "columns": [XSS]},
            {"type": "media", "runset": rs, "keys": [XSS]},
            {"type": "artifact", "artifact": XSS},
            {"type": "code", "text": XSS, "language": XSS},
            {"type": "image", "run": XSS, "path": XSS, "caption": XSS},
        ],
    )
    page = fresh()
    page.goto(rep.url)
    page.get_by_role("heading", name=XSS).first.wait_for()
    page.get_by_role("button", name="Edit").click()  # every block's editor shows the values too
    page.get_by_role("region", name="Code").get_by_role("textbox", name="Code").wait_for()
    assert page.locator("img[src=x]").count() == 0
    no_xss(page)
    shot(page, "reports-06-xss-blocks")

    # run notes are Markdown, rendered without markup; run comments likewise
    run = server.runs[1]["id"]
    url = f"/api/v1/runs/{proj}/{run}"
    before = api.client.call("GET", url)["notes"]
    api.client.call("PATCH", url, body={"notes": "Notes with **bold** " + XSS})
    try:
        page.goto(f"{server.url}/{proj}/runs/{run}")
        page.locator(".run-notes strong", has_text="bold").wait_for()
        page.get_by_label("Add a comment").fill("run comment " + XSS)
        page.get_by_role("button", name="Comment", exact=True).click()
        page.locator(".comment").get_by_text("run comment").wait_for()
        assert page.locator("img[src=x]").count() == 0
        no_xss(page)
        shot(page, "reports-07-run-notes-comments")
    finally:  # the session's runs are shared by every UI test
        api.client.call("PATCH", url, body={"notes": before or ""})
        for c in api.client.call("GET", url + "/comments")["comments"]:
            api.client.call("DELETE", f"/api/v1/comments/{c['id']}")


def test_panel_settings_changed_on_a_report_are_saved_with_it(fresh, server):
    """A panel's own settings (⚙) changed on a report go into the report (autosave) and come back
    identically after a reload and in another browser; the other panels keep the block's settings."""
    import runyard

    api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
    rs = {"projects": [f"{server.entity}/demo"]}
    rep = api.create_report(
        f"{server.entity}/demo",
        "Per-panel settings",
        blocks=[{"type": "panels", "runset": rs, "metrics": ["train/loss", "train/acc"]}],
    )
    acc = 'section.panel[data-metric="train/acc"]'

    def settings_of(page, sel: str) -> dict:
        panel = page.locator(sel)
        panel.locator("canvas").first.wait_for()
        name = panel.get_attribute("data-metric")
        if panel.get_by_role("group", name="Panel settings").count() == 0:
            panel.get_by_role("button", name=f"Settings for {name}").click()
        return {
            "log_y": panel.get_by_label("log y").is_checked(),
            "smoothing": panel.get_by_label("Smoothing", exact=True).input_value(),
            "envelope": panel.get_by_label("min/max").is_checked(),
        }

    a = fresh()
    a.goto(rep.url)
    before = settings_of(a, LOSS)
    assert before["log_y"] is False and before["smoothing"] == "none"
    panel = a.locator(LOSS)
    panel.get_by_label("log y").check()
    panel.get_by_label("Smoothing", exact=True).select_option("ema")
    panel.get_by_label("min/max").uncheck()
    report_status(a, "Saved")
    changed = settings_of(a, LOSS)
    assert changed == {"log_y": True, "smoothing": "ema", "envelope": False}
    other = settings_of(a, acc)

    block = api.report(rep.id).blocks[0]
    assert (
        block["panel_settings"]["train/loss"]["logY"] is True and "train/acc" not in block["panel_settings"]
    )

    a.reload()
    assert settings_of(a, LOSS) == changed and settings_of(a, acc) == other
    b = fresh()
    b.goto(rep.url)
    assert settings_of(b, LOSS) == changed and settings_of(b, acc) == other

    # Reset: the panel goes back to the block's settings, and that is saved too
    b.locator(LOSS).get_by_role("button", name="Reset").click()
    report_status(b, "Saved")
    assert "train/loss" not in (api.report(rep.id).blocks[0].get("panel_settings") or {})


def test_a_run_set_over_two_projects_is_one_chart_mixing_them(fresh, server, tmp_path):
    """Runs of projects A and B in one panel (not a grid per project), each run's label naming its
    project, in the page and in the HTML export."""
    import json

    import runyard

    from .conftest import WRITER, client_env, runyard_cli, write_runs

    env = client_env(server.config.home)
    made = write_runs(WRITER, [json.dumps({"project": "mix-b", "runs": 2, "steps": 300})], tmp_path, env)
    for r in made:
        runyard_cli(["sync", r["dir"]], tmp_path, env)
    api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
    a_name, b_name = f"{server.entity}/demo", f"{server.entity}/mix-b"
    n_demo = api.client.call("GET", f"/api/v1/projects/{a_name}")["run_count"]
    rep = api.create_report(
        a_name,
        "Two projects",
        blocks=[{"type": "panels", "runset": {"projects": [a_name, b_name]}, "metrics": ["train/loss"]}],
    )
    page = fresh()
    page.goto(rep.url)
    grid = page.get_by_role("region", name="Panel grid")
    grid.locator(LOSS + " canvas").first.wait_for()
    page.wait_for_function("s => document.querySelector(s)?.dataset.state === 'ready'", arg=LOSS)
    assert grid.locator(LOSS).count() == 1
    over = grid.locator(LOSS + " .u-over")
    size = over.bounding_box()  # hover() waits until the chart stops moving before it moves the mouse
    over.hover(position={"x": size["width"] * 0.1, "y": size["height"] / 2})
    legend = grid.locator(LOSS + " .chart-legend")
    legend.wait_for()
    labels = legend.locator(".chart-legend-label").all_inner_texts()  # the hover legend shows the first rows
    assert {lb.rsplit(" · ", 1)[1] for lb in labels} == {a_name, b_name}, labels
    assert f"run-00 · {b_name}" in labels and f"run-01 · {b_name}" in labels, labels  # highest loss: first
    more = re.search(r"\+(\d+) more", legend.inner_text())
    assert len(labels) + (int(more.group(1)) if more else 0) == n_demo + 2
    shot(page, "reports-06-two-projects")

    with page.expect_download() as dl:
        page.get_by_role("button", name="Export HTML").click()
    path = tmp_path / "mixed.html"
    dl.value.save_as(path)
    offline = fresh()
    offline.goto(path.as_uri())
    charts = offline.get_by_role("img", name="train/loss")
    charts.first.wait_for()
    assert charts.count() == 1 and charts.locator("polyline").count() >= n_demo + 2
    assert f"run-01 · {b_name}" in offline.locator(".legend").inner_text()


def test_share_link_is_live_and_reads_only_what_the_report_shows(browser, fresh, server, tmp_path):
    """A share link's page follows a running run (its new points are fetched with the link's token
    and drawn), reads nothing but what the report shows, and ends when revoked."""
    import runyard

    with live_writer(server, tmp_path, "live-share") as sync:
        api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
        rs = {"projects": [f"{server.entity}/live-share"]}
        rep = api.create_report(
            f"{server.entity}/live-share",
            "Shared live",
            blocks=[
                {"type": "panels", "runset": rs, "metrics": ["train/loss"]},
                {"type": "runs", "runset": rs},
            ],
        )
        owner = fresh()
        owner.goto(rep.url)
        owner.get_by_role("button", name="Share link", exact=True).click()
        link = owner.get_by_role("textbox", name="Read-only link").input_value()
        token = link.rsplit("/", 1)[1]
        outsider = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = outsider.new_page()
            errors: list[str] = []
            watch_errors(page, errors)
            page.goto(link)
            page.get_by_role("region", name="Run table").get_by_text("running").wait_for()
            page.wait_for_function("s => document.querySelector(s)?.dataset.state === 'ready'", arg=LOSS)
            chart = page.locator(LOSS + " .chart[data-draws]")
            chart.wait_for()
            page.wait_for_timeout(500)  # the page's stream connects (what it hears next is the test)
            draws = int(chart.get_attribute("data-draws"))
            with page.expect_response(lambda r: "/history/raw?" in r.url and "min_step=" in r.url) as resp:
                sync()
            assert resp.value.request.header_value("x-runyard-share") == token
            new = next(s for s in resp.value.json()["series"] if s["key"] == "train/loss")
            assert new["found"] and len(new["step"]) > 0 and min(new["step"]) > 0
            page.wait_for_function(
                "([s, n]) => Number(document.querySelector(s)?.dataset.draws) > n",
                arg=[LOSS + " .chart[data-draws]", draws],
            )
            shot(page, "reports-08-share-link-live")
            # the token reads the shown project, not another one, nor the report's history
            status = "([u, t]) => fetch(u, {headers: {'X-Runyard-Share': t}}).then((r) => r.status)"
            shown = f"/api/v1/projects/{server.entity}/live-share/runs"
            assert page.evaluate(status, [shown, token]) == 200
            assert page.evaluate(status, [f"/api/v1/projects/{server.entity}/demo/runs", token]) == 403
            assert page.evaluate(status, [f"/api/v1/reports/{rep.id}/versions", token]) == 403
            owner.get_by_role("button", name="Revoke link").click()
            owner.get_by_role("button", name="Share link", exact=True).wait_for()
            assert page.evaluate(status, [shown, token]) == 401
            assert not errors, errors
        finally:
            outsider.close()


MEDIA_WRITER = """
import json, sys, numpy as np, runyard
run = runyard.init(project=sys.argv[1], name="painter", settings={"silent": True, "x_disable_stats": True})
for s in range(3):
    img = np.zeros((12, 16, 3), np.uint8)
    img[:, :, 0] = 60 * s + 40
    runyard.log({"samples": runyard.Image(img, caption=f"step {s} <b>x</b>"), "loss": 1.0 / (s + 1)})
with open("weights.bin", "wb") as f:
    f.write(bytes(2048))
art = runyard.Artifact("ckpt", type="model", description="the **best** one")
art.add_file("weights.bin")
run.log_artifact(art, aliases=["prod"]).wait()
runyard.finish()
print("RESULT " + json.dumps({"id": run.id}))
"""


def test_export_embeds_media_panels_and_artifact_cards(fresh, server, tmp_path):
    """The static export carries a media panel's images inline (data: URLs that draw from file://
    with no server) and an artifact card (name, version, type, aliases, size), not just their names."""
    import runyard

    from .conftest import client_env, write_runs

    env = dict(client_env(server.config.home), RUNYARD_API_KEY=server.api_key, RUNYARD_BASE_URL=server.url)
    write_runs(MEDIA_WRITER, ["media-report"], tmp_path, env)
    proj = f"{server.entity}/media-report"
    api = runyard.Api({"base_url": server.url}, api_key=server.api_key)
    rep = api.create_report(
        proj,
        "Media",
        blocks=[
            {"type": "media", "runset": {"projects": [proj]}, "keys": ["samples"]},
            {"type": "artifact", "artifact": f"{proj}/ckpt:v0"},
        ],
    )
    page = fresh()
    page.goto(rep.url)
    page.get_by_role("region", name="Media panels").locator("img").first.wait_for()
    page.locator(".artifact-card").get_by_text("prod").wait_for()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Export HTML").click()
    path = tmp_path / "media.html"
    dl.value.save_as(path)
    html = path.read_text()
    assert "<b>x</b>" not in html  # captions are text

    offline = fresh()
    offline.context.set_offline(True)
    offline.goto(path.as_uri())
    img = offline.locator('.media img[src^="data:image/png;base64,"]')
    img.first.wait_for()
    offline.wait_for_function(
        "() => [...document.querySelectorAll('.media img')].some((i) => i.complete && i.naturalWidth === 16)"
    )
    assert "step 2" in offline.locator(".media figcaption").first.inner_text()  # the latest image
    card = offline.locator(".artifact-card").inner_text()
    assert f"{proj}/ckpt:v0" in card and "model" in card and "prod" in card and "2.0 KB" in card, card
    assert offline.locator(".artifact-card strong", has_text="best").count() == 1  # description as Markdown
    shot(offline, "reports-07-export-media")
