"""Every page in 简体中文 (real Chromium, see conftest.py): the demo's own training script
(examples/train_demo.py, which `make demo` runs) logs a dataset, three training runs with metrics,
images, a table, histograms, audio and model artifacts into a project of the session server; a
browser asking for Chinese then walks the projects list, the workspace (with its dialogs), every tab
of a run page, a file preview, the compare page, the artifacts list and an artifact version's
overview, lineage and diff. On each, no visible text is left in English: a text node (or a label,
placeholder, title or alt text) with Latin words and no Chinese fails the test unless it is data,
which the UI marks with the standard `translate="no"` attribute (run, metric, file and artifact
names, config values, code). Screenshots at 1280x800 in both themes go to test-output/ui/zh-*.png.
"""

from __future__ import annotations

import pytest

from .conftest import SHOWCASE as PROJECT
from .conftest import shot, sign_in, watch_errors
from .test_i18n import UNTRANSLATED

# Latin words that are the same in Chinese UIs (units, product names)
ALLOWED = [
    "runyard",
    "Plotly",
    "WebGL",
    "Git",
    "Python",
    "SDK",
    "API",
    "KB",
    "MB",
    "GB",
    "TB",
    "B",
    "Hz",
    "ch",
    "x",
    "y",
]

ENGLISH_ON_SCREEN = """(allowed) => {
  const cjk = /[\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef]/;
  const words = new RegExp('\\\\b(' + allowed.join('|') + ')\\\\b', 'g');
  const english = (s) => !cjk.test(s) && /[A-Za-z]{2,}/.test(s.replace(words, ''));
  const data = (el) => el.closest('[translate="no"], code, pre, kbd, script, style, option, .uplot, title');
  const found = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || data(el) || !el.getClientRects().length) continue;
    const s = n.textContent.trim();
    if (s && english(s)) found.add(`${el.tagName.toLowerCase()}: ${s}`);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], img[alt]')) {
    if (data(el)) continue;
    for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
      const v = el.getAttribute(a);
      if (v && english(v)) found.add(`${a}=${v}`);
    }
  }
  return [...found];
}"""


@pytest.fixture(params=["light", "dark"])
def zh(request, browser, server):
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="zh-CN", color_scheme=request.param
    )
    sign_in(ctx, server)
    pg = ctx.new_page()
    errors: list[str] = []
    watch_errors(pg, errors)
    pg.scheme = request.param
    yield pg
    ctx.close()
    assert not errors, errors


def check(page, name: str) -> None:
    """No English on screen, every looked-up message translated; a screenshot."""
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    left = page.evaluate(ENGLISH_ON_SCREEN, ALLOWED)
    assert left == [], f"{name}: English left on screen: {left}"
    assert page.evaluate(UNTRANSLATED) == [], name
    shot(page, f"zh-{name}-{page.scheme}")


def test_every_page_in_chinese(zh, server, showcase):
    page = zh
    base = f"{server.url}/{server.entity}/{PROJECT}"
    page.goto(server.url)
    page.get_by_role("heading", name="项目").wait_for()
    check(page, "home")

    # the workspace: panels, media section, dialogs
    page.goto(base)
    page.locator(".rt-row").first.wait_for()
    # media load when in view; the section is below the charts once the metric keys are known
    page.locator("section.media-panel").first.scroll_into_view_if_needed()
    page.locator("section.media-panel .media-image-box img").first.wait_for()
    check(page, "workspace-media")
    page.locator("section.panel[data-metric]").first.scroll_into_view_if_needed()
    page.locator("section.panel[data-state=ready]").first.wait_for()
    check(page, "workspace")
    rows = page.locator(".rt-row")
    for i in range(2):
        rows.nth(i).get_by_role("checkbox").check()
    for button, dialog, tag in (
        ("标签", "为 2 个运行添加标签", "tag"),
        ("移动…", "把 2 个运行移到另一个项目", "move"),
        ("删除", "删除 2 个运行？", "delete"),
    ):
        page.locator(".ws-runs-bar").get_by_role("button", name=button, exact=True).click()
        page.get_by_role("dialog", name=dialog).wait_for()
        check(page, f"dialog-{tag}")
        page.keyboard.press("Escape")
    page.get_by_role("button", name="+ 添加面板").click()
    editor = page.get_by_role("dialog", name="添加面板")
    editor.get_by_label("正则表达式").fill("^eval/")
    editor.get_by_text("正则表达式匹配 2 个指标。").wait_for()
    check(page, "panel-editor")
    editor.get_by_role("button", name="保存").click()
    added = page.get_by_role("region", name="图表 /^eval//")
    added.scroll_into_view_if_needed()  # the added panels' section is at the top
    added.locator(".chart[data-first-drawn-at]").wait_for()
    check(page, "workspace-added-panel")
    page.locator(".ws-runs-bar").get_by_role("button", name="对比", exact=True).click()
    page.get_by_role("heading", name="对比运行").wait_for()
    page.get_by_role("checkbox", name="只看差异").check()
    check(page, "compare")

    # a run page, every tab
    page.goto(base)
    page.locator(".rt-row").first.get_by_role("link").click()
    page.get_by_role("tablist", name="运行的各部分").wait_for()
    page.get_by_role("textbox", name="备注").wait_for()
    check(page, "run-overview")
    page.get_by_role("button", name="重命名").click()
    page.get_by_role("dialog", name="重命名运行").wait_for()
    check(page, "run-rename")
    page.keyboard.press("Escape")
    tabs = page.get_by_role("tablist", name="运行的各部分")
    tabs.get_by_role("tab", name="图表").click()
    page.locator("section.panel[data-state=ready]").first.wait_for()
    check(page, "run-charts")
    tabs.get_by_role("tab", name="系统").click()
    page.locator("section.panel, .muted:text('没有记录系统指标。')").first.wait_for()
    check(page, "run-system")
    tabs.get_by_role("tab", name="日志").click()
    page.get_by_role("log", name="控制台输出").get_by_text("epoch 0").wait_for()
    check(page, "run-logs")
    tabs.get_by_role("tab", name="文件").click()
    page.get_by_role("button", name="预览").first.click()
    page.get_by_role("button", name="关闭预览").wait_for()
    check(page, "run-files")
    tabs.get_by_role("tab", name="媒体").click()
    page.locator(".media-image-box img").first.wait_for()
    page.get_by_test_id("table-grid").first.wait_for()
    page.locator("canvas[data-drawn=true]").first.wait_for()
    check(page, "run-media")
    tabs.get_by_role("tab", name="制品").click()
    page.get_by_role("region", name="输出（记录的）").get_by_role("link").first.wait_for()
    check(page, "run-artifacts")

    # artifacts: the list, a version's overview, lineage and diff
    page.goto(f"{base}/artifacts")
    page.get_by_role("region", name="类型 model").wait_for()
    check(page, "artifacts")
    page.get_by_role("region", name="类型 model").get_by_role("link", name="tiny-mlp").click()
    page.get_by_role("tablist", name="制品的各部分").wait_for()
    page.get_by_role("cell", name="记录者").get_by_role("link").first.wait_for()
    check(page, "artifact-overview")
    page.get_by_role("tab", name="谱系").click()
    page.locator(".lineage-node").first.wait_for()
    check(page, "artifact-lineage")
    page.get_by_role("tab", name="差异").click()
    page.get_by_label("差异摘要").wait_for()
    check(page, "artifact-diff")
