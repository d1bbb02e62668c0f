"""CSRF in real Chromium (docs/teams.md, "Browser sign-in"): a browser signed in to runyard visits an
attacker's page, which tries to change something with the user's session. The attacker is a foreign
site (`http://attacker.test`, served by the browser context's router), or another web server on this
host (a real one on another loopback port): another origin but the same site, so the browser does
send the SameSite=Lax session cookie along with its requests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from .conftest import sign_in

FOREIGN = "http://attacker.test"


def teams(server) -> list[str]:
    r = httpx.get(
        server.url + "/api/v1/viewer", headers={"Authorization": f"Bearer {server.api_key}"}, timeout=60
    )
    return [t["name"] for t in r.json()["teams"]]


@pytest.fixture
def victim(browser, server):
    """A signed-in browser (the admin, who may create teams) and a function that serves a page as an origin."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    sign_in(ctx, server)

    def serve(origin: str, html: str) -> None:
        ctx.route(f"{origin}/**", lambda route: route.fulfill(body=html, content_type="text/html"))

    yield ctx, serve
    ctx.close()


@pytest.fixture
def same_host():
    """Another web server on this host (another port: another origin, the same site)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>another app on this host</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    t.join(10)


def form_post(action: str, doc: dict) -> str:
    """An auto-submitting form whose text/plain body is the JSON `doc` (the classic JSON CSRF form)."""
    raw = json.dumps(doc)[:-1] + ', "pad": "'
    return (
        f'<!doctype html><form id="f" method="POST" action="{action}" enctype="text/plain">'
        f"<input type=\"hidden\" name='{raw}' value='\"}}'></form>"
        "<script>document.getElementById('f').submit()</script>"
    )


def test_a_cross_site_form_post_is_refused(server, victim):
    ctx, serve = victim
    serve(FOREIGN, form_post(server.url + "/api/v1/teams", {"name": "csrf-form"}))
    pg = ctx.new_page()
    with pg.expect_response(lambda r: r.url == server.url + "/api/v1/teams") as got:
        pg.goto(FOREIGN + "/")
    resp = got.value
    # SameSite=Lax: a cross-site POST goes without the session cookie, so it is not even signed in
    assert "runyard_session" not in (resp.request.all_headers().get("cookie") or "")
    assert resp.status == 401, resp.text()
    assert "csrf-form" not in teams(server)

    # nor can a foreign form sign the browser in as someone else (login CSRF)
    serve(FOREIGN, form_post(server.url + "/api/v1/session", {"username": "admin", "password": "x" * 10}))
    with pg.expect_response(lambda r: r.url == server.url + "/api/v1/session") as got:
        pg.goto(FOREIGN + "/login")
    # a form can only send text/plain, urlencoded or multipart bodies: the JSON contract refuses them
    # before anything else (the Origin check behind it: tests/server/test_teams.py)
    assert got.value.status == 415 and "set-cookie" not in got.value.headers
    pg.close()


FETCHES = """async (target) => {
  const out = {};
  const body = JSON.stringify({ name: "csrf-fetch" });
  // a "simple" request: no preflight, the cookie goes along, the answer is opaque to this page
  await fetch(target, { method: "POST", credentials: "include", mode: "no-cors", body,
                        headers: { "Content-Type": "text/plain" } });
  // the CSRF cookie is readable from another port of the host (cookies ignore ports), but sending it
  // as a header needs a CORS preflight, which the server never grants: the POST is never sent
  const token = (document.cookie.match(/runyard_csrf=([^;]+)/) || [])[1] || "";
  out.token_readable = token.length > 0;
  try {
    await fetch(target, { method: "POST", credentials: "include", body,
                          headers: { "Content-Type": "application/json", "X-CSRF-Token": token } });
    out.second = "sent";
  } catch (e) {
    out.second = "blocked";
  }
  return out;
}"""


def test_a_cross_origin_fetch_with_the_session_cookie_is_refused(server, victim, same_host):
    ctx, _ = victim
    pg = ctx.new_page()
    pg.goto(same_host + "/")
    target = server.url + "/api/v1/teams"
    posts = []
    pg.on("response", lambda r: posts.append(r) if r.url == target and r.request.method == "POST" else None)
    out = pg.evaluate(FETCHES, target)
    assert out == {"token_readable": True, "second": "blocked"}, out
    assert len(posts) == 1, [p.status for p in posts]  # the preflighted one never left the browser
    simple = posts[0]
    # 403, not 401: the session cookie went along (same site) and the CSRF check refused the request
    # (the answer's body stays opaque to the page, and to the test: it is a no-cors response)
    assert simple.status == 403
    assert "csrf-fetch" not in teams(server)

    # the app itself, same request from its own origin with the header: allowed
    app = ctx.new_page()
    app.goto(server.url + "/")
    status = app.evaluate(
        """async (target) => {
          const token = document.cookie.match(/runyard_csrf=([^;]+)/)[1];
          const r = await fetch(target, { method: "POST", body: JSON.stringify({ name: "csrf-ok" }),
                                          headers: { "Content-Type": "application/json", "X-CSRF-Token": token } });
          return r.status;
        }""",
        target,
    )
    assert status == 201 and "csrf-ok" in teams(server)
