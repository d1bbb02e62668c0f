"""Panels the user adds (real Chromium, see conftest.py): "Add panel" makes a line plot of the
metrics a regex picks (every run's line of each metric), editing it renames it and swaps the regex
for named metrics, a scalar card shows a summary value aggregated over the visible runs, all of it
kept in the URL (a reload and a fresh browser with the link show the same panels), removing one
removes it. Screenshots at 1280x800 in both themes and in zh-CN go to test-output/ui/panels-*.png.
"""

from __future__ import annotations

import re

from .conftest import drag, shot, sign_in, watch_errors


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
    order = cells_of("Custom panels")
    assert page.evaluate(order) == "p1,p2"
    cells = section.locator("[data-panel-cell]")
    page.drag_and_drop('[data-panel-cell="p2"] .drag-handle', '[data-panel-cell="p1"]')
    page.wait_for_function(f"() => ({order})() === 'p2,p1'")
    handle = page.get_by_role("button", name=re.compile("^Move Accuracy and loss"))
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({order})() === 'p2,p1'")  # already last
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => ({order})() === 'p1,p2'")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')").startswith(
        "Move Accuracy"
    )

    # drag the corner to resize: two columns wide, one step taller; arrow keys too
    cell = cells.first
    chart = cell.locator(".chart")
    before = chart.bounding_box()
    corner = cell.get_by_role("button", name=re.compile("^Resize Accuracy and loss"))
    drag(
        page,
        corner,
        lambda b: [(7, 7), (7 + before["width"] * 0.8, 107), (7 + before["width"] * 0.9, 177)],
        steps=5,
    )
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


SECTIONS = "() => [...document.querySelectorAll('.ws-panels > section.section')].map((s) => s.getAttribute('aria-label'))"


def cells_of(section: str, word: str = "Section") -> str:
    return f"() => [...document.querySelectorAll('section[aria-label=\"{word} {section}\"] [data-panel-cell]')].map((c) => c.dataset.panelCell).join()"


def test_auto_panels_reorder_resize_and_sections_rename_and_move(page, server, browser):
    """The auto-created metric panels move and resize like added ones (drag, arrow keys), sections are
    renamed and moved, media is not forced above the charts, and all of it is in the URL: a reload and
    a fresh browser (dark, zh-CN) with the link show the same arrangement."""
    page.goto(f"{server.url}/{server.entity}/demo?grid=2")
    train = page.get_by_role("region", name="Section train")
    ready(train.get_by_role("region", name="Chart train/loss"))
    page.wait_for_function(f"() => ({cells_of('train')})() === 'train/acc,train/loss'")
    assert page.evaluate(SECTIONS) == ["Section Parameters", "Section eval", "Section train"]

    # drag a panel onto another in its section; a panel dropped into another section stays where it was
    page.drag_and_drop('[data-panel-cell="train/loss"] .drag-handle', '[data-panel-cell="train/acc"]')
    page.wait_for_function(f"() => ({cells_of('train')})() === 'train/loss,train/acc'")
    assert "layout=" in page.url
    page.drag_and_drop('[data-panel-cell="eval/acc"] .drag-handle', '[data-panel-cell="train/acc"]')
    page.wait_for_function(f"() => ({cells_of('eval')})() === 'eval/acc'")
    assert page.evaluate(f"({cells_of('train')})") == "train/loss,train/acc"
    handle = page.locator('[data-panel-cell="train/acc"] .drag-handle')
    handle.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => ({cells_of('train')})() === 'train/acc,train/loss'")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({cells_of('train')})() === 'train/loss,train/acc'")

    # resize with the corner's arrow keys: two columns, one step taller
    cell = page.locator('[data-panel-cell="train/acc"]')
    before = cell.locator(".chart").bounding_box()
    corner = cell.locator(".resize-handle")
    assert corner.get_attribute("aria-label") == "Resize train/acc (1 column × 1 row): drag, or arrow keys"
    corner.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "() => { const c = document.querySelector('[data-panel-cell=\"train/acc\"]'); return c.dataset.w === '2' && c.dataset.h === '2'; }"
    )
    assert corner.get_attribute("aria-label") == "Resize train/acc (2 columns × 2 rows): drag, or arrow keys"
    page.wait_for_function(
        "([h, w]) => { const c = document.querySelector('[data-panel-cell=\"train/acc\"] .chart');"
        " return c.offsetHeight > h + 100 && c.offsetWidth > w * 1.8; }",
        arg=[before["height"], before["width"]],
    )

    # rename a section (Escape cancels, Enter keeps) and move it up
    train.get_by_role("button", name="Rename section train").click()
    page.get_by_label("Section name").fill("nope")
    page.keyboard.press("Escape")
    train.get_by_role("button", name="Rename section train").wait_for()
    train.get_by_role("button", name="Rename section train").click()
    page.get_by_label("Section name").fill("Training")
    page.keyboard.press("Enter")
    training = page.get_by_role("region", name="Section Training")
    training.get_by_role("button", name="Move section Training up").click()
    page.wait_for_function(
        f"() => ({SECTIONS})().join() === 'Section Parameters,Section Training,Section eval'"
    )
    assert training.get_by_role("button", name="Move section Training up").is_enabled()
    assert (
        page.get_by_role("region", name="Section eval")
        .get_by_role("button", name="Move section eval down")
        .is_disabled()
    )
    shot(page, "panels-arranged")

    # kept in the URL: a reload and a fresh browser (dark, Chinese) show the same arrangement
    url = page.url
    page.reload()
    ready(training.get_by_role("region", name="Chart train/acc"))
    assert page.evaluate(SECTIONS) == ["Section Parameters", "Section Training", "Section eval"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="dark", locale="zh-CN")
    sign_in(ctx, server)
    other = ctx.new_page()
    errors: list[str] = []
    watch_errors(other, errors)
    other.goto(url)
    sec = other.get_by_role("region", name="分组 Training")
    ready(sec.get_by_role("region", name="图表 train/acc"))
    other.wait_for_function(f"() => ({cells_of('Training', '分组')})() === 'train/loss,train/acc'")
    assert other.evaluate("() => document.querySelector('[data-panel-cell=\"train/acc\"]').dataset.w") == "2"
    assert [s.replace("分组 ", "") for s in other.evaluate(SECTIONS)][1:] == ["Training", "eval"]
    sec.get_by_role("button", name="重命名分组 Training").wait_for()
    shot(other, "panels-arranged-dark-zh-CN")
    ctx.close()
    assert not errors, errors

    # a blank name gives the section its own name back
    training.get_by_role("button", name="Rename section Training").click()
    page.get_by_label("Section name").fill("")
    page.keyboard.press("Enter")
    page.get_by_role("region", name="Section train").get_by_role(
        "button", name="Rename section train"
    ).wait_for()
    assert "Training" not in page.url


def test_media_section_follows_the_charts(page, server, showcase):
    """Media panels are not forced above the charts: by default they follow the metric sections (and
    precede system metrics); moving the media section up puts it before them."""
    page.goto(f"{server.url}/{server.entity}/{showcase}")
    for name in ("media", "train", "eval"):  # media keys come with the runs, metric sections with the keys
        page.get_by_role("region", name=f"Section {name}").wait_for()
    names = page.evaluate(SECTIONS)
    media = names.index("Section media")
    assert media > names.index("Section train") and media > names.index("Section eval"), names
    if "Section system" in names:
        assert media < names.index("Section system"), names
    for _ in range(media - 1):
        page.get_by_role("region", name="Section media").get_by_role(
            "button", name="Move section media up"
        ).click()
    page.wait_for_function(f"() => ({SECTIONS})()[1] === 'Section media'")
    assert "layout=" in page.url
