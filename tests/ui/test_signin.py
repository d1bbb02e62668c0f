"""Browser sign-in in real Chromium (docs/teams.md): the password form, the session cookie's
attributes, no credential left where scripts can read it, sign-out from the user menu, a password
reset link, and the first start's one-time link that lands on "Set your password"."""

from __future__ import annotations

import httpx
import pytest

from .conftest import shot, watch_errors

PASSWORD = "correct horse battery"


def _admin(server) -> dict:
    return {"Authorization": f"Bearer {server.api_key}"}


def _user(server, name: str, password: str | None = PASSWORD) -> str:
    """A user of the session server with `password` set through a reset link; returns its key."""
    key = httpx.post(
        server.url + "/api/v1/users", json={"name": name}, headers=_admin(server), timeout=60
    ).json()["api_key"]
    if password:
        link = httpx.post(
            f"{server.url}/api/v1/users/{name}/password-link", headers=_admin(server), timeout=60
        ).json()
        token = link["url"].split("token=", 1)[1]
        r = httpx.post(
            server.url + "/api/v1/password/link", json={"token": token, "password": password}, timeout=60
        )
        assert r.status_code == 200, r.text
    return key


@pytest.fixture
def fresh(browser):
    """A browser context with no session, 1280x800."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    errors: list[str] = []
    watch_errors(pg, errors)
    yield ctx, pg
    ctx.close()
    assert not errors, errors


def test_password_sign_in_sets_an_httponly_cookie_and_sign_out_ends_it(server, fresh):
    ctx, pg = fresh
    _user(server, "alice")
    pg.goto(server.url + f"/{server.entity}/demo")
    pg.get_by_role("heading", name="Sign in to runyard").wait_for()
    shot(pg, "signin-01-form")
    pg.get_by_label("User name").fill("alice")
    pg.get_by_label("Password").fill("wrong password")
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_role("alert").get_by_text("wrong user name or password").wait_for()

    pg.get_by_label("Password").fill(PASSWORD)
    pg.keyboard.press("Enter")
    # the page asked for stays: alice may not see admin's project
    pg.get_by_role("heading", name="No access").wait_for()
    cookies = {c["name"]: c for c in ctx.cookies()}
    session, csrf = cookies["runyard_session"], cookies["runyard_csrf"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]  # http here
    assert not csrf["httpOnly"] and csrf["sameSite"] == "Lax"
    # scripts of the page see the CSRF token only: no session token, no API key anywhere
    seen = pg.evaluate(
        "() => [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)]"
    )
    assert "runyard_session" not in seen[0] and session["value"] not in "".join(seen)
    assert "runyard:key" not in seen[1]

    menu = pg.get_by_role("button", name="User menu: alice")
    menu.focus()
    pg.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    shot(pg, "signin-02-user-menu")
    pg.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    pg.get_by_role("button", name="Sign out").click()
    pg.get_by_role("heading", name="Sign in to runyard").wait_for()
    assert "runyard_session" not in {c["name"] for c in ctx.cookies()}
    # the session ended on the server too: its token no longer works
    gone = httpx.get(server.url + "/api/v1/viewer", cookies={"runyard_session": session["value"]}, timeout=60)
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "session_expired"


def test_a_reset_link_lands_on_set_your_password_and_signs_in(server, fresh):
    ctx, pg = fresh
    _user(server, "bob", password=None)
    link = httpx.post(
        f"{server.url}/api/v1/users/bob/password-link", headers=_admin(server), timeout=60
    ).json()["url"]
    pg.goto(link)
    pg.get_by_role("heading", name="Set your password").wait_for()
    pg.get_by_label("New password", exact=True).fill("a new password")
    pg.get_by_label("New password again").fill("a different one")
    pg.get_by_text("The two passwords differ.").wait_for()
    assert pg.get_by_role("button", name="Set password and sign in").is_disabled()
    pg.get_by_label("New password again").fill("a new password")
    shot(pg, "signin-03-set-password")
    pg.get_by_role("button", name="Set password and sign in").click()
    pg.get_by_role("heading", name="Projects").wait_for()
    pg.get_by_role("button", name="User menu: bob").wait_for()
    assert pg.url == server.url + "/"
    # the link worked once
    pg.goto(link)
    pg.get_by_label("New password", exact=True).fill("another password")
    pg.get_by_label("New password again").fill("another password")
    pg.get_by_role("button", name="Set password and sign in").click()
    pg.get_by_role("alert").get_by_text("invalid, used or expired").wait_for()


def test_first_start_link_sets_the_admins_password(browser, ui_built, tmp_path):
    from runyard.server import ServerConfig, ServerThread

    cfg = ServerConfig.resolve(home=tmp_path, db_url=f"sqlite:///{tmp_path / 'runyard.db'}", port=0)
    with ServerThread(cfg) as srv:
        url = srv.app.state.setup_url
        assert url.startswith(srv.url + "/setup?token=")
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            pg = ctx.new_page()
            pg.goto(url)
            pg.get_by_role("heading", name="Set your password").wait_for()
            pg.get_by_label("New password", exact=True).fill("admin password")
            pg.get_by_label("New password again").fill("admin password")
            pg.get_by_role("button", name="Set password and sign in").click()
            pg.get_by_role("button", name="User menu: admin").wait_for()
            pg.get_by_role("heading", name="Projects").wait_for()
        finally:
            ctx.close()
        # the admin's key keeps working
        assert (
            httpx.get(
                srv.url + "/api/v1/viewer", headers={"Authorization": f"Bearer {srv.api_key}"}, timeout=60
            ).json()["user"]
            == "admin"
        )


def test_a_sign_in_link_works_once_and_never_from_a_read_only_key(server, fresh):
    ctx, pg = fresh
    link = httpx.post(server.url + "/api/v1/session/links", headers=_admin(server), timeout=60).json()["url"]
    pg.goto(link)
    pg.get_by_role("heading", name="Projects").wait_for()
    assert pg.url == server.url + "/"
    other = ctx.browser.new_context()
    try:
        again = other.new_page()
        again.goto(link)
        again.get_by_role("heading", name="This sign-in link did not work").wait_for()
    finally:
        other.close()
    read = httpx.post(
        server.url + "/api/v1/keys", json={"scope": "read"}, headers=_admin(server), timeout=60
    ).json()["api_key"]
    r = httpx.post(
        server.url + "/api/v1/session/links", headers={"Authorization": f"Bearer {read}"}, timeout=60
    )
    assert r.status_code == 403
