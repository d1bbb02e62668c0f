"""Chart panels in the workspace: log scales, colours, axes and the hover legend (see conftest.py)."""

from __future__ import annotations

from .conftest import shot

LOSS = 'section.panel[data-metric="train/loss"]'


def ws_url(server, query: str = "") -> str:
    return f"{server.url}/{server.entity}/demo{query}"


def _drawn(page, selector: str, timeout: float = 20_000) -> None:
    """Wait until the chart in `selector` has drawn points (a frozen tab never gets there)."""
    page.wait_for_function(
        "s => !!document.querySelector(s + ' .chart[data-draws]')", arg=selector, timeout=timeout
    )


def test_log_y_from_the_url_and_full_screen(page, server):
    page.goto(ws_url(server, "?logy=1"))
    _drawn(page, LOSS)
    page.locator(LOSS).get_by_role("button", name="Show train/loss full screen").click()
    _drawn(page, ".modal " + LOSS)
    shot(page, "charts-log-y")
