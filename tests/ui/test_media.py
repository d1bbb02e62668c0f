"""Browser tests of media: run page Media tab, workspace media panels, tables (incl. a 10,000-row
table with 1,000 image cells, timed), histograms as a heatmap, audio/video/3-D/html (sandboxed) and
custom charts. Data is logged with the real SDK (runyard.Image, Table, Histogram, Audio, Video,
Html, Object3D, Plotly, runyard.plot.*) offline and uploaded with `runyard sync` into the session's
server (tests/ui/conftest.py)."""

from __future__ import annotations

import textwrap

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import client_env, drag, runyard_cli, shot, sign_in, watch_errors, write_runs

MEDIA_WRITER = textwrap.dedent(r"""
    import json, math, sys
    import numpy as np
    import runyard
    project = sys.argv[1]
    out = {}
    XSS = '<img src=x onerror="document.body.dataset.xss=1">'
    PROBE = '''<p id="hello">hello from html</p><script>
      var r = [];
      try { parent.document.body.setAttribute("data-pwned", "1"); r.push("parent-ok"); } catch (e) { r.push("parent-blocked"); }
      try { localStorage.setItem("pwned", "1"); r.push("ls-ok"); } catch (e) { r.push("ls-blocked"); }
      try { r.push("cookie:" + document.cookie); } catch (e) { r.push("cookie-blocked"); }
      parent.postMessage({probe: r.join(",")}, "*");
    </script>'''
    rng = np.random.default_rng(0)
    for i in range(2):
        run = runyard.init(project=project, mode="offline", name=f"media-{i}", config={"i": i},
                           settings={"silent": True, "x_disable_stats": True})
        for s in range(5):
            img = np.zeros((32, 48, 3), np.uint8)
            img[:, : 8 * (s + 1)] = (200, 60 + 40 * i, 30)
            mask = np.zeros((32, 48), np.uint8)
            mask[4:20, 6:30] = 1
            mask[22:30, 30:46] = 2
            row = {
                "samples": runyard.Image(img, caption=XSS + f" step {s} run {i}",
                    masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat", 2: "dog"}}},
                    boxes={"gt": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.6, "minY": 0.1, "maxY": 0.7},
                                                "class_id": 1, "box_caption": "cat", "scores": {"p": 0.9}}],
                                  "class_labels": {1: "cat", 2: "dog"}}}),
                "gallery": [runyard.Image(np.full((16, 16, 3), 40 * k + 20 * s, np.uint8), caption=f"g{k}") for k in range(3)],
                "weights": runyard.Histogram(rng.normal(s * 0.5 + i, 1.0, 500)),
                "loss": 1.0 / (s + 1),
            }
            if s in (0, 4):
                cols = ["id", "label", "score", "img", "sound"]
                data = [[k, ("<b>bold</b><script>document.body.dataset.xss=2</script>" if k == 0 else ["cat", "dog"][k % 2]),
                         round((k * 37 % 100) / 100 + s, 2),
                         runyard.Image(np.full((8, 8, 3), 25 * k, np.uint8)) if k < 5 else None,
                         runyard.Audio(np.sin(np.arange(800) / 8.0).astype(np.float32) * 0.5, sample_rate=8000) if k == 1 else None]
                        for k in range(20)]
                row["preds"] = runyard.Table(columns=cols, data=data)
            runyard.log(row, step=s)
        wave = (np.sin(2 * np.pi * 440 * np.arange(8000) / 8000) * np.linspace(0, 1, 8000)).astype(np.float32)
        frames = np.zeros((4, 3, 16, 16), np.uint8)
        for f in range(4):
            frames[f, 0, :, f * 4:(f + 1) * 4] = 255
        pts = np.concatenate([rng.normal(0, 1, (300, 3)), rng.integers(0, 255, (300, 3))], axis=1)
        y_true = [0, 1, 1, 0, 1, 0, 1, 1, 0, 0]
        probs = [[0.8, 0.2], [0.3, 0.7], [0.4, 0.6], [0.6, 0.4], [0.2, 0.8], [0.9, 0.1], [0.45, 0.55], [0.1, 0.9], [0.55, 0.45], [0.7, 0.3]]
        tbl = runyard.Table(columns=["x", "y", "c"], data=[[k, k * k * (i + 1), f"c{k % 3}"] for k in range(10)])
        runyard.log({
            "speech": runyard.Audio(wave, sample_rate=8000, caption="<i>tone</i>"),
            "clip": runyard.Video(frames, fps=4, format="gif"),
            "cloud": runyard.Object3D(pts),
            "plots/roc": runyard.plot.roc_curve(y_true, probs, labels=["neg", "pos"]),
            "plots/pr": runyard.plot.pr_curve(y_true, probs, labels=["neg", "pos"]),
            "plots/cm": runyard.plot.confusion_matrix(y_true=y_true, preds=[int(p[1] > 0.5) for p in probs], class_names=["neg", "pos"]),
            "plots/lines": runyard.plot.line_series([[0, 1, 2, 3], [0, 1, 2, 3]], [[1, 2, 3, 4], [4, 3, 2, 1]], keys=["up", "down"], title="Two lines"),
            "plots/bar": runyard.plot.bar(tbl, "c", "y", title="Bars"),
            "plots/scatter": runyard.plot.scatter(tbl, "x", "y", title="Scatter"),
            "plots/hist": runyard.plot.histogram(tbl, "y", title="Hist"),
            "plots/plotly": runyard.Plotly({"data": [{"type": "scatter", "x": [0, 1, 2], "y": [2, 1, 3], "mode": "lines", "name": "p"}],
                                            "layout": {"title": {"text": "A plotly figure"}}}),
        }, step=5)
        if i == 0:
            runyard.log({"page": runyard.Html(PROBE)}, step=5)
        runyard.finish()
        out[f"run{i}"] = {"dir": run.sync_dir, "id": run.id}
    # a big table: 10,000 rows, 1,000 image cells (20 distinct images, so 20 files)
    run = runyard.init(project=project, mode="offline", name="big-table", settings={"silent": True, "x_disable_stats": True})
    imgs = [runyard.Image(np.full((24, 24, 3), (12 * k, 255 - 12 * k, 90), np.uint8)) for k in range(20)]
    rows = [[k, f"row {k}", (k * 7919 % 10000) / 10000, imgs[k % 20] if k % 10 == 0 else None] for k in range(10000)]
    runyard.log({"big": runyard.Table(columns=["id", "name", "score", "img"], data=rows)}, step=0)
    runyard.finish()
    out["big"] = {"dir": run.sync_dir, "id": run.id}
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def media(server, tmp_path_factory):
    pytest.importorskip("numpy")
    pytest.importorskip("PIL")  # GIF video frames
    work = tmp_path_factory.mktemp("media-runs")
    env = client_env(server.config.home)
    runs = write_runs(MEDIA_WRITER, ["media"], work, env)
    runyard_cli(["sync", *[r["dir"] for r in runs.values()]], work, env)
    return {k: v["id"] for k, v in runs.items()}


@pytest.fixture(scope="module")
def media_context(browser, server):
    ctx = browser.new_context(viewport={"width": 1500, "height": 950})
    sign_in(ctx, server)
    yield ctx
    ctx.close()


# the requests of the current test's page that failed or were answered 4xx/5xx (shown when a media
# panel never shows an image: evidence, should that ever happen again on a busy machine)
_FAILED: list[str] = []


@pytest.fixture
def page(media_context):
    pg = media_context.new_page()
    errors: list[str] = []
    watch_errors(pg, errors)
    _FAILED.clear()
    pg.on("response", lambda r: _FAILED.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    pg.on("requestfailed", lambda r: _FAILED.append(f"{r.failure} {r.url}"))
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _run_media(page, server, run_id):
    page.goto(f"{server.url}/{server.entity}/media/runs/{run_id}/media")


def _panel(page, key):
    return page.locator(f'section[aria-label="Media {key}"]')


def test_media_tab_images_masks_boxes_slider_zoom(page, server, media):
    _run_media(page, server, media["run0"])
    p = _panel(page, "samples")
    img = p.locator(".media-image-box img")
    img.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('section[aria-label=\"Media samples\"] img'); return i && i.complete && i.naturalWidth > 0 }"
    )
    # last step first; caption markup shown as text, never run
    assert p.locator(".step-label").inner_text() == "step 4"
    cap = p.locator(".media-caption").inner_text()
    assert cap.startswith("<img src=x onerror=") and cap.endswith("step 4 run 0")
    assert page.evaluate("document.body.dataset.xss") is None
    # overlays: a painted mask with class toggles, one box with its caption
    p.locator("canvas.mask-layer").wait_for()
    p.locator("svg.box-layer rect").wait_for()
    assert p.locator("svg.box-layer text").text_content() == "cat"

    def painted() -> int:  # opaque pixels of the mask layer
        return page.evaluate("""() => { const c = document.querySelector('section[aria-label="Media samples"] canvas.mask-layer');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")

    page.wait_for_function("""() => { const c = document.querySelector('section[aria-label="Media samples"] canvas.mask-layer');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i]) return true; return false; }""")
    everything = painted()
    assert everything == 32 * 48  # bg is a class too
    p.get_by_label("pred bg").uncheck()
    page.wait_for_timeout(50)
    assert painted() == 16 * 24 + 8 * 16  # cat + dog
    p.get_by_label("pred dog").uncheck()
    page.wait_for_timeout(50)
    assert painted() == 16 * 24
    p.get_by_label("gt cat").uncheck()
    assert p.locator("svg.box-layer rect").count() == 0
    p.get_by_label("gt cat").check()
    shot(page, "media-images")
    # slider: step 1 shows that step's image and caption
    p.get_by_label("Step of samples").fill("1")
    assert p.locator(".step-label").inner_text() == "step 1"
    assert p.locator(".media-caption").inner_text().endswith("step 1 run 0")
    assert "/samples_1_" in p.locator(".media-image-box img").get_attribute("data-path")
    # play runs to the last step
    p.get_by_label("Play through steps").click()
    page.wait_for_function(
        "() => document.querySelector('section[aria-label=\"Media samples\"] .step-label').textContent === 'step 4'",
        timeout=5000,
    )
    # click to zoom
    p.locator(".media-image-box").first.click()
    dlg = page.get_by_role("dialog")
    dlg.locator("img").wait_for()
    assert dlg.locator("img").bounding_box()["width"] > 300
    shot(page, "media-zoom")
    page.keyboard.press("Escape")
    # a list of images (images/separated): three, with their captions
    g = _panel(page, "gallery")
    g.scroll_into_view_if_needed()
    g.locator("img").nth(2).wait_for()
    assert g.locator("img").count() == 3
    assert g.locator(".media-caption").all_inner_texts() == ["g0", "g1", "g2"]


def test_workspace_media_runs_side_by_side(page, server, media):
    page.goto(f"{server.url}/{server.entity}/media")
    sec = page.locator('section[aria-label="Section media"]')
    sec.wait_for()
    _image_of_run(page, "samples", 1)
    p = _panel(page, "samples")
    cols = p.locator(".media-run")
    assert cols.count() == 2  # the third visible run (big-table) never logged "samples": no column
    boxes = [cols.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] > boxes[0]["x"]  # side by side
    p.get_by_label("Step of samples").fill("2")
    for run in (0, 1):  # the step applies after a render: wait for it, then read every caption
        p.locator(".media-caption", has_text=f"step 2 run {run}").wait_for()
    caps = p.locator(".media-caption").all_inner_texts()
    assert sorted(c[-12:] for c in caps) == ["step 2 run 0", "step 2 run 1"]  # same step in both runs
    # histograms over steps: one heatmap per run, a column per step
    h = _panel(page, "weights")
    h.scroll_into_view_if_needed()
    h.locator("canvas[data-columns='5']").first.wait_for()
    assert h.locator("canvas[data-columns='5']").count() == 2
    lit = page.evaluate("""() => { const c = document.querySelector('section[aria-label="Media weights"] canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const set = new Set();
        for (let i = 0; i < d.length; i += 4) set.add(d[i] << 16 | d[i+1] << 8 | d[i+2]); return set.size; }""")
    assert lit > 10  # a colour scale, not a blank canvas
    # hover() waits until the canvas stops moving (panels above may still be laying out on a busy
    # machine): a mouse move to coordinates read earlier could land beside it and show no readout
    canvas = h.locator("canvas").first
    size = canvas.bounding_box()
    canvas.hover(position={"x": size["width"] * 0.6, "y": size["height"] * 0.4})
    h.locator(".heatmap-readout", has_text="count").first.wait_for()
    shot(page, "media-workspace")
    # media keys are not numeric chart panels
    assert page.locator('[aria-label="Section media"]').count() == 1
    assert page.locator(".panel-grid").get_by_text("samples", exact=True).count() == 0


def test_table_sort_filter_versions_and_inline_media(page, server, media):
    _run_media(page, server, media["run0"])
    p = _panel(page, "preds")
    p.scroll_into_view_if_needed()
    grid = p.get_by_test_id("table-grid")
    grid.wait_for()
    assert "version of step 4" in p.locator(".table-version").inner_text()
    assert "20 rows" in p.inner_text()
    # markup in a cell is text
    p.get_by_text("<b>bold</b><script>document.body.dataset.xss=2</script>").wait_for()
    assert page.evaluate("document.body.dataset.xss") is None
    # inline image and audio cells
    grid.locator("button.thumb img").first.wait_for()
    assert grid.locator("audio.cell-audio").count() == 1
    # sort by score descending
    p.get_by_role("button", name="score").click()
    p.get_by_role("button", name="score ▲").click()
    first = grid.locator(".grid-row").first.locator(".grid-cell").nth(3).inner_text()
    assert first == "4.96"
    # filter
    p.get_by_label("Filter rows").fill("label:dog score>4.5")
    page.wait_for_function(
        "() => document.querySelector('section[aria-label=\"Media preds\"] .media-table-bar').textContent.includes('of 20 rows')"
    )
    texts = grid.locator(".grid-row").all_inner_texts()
    assert texts and all("dog" in t for t in texts)
    p.get_by_label("Filter rows").fill("nope:1")
    assert "unknown column" in p.get_by_role("alert").inner_text()
    p.get_by_label("Filter rows").fill("")
    # versions: step 0's table
    p.get_by_label("Step of preds").fill("0")
    assert "version of step 0" in p.locator(".table-version").inner_text()
    grid.locator(".grid-row").first.wait_for()
    # image cell zooms
    grid.locator("button.thumb").first.click()
    page.get_by_role("dialog").locator("img").wait_for()
    shot(page, "media-table")
    page.keyboard.press("Escape")


def test_big_table_opens_virtualized(page, server, media):
    page.goto(f"{server.url}/{server.entity}/media/runs/{media['big']}/media")
    grid = page.get_by_test_id("table-grid")
    grid.wait_for(timeout=10_000)
    page.wait_for_function(
        """() => { const imgs = [...document.querySelectorAll('[data-testid="table-grid"] button.thumb img')];
           return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0); }""",
        timeout=10_000,
    )
    ms = page.evaluate("performance.now()")
    ready = float(grid.get_attribute("data-ready-ms"))
    print(
        f"\n10,000-row table with 1,000 image cells: grid at {ready:.0f} ms, visible images decoded at {ms:.0f} ms after navigation"
    )
    assert "10,000 rows" in page.locator(".media-table-bar").inner_text()
    assert grid.locator(".grid-row").count() < 40  # virtualized
    # scroll to the end: the last rows render
    grid.evaluate("g => g.scrollTop = g.scrollHeight")
    page.get_by_text("row 9999", exact=True).wait_for()
    t0 = page.evaluate("performance.now()")
    page.get_by_role("button", name="score").click()
    page.get_by_label("Filter rows").fill("score>0.99")
    page.wait_for_function(
        "() => document.querySelector('.media-table-bar').textContent.includes('of 10,000 rows')"
    )
    print(f"sort + filter of 10,000 rows: {page.evaluate('performance.now()') - t0:.0f} ms")
    shot(page, "media-big-table")


def test_html_is_sandboxed(page, server, media):
    page.add_init_script(
        "window.__probes = []; addEventListener('message', (e) => window.__probes.push(e.data && e.data.probe));"
    )
    _run_media(page, server, media["run0"])
    p = _panel(page, "page")
    p.scroll_into_view_if_needed()
    frame = p.locator("iframe")
    frame.wait_for()
    assert frame.get_attribute("sandbox") == "allow-scripts"
    page.frame_locator('section[aria-label="Media page"] iframe').locator("#hello").wait_for()
    page.wait_for_function("() => window.__probes.length > 0", timeout=5000)
    probes = page.evaluate("window.__probes")
    # the script ran, in an opaque origin: no parent DOM, no storage (the API key), no cookies
    assert probes == ["parent-blocked,ls-blocked,cookie-blocked"], probes
    assert page.evaluate("document.body.getAttribute('data-pwned')") is None
    assert page.evaluate("localStorage.getItem('pwned')") is None
    shot(page, "media-html")


def test_audio_video_point_cloud(page, server, media):
    _run_media(page, server, media["run0"])
    a = _panel(page, "speech")
    a.scroll_into_view_if_needed()
    a.locator("canvas[data-drawn='true']").wait_for()
    assert "8000 Hz" in a.inner_text()
    assert a.locator(".media-caption").inner_text() == "<i>tone</i>"
    dur = a.locator("audio").evaluate(
        "el => new Promise(r => el.duration ? r(el.duration) : el.addEventListener('loadedmetadata', () => r(el.duration)))"
    )
    assert abs(dur - 1.0) < 0.05
    v = _panel(page, "clip")
    v.scroll_into_view_if_needed()
    v.locator("img").wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('section[aria-label=\"Media clip\"] img'); return i.complete && i.naturalWidth === 16 }"
    )
    c = _panel(page, "cloud")
    c.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const el = document.querySelector('section[aria-label=\"Media cloud\"]'); return el.querySelector('.point-cloud[data-points]') || el.textContent.includes('WebGL is not available') }",
        timeout=10_000,
    )
    pc = c.locator(".point-cloud")
    if pc.get_attribute("data-points"):
        assert pc.get_attribute("data-points") == "300"
        before = pc.locator("canvas").screenshot()
        drag(
            page,
            pc,
            lambda b: [(b["width"] / 2, b["height"] / 2), (b["width"] / 2 + 80, b["height"] / 2 + 10)],
            steps=5,
        )
        page.mouse.wheel(0, -200)
        assert pc.locator("canvas").screenshot() != before  # rotated
    else:
        print("\nWebGL unavailable in this Chromium: point cloud fallback message shown")
    shot(page, "media-players")


def test_custom_charts(page, server, media):
    _run_media(page, server, media["run0"])
    for key in (
        "plots/roc",
        "plots/pr",
        "plots/lines",
        "plots/bar",
        "plots/scatter",
        "plots/hist",
        "plots/plotly",
    ):
        p = _panel(page, key)
        p.scroll_into_view_if_needed()
        p.locator(".uchart[data-ready='true'] canvas").first.wait_for(timeout=5000)
    roc = _panel(page, "plots/roc")
    legend = roc.locator(".u-legend").inner_text()
    assert "neg" in legend and "pos" in legend
    assert "Two lines" in _panel(page, "plots/lines").inner_text()
    assert "A plotly figure" in _panel(page, "plots/plotly").inner_text()
    cm = _panel(page, "plots/cm")
    cm.scroll_into_view_if_needed()
    cm.locator("table.confusion").wait_for()
    cells = cm.locator("table.confusion td").all_inner_texts()
    assert sum(int(c) for c in cells) == 10
    shot(page, "media-charts")


def _image_of_run(page, key: str, n: int) -> None:
    """Until the `key` panel shows an image for its n-th run. The panel is scrolled to at every try: a
    media panel reads its values once it is first on screen, and the sections above it can still grow
    after a single scroll to it (the CI saw the panel pushed off screen before it was seen, once).
    Should it time out, the panel's markup and the failed requests say why."""
    try:
        page.wait_for_function(
            """([key, n]) => {
                 const p = document.querySelector(`section[aria-label="Media ${key}"]`);
                 if (!p) return false;
                 p.scrollIntoView({ block: "center" });
                 const img = p.querySelectorAll(".media-run")[n]?.querySelector("img");
                 return !!img && img.getBoundingClientRect().width > 0;
               }""",
            arg=[key, n],
        )
    except PlaywrightTimeout:
        panel = page.evaluate(
            """(key) => { const p = document.querySelector(`section[aria-label="Media ${key}"]`);
                 return p ? p.outerHTML.slice(0, 4000) : "no panel; the page says: " + document.body.innerText.slice(0, 2000); }""",
            key,
        )
        raise AssertionError(
            f"run {n} of media panel {key!r} shows no image.\nPanel: {panel}\nFailed requests: {_FAILED}"
        ) from None


def test_filter_that_changes_the_runs_keeps_media_panels(page, server, media):
    page.goto(f"{server.url}/{server.entity}/media")
    _image_of_run(page, "samples", 1)
    f = page.get_by_label("Filter runs")
    f.fill('name = "media-1"')
    page.get_by_text("1 of 3 runs").wait_for()
    _image_of_run(page, "samples", 0)
    page.wait_for_function(
        """() => { const p = document.querySelector('section[aria-label="Media samples"]');
                   return p && p.querySelectorAll('.media-run').length === 1
                     && p.querySelector('.media-run-label').textContent.includes('media-1'); }"""
    )
    f.fill("")
    page.get_by_text("3 runs", exact=True).wait_for()
    _image_of_run(page, "samples", 1)


def test_x_axis_menu_lists_only_numbers(page, server, media):
    page.goto(f"{server.url}/{server.entity}/media")
    x = page.get_by_label("X axis")
    page.wait_for_function(
        "() => document.querySelectorAll('select[aria-label=\"X axis\"] option').length > 3"
    )
    options = x.locator("option").all_inner_texts()
    assert "loss" in options
    assert not {"samples", "gallery", "weights", "preds"} & set(options), options


def test_compare_describes_histograms(page, server, media):
    page.goto(f"{server.url}/{server.entity}/media/compare?runs={media['run0']},{media['run1']}")
    summary = page.get_by_role("region", name="Summary")
    row = summary.locator("tbody tr", has=page.get_by_role("rowheader", name="weights", exact=True))
    row.wait_for()
    cells = row.locator("td").all_inner_texts()
    assert all(c.startswith("histogram") and "{" not in c for c in cells), cells


def test_media_file_not_there_yet_is_asked_again(page, server, media):
    # a live run's history row can name an image the uploader has not sent yet: the server answers
    # 404 for it at first (played here by answering each image's first request with a 404)
    missed: set[str] = set()

    def first_404(route):
        if route.request.url not in missed:
            missed.add(route.request.url)
            return route.fulfill(
                status=404,
                content_type="application/json",
                body='{"error": {"code": "unknown_file", "message": "no such file"}}',
            )
        return route.continue_()

    page.route("**/files/media/images/**", first_404)
    _run_media(page, server, media["run1"])
    p = _panel(page, "samples")
    page.wait_for_function(
        "() => { const i = document.querySelector('section[aria-label=\"Media samples\"] img'); return i && i.complete && i.naturalWidth > 0 }",
        timeout=20_000,
    )
    assert missed
    assert p.get_by_role("alert").count() == 0
