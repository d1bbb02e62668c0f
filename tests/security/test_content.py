"""User content is never active in the app's origin: security headers on the UI and the API, uploaded
active files sandboxed and served as downloads, and in real Chromium an SVG's script never runs as the
app (real server, SQLite and PostgreSQL)."""

from __future__ import annotations

import httpx
import pytest

from ..conftest import sign_in
from .crafted import ingest, run_log

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>'
    b"try { localStorage.setItem('pwned', document.cookie || 'ran'); } catch (e) {}"
    b"document.documentElement.setAttribute('data-ran', '1');"
    b"</script></svg>"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\0" * 16


def _auth(server) -> dict:
    return {"Authorization": f"Bearer {server.api_key}"}


def _file_url(server, path: str) -> str:
    return f"{server.url}/api/v1/runs/admin/p/files-run/files/{path}"


@pytest.fixture
def run_files(server) -> dict[str, str]:
    """A run holding an SVG with a script, an html page, a PNG and a JSON file; name -> URL."""
    assert ingest(server, "files-run", run_log("files-run")).status_code == 200
    files = {"evil.svg": SVG, "page.html": b"<script>alert(1)</script>", "img.png": PNG, "t.json": b"{}"}
    for name, data in files.items():
        r = httpx.put(_file_url(server, name), content=data, headers=_auth(server), timeout=60)
        assert r.status_code == 200, r.text
    return {name: _file_url(server, name) for name in files}


def test_ui_and_api_carry_the_security_headers(server, ui_built):
    for url in (server.url + "/", server.url + "/admin/p", server.url + "/api/v1/health"):
        h = httpx.get(url, timeout=60).headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "no-referrer"
    # the API's own refusals carry them too
    assert (
        httpx.get(server.url + "/api/v1/projects", timeout=60).headers["x-content-type-options"] == "nosniff"
    )
    # the frame logged html is shown in: a sandbox of its own, framable by the app only
    h = httpx.get(server.url + "/html-frame.html", timeout=60).headers
    assert h["content-security-policy"].startswith("sandbox allow-scripts;")
    assert "frame-ancestors 'self'" in h["content-security-policy"] and h["x-frame-options"] == "SAMEORIGIN"


def test_uploaded_active_files_are_sandboxed_downloads(server, run_files):
    for name in ("evil.svg", "page.html"):
        r = httpx.get(run_files[name], headers=_auth(server), timeout=60)
        assert r.status_code == 200
        assert r.headers["content-security-policy"].startswith("sandbox;")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-disposition"] == f"attachment; filename*=UTF-8''{name}"
    assert (
        httpx.get(run_files["evil.svg"], headers=_auth(server), timeout=60).content == SVG
    )  # bytes unchanged
    for name, ctype in (("img.png", "image/png"), ("t.json", "application/json")):
        r = httpx.get(run_files[name], headers=_auth(server), timeout=60)
        assert r.headers["content-type"].startswith(ctype) and "content-disposition" not in r.headers
        assert r.headers["content-security-policy"].startswith("sandbox;")


def test_svg_script_never_runs_in_the_app_origin(server, run_files, browser, ui_built):
    ctx = browser.new_context()
    sign_in(ctx, server)
    try:
        # 1. opened directly (as a link or "open in new tab" would, the session cookie sent along): a download
        page = ctx.new_page()
        with page.expect_download() as dl:
            try:
                page.goto(run_files["evil.svg"])
            except Exception as e:  # Chromium aborts the navigation that became a download
                assert "Download is starting" in str(e) or "net::ERR_ABORTED" in str(e), e
        assert dl.value.suggested_filename == "evil.svg"
        page.close()

        # 2. as the UI shows files: fetched with the session into a blob: URL of the app's origin, which
        #    "open image in new tab" navigates to; the app's policy (inherited) forbids the script
        app = ctx.new_page()
        app.goto(f"{server.url}/admin/p")
        blob_url = app.evaluate(
            """async (url) => {
                const r = await fetch(url);
                return URL.createObjectURL(await r.blob());
            }""",
            run_files["evil.svg"],
        )
        with ctx.expect_page() as popup_info:
            app.evaluate("(u) => { window.open(u); }", blob_url)
        popup = popup_info.value
        popup.wait_for_load_state("load")
        popup.wait_for_function(
            "() => document.documentElement && document.documentElement.localName === 'svg'"
        )
        assert popup.evaluate("document.documentElement.getAttribute('data-ran')") is None
        assert app.evaluate("localStorage.getItem('pwned')") is None
    finally:
        ctx.close()
