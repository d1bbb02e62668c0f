"""OpenID Connect single sign-on end to end in real Chromium (docs/teams.md, "Single sign-on"): a
runyard server configured with a real provider on loopback (tests/oidc_provider.py); the sign-in page's
button goes to the provider, the user picks an account there, and lands back on the page it asked
for, signed in with a session. The user is created on the first sign-in and joins the teams its
`groups` claim names; the next sign-in finds the same user by its subject."""

from __future__ import annotations

import httpx

from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb

from ..oidc_provider import Provider
from .conftest import shot, watch_errors

USERS = {
    "ada": {
        "sub": "u-123",
        "preferred_username": "ada",
        "email": "ada@example.com",
        "groups": ["vision", "ghost"],
    },
    # a name claim that is a page of the UI, and a one-string groups claim
    "grace": {
        "sub": "u-456",
        "preferred_username": "settings",
        "email": "grace@example.com",
        "groups": "vision",
    },
}


def _sign_in(browser, srv, account: str, path: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    errors: list[str] = []
    watch_errors(pg, errors)
    pg.goto(srv.url + path)
    pg.get_by_role("link", name="Sign in with single sign-on").click()
    pg.get_by_role("heading", name="Test IdP sign-in").wait_for()
    pg.get_by_label("Account").select_option(account)
    pg.get_by_role("button", name="Continue").click()
    return ctx, pg, errors


def test_single_sign_on_creates_the_user_and_maps_teams(browser, ui_built, tmp_path):
    from runyard.server import ServerConfig, ServerThread

    with Provider("runyard-test", "client secret", USERS) as idp:
        cfg = ServerConfig.resolve(
            home=tmp_path,
            db_url=f"sqlite:///{tmp_path / 'runyard.db'}",
            port=0,
            oidc_issuer=idp.issuer,
            oidc_client_id="runyard-test",
            oidc_client_secret="client secret",
            oidc_team_claim="groups",
        )
        with ServerThread(cfg) as srv:
            admin = {"Authorization": f"Bearer {srv.api_key}"}
            assert (
                httpx.post(
                    srv.url + "/api/v1/teams", json={"name": "vision"}, headers=admin, timeout=60
                ).status_code
                == 201
            )
            run = file_header() + frame(
                RT.RUN, packb({"run_id": "r1", "segment": "s1", "start_time": 1000.0})
            )
            httpx.post(
                srv.url + "/api/v1/ingest/vision/detect/r1",
                params={"segment": "s1", "offset": 0},
                content=run,
                headers=admin,
                timeout=60,
            ).raise_for_status()

            ctx, pg, errors = _sign_in(browser, srv, "ada", "/vision/detect")
            try:
                pg.wait_for_url(srv.url + "/vision/detect")
                pg.get_by_role("button", name="User menu: ada").wait_for()
                pg.locator(".rt-row").first.wait_for()  # a member of vision through the groups claim
                shot(pg, "oidc-01-signed-in")
                cookies = {c["name"]: c for c in ctx.cookies()}
                assert cookies["runyard_session"]["httpOnly"] and "runyard_oidc" not in cookies
            finally:
                ctx.close()
            assert not errors, errors

            members = httpx.get(srv.url + "/api/v1/teams/vision", headers=admin, timeout=60).json()["members"]
            assert {"user": "ada", "role": "member"} in members
            # the next sign-in finds ada by its subject; a UI page's name is not given to grace
            ctx, pg, errors = _sign_in(browser, srv, "ada", "/")
            pg.get_by_role("button", name="User menu: ada").wait_for()
            ctx.close()
            ctx, pg, errors = _sign_in(browser, srv, "grace", "/")
            pg.get_by_role("button", name="User menu: settings-2").wait_for()
            ctx.close()
            users = [
                u["name"]
                for u in httpx.get(srv.url + "/api/v1/users", headers=admin, timeout=60).json()["users"]
            ]
            assert sorted(users) == ["ada", "admin", "settings-2"]
            audit = httpx.get(
                srv.url + "/api/v1/admin/audit",
                params={"action": "user.create"},
                headers=admin,
                timeout=60,
            )
            assert [e["detail"].get("via") for e in audit.json()["entries"]] == ["oidc", "oidc"]

            # a callback this browser did not start is refused; next= never leaves the site
            r = httpx.get(srv.url + "/api/v1/oidc/callback", params={"code": "x", "state": "y"}, timeout=60)
            assert r.status_code == 400 and r.json()["error"]["code"] == "oidc_state"
            r = httpx.get(srv.url + "/api/v1/oidc/login", params={"next": "//evil.example/"}, timeout=60)
            assert r.status_code == 302 and r.headers["location"].startswith(idp.issuer + "/authorize?")
            flow = r.cookies["runyard_oidc"]
            assert flow.rsplit(".", 1)[1] == "Lw"  # base64 of "/": the foreign next was dropped


def test_single_sign_on_is_off_without_a_provider(server):
    assert httpx.get(server.url + "/api/v1/session/options", timeout=60).json() == {
        "password": True,
        "oidc": False,
    }
    r = httpx.get(server.url + "/api/v1/oidc/login", timeout=60)
    assert r.status_code == 404 and r.json()["error"]["code"] == "oidc_off"
