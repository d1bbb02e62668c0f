"""Panels the user adds (real Chromium, see conftest.py): "Add panel" makes a line plot of the
metrics a regex picks (every run's line of each metric), editing it renames it and swaps the regex
for named metrics, a scalar card shows a summary value aggregated over the visible runs, all of it
kept in the URL (a reload and a fresh browser with the link show the same panels), removing one
removes it. Screenshots at 1280x800 in both themes and in zh-CN go to test-output/ui/panels-*.png.
"""

from __future__ import annotations

import re

from .conftest import shot, sign_in, watch_errors


def legend_labels(panel) -> list[str]:
    """Hover the middle of a chart: the labels its legend lists."""
    # hover() waits until the chart is attached and stable (it is remade when its series change)
    panel.locator(".u-over").hover()
    legend = panel.locator(".chart-legend")
    legend.wait_for()
    return sorted(legend.locator(".chart-legend-label").all_inner_texts())


def ready(panel) -> None:
    panel.locator(".chart[data-first-drawn-at]").wait_for()


def test_add_edit_and_remove_panels(page, server, browser):
    one = server.runs[2]["id"]
    page.goto(f"{server.url}/{server.entity}/demo?only={one}")
    page.locator(".rt-row").first.wait_for()

    # a line plot of every metric the regex matches
    page.get_by_role("button", name="+ Add panel").click()
    dialog = page.get_by_role("dialog", name="Add panel")
    dialog.get_by_label("Regex").fill("^train/")
    dialog.get_by_text("The regex matches 2 metrics.").wait_for()
    dialog.get_by_text("Shows: train/acc, train/loss").wait_for()
    dialog.get_by_role("button", name="Save").click()
    section = page.get_by_role("region", name="Section Custom panels")
    panel = section.get_by_role("region", name="Chart /^train//")
    ready(panel)
    assert legend_labels(panel) == ["train/acc", "train/loss"]
    assert "panels=" in page.url

    # edit: a title, named metrics instead of the regex
    panel.get_by_role("button", name="Edit /^train//").click()
    dialog = page.get_by_role("dialog", name="Edit panel")
    dialog.get_by_label("Title").fill("Accuracy and loss")
    dialog.get_by_label("Regex").fill("")
    dialog.get_by_label("Search metrics").fill("acc")
    dialog.get_by_role("checkbox", name="eval/acc").check()
    dialog.get_by_label("Search metrics").fill("loss")
    dialog.get_by_role("checkbox", name="train/loss").check()
    dialog.get_by_text("Shows: eval/acc, train/loss").wait_for()
    dialog.get_by_role("button", name="Save").click()
    panel = section.get_by_role("region", name="Chart Accuracy and loss")
    ready(panel)
    assert legend_labels(panel) == ["eval/acc", "train/loss"]

    # a scalar card: the summary value, aggregated over the visible runs
    page.get_by_role("button", name="+ Add panel").click()
    dialog = page.get_by_role("dialog", name="Add panel")
    dialog.get_by_role("radio", name="Scalar card").check()
    dialog.get_by_label("Value").select_option("max")
    dialog.get_by_label("Search metrics").fill("best")
    dialog.get_by_role("checkbox", name="best").check()
    dialog.get_by_role("button", name="Save").click()
    card = section.get_by_role("region", name="Chart best")
    assert card.locator(".scalar-value").inner_text() == "44"  # run-02: 42 + 2
    page.get_by_role("button", name="Show all").click()
    card.get_by_text("maximum of 8 runs").wait_for()
    assert card.locator(".scalar-value").inner_text() == "49"
    shot(page, "panels-light")

    # drag a panel onto another to reorder; the arrow keys on its handle move it back
    order = "() => [...document.querySelectorAll('[data-panel-cell]')].map((c) => c.dataset.panelCell)"
    assert page.evaluate(order) == ["p1", "p2"]
    cells = section.locator("[data-panel-cell]")
    page.drag_and_drop('[data-panel-cell="p2"] .drag-handle', '[data-panel-cell="p1"]')
    page.wait_for_function(f"() => ({order})().join() === 'p2,p1'")
    handle = page.get_by_role("button", name=re.compile("^Move Accuracy and loss"))
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({order})().join() === 'p2,p1'")  # already last
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => ({order})().join() === 'p1,p2'")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')").startswith(
        "Move Accuracy"
    )

    # drag the corner to resize: two columns wide, one step taller; arrow keys too
    cell = cells.first
    chart = cell.locator(".chart")
    before = chart.bounding_box()
    corner = cell.get_by_role("button", name=re.compile("^Resize Accuracy and loss"))
    box = corner.bounding_box()
    page.mouse.move(box["x"] + 7, box["y"] + 7)
    page.mouse.down()
    page.mouse.move(box["x"] + 7 + before["width"] * 0.8, box["y"] + 7 + 100, steps=5)
    page.mouse.move(box["x"] + 7 + before["width"] * 0.9, box["y"] + 7 + 170, steps=5)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('[data-panel-cell=p1]').dataset.w === '2'")
    assert cell.get_attribute("data-h") == "2"
    page.wait_for_function(
        f"() => document.querySelector('[data-panel-cell=p1] .chart').offsetHeight > {before['height'] + 100}"
    )
    assert chart.bounding_box()["width"] > before["width"] * 1.8
    corner.focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => document.querySelector('[data-panel-cell=p1]').dataset.h === '1'")
    assert cell.get_attribute("data-w") == "2"
    shot(page, "panels-resized")

    # kept in the URL: a reload and a fresh browser with the link show the same panels
    url = page.url
    page.reload()
    section.get_by_role("region", name="Chart Accuracy and loss").locator(
        ".chart[data-first-drawn-at]"
    ).wait_for()
    assert section.get_by_role("region", name="Chart best").locator(".scalar-value").inner_text() == "49"
    for scheme, locale in (("dark", "en-US"), ("light", "zh-CN")):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme, locale=locale)
        sign_in(ctx, server)
        other = ctx.new_page()
        errors: list[str] = []
        watch_errors(other, errors)
        other.goto(url)
        name = "自定义面板" if locale == "zh-CN" else "Custom panels"
        chart = "图表" if locale == "zh-CN" else "Chart"
        sec = other.get_by_role("region", name=re.compile(name))
        ready(sec.get_by_role("region", name=f"{chart} Accuracy and loss"))
        assert other.evaluate("() => document.querySelector('[data-panel-cell=p1]').dataset.w") == "2"
        assert sec.get_by_role("region", name=f"{chart} best").locator(".scalar-value").inner_text() == "49"
        shot(other, f"panels-{scheme}-{locale}")
        ctx.close()
        assert not errors, errors

    # removing one removes it from the page and the URL
    card.get_by_role("button", name="Remove best").click()
    card.wait_for(state="detached")
    assert "best" not in re.sub(r"^.*panels=", "", page.url)
    assert section.get_by_role("region", name="Chart Accuracy and loss").is_visible()
