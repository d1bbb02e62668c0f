"""`runyard report export ID --format html|pdf`: a report as a static file (docs/reports.md).

The export is the web UI's own (web/src/components/report/exportReport.ts): headless Chromium opens
the report's page on the server, authenticated by the API key in a request header, and saves what the
page's "Export HTML" button produces: one self-contained HTML file (charts drawn as SVG, data
embedded, no script). A PDF is that file printed by Chromium. Needs the `playwright` package and a
Chromium (RUNYARD_CHROMIUM, else /usr/bin/chromium, else Playwright's own).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError

EXPORT_TIMEOUT_MS = 120_000


def _chromium() -> str | None:
    path = os.environ.get("RUNYARD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).is_file() else None


def export(api: Any, report_id: int, fmt: str, out: Path) -> Path:
    """Write report `report_id` as `fmt` ("html" or "pdf") to `out`."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError("report export needs Playwright: pip install playwright") from None
    rep = api.report(report_id)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            ctx = browser.new_context(
                extra_http_headers={"Authorization": f"Bearer {api.api_key}"},
                viewport={"width": 1280, "height": 800},
                accept_downloads=True,
            )
            page = ctx.new_page()
            page.goto(rep.url)
            button = page.get_by_role("button", name="Export HTML")
            button.wait_for(timeout=EXPORT_TIMEOUT_MS)
            with page.expect_download(timeout=EXPORT_TIMEOUT_MS) as dl:
                button.click()
            html = Path(tmp) / "report.html"
            dl.value.save_as(html)
            if fmt == "html":
                shutil.copyfile(html, out)
            else:
                printer = browser.new_context().new_page()
                printer.goto(html.as_uri())
                printer.pdf(path=str(out), format="A4", print_background=True)
        finally:
            browser.close()
    return out


@click.group("report")
def report() -> None:
    """Reports: export one as a file."""


@report.command("export")
@click.argument("report_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (default: report-ID.FORMAT).",
)
@click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")
def export_cmd(report_id: int, fmt: str, out: str | None, host: str | None) -> None:
    """Export report REPORT_ID as a self-contained HTML file (opens offline) or a PDF."""
    from ..api import Api

    path = export(
        Api({"base_url": host} if host else None), report_id, fmt, Path(out or f"report-{report_id}.{fmt}")
    )
    click.echo(str(path))
