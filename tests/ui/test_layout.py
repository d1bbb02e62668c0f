"""Layout and accessibility basics of the web UI in real Chromium (see conftest.py).

- Layout at 1280x800 and at a 4K viewport (3840x2160, device scale 1 and 2): screenshots of the
  workspace and of a run's charts go to test-output/ui/layout-*.png; nothing overflows horizontally
  (the page does not scroll sideways and no toolbar, bar or panel header spills out of its box);
  the charts fill the space (the panel grid spans the charts column, every chart's canvas is as wide
  as its panel, and on a 4K screen panels grow instead of staying 380 px tiles).
- Keyboard: Tab alone reaches every visible control of the workspace, in document order, and every
  focused control shows a focus ring.
- Contrast: every visible text of the workspace and the run page has at least 4.5:1 contrast with
  its background (WCAG AA; the palette aims at 7:1, see web/src/styles.css), and run colours at
  least 3:1 on white.
"""

from __future__ import annotations

import pytest

from .conftest import shot, sign_in

VIEWPORTS = {
    "1280x800": ({"width": 1280, "height": 800}, 1),
    "4k": ({"width": 3840, "height": 2160}, 1),
    "4k-dpr2": ({"width": 3840, "height": 2160}, 2),
}

# panels on screen have drawn their data
DRAWN = """() => {
  const ps = [...document.querySelectorAll('section.panel')].filter((p) => {
    const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; });
  return ps.length > 0 && ps.every((p) => p.dataset.state === 'ready' && p.querySelector('.chart[data-first-drawn-at]'));
}"""

# what sticks out sideways: the document itself, and boxes whose content is wider than they are
OVERFLOW = """(sel) => {
  const out = [];
  const d = document.scrollingElement;
  if (d.scrollWidth > d.clientWidth + 1) out.push(`document ${d.scrollWidth} > ${d.clientWidth}`);
  for (const el of document.querySelectorAll(sel)) {
    if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > innerWidth + 1 || r.left < -1)) out.push(`${el.className} at ${r.left}..${r.right}`);
  }
  return out;
}"""
CONTAINERS = (
    ".ws-top, .ws-controls, .ws-runs-bar, .panels-bar, .panel-head, .section h2, .topbar, .tabs, .ws-main"
)

FILL = """() => {
  const grids = [...document.querySelectorAll('.panel-grid')];
  const res = { grids: [], charts: [] };
  for (const g of grids) {
    const host = g.parentElement.closest('.ws-panels, .page');
    if (!host) continue;
    const cs = getComputedStyle(host);
    const inner = host.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    res.grids.push({ grid: g.getBoundingClientRect().width, inner,
      columns: getComputedStyle(g).gridTemplateColumns.split(' ').length });
  }
  for (const p of document.querySelectorAll('section.panel')) {
    const body = p.querySelector('.panel-body');
    const canvas = p.querySelector('.chart canvas');
    if (!canvas) continue;
    res.charts.push({ metric: p.dataset.metric, panel: p.getBoundingClientRect().width,
      body: body.clientWidth, canvas: canvas.getBoundingClientRect().width,
      height: canvas.getBoundingClientRect().height,
      pixels: canvas.width / canvas.getBoundingClientRect().width });
  }
  return res;
}"""


@pytest.fixture
def make_page(browser, server):
    made = []

    def make(viewport: dict, scale: int = 1):
        ctx = browser.new_context(viewport=viewport, device_scale_factor=scale)
        sign_in(ctx, server)
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        made.append((ctx, errors))
        return pg

    yield make
    for ctx, errors in made:
        ctx.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def _check_fill(page, name: str, scale: int) -> None:
    fill = page.evaluate(FILL)
    assert fill["grids"] and fill["charts"], fill
    for g in fill["grids"]:
        assert abs(g["grid"] - g["inner"]) <= 2, (name, g)  # the grid spans the charts column
    for c in fill["charts"]:
        assert abs(c["canvas"] - c["body"]) <= 2, (name, c)  # each chart is as wide as its panel
        assert c["pixels"] == pytest.approx(scale, abs=0.05), (name, c)  # sharp on HiDPI screens
    widths = [c["panel"] for c in fill["charts"]]
    if "4k" in name:
        # big screens get big panels (at most 4 columns), taller too, not a sea of small tiles
        assert min(widths) > 700, (name, widths)
        assert all(c["height"] > 300 for c in fill["charts"]), (name, fill["charts"])
        assert max(g["columns"] for g in fill["grids"]) == 4, (name, fill["grids"])


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_layout_workspace_and_run_page(make_page, server, name):
    viewport, scale = VIEWPORTS[name]
    page = make_page(viewport, scale)
    page.goto(f"{server.url}/{server.entity}/demo")
    page.locator(".rt-row").first.wait_for()
    page.wait_for_function(DRAWN, timeout=20_000)
    shot(page, f"layout-workspace-{name}")
    assert page.evaluate(OVERFLOW, CONTAINERS) == []
    _check_fill(page, name, scale)
    # the runs table keeps its rows in its own scroller, never wider than its column
    table = page.evaluate(
        "() => { const a = document.querySelector('.ws-runs').getBoundingClientRect();"
        " const t = document.querySelector('.rt-scroll').getBoundingClientRect(); return [a.right, t.right]; }"
    )
    assert table[1] <= table[0] + 1, table

    rid = server.runs[0]["id"]
    page.goto(f"{server.url}/{server.entity}/demo/runs/{rid}/charts")
    page.wait_for_function(DRAWN, timeout=20_000)
    shot(page, f"layout-run-charts-{name}")
    assert page.evaluate(OVERFLOW, CONTAINERS) == []
    _check_fill(page, name, scale)

    page.goto(f"{server.url}/")
    page.get_by_role("row").filter(has_text="demo").wait_for()
    assert page.evaluate(OVERFLOW, CONTAINERS) == []


# Every control the user can operate; focus recorded per element as Tab moves.
CONTROLS = """() => [...document.querySelectorAll(
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex="-1"])')]
  .filter((el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.closest('[aria-hidden="true"], [inert]')
      && r.top < innerHeight && r.bottom > 0; })
  .map((el) => el.dataset.tabId || (el.dataset.tabId = String(Math.random()).slice(2)))"""

TRACK_FOCUS = """() => {
  window.__focused = [];
  document.addEventListener('focusin', (e) => {
    const el = e.target;
    const id = el.dataset.tabId || (el.dataset.tabId = String(Math.random()).slice(2));
    const ring = (x) => { const s = getComputedStyle(x); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0; };
    const swatch = el.closest('.swatch-pick');
    window.__focused.push({ id, label: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40) || el.tagName,
      visible: el.matches(':focus-visible'), ring: ring(el) || (swatch ? ring(swatch) : false) });
  });
}"""


def test_keyboard_reaches_every_control(make_page, server):
    page = make_page({"width": 1280, "height": 800})
    page.goto(f"{server.url}/{server.entity}/demo")
    page.locator(".rt-row").first.wait_for()
    page.wait_for_function(DRAWN, timeout=20_000)
    assert_tab_reaches_every_control(page, at_least=30)


def assert_tab_reaches_every_control(page, at_least: int) -> None:
    """Tab from the top of the page round to it again: every control on screen gets focus, each with a
    visible focus ring."""
    controls = page.evaluate(CONTROLS)
    assert len(controls) > at_least, controls
    page.evaluate(TRACK_FOCUS)
    page.locator("body").click(position={"x": 1, "y": 1})
    seen: list[dict] = []
    for _ in range(len(controls) + 40):
        page.keyboard.press("Tab")
        seen = page.evaluate("window.__focused")
        if seen and len(seen) > 1 and seen[-1]["id"] == seen[0]["id"]:
            break  # wrapped around
    ids = {s["id"] for s in seen}
    print(f"{len(controls)} controls on screen, {len(seen)} Tab stops")
    missed = page.evaluate(
        "(ids) => [...document.querySelectorAll('[data-tab-id]')].filter((el) => !ids.includes(el.dataset.tabId))"
        ".map((el) => el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40) || el.outerHTML.slice(0, 80))",
        [i for i in ids],
    )
    assert not [m for m in missed if m], f"not reachable with Tab: {missed}"
    no_ring = [s["label"] for s in seen if not (s["visible"] and s["ring"])]
    assert not no_ring, f"focused without a visible focus ring: {no_ring}"


CONTRAST = """() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let x = el; x; x = x.parentElement) {
      const c = parse(getComputedStyle(x).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const bad = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('[aria-hidden="true"], button:disabled, .sr-only, option')) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (!r.width || r.bottom < 0 || r.top > innerHeight || s.visibility === 'hidden' || s.opacity === '0') continue;
    const bg = background(el);
    const fg = over(parse(s.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    checked++;
    if (ratio < 4.5) bad.push(`${n.textContent.trim().slice(0, 30)} (${el.className || el.tagName}): ${ratio.toFixed(2)}`);
  }
  return { checked, bad: [...new Set(bad)] };
}"""


SWATCHES = """() => {
  const lum = (c) => { const m = c.match(/[\\d.]+/g).map(Number).slice(0, 3).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
  const out = {};
  for (const s of document.querySelectorAll('.rt-row .swatch-pick')) {
    const c = getComputedStyle(s).backgroundColor;
    out[c] = 1.05 / (lum(c) + 0.05);
  }
  return out;
}"""


def test_text_contrast(make_page, server):
    page = make_page({"width": 1280, "height": 800})
    page.goto(f"{server.url}/{server.entity}/demo?hide={server.runs[3]['id']}")  # a dimmed row too
    page.locator(".rt-row").first.wait_for()
    page.wait_for_function(DRAWN, timeout=20_000)
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 50 and not res["bad"], res
    # run colours (the lines, the swatches) against the white chart background: at least 3:1
    swatches = page.evaluate(SWATCHES)
    assert len(swatches) >= 4 and min(swatches.values()) >= 3, swatches  # distinct colours
    page.goto(f"{server.url}/{server.entity}/demo/runs/{server.runs[1]['id']}")
    page.get_by_role("heading", name="run-01").wait_for()
    res = page.evaluate(CONTRAST)
    assert res["checked"] > 20 and not res["bad"], res


def test_grid_columns_one_to_four_kept_in_the_url(make_page, server):
    page = make_page({"width": 1280, "height": 800})
    page.goto(f"{server.url}/{server.entity}/demo?grid=1")
    page.locator(".rt-row").first.wait_for()
    # the grid renders after the runs table: count 0 until it exists instead of throwing
    columns = (
        "() => { const g = document.querySelector('.panel-grid');"
        " return g ? getComputedStyle(g).gridTemplateColumns.split(' ').length : 0; }"
    )
    page.wait_for_function(f"() => ({columns})() === 1")
    picker = page.locator(".panels-bar").get_by_role("combobox", name="Columns")
    for n in (2, 3, 4):
        picker.select_option(str(n))
        page.wait_for_function(f"() => ({columns})() === {n}")
        page.wait_for_function(f"() => location.search.includes('grid={n}')")
    page.reload()
    page.locator(".rt-row").first.wait_for()
    page.wait_for_function(f"() => ({columns})() === 4")
    shot(page, "layout-grid-4")
