"""The account, team, project settings, entity and audit log pages in real Chromium against the
session's server (docs/teams.md), each with a screenshot at 1280x800 and a keyboard walk: every
control of the page is reached with Tab. Users and teams are made per test through the API with the
admin's key; each browser signs in as its user with a session."""

from __future__ import annotations

import json

import httpx
import pytest

from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb

from .conftest import shot, sign_in, watch_errors

# every visible, enabled control gets an index; Tab must land on each
MARK_CONTROLS = """() => {
  const els = [...document.querySelectorAll('#content a[href], #content button, #content input, #content select, #content textarea')]
    .filter((e) => !e.disabled && e.getClientRects().length);
  els.forEach((e, i) => e.setAttribute('data-kb', String(i)));
  return els.length;
}"""


def assert_keyboard_reachable(page) -> None:
    n = page.evaluate(MARK_CONTROLS)
    assert n > 0
    page.locator("#content").evaluate("(el) => { el.tabIndex = -1; el.focus(); }")
    seen: set[str] = set()
    for _ in range(3 * n + 10):  # radio groups and the top bar take a few extra stops
        page.keyboard.press("Tab")
        kb = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-kb')")
        if kb is not None:
            seen.add(kb)
        if len(seen) == n:
            return
    radios = set(
        page.evaluate(
            "() => [...document.querySelectorAll('[data-kb][type=radio]')].map((e) => e.dataset.kb)"
        )
    )
    # one stop per radio group (arrow keys move inside it): a group counts once any of it is reached
    missing = {str(i) for i in range(n)} - seen - radios
    assert not missing, page.evaluate(
        "(ids) => ids.map((i) => document.querySelector(`[data-kb='${i}']`).outerHTML.slice(0, 120))",
        sorted(missing),
    )


def admin(server) -> dict:
    return {"Authorization": f"Bearer {server.api_key}"}


def new_user(server, name: str) -> str:
    r = httpx.post(server.url + "/api/v1/users", json={"name": name}, headers=admin(server), timeout=60)
    assert r.status_code == 201, r.text
    return r.json()["api_key"]


def ingest(server, key: str, entity: str, project: str, run_id: str) -> None:
    body = file_header() + frame(RT.RUN, packb({"run_id": run_id, "segment": "s1", "start_time": 1000.0}))
    r = httpx.post(
        f"{server.url}/api/v1/ingest/{entity}/{project}/{run_id}",
        params={"segment": "s1", "offset": 0},
        content=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    assert r.status_code == 200, r.text


@pytest.fixture
def as_user(browser, server):
    """`as_user(key)`: a 1280x800 page signed in as the key's user."""
    made = []

    def make(key: str):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800})
        sign_in(ctx, server, key)
        pg = ctx.new_page()
        errors: list[str] = []
        watch_errors(pg, errors)
        made.append((ctx, errors))
        return pg

    yield make
    for ctx, errors in made:
        ctx.close()
        assert not errors, errors


def test_account_page_keys_sessions_and_password(server, as_user):
    key = new_user(server, "kim")
    pg = as_user(key)
    other = as_user(key)  # a second browser of kim's
    other.goto(server.url + "/")
    other.get_by_role("button", name="User menu: kim").wait_for()
    pg.goto(server.url + "/")
    pg.get_by_role("button", name="User menu: kim").click()
    pg.get_by_role("link", name="Account").click()
    pg.get_by_role("heading", name="Account").wait_for()

    # a read-only key: shown once, works for reading only, then revoked at once
    pg.get_by_label("Name", exact=True).fill("ci")
    pg.get_by_label("Scope").select_option(label="Read only")
    pg.get_by_role("button", name="Create key").click()
    secret = pg.get_by_label("New API key").input_value()
    auth = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(server.url + "/api/v1/viewer", headers=auth, timeout=60).json()["scope"] == "read"
    assert (
        httpx.post(server.url + "/api/v1/teams", json={"name": "nope"}, headers=auth, timeout=60).status_code
        == 403
    )
    keys = pg.get_by_role("table", name="API keys")
    keys.get_by_role("row").filter(has_text="ci").get_by_text("Read only").wait_for()

    sessions = pg.get_by_role("table", name="Signed-in browsers")
    sessions.get_by_text("this browser").wait_for()
    assert sessions.get_by_role("button", name="Sign out there").count() == 1
    shot(pg, "settings-01-account")
    assert_keyboard_reachable(pg)

    pg.get_by_role("button", name="Revoke key ci").click()
    keys.get_by_role("row").filter(has_text="ci").get_by_text("Revoked").wait_for()
    assert httpx.get(server.url + "/api/v1/viewer", headers=auth, timeout=60).status_code == 401

    # ending the other browser's session signs it out there
    sessions.get_by_role("button", name="Sign out there").click()
    sessions.get_by_role("button", name="Sign out there").wait_for(state="detached")
    other.reload()
    other.get_by_role("heading", name="Sign in to runyard").wait_for()

    # a first password (none was set), then sign in with it elsewhere
    pg.get_by_label("New password", exact=True).fill("kim's password")
    pg.get_by_label("New password again").fill("kim's password")
    pg.get_by_role("button", name="Change password").click()
    pg.get_by_role("status").filter(has_text="Password changed").wait_for()
    other.get_by_label("User name").fill("kim")
    other.get_by_label("Password").fill("kim's password")
    other.get_by_role("button", name="Sign in").click()
    other.get_by_role("button", name="User menu: kim").wait_for()


def test_team_page_members_invitation_link_and_leaving(server, as_user):
    lee, ned = new_user(server, "lee"), new_user(server, "ned")
    new_user(server, "max")
    pg = as_user(lee)
    pg.goto(server.url + "/settings/account")
    pg.get_by_label("New team").fill("lab")
    pg.get_by_role("button", name="Create team").click()
    pg.get_by_role("heading", name="Team lab").wait_for()
    assert pg.url == server.url + "/settings/teams/lab"
    members = pg.get_by_role("table", name="Members")

    pg.get_by_label("Add user").fill("max")
    pg.get_by_label("Role of the new member").select_option("viewer")
    pg.get_by_role("button", name="Add", exact=True).click()
    members.get_by_role("link", name="max").wait_for()
    pg.get_by_label("Role of max").select_option("member")
    pg.wait_for_function(
        "() => document.querySelector('select[aria-label=\"Role of max\"]').value === 'member'"
    )
    team = httpx.get(server.url + "/api/v1/teams/lab", headers=admin(server), timeout=60).json()
    assert {"user": "max", "role": "member"} in team["members"]

    pg.get_by_label("Role of whoever joins").select_option("viewer")
    pg.get_by_label("Expires after").select_option(label="1 day")
    pg.get_by_role("button", name="Create invitation link").click()
    link = pg.get_by_label("Invitation link", exact=True).input_value()
    assert link.startswith(server.url + "/invite?token=")
    pg.get_by_role("table", name="Invitation links").get_by_text("Viewer").wait_for()
    shot(pg, "settings-02-team")
    assert_keyboard_reachable(pg)

    # ned opens the link, joins as a viewer, sees the team in the menu, then leaves it
    other = as_user(ned)
    other.goto(link)
    other.get_by_role("heading", name="Join a team").wait_for()
    shot(other, "settings-03-invite")
    other.get_by_role("button", name="Accept the invitation").click()
    other.get_by_role("status").filter(has_text="You are in lab as Viewer").wait_for()
    other.get_by_role("button", name="User menu: ned").click()
    other.get_by_role("link", name="Team lab").click()
    other.get_by_role("heading", name="Team lab").wait_for()
    assert other.get_by_label("Role of max").count() == 0  # a viewer changes nothing
    other.get_by_role("button", name="Leave team").click()
    dialog = other.get_by_role("dialog", name="Leave lab?")
    leave = dialog.get_by_role("button", name="Leave team")
    assert leave.is_disabled()
    dialog.get_by_label("Type lab to confirm").fill("lab")
    leave.click()
    other.get_by_role("heading", name="Account").wait_for()
    pg.reload()
    members.get_by_role("link", name="max").wait_for()
    assert members.get_by_role("link", name="ned").count() == 0


def test_entity_page_and_project_settings(server, as_user):
    key = new_user(server, "ola")
    ingest(server, key, "ola", "proj1", "r1")
    assert (
        httpx.post(
            server.url + "/api/v1/teams",
            json={"name": "olab"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        ).status_code
        == 201
    )
    pg = as_user(key)
    pg.goto(server.url + "/ola")
    pg.get_by_role("heading", name="ola").wait_for()
    row = pg.get_by_role("row").filter(has_text="proj1")
    row.get_by_text("Team", exact=True).wait_for()
    shot(pg, "settings-04-entity")
    assert_keyboard_reachable(pg)

    row.get_by_role("link", name="proj1").click()
    pg.locator(".ws-top").get_by_role("link", name="Settings").click()
    pg.get_by_role("heading", name="Settings of proj1").wait_for()
    pg.get_by_label("Description").fill("tuning runs")
    pg.get_by_label("Private").check()
    pg.get_by_role("button", name="Save").click()
    pg.get_by_role("status").filter(has_text="Saved.").wait_for()
    got = httpx.get(server.url + "/api/v1/projects/ola/proj1", headers=admin(server), timeout=60).json()
    assert (got["visibility"], got["description"]) == ("private", "tuning runs")
    shot(pg, "settings-05-project")
    assert_keyboard_reachable(pg)

    pg.get_by_label("New name").fill("proj2")
    pg.get_by_role("button", name="Rename").click()
    pg.get_by_role("heading", name="Settings of proj2").wait_for()
    assert pg.url == server.url + "/ola/proj2/settings"
    pg.get_by_label("Give it to").select_option("olab")
    pg.get_by_role("button", name="Transfer").click()
    pg.wait_for_url(server.url + "/olab/proj2/settings")
    pg.get_by_role("heading", name="Settings of proj2").wait_for()
    assert (
        httpx.get(server.url + "/api/v1/runs/olab/proj2/r1", headers=admin(server), timeout=60).status_code
        == 200
    )

    pg.get_by_role("button", name="Delete project").click()
    dialog = pg.get_by_role("dialog", name="Delete proj2?")
    dialog.get_by_label("Type proj2 to confirm").fill("proj")
    assert dialog.get_by_role("button", name="Delete project").is_disabled()
    dialog.get_by_label("Type proj2 to confirm").fill("proj2")
    shot(pg, "settings-06-delete-confirm")
    dialog.get_by_role("button", name="Delete project").click()
    pg.wait_for_url(server.url + "/olab")
    pg.get_by_text("No projects you can see.").wait_for()
    assert (
        httpx.get(server.url + "/api/v1/projects/olab/proj2", headers=admin(server), timeout=60).status_code
        == 404
    )


def test_audit_log_page_filters_and_exports_json_lines(server, as_user):
    pg = as_user(server.api_key)
    httpx.post(server.url + "/api/v1/teams", json={"name": "audited"}, headers=admin(server), timeout=60)
    pg.goto(server.url + "/")
    pg.get_by_role("button", name="User menu: admin").click()
    pg.get_by_role("link", name="Audit log").click()
    pg.get_by_role("heading", name="Audit log").wait_for()
    table = pg.get_by_role("table", name="Audit log")
    table.get_by_text("team.create").first.wait_for()
    pg.get_by_label("Action").fill("team.")
    pg.get_by_role("button", name="Filter").click()
    table.get_by_role("cell", name="audited").wait_for()
    pg.wait_for_function(
        "() => [...document.querySelectorAll('table.audit tbody code:not(.detail)')].every((c) => c.textContent.startsWith('team.'))"
    )
    shot(pg, "settings-07-audit")
    assert_keyboard_reachable(pg)
    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Export JSON lines").click()
    lines = [json.loads(x) for x in dl.value.path().read_text().splitlines()]
    assert lines and all(e["action"].startswith("team.") for e in lines)
    assert any(e["target"] == "audited" for e in lines)


def test_audit_log_is_for_the_server_admin_only(server, as_user):
    pg = as_user(new_user(server, "pat"))
    pg.goto(server.url + "/settings/audit")
    pg.get_by_role("heading", name="No access").wait_for()
    pg.get_by_role("button", name="User menu: pat").click()
    assert pg.get_by_role("link", name="Audit log").count() == 0
