"""Light and dark themes in real Chromium (see conftest.py): a browser preferring dark gets the dark
theme, every visible text on the workspace and the run page keeps at least 4.5:1 contrast with its
background in both themes, and the top bar's switch overrides the browser and is remembered.
Screenshots of the main pages at 1280x800 in both themes and both languages go to
test-output/ui/theme-*.png.
"""

from __future__ import annotations

import pytest

from .conftest import shot, sign_in
from .test_layout import CONTRAST, DRAWN

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
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")
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
