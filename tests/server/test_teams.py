"""Teams as a user meets them: roles, invitations, leaving, project visibility and transfer, scoped
keys, browser sign-in (cookie flags, CSRF, throttling, sessions), passwords, the audit log, and an
upgrade from the schema before teams. The full allow/deny matrix is tests/security/test_authz_matrix.py.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator

import sqlalchemy as sa
from starlette.testclient import TestClient

from runyard.server import create_app
from runyard.store import Store
from runyard.store.db import migrate
from runyard.store.entities import hash_key, new_key
from runyard.store.tables import api_keys, entities, projects, team_members
from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb

PW = "a long enough password"


def runlog(run_id: str) -> bytes:
    return file_header() + frame(RT.RUN, packb({"run_id": run_id, "segment": "s1", "start_time": 1000.0}))


def as_key(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def new_user(client, name: str) -> str:
    r = client.post("/api/v1/users", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()["api_key"]


def set_password(client, name: str, password: str = PW) -> None:
    url = client.post(f"/api/v1/users/{name}/password-link").json()["url"]
    r = client.post("/api/v1/password/link", json={"token": url.split("token=")[1], "password": password})
    assert r.status_code == 200, r.text


@contextlib.contextmanager
def browser(client, base_url: str = "http://testserver") -> Iterator[TestClient]:
    """A second client on the same (running) app with no key: it authenticates by cookie only.
    Not entered as a context: that would run the app's lifespan a second time."""
    b = TestClient(client.app_ref, base_url=base_url)
    try:
        yield b
    finally:
        b.close()


def test_roles_invitations_and_leaving(client):
    ann, ben = new_user(client, "ann"), new_user(client, "ben")
    assert client.post("/api/v1/teams", json={"name": "lab"}, headers=as_key(ann)).status_code == 201
    client.post("/api/v1/ingest/lab/p/r1", params={"segment": "s1", "offset": 0}, content=runlog("r1"))
    # ann invites ben as a viewer; the link works once
    inv = client.post("/api/v1/teams/lab/invitations", json={"role": "viewer"}, headers=as_key(ann)).json()
    assert inv["url"].endswith(f"/invite?token={inv['token']}")
    listed = client.get("/api/v1/teams/lab/invitations", headers=as_key(ann)).json()["invitations"]
    assert [i["id"] for i in listed] == [inv["id"]] and "token" not in listed[0]
    ok = client.post("/api/v1/invitations/accept", json={"token": inv["token"]}, headers=as_key(ben))
    assert ok.json() == {"team": "lab", "role": "viewer"}
    again = client.post("/api/v1/invitations/accept", json={"token": inv["token"]}, headers=as_key(ben))
    assert again.status_code == 404
    # a viewer reads but cannot write or manage
    assert client.get("/api/v1/runs/lab/p/r1", headers=as_key(ben)).status_code == 200
    assert client.patch("/api/v1/runs/lab/p/r1", json={"notes": "x"}, headers=as_key(ben)).status_code == 403
    assert client.delete("/api/v1/runs/lab/p/r1", headers=as_key(ben)).status_code == 403
    r = client.post("/api/v1/teams/lab/members", json={"user": "ben", "role": "admin"}, headers=as_key(ben))
    assert r.status_code == 403
    # promoted to member he writes; a revoked invitation cannot be used; expired ones neither
    client.post("/api/v1/teams/lab/members", json={"user": "ben", "role": "member"}, headers=as_key(ann))
    assert client.patch("/api/v1/runs/lab/p/r1", json={"notes": "x"}, headers=as_key(ben)).status_code == 200
    inv2 = client.post("/api/v1/teams/lab/invitations", json={}, headers=as_key(ann)).json()
    assert (
        client.delete(f"/api/v1/teams/lab/invitations/{inv2['id']}", headers=as_key(ann)).status_code == 200
    )
    assert (
        client.post(
            "/api/v1/invitations/accept", json={"token": inv2["token"]}, headers=as_key(ben)
        ).status_code
        == 404
    )
    # the last admin cannot leave or be demoted; ben leaves and loses access at once
    assert client.post("/api/v1/teams/lab/leave", headers=as_key(ann)).status_code == 409
    r = client.post("/api/v1/teams/lab/members", json={"user": "ann", "role": "member"}, headers=as_key(ann))
    assert r.status_code == 409
    assert client.post("/api/v1/teams/lab/leave", headers=as_key(ben)).json() == {"left": "lab"}
    assert client.get("/api/v1/runs/lab/p/r1", headers=as_key(ben)).status_code == 403


def test_visibility_transfer_and_listing(client):
    ann, bob = new_user(client, "ann"), new_user(client, "bob")
    for p in ("secret", "open"):
        r = client.post(
            f"/api/v1/ingest/ann/{p}/r1",
            params={"segment": "s1", "offset": 0},
            content=runlog("r1"),
            headers=as_key(ann),
        )
        assert r.status_code == 200, r.text
    assert (
        client.patch("/api/v1/projects/ann/open", json={"visibility": "public"}, headers=as_key(ann)).json()[
            "visibility"
        ]
        == "public"
    )
    assert (
        client.patch(
            "/api/v1/projects/ann/open", json={"visibility": "world"}, headers=as_key(ann)
        ).status_code
        == 422
    )
    names = {p["name"] for p in client.get("/api/v1/projects", headers=as_key(bob)).json()["projects"]}
    assert names == {"open"}
    assert client.get("/api/v1/runs/ann/open/r1", headers=as_key(bob)).status_code == 200
    assert client.get("/api/v1/runs/ann/secret/r1", headers=as_key(bob)).status_code == 403
    assert (
        client.patch("/api/v1/runs/ann/open/r1", json={"notes": "x"}, headers=as_key(bob)).status_code == 403
    )
    # anonymous viewers are refused unless the server allows them
    assert client.get("/api/v1/runs/ann/open/r1", headers={"Authorization": ""}).status_code == 401
    # transfer to a team ann administers; bob cannot move it to himself
    client.post("/api/v1/teams", json={"name": "lab"}, headers=as_key(ann))
    assert (
        client.post(
            "/api/v1/projects/ann/secret/transfer", json={"to": "bob"}, headers=as_key(bob)
        ).status_code
        == 403
    )
    moved = client.post("/api/v1/projects/ann/secret/transfer", json={"to": "lab"}, headers=as_key(ann))
    assert moved.status_code == 200 and moved.json()["entity"] == "lab"
    assert client.get("/api/v1/runs/lab/secret/r1", headers=as_key(ann)).status_code == 200
    assert client.get("/api/v1/runs/ann/secret/r1", headers=as_key(ann)).status_code == 404
    # renaming takes the runs along; a name the entity holds, or an invalid one, is refused
    renamed = client.patch("/api/v1/projects/lab/secret", json={"name": "hidden"}, headers=as_key(ann))
    assert renamed.status_code == 200 and renamed.json()["name"] == "hidden"
    assert client.get("/api/v1/runs/lab/hidden/r1", headers=as_key(ann)).status_code == 200
    assert client.get("/api/v1/projects/lab/secret", headers=as_key(ann)).status_code == 404
    for name, status in (("hidden", 200), ("a/b", 400)):
        r = client.patch("/api/v1/projects/lab/hidden", json={"name": name}, headers=as_key(ann))
        assert r.status_code == status, r.text
    client.post(
        "/api/v1/ingest/lab/other/r9",
        params={"segment": "s1", "offset": 0},
        content=runlog("r9"),
        headers=as_key(ann),
    )
    r = client.patch("/api/v1/projects/lab/hidden", json={"name": "other"}, headers=as_key(ann))
    assert r.status_code == 409 and r.json()["error"]["code"] == "name_taken"
    assert (
        client.patch("/api/v1/projects/lab/hidden", json={"name": "x"}, headers=as_key(bob)).status_code
        == 403
    )
    assert client.delete("/api/v1/projects/lab/hidden", headers=as_key(ann)).status_code == 200
    assert client.get("/api/v1/projects/lab/hidden", headers=as_key(ann)).status_code == 404


def test_anonymous_viewers_read_public_projects_when_allowed(config):
    config.public_anonymous = True
    with TestClient(create_app(config, announce=False)) as c:
        key = c.app.state.bootstrap_key
        for p, vis in (("pub", "public"), ("priv", "team")):
            c.post(
                f"/api/v1/ingest/admin/{p}/r1",
                params={"segment": "s1", "offset": 0},
                content=runlog("r1"),
                headers=as_key(key),
            )
            c.patch(f"/api/v1/projects/admin/{p}", json={"visibility": vis}, headers=as_key(key))
        assert c.get("/api/v1/runs/admin/pub/r1").status_code == 200
        assert c.get("/api/v1/runs/admin/priv/r1").status_code == 403
        assert [p["name"] for p in c.get("/api/v1/projects").json()["projects"]] == ["pub"]
        assert c.get("/api/v1/viewer").json()["anonymous"] is True
        assert c.patch("/api/v1/runs/admin/pub/r1", json={"notes": "x"}).status_code == 401
        assert c.get("/api/v1/keys").status_code == 401


def test_scoped_keys_and_last_used(client):
    ann = new_user(client, "ann")
    client.post("/api/v1/teams", json={"name": "lab"}, headers=as_key(ann))
    client.post("/api/v1/ingest/lab/p/r1", params={"segment": "s1", "offset": 0}, content=runlog("r1"))
    client.post(
        "/api/v1/ingest/ann/p/r1",
        params={"segment": "s1", "offset": 0},
        content=runlog("r1"),
        headers=as_key(ann),
    )
    ro = client.post("/api/v1/keys", json={"scope": "read"}, headers=as_key(ann)).json()
    assert ro["scope"] == "read"
    assert client.get("/api/v1/runs/lab/p/r1", headers=as_key(ro["api_key"])).status_code == 200
    r = client.patch("/api/v1/runs/lab/p/r1", json={"notes": "x"}, headers=as_key(ro["api_key"]))
    assert r.status_code == 403 and r.json()["error"]["code"] == "read_only_key"
    assert client.post("/api/v1/keys", json={}, headers=as_key(ro["api_key"])).status_code == 403
    lab = client.post("/api/v1/keys", json={"entity": "lab"}, headers=as_key(ann)).json()["api_key"]
    assert client.patch("/api/v1/runs/lab/p/r1", json={"notes": "x"}, headers=as_key(lab)).status_code == 200
    assert client.get("/api/v1/runs/ann/p/r1", headers=as_key(lab)).status_code == 403
    keys = client.get("/api/v1/keys", headers=as_key(ann)).json()["keys"]
    assert {(k["scope"], k["entity"]) for k in keys} == {("write", None), ("read", None), ("write", "lab")}
    deadline = time.monotonic() + 30
    while not all(k["last_used_at"] for k in keys):  # written in the background, once a minute a key
        assert time.monotonic() < deadline, keys
        keys = client.get("/api/v1/keys", headers=as_key(ann)).json()["keys"]


def test_sign_in_cookie_csrf_and_sessions(client):
    new_user(client, "ann")
    set_password(client, "ann")
    with browser(client) as b:
        bad = b.post("/api/v1/session", json={"username": "ann", "password": "wrong password"})
        assert bad.status_code == 401 and "set-cookie" not in bad.headers
        r = b.post("/api/v1/session", json={"username": "ann", "password": PW})
        assert r.status_code == 200, r.text
        cookies = r.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("runyard_session="))
        csrf_cookie = next(c for c in cookies if c.startswith("runyard_csrf="))
        assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
        assert "HttpOnly" not in csrf_cookie
        csrf = r.json()["csrf_token"]
        assert b.get("/api/v1/viewer").json()["auth"] == "session"
        # a state-changing request needs the token, and the Origin (when sent) must be this server
        assert b.post("/api/v1/teams", json={"name": "t1"}).json()["error"]["code"] == "csrf"
        r = b.post("/api/v1/teams", json={"name": "t1"}, headers={"X-CSRF-Token": "0" * 40})
        assert r.status_code == 403
        r = b.post(
            "/api/v1/teams",
            json={"name": "t1"},
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
        ok = b.post(
            "/api/v1/teams",
            json={"name": "t1"},
            headers={"X-CSRF-Token": csrf, "Origin": "http://testserver"},
        )
        assert ok.status_code == 201, ok.text
        # sessions are listed and revocable; sign-out ends this one
        sessions = b.get("/api/v1/sessions").json()["sessions"]
        assert len(sessions) == 1 and sessions[0]["current"] is True
        admin_view = client.get("/api/v1/sessions", params={"user": "ann"}).json()["sessions"]
        assert [s["id"] for s in admin_view] == [sessions[0]["id"]]
        assert b.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).json() == {"signed_out": True}
        assert b.get("/api/v1/viewer").status_code == 401
        # a foreign site cannot sign the browser in either
        r = b.post(
            "/api/v1/session",
            json={"username": "ann", "password": PW},
            headers={"Origin": "https://evil.example"},
        )
        assert r.status_code == 403


def test_sign_in_links_and_names_of_ui_pages(client):
    ann = new_user(client, "ann")
    made = client.post("/api/v1/session/links", headers=as_key(ann))
    assert made.status_code == 201 and made.json()["user"] == "ann"
    token = made.json()["url"].split("/signin?token=")[1]
    with browser(client) as b:
        r = b.post("/api/v1/session", json={"token": token})
        assert r.status_code == 200 and r.json()["user"] == "ann"
        assert b.get("/api/v1/viewer").json()["user"] == "ann"
        again = b.post("/api/v1/session", json={"token": token})  # once only
        assert again.status_code == 404 and again.json()["error"]["code"] == "bad_link"
        mixed = b.post("/api/v1/session", json={"token": token, "username": "ann"})
        assert mixed.status_code == 422
    # a key that may only read, or only one entity, cannot turn itself into a full browser session
    for scope in ({"scope": "read"}, {"entity": "ann"}):
        limited = client.post("/api/v1/keys", json={"user": "ann", **scope}).json()["api_key"]
        assert client.post("/api/v1/session/links", headers=as_key(limited)).status_code == 403
    entries = client.get("/api/v1/admin/audit", params={"action": "signin_link."}).json()["entries"]
    assert [e["actor"] for e in entries] == ["ann"]
    # names that are pages of the web UI are refused for users and teams
    for name in ("settings", "signin", "Setup", "shared"):
        r = client.post("/api/v1/users", json={"name": name})
        assert r.status_code == 400 and "page of the web UI" in r.json()["error"]["message"]
    r = client.post("/api/v1/teams", json={"name": "invite"}, headers=as_key(ann))
    assert r.status_code == 400


def test_session_cookie_is_secure_under_https(client):
    new_user(client, "ann")
    set_password(client, "ann")
    with browser(client, "https://testserver") as b:
        r = b.post("/api/v1/session", json={"username": "ann", "password": PW})
        assert all("Secure" in c for c in r.headers.get_list("set-cookie"))


def test_failed_sign_ins_are_throttled_and_admin_revokes_sessions(client):
    new_user(client, "ann")
    set_password(client, "ann")
    with browser(client) as b:
        codes = [
            b.post("/api/v1/session", json={"username": "ann", "password": f"guess {i}"}).status_code
            for i in range(6)
        ]
        assert codes == [401] * 5 + [429]
        r = b.post("/api/v1/session", json={"username": "ann", "password": PW})
        assert r.status_code == 429  # even the right password waits: the attacker learns nothing
    # another user is not affected; the admin revokes a session and it ends at once
    new_user(client, "bea")
    set_password(client, "bea")
    with browser(client) as b:
        sid = b.post("/api/v1/session", json={"username": "bea", "password": PW}).json()["session"]
        assert b.get("/api/v1/viewer").status_code == 200
        assert client.delete(f"/api/v1/sessions/{sid}").json() == {"revoked": sid}
        assert b.get("/api/v1/viewer").status_code == 401


def test_passwords_setup_link_change_and_reset(client):
    setup = client.app_ref.state.setup_url
    assert "/setup?token=" in setup
    token = setup.split("token=")[1]
    assert client.post("/api/v1/password/link", json={"token": token, "password": "short"}).status_code == 422
    assert client.post("/api/v1/password/link", json={"token": token, "password": PW}).json() == {
        "user": "admin"
    }
    assert client.post("/api/v1/password/link", json={"token": token, "password": PW}).status_code == 404
    with browser(client) as b:
        r = b.post("/api/v1/session", json={"username": "admin", "password": PW})
        csrf = r.json()["csrf_token"]
        wrong = b.put(
            "/api/v1/password",
            json={"old_password": "nope nope", "password": "new password!"},
            headers={"X-CSRF-Token": csrf},
        )
        assert wrong.status_code == 403
        ok = b.put(
            "/api/v1/password",
            json={"old_password": PW, "password": "new password!"},
            headers={"X-CSRF-Token": csrf},
        )
        assert ok.status_code == 200 and b.get("/api/v1/viewer").status_code == 200  # this session stays
    with browser(client) as b:
        assert b.post("/api/v1/session", json={"username": "admin", "password": PW}).status_code == 401
        assert (
            b.post("/api/v1/session", json={"username": "admin", "password": "new password!"}).status_code
            == 200
        )
    # the key keeps working whatever happens to the password
    assert client.get("/api/v1/viewer").status_code == 200


def test_audit_log_pages_and_exports(client):
    ann = new_user(client, "ann")
    client.post("/api/v1/teams", json={"name": "lab"}, headers=as_key(ann))
    client.post("/api/v1/teams/lab/members", json={"user": "admin", "role": "viewer"}, headers=as_key(ann))
    client.post(
        "/api/v1/ingest/ann/p/r1",
        params={"segment": "s1", "offset": 0},
        content=runlog("r1"),
        headers=as_key(ann),
    )
    client.patch("/api/v1/projects/ann/p", json={"visibility": "private"}, headers=as_key(ann))
    client.delete("/api/v1/runs/ann/p/r1", headers=as_key(ann))
    assert client.get("/api/v1/admin/audit", headers=as_key(ann)).status_code == 403
    page = client.get("/api/v1/admin/audit", params={"limit": 3}).json()
    assert [e["action"] for e in page["entries"]] == ["run.delete", "project.update", "run.create"]
    assert (
        page["entries"][1]["detail"] == {"visibility": "private", "was": "team"}
        and page["entries"][0]["actor"] == "ann"
    )
    rest = client.get("/api/v1/admin/audit", params={"before": page["next_before"]}).json()
    assert [e["action"] for e in rest["entries"]] == ["member.add", "team.create", "user.create"]
    lines = client.get("/api/v1/admin/audit", params={"format": "jsonl", "action": "run."})
    assert lines.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(x)["action"] for x in lines.text.splitlines()] == ["run.delete", "run.create"]


def test_upgrade_keeps_data_and_the_admin_key(config):
    """A database at the revision before teams, with a team and a key, upgrades without loss."""
    store = Store.open(config.db_url, config.blob_dir)
    migrate(store.db, "0006")
    key = new_key()

    def old(c):
        ids = {}
        for name, kind, admin in (("admin", "user", True), ("ann", "user", False), ("lab", "team", False)):
            ids[name] = c.execute(
                sa.insert(entities).values(name=name, kind=kind, is_admin=admin, created_at=1.0)
            ).inserted_primary_key[0]
        c.execute(
            sa.insert(api_keys).values(
                user_id=ids["admin"], key_hash=hash_key(key), prefix=key[:8], created_at=1.0
            )
        )
        c.execute(sa.insert(team_members).values(team_id=ids["lab"], user_id=ids["admin"], role="admin"))
        c.execute(sa.insert(team_members).values(team_id=ids["lab"], user_id=ids["ann"], role="member"))
        c.execute(sa.insert(projects).values(entity_id=ids["lab"], name="p", created_at=1.0, updated_at=1.0))

    store.db.write(old)
    store.close()
    with TestClient(create_app(config, announce=False)) as c:
        assert c.app.state.bootstrap_key is None
        assert c.app.state.setup_url and "/setup?token=" in c.app.state.setup_url  # no password yet
        r = c.get("/api/v1/viewer", headers=as_key(key))
        assert r.status_code == 200 and r.json()["user"] == "admin"
        team = c.get("/api/v1/teams/lab", headers=as_key(key)).json()
        assert team["members"] == [{"user": "admin", "role": "admin"}, {"user": "ann", "role": "member"}]
        proj = c.get("/api/v1/projects/lab/p", headers=as_key(key)).json()
        assert proj["visibility"] == "team"
        assert c.get("/api/v1/keys", headers=as_key(key)).json()["keys"][0]["scope"] == "write"
