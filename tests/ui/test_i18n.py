"""UI language in real Chromium (see conftest.py): a browser asking for Chinese gets the UI in
简体中文 on the main pages (projects, a project's workspace with its dialogs), with no English
catalogue string left on screen (text, labels, placeholders, titles) and every message looked up
translated; the language switch goes back to English and is remembered. Screenshots at 1280x800 go
to test-output/ui/i18n-*.png.
"""

from __future__ import annotations

import re

import pytest

from .conftest import shot, sign_in

# visible text, accessible names, placeholders and titles that equal an English catalogue message
# (messages with placeholders are checked through the looked-up keys instead)
ENGLISH_LEFT = """() => {
  const { en, zhCN } = window.__runyardI18n;
  const english = new Set(Object.keys(en).filter((k) => !en[k].includes('{') && en[k] !== zhCN[k]).map((k) => en[k]));
  const found = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !el.getClientRects().length || el.closest('[translate=no]')) continue;  // user content
    const s = n.textContent.trim().replace(/…$/, '');
    if (english.has(s)) found.add(s);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    for (const a of ['aria-label', 'placeholder', 'title']) {
      const v = el.getAttribute(a);
      if (v && english.has(v)) found.add(`${a}=${v}`);
    }
  }
  return [...found];
}"""

# keys looked up whose zh-CN message is the English one (an untranslated catalogue entry)
UNTRANSLATED = """() => {
  const { used, en, zhCN } = window.__runyardI18n;
  return [...used].filter((k) => !zhCN[k] || zhCN[k] === en[k]);
}"""


@pytest.fixture
def zh_page(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    sign_in(ctx, server)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert not errors, errors


def check_translated(page) -> None:
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.evaluate(ENGLISH_LEFT) == []
    assert page.evaluate(UNTRANSLATED) == []


def test_main_pages_in_chinese_then_english(zh_page, server):
    page = zh_page
    page.goto(server.url)
    page.get_by_role("heading", name="项目").wait_for()
    check_translated(page)
    shot(page, "i18n-home-zh-CN")

    page.get_by_role("link", name="demo").click()
    page.locator(".rt-row").first.wait_for()
    page.get_by_role("toolbar", name="工作区控件").wait_for()
    page.locator(".ws-runs-bar").get_by_text(re.compile(r"^\d+ 个运行")).wait_for()
    page.locator("section.panel").first.wait_for()
    check_translated(page)
    shot(page, "i18n-workspace-zh-CN")

    page.get_by_role("button", name="列", exact=True).click()
    page.get_by_role("dialog", name="列").wait_for()
    check_translated(page)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="键盘快捷键").click()
    page.get_by_role("dialog", name="键盘快捷键").wait_for()
    check_translated(page)
    page.keyboard.press("Escape")

    # the switch overrides the browser's language, and is remembered on the next visit
    page.get_by_role("combobox", name="语言").select_option("en")
    page.get_by_role("toolbar", name="Workspace controls").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.goto(server.url)
    page.get_by_role("heading", name="Projects").wait_for()
