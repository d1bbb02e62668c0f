"""Light and dark themes in real Chromium (see conftest.py): a browser preferring dark gets the dark
theme, every visible text on the workspace and the run page keeps at least 4.5:1 contrast with its
background in both themes, and the top bar's switch overrides the browser and is remembered.
Screenshots of the main pages at 1280x800 in both themes and both languages go to
test-output/ui/theme-*.png.
"""

from __future__ import annotations

import pytest

from .conftest import shot, sign_in
from .test_layout import CONTRAST, DRAWN, assert_tab_reaches_every_control

BG = "getComputedStyle(document.documentElement).backgroundColor"


@pytest.fixture
def themed_page(browser, server):
    made = []

    def make(scheme: str, locale: str = "en-US"):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme, locale=locale)
        sign_in(ctx, server)
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        made.append((ctx, errors))
        return pg

    yield make
    for ctx, errors in made:
        ctx.close()
        assert not errors, errors


def luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contrast_in_both_themes(themed_page, server, scheme):
    page = themed_page(scheme)
    page.goto(f"{server.url}/{server.entity}/demo")
    page.locator(".rt-row").first.wait_for()
    page.wait_for_function(DRAWN, timeout=20_000)
    assert (luminance(page.evaluate(BG)) < 0.2) == (scheme == "dark")
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 50 and not res["bad"], res
    run = server.runs[1]["id"]
    page.goto(f"{server.url}/{server.entity}/demo/runs/{run}")
    page.get_by_role("heading", name="run-01").wait_for()
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 20 and not res["bad"], res


def test_switch_overrides_the_browser(themed_page, server):
    page = themed_page("dark")
    page.goto(server.url)
    page.get_by_role("heading", name="Projects").wait_for()
    assert luminance(page.evaluate(BG)) < 0.2
    page.get_by_role("combobox", name="Theme").select_option("light")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    assert luminance(page.evaluate(BG)) > 0.8
    page.reload()
    page.get_by_role("heading", name="Projects").wait_for()
    assert luminance(page.evaluate(BG)) > 0.8


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(themed_page, server, scheme, locale):
    page = themed_page(scheme, locale)
    tag = f"{scheme}-{locale}"
    page.goto(server.url)
    page.locator("h1").wait_for()
    shot(page, f"theme-home-{tag}")
    page.goto(f"{server.url}/{server.entity}/demo")
    page.locator(".rt-row").first.wait_for()
    page.wait_for_function(DRAWN, timeout=20_000)
    shot(page, f"theme-workspace-{tag}")
    page.goto(f"{server.url}/{server.entity}/demo/runs/{server.runs[1]['id']}")
    page.get_by_role("heading", name="run-01").wait_for()
    shot(page, f"theme-run-{tag}")


# run colours on screen (table swatches, chart lines: the same colours) against the panel they sit on
RUN_COLOURS = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number).slice(0, 3);
  const lum = (c) => { const m = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
  const panel = getComputedStyle(document.documentElement).getPropertyValue('--panel').trim();
  const div = document.createElement('div'); div.style.color = panel; document.body.append(div);
  const bg = lum(getComputedStyle(div).color); div.remove();
  const out = {};
  for (const s of document.querySelectorAll('.rt-row .swatch-pick')) {
    const c = getComputedStyle(s).backgroundColor; const l = lum(c);
    out[c] = (Math.max(l, bg) + 0.05) / (Math.min(l, bg) + 0.05);
  }
  return out;
}"""


def test_dark_theme_run_colours_media_artifacts_and_keyboard(themed_page, server, showcase):
    """The dark theme beyond the workspace: run colours readable on dark panels (>= 3:1), text
    contrast on a run's media, the artifacts pages and the panel editor, and every control of those
    pages reachable with Tab with a visible focus ring."""
    page = themed_page("dark")
    page.goto(f"{server.url}/{server.entity}/demo")
    page.locator(".rt-row").first.wait_for()
    colours = page.evaluate(RUN_COLOURS)
    # one colour per run (other tests of the session may have added runs to "demo": count them)
    shown = page.locator(".rt-row .swatch-pick").count()
    assert len(colours) == shown >= 8 and min(colours.values()) >= 3, colours
    page.get_by_role("button", name="+ Add panel").click()
    page.get_by_role("dialog", name="Add panel").get_by_label("Regex").fill("^train/")
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 20 and not res["bad"], res
    # Tab cycles through the dialog's own controls, never the page behind it
    inside = "() => !!document.activeElement.closest('[role=dialog]')"
    for key in ["Tab"] * 40 + ["Shift+Tab"] * 5:
        page.keyboard.press(key)
        assert page.evaluate(inside), page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="detached")

    base = f"{server.url}/{server.entity}/{showcase}"
    page.goto(base)
    page.locator(".rt-row").first.get_by_role("link").click()
    page.get_by_role("tab", name="Media").click()
    page.locator(".media-image-box img").first.wait_for()
    page.get_by_test_id("table-grid").first.wait_for()
    page.locator("canvas[data-drawn=true]").first.wait_for()
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 30 and not res["bad"], res
    assert_tab_reaches_every_control(page, at_least=20)
    shot(page, "theme-run-media-dark")

    page.goto(f"{base}/artifacts")
    page.get_by_role("region", name="Type model").get_by_role("link", name="tiny-mlp").click()
    page.get_by_role("cell", name="Logged by").get_by_role("link").first.wait_for()
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 20 and not res["bad"], res
    assert_tab_reaches_every_control(page, at_least=15)
    page.get_by_role("tab", name="Lineage").click()
    page.locator(".lineage-node").first.wait_for()
    res = page.evaluate(CONTRAST)
    assert not res["bad"], res
    shot(page, "theme-artifact-lineage-dark")
