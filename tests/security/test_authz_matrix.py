"""The authorization matrix: every route of the OpenAPI document, and the GraphQL operations and
file_stream the wandb client uses, called by each kind of caller on projects of each visibility.

The expected answer comes from the small rule table below (`KIND` of each route, `allowed`), not from
the server's code: a route missing from `ROUTES_TABLE` fails the test, so a new route must be
classified. "Allowed" means the request got past authorization (any status but 401/403 and 5xx);
"denied" means 401 or 403. Routes that destroy their target get a fresh one for each call.

One server per database (SQLite and PostgreSQL), in process, shared by the tests of this module.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from runyard.server import ServerConfig
from runyard.store.tables import metadata
from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb

PRINCIPALS = (
    "anonymous",
    "viewer",
    "member",
    "team_admin",
    "outsider",
    "server_admin",
    "read_key",
    "revoked",
    "share",
)
VISIBILITIES = ("private", "team", "public")
ROLE = {
    "viewer": "viewer",
    "member": "member",
    "team_admin": "admin",
    "read_key": "member",
    "revoked": "member",
}
USERS = {  # principal -> user name (the read-only and the revoked key belong to members of the team)
    "viewer": "vic",
    "member": "mia",
    "team_admin": "tad",
    "outsider": "otto",
    "read_key": "rita",
    "revoked": "gus",
}
PASSWORD = "correct horse battery"


# -- the rules ----------------------------------------------------------------------------------------
def allowed(principal: str, kind: str, vis: str | None, path: str = "") -> bool:
    """May `principal` call a route of `kind` (on a project of visibility `vis`)?"""
    if kind == "public":
        return True
    if principal == "share":  # a report's share link; its report shows project acme/team only
        return kind == "any" or (
            kind == "project_read"
            and vis == "team"
            and not path.startswith(DOCUMENTS)
            and not path.endswith("/comments")
        )
    if principal == "revoked":
        return False
    if kind == "any":  # this server lets anonymous viewers in (what they see is filtered)
        return True
    if principal == "anonymous":
        return kind == "project_read" and vis == "public"
    if principal == "server_admin":
        return True
    writes = kind in ("signed_in_write", "team_write", "team_admin", "project_write", "project_admin")
    if principal == "read_key" and writes:
        return False
    role = ROLE.get(principal)
    return {
        "signed_in_read": True,
        "signed_in_write": True,
        "server_admin": False,
        "team_read": role is not None,
        "team_write": role in ("admin", "member"),
        "team_admin": role == "admin",
        "project_read": vis == "public"
        or role in ("admin", "member")
        or (role == "viewer" and vis != "private"),
        "project_write": role in ("admin", "member"),
        "project_admin": role == "admin",
    }[kind]


RUN = "/api/v1/runs/{entity}/{project}/{run_id}"
ART = "/api/v1/artifacts/{entity}/{project}"
VER = ART + "/{name}/{version}"
SW = "/api/v1/sweeps/{entity}/{project}"
REG = "/api/v1/registries/{entity}"
RCOL = REG + "/{registry}/{collection}"
REP = "/api/v1/reports/{report_id}"
# the project's documents, not its data: a share link reads its own report through /api/v1/share only
DOCUMENTS = (
    "/api/v1/views/",
    REP,
    "/api/v1/projects/{entity}/{project}/views",
    "/api/v1/projects/{entity}/{project}/reports",
)
GRID = {"method": "grid", "parameters": {"a": {"values": [1, 2, 3]}}}
# (method, path) -> kind; project kinds run once per visibility, the others once
ROUTES_TABLE: dict[tuple[str, str], str] = {
    ("get", "/api/v1/health"): "public",
    ("get", "/api/v1/ready"): "public",
    ("post", "/api/v1/session"): "public",
    ("post", "/api/v1/password/link"): "public",
    ("get", "/api/v1/session/options"): "public",
    ("get", "/api/v1/oidc/login"): "public",  # 404 oidc_off here: the matrix server has no provider
    ("get", "/api/v1/oidc/callback"): "public",
    ("get", "/api/v1/viewer"): "any",
    ("get", "/api/v1/openapi.json"): "any",
    ("get", "/api/v1/projects"): "any",
    ("get", "/api/v1/ingest/{entity}/{project}/{run_id}"): "project_read",
    ("post", "/api/v1/ingest/{entity}/{project}/{run_id}"): "project_write",
    ("get", "/api/v1/projects/{entity}/{project}"): "project_read",
    ("patch", "/api/v1/projects/{entity}/{project}"): "project_admin",
    ("delete", "/api/v1/projects/{entity}/{project}"): "project_admin",
    ("post", "/api/v1/projects/{entity}/{project}/transfer"): "project_admin",
    ("get", "/api/v1/projects/{entity}/{project}/keys"): "project_read",
    ("get", "/api/v1/projects/{entity}/{project}/runs"): "project_read",
    ("post", "/api/v1/projects/{entity}/{project}/runs/query"): "project_read",
    ("post", "/api/v1/projects/{entity}/{project}/runs/columns"): "project_read",
    ("get", "/api/v1/projects/{entity}/{project}/history"): "project_read",
    ("get", RUN): "project_read",
    ("patch", RUN): "project_write",
    ("delete", RUN): "project_write",
    ("get", RUN + "/console"): "project_read",
    ("get", RUN + "/history"): "project_read",
    ("get", RUN + "/history/raw"): "project_read",
    ("get", RUN + "/history/rows"): "project_read",
    ("get", RUN + "/keys"): "project_read",
    ("get", RUN + "/system"): "project_read",
    ("get", RUN + "/files"): "project_read",
    ("put", RUN + "/files/{path}"): "project_write",
    ("get", RUN + "/files/{path}"): "project_read",
    ("get", RUN + "/artifacts"): "project_read",
    ("get", "/api/v1/stream"): "project_read",
    ("get", ART): "project_read",
    ("get", ART + "/{name}"): "project_read",
    ("post", ART + "/{name}"): "project_write",
    ("get", VER): "project_read",
    ("delete", VER): "project_write",
    ("patch", VER): "project_write",
    ("post", VER + "/aliases"): "project_write",
    ("get", VER + "/lineage"): "project_read",
    ("post", VER + "/blobs"): "project_read",
    ("get", VER + "/blobs/{sha256}"): "project_read",
    ("get", REG): "team_read",
    ("post", REG): "team_write",
    ("get", REG + "/{registry}"): "team_read",
    ("patch", REG + "/{registry}"): "team_write",
    ("get", RCOL): "team_read",
    ("post", RCOL): "team_write",
    ("get", RCOL + "/{version}"): "team_read",
    ("delete", RCOL + "/{version}"): "team_write",
    ("post", RCOL + "/{version}/aliases"): "team_write",
    ("get", SW): "project_read",
    ("post", SW): "project_write",
    ("get", SW + "/{sweep_id}"): "project_read",
    ("patch", SW + "/{sweep_id}"): "project_write",
    ("post", SW + "/{sweep_id}/next"): "project_write",
    ("post", SW + "/{sweep_id}/heartbeat"): "project_write",  # an unknown trial is 404 past the check
    ("post", SW + "/{sweep_id}/report"): "project_write",
    ("post", "/api/v1/blobs/missing"): "signed_in_read",
    ("post", "/api/v1/blobs/batch"): "signed_in_write",
    ("put", "/api/v1/blobs/{sha256}"): "signed_in_write",
    ("post", "/api/v1/blobs/{sha256}/direct"): "signed_in_write",
    ("post", "/api/v1/blobs/{sha256}/direct/finish"): "signed_in_write",
    ("get", "/api/v1/users"): "server_admin",
    ("post", "/api/v1/users"): "server_admin",
    ("post", "/api/v1/users/{user}/password-link"): "server_admin",
    ("post", "/api/v1/admin/gc"): "server_admin",
    ("get", "/api/v1/admin/audit"): "server_admin",
    ("post", "/api/v1/teams"): "signed_in_write",
    ("get", "/api/v1/teams/{team}"): "team_read",
    ("delete", "/api/v1/teams/{team}"): "team_admin",
    ("post", "/api/v1/teams/{team}/members"): "team_admin",
    ("delete", "/api/v1/teams/{team}/members/{user}"): "team_admin",
    ("post", "/api/v1/teams/{team}/leave"): "signed_in_write",  # a non-member gets 404
    ("get", "/api/v1/teams/{team}/invitations"): "team_admin",
    ("post", "/api/v1/teams/{team}/invitations"): "team_admin",
    ("delete", "/api/v1/teams/{team}/invitations/{invitation_id}"): "team_admin",
    ("post", "/api/v1/invitations/accept"): "signed_in_write",
    ("get", "/api/v1/keys"): "signed_in_read",
    ("post", "/api/v1/keys"): "signed_in_write",
    ("delete", "/api/v1/keys/{key_id}"): "signed_in_write",
    ("delete", "/api/v1/session"): "signed_in_write",
    ("post", "/api/v1/session/links"): "signed_in_write",
    ("get", "/api/v1/sessions"): "signed_in_read",
    ("delete", "/api/v1/sessions/{session_id}"): "signed_in_write",
    ("put", "/api/v1/password"): "signed_in_write",
    ("get", "/api/v1/projects/{entity}/{project}/views"): "project_read",
    ("post", "/api/v1/projects/{entity}/{project}/views"): "project_write",  # a shared view
    ("get", "/api/v1/views/{view_id}"): "project_read",
    ("patch", "/api/v1/views/{view_id}"): "project_write",
    ("delete", "/api/v1/views/{view_id}"): "project_write",
    ("post", "/api/v1/views/{view_id}/duplicate"): "project_write",  # as a shared view
    ("get", "/api/v1/projects/{entity}/{project}/reports"): "project_read",
    ("post", "/api/v1/projects/{entity}/{project}/reports"): "project_write",
    ("get", REP): "project_read",
    ("patch", REP): "project_write",  # a stale version: 409 past the check
    ("delete", REP): "project_write",
    ("get", REP + "/versions"): "project_read",
    ("get", REP + "/versions/{version}"): "project_read",
    ("post", REP + "/versions/{version}/restore"): "project_write",
    ("get", REP + "/comments"): "project_read",
    ("post", REP + "/comments"): "project_write",
    ("get", RUN + "/comments"): "project_read",
    ("post", RUN + "/comments"): "project_write",
    ("delete", "/api/v1/comments/{comment_id}"): "project_admin",  # or its author (the admin here)
    ("post", REP + "/share"): "project_write",
    ("delete", REP + "/share"): "project_write",
    ("get", "/api/v1/share"): "any",  # 400 not_a_share_link to all but a share link
}


# -- the server -------------------------------------------------------------------------------------
def runlog(run_id: str) -> bytes:
    rec = packb({"run_id": run_id, "segment": "s1", "start_time": 1000.0})
    return file_header() + frame(RT.RUN, rec)


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"api:{key}".encode()).decode()


class World:
    """The server, its callers and the fixtures each call needs."""

    def __init__(self, client: Any):
        self.c = client
        self.n = itertools.count()
        self.keys: dict[str, str] = {"server_admin": client.key}
        self.blob = b"matrix blob"
        self.sha = hashlib.sha256(self.blob).hexdigest()

    def admin(self, method: str, path: str, **kw: Any) -> Any:
        r = self.c.request(
            method, path, headers={"Authorization": f"Bearer {self.keys['server_admin']}"}, **kw
        )
        assert r.status_code < 300, (method, path, r.status_code, r.text)
        return r

    def as_(self, principal: str, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if principal == "share":
            headers["X-Runyard-Share"] = self.share_token
        elif principal != "anonymous":
            headers.setdefault("Authorization", f"Bearer {self.keys[principal]}")
        return self.c.request(method, path, headers=headers, **kw)

    def setup(self) -> None:
        for p, name in USERS.items():
            self.keys[p] = self.admin("POST", "/api/v1/users", json={"name": name}).json()["api_key"]
        self.spare = self.admin("POST", "/api/v1/users", json={"name": "sam"}).json()["api_key"]
        self.team("acme")
        self.as_("outsider", "POST", "/api/v1/teams", json={"name": "other"})
        self.keys["read_key"] = self.admin(
            "POST", "/api/v1/keys", json={"user": USERS["read_key"], "scope": "read"}
        ).json()["api_key"]
        gone = self.admin("GET", "/api/v1/keys", params={"user": USERS["revoked"]}).json()["keys"][0]["id"]
        self.admin("DELETE", f"/api/v1/keys/{gone}")
        self.sweeps, self.views, self.reports = {}, {}, {}
        for vis in VISIBILITIES:
            self.project("acme", vis, vis)
            self.sweeps[vis] = self.sweep
            self.views[vis] = self.new_view(vis)
            self.reports[vis] = self.new_report(vis)
        self.admin("POST", "/api/v1/registries/acme/model/c", json={"artifact": "acme/team/ds:v0"})
        shown = {"id": "b", "type": "runs", "runset": {"projects": ["acme/team"]}}
        rid = self.admin("POST", "/api/v1/projects/acme/team/reports", json={"title": "s", "blocks": [shown]})
        self.share_token = self.admin("POST", f"/api/v1/reports/{rid.json()['id']}/share").json()["token"]
        for name in [*USERS.values(), "sam"]:  # passwords, for sign-in and sessions
            url = self.admin("POST", f"/api/v1/users/{name}/password-link").json()["url"]
            token = url.split("token=")[1]
            self.c.post("/api/v1/password/link", json={"token": token, "password": PASSWORD})

    def team(self, name: str) -> None:
        """A team where the principals have their roles."""
        r = self.as_("team_admin", "POST", "/api/v1/teams", json={"name": name})
        assert r.status_code == 201, r.text
        for p, role in ROLE.items():
            if role != "admin":
                self.admin("POST", f"/api/v1/teams/{name}/members", json={"user": USERS[p], "role": role})

    def project(self, entity: str, name: str, vis: str) -> None:
        """A project of visibility `vis` with a run r1 (a file), an artifact ds:v0 (a blob)."""
        self.admin(
            "POST",
            f"/api/v1/ingest/{entity}/{name}/r1",
            params={"segment": "s1", "offset": 0},
            content=runlog("r1"),
        )
        self.admin("PATCH", f"/api/v1/projects/{entity}/{name}", json={"visibility": vis})
        self.admin("PUT", f"/api/v1/runs/{entity}/{name}/r1/files/notes.txt", content=b"notes")
        self.admin("PUT", f"/api/v1/blobs/{self.sha}", content=self.blob)
        manifest = [{"path": "b.bin", "sha256": self.sha, "size": len(self.blob)}]
        self.admin(
            "POST", f"/api/v1/artifacts/{entity}/{name}/ds", json={"type": "dataset", "manifest": manifest}
        )
        self.sweep = self.admin("POST", f"/api/v1/sweeps/{entity}/{name}", json={"config": GRID}).json()["id"]

    def new_view(self, vis: str) -> int:
        body = {"name": "v", "shared": True, "state": {"version": 1}}
        return self.admin("POST", f"/api/v1/projects/acme/{vis}/views", json=body).json()["id"]

    def new_report(self, vis: str) -> int:
        return self.admin("POST", f"/api/v1/projects/acme/{vis}/reports", json={"title": "r"}).json()["id"]

    def report_call(self, key: tuple[str, str], f: dict[str, Any], vis: str) -> dict[str, Any]:
        """Parameters and body of a call about a view, report or comment (fresh targets when destroyed)."""
        method, path = key
        f["view_id"], f["report_id"], f["version"] = self.views[vis], self.reports[vis], "1"
        if method == "delete" and path == "/api/v1/views/{view_id}":
            f["view_id"] = self.new_view(vis)
        elif method == "delete" and path == REP:
            f["report_id"] = self.new_report(vis)
        elif path == "/api/v1/comments/{comment_id}":
            made = self.admin("POST", f"/api/v1/reports/{self.reports[vis]}/comments", json={"body": "c"})
            f["comment_id"] = made.json()["id"]
        if method == "patch" and path == REP or path.endswith("/restore"):
            return {"json": {"version": 0}}
        if method in ("post", "patch") and path.startswith("/api/v1/views/"):
            return {"json": {"shared": True}}
        if method == "post" and path.endswith("/comments"):
            return {"json": {"body": "hi"}}
        return {}

    # -- one call of a route -------------------------------------------------------------------------
    def call(self, method: str, path: str, principal: str, vis: str) -> Any:
        """Fill the route's parameters (fresh targets for destructive calls) and call it."""
        i = next(self.n)
        params: dict[str, Any] = {}
        body: dict[str, Any] = {}
        f = {
            "entity": "acme",
            "project": vis,
            "run_id": "r1",
            "path": "notes.txt",
            "name": "ds",
            "version": "v0",
            "sha256": self.sha,
            "team": "acme",
            "user": "sam",
            "sweep_id": "",
            "registry": "model",
            "collection": "c",
        }
        user = USERS.get(principal, "admin")
        key = (method, path)
        if key == ("delete", RUN):
            f["run_id"] = f"d{i}"
            self.admin(
                "POST",
                f"/api/v1/ingest/acme/{vis}/d{i}",
                params={"segment": "s1", "offset": 0},
                content=runlog(f"d{i}"),
            )
        elif key == ("post", "/api/v1/ingest/{entity}/{project}/{run_id}"):
            f["run_id"] = f"n{i}"
            params = {"segment": "s1", "offset": 0}
            body = {"content": runlog(f"n{i}")}
        elif key[1] == "/api/v1/ingest/{entity}/{project}/{run_id}":
            params = {"segment": "s1"}
        elif key in (
            ("delete", "/api/v1/projects/{entity}/{project}"),
            ("post", "/api/v1/projects/{entity}/{project}/transfer"),
        ):
            f["project"] = f"x{i}"
            self.project("acme", f"x{i}", vis)
            if key[0] == "post":
                body = {"json": {"to": user}}
        elif key == ("patch", "/api/v1/projects/{entity}/{project}"):
            body = {"json": {"description": f"d{i}"}}
        elif key == ("patch", RUN):
            body = {"json": {"notes": f"n{i}"}}
        elif key[1] == RUN + "/history/raw":
            params = {"keys": "loss"}
        elif key[1] == "/api/v1/projects/{entity}/{project}/history":
            params = {"key": "loss", "runs": "r1"}
        elif key[0] == "post" and key[1].startswith("/api/v1/projects/{entity}/{project}/runs/"):
            body = {"json": {"limit": 5}}  # runs/query, runs/columns
        elif key == ("put", RUN + "/files/{path}"):
            body = {"content": b"x"}
        elif key == ("get", "/api/v1/stream"):
            params = {"project": f"acme/{vis}"}
        elif key == ("post", ART + "/{name}"):
            manifest = [{"path": "b.bin", "sha256": self.sha, "size": len(self.blob)}]
            body = {"json": {"type": "dataset", "manifest": manifest}}
        elif key == ("delete", VER):
            f["name"] = f"a{i}"
            self.admin("POST", f"/api/v1/artifacts/acme/{vis}/a{i}", json={"type": "dataset", "manifest": []})
        elif key == ("post", REG):
            body = {"json": {"name": f"r{i}"}}
        elif key == ("patch", REG + "/{registry}"):
            body = {"json": {"description": f"d{i}"}}
        elif key == ("post", VER + "/aliases"):
            body = {"json": {"add": ["best"]}}
        elif key == ("patch", VER):
            body = {"json": {"description": f"d{i}"}}
        elif key in (("post", VER + "/blobs"), ("post", "/api/v1/blobs/missing")):
            body = {"json": {"sha256": [self.sha]}}
        elif key == ("post", "/api/v1/blobs/batch"):
            body = {"content": self.sha.encode() + len(self.blob).to_bytes(8, "big") + self.blob}
            body["headers"] = {"Content-Type": "application/vnd.runyard.blobs"}
        elif key == ("put", "/api/v1/blobs/{sha256}"):
            body = {"content": self.blob}
        elif key == ("post", "/api/v1/blobs/{sha256}/direct"):
            body = {"json": {"size": len(self.blob)}}
        elif key == ("post", "/api/v1/blobs/{sha256}/direct/finish"):
            body = {"json": {"upload_id": "0" * 32, "size": len(self.blob)}}
        elif key[1].startswith(SW + "/{sweep_id}"):
            f["sweep_id"] = self.sweeps[vis]
            body = {
                "patch": {"json": {"state": "running"}},
                "post": {"json": {"agent": "a1", "index": 0, "state": "finished"}},
            }.get(key[0], {})
            if key[1].endswith("/next"):
                body = {"json": {"agent": "a1"}}
            elif key[1].endswith("/heartbeat"):
                body = {"json": {"agent": "a1", "index": 0}}
        elif key == ("post", SW):
            body = {"json": {"config": GRID}}
        elif key == ("post", RCOL):
            body = {"json": {"artifact": "acme/team/ds:v0"}}
        elif key == ("delete", RCOL + "/{version}"):
            f["collection"] = f"u{i}"
            self.admin("POST", f"/api/v1/registries/acme/model/u{i}", json={"artifact": "acme/team/ds:v0"})
        elif key == ("post", RCOL + "/{version}/aliases"):
            body = {"json": {"add": ["best"]}}
        elif key == ("post", "/api/v1/users"):
            body = {"json": {"name": f"u{i}"}}
        elif key == ("post", "/api/v1/admin/gc"):
            body = {"json": {}}
        elif key == ("post", "/api/v1/teams"):
            body = {"json": {"name": f"t{i}"}}
        elif key in (("delete", "/api/v1/teams/{team}"), ("post", "/api/v1/teams/{team}/leave")):
            f["team"] = f"t{i}"
            self.team(f"t{i}")
        elif key == ("post", "/api/v1/teams/{team}/members"):
            body = {"json": {"user": "sam", "role": "viewer"}}
        elif key == ("delete", "/api/v1/teams/{team}/members/{user}"):
            self.admin("POST", "/api/v1/teams/acme/members", json={"user": "sam", "role": "viewer"})
        elif key == ("post", "/api/v1/teams/{team}/invitations"):
            body = {"json": {"role": "viewer"}}
        elif key == ("delete", "/api/v1/teams/{team}/invitations/{invitation_id}"):
            f["invitation_id"] = self.admin("POST", "/api/v1/teams/acme/invitations", json={}).json()["id"]
        elif key == ("post", "/api/v1/invitations/accept"):
            token = self.admin("POST", "/api/v1/teams/other/invitations", json={"role": "viewer"}).json()[
                "token"
            ]
            body = {"json": {"token": token}}
        elif key == ("post", "/api/v1/keys"):
            body = {"json": {"name": f"k{i}"}}
        elif key == ("delete", "/api/v1/keys/{key_id}"):
            self.admin("POST", "/api/v1/keys", json={"user": user})
            f["key_id"] = self.admin("GET", "/api/v1/keys", params={"user": user}).json()["keys"][-1]["id"]
        elif key == ("delete", "/api/v1/sessions/{session_id}"):
            r = self.c.post("/api/v1/session", json={"username": user, "password": PASSWORD})
            f["session_id"] = r.json()["session"] if r.status_code == 200 else 1
            self.c.cookies.clear()
        elif path.startswith(("/api/v1/views/", "/api/v1/reports/", "/api/v1/comments/")):
            body = self.report_call(key, f, vis or "team")
        elif key[1].endswith(("/views", "/reports")):
            body = {
                "json": {"name": f"v{i}", "shared": True, "state": {}}
                if "views" in key[1]
                else {"title": "r"}
            }
            if key[0] == "get":
                body = {}
        elif key == ("post", RUN + "/comments"):
            body = {"json": {"body": "hi"}}
        elif key == ("put", "/api/v1/password"):
            body = {"json": {"old_password": PASSWORD, "password": PASSWORD}}
        elif key == ("post", "/api/v1/session"):
            body = {"json": {"username": "sam", "password": PASSWORD}}
        elif key == ("post", "/api/v1/password/link"):
            body = {"json": {"token": "not-a-token", "password": PASSWORD}}
        r = self.as_(principal, method.upper(), path.format(**f), params=params, **body)
        self.c.cookies.clear()  # sign-in set cookies: the next call authenticates as its own principal
        return r


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    from starlette.testclient import TestClient

    from runyard.server import create_app

    home = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        url = f"sqlite:///{home / 'runyard.db'}"
    else:
        url = request.getfixturevalue("pg_database")
        eng = sa.create_engine(url)
        with eng.begin() as c:
            if c.exec_driver_sql("SELECT to_regclass('public.runs')").scalar():
                names = ", ".join(t.name for t in metadata.sorted_tables)
                c.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        eng.dispose()
    config = ServerConfig.resolve(home=home, db_url=url, port=0, public_anonymous=True)
    app = create_app(config, announce=False)
    with TestClient(app) as c:
        c.key = app.state.bootstrap_key
        w = World(c)
        w.setup()
        yield w


def _denied(r: Any) -> bool:
    return r.status_code in (401, 403)


def test_every_route_is_classified(world):
    spec = world.admin("GET", "/api/v1/openapi.json").json()
    described = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert described == set(ROUTES_TABLE), "classify new routes in ROUTES_TABLE"


# one test per caller: the whole matrix is thousands of calls, over the per-test time limit on a busy CI
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_rest_matrix(world, principal):
    wrong = []
    calls = 0
    for (method, path), kind in ROUTES_TABLE.items():
        for vis in VISIBILITIES if kind.startswith("project") else (None,):
            expect = allowed(principal, kind, vis, path)
            if path == "/api/v1/stream" and expect:
                continue  # an allowed stream never ends; test_tenancy follows live streams
            r = world.call(method, path, principal, vis or "team")
            calls += 1
            if r.status_code >= 500 or _denied(r) == expect:
                wrong.append(
                    f"{method.upper()} {path} [{vis}] as {principal}: {r.status_code} "
                    f"(expected {'allow' if expect else 'deny'}) {r.text[:120]}"
                )
    assert not wrong, f"{len(wrong)} of {calls} calls:\n" + "\n".join(wrong)


# -- the wandb client's operations ------------------------------------------------------------------
VIEWER = "query Viewer { viewer { id entity username teams { edges { node { name } } } } }"
READ_RUN = """query R($e: String, $p: String, $r: String!) {
  model(name: $p, entityName: $e) { bucket(name: $r, missingOk: true) { id name } } }"""
UPSERT = """mutation U($name: String, $project: String, $entity: String) {
  upsertBucket(input: {name: $name, modelName: $project, entityName: $entity}) { bucket { id name } } }"""


def _wandb_call(w: World, op: str, principal: str, vis: str) -> bool:
    """Did the wandb-protocol call succeed (allowed) for `principal`?"""
    headers = (
        {}
        if principal == "anonymous"
        else {"X-Runyard-Share": w.share_token}
        if principal == "share"
        else {"Authorization": basic(w.keys[principal])}
    )
    if op == "file_stream":
        run = f"fs{next(w.n)}"
        w.c.post(
            "/graphql",
            json={"query": UPSERT, "variables": {"name": run, "project": vis, "entity": "acme"}},
            headers={"Authorization": basic(w.keys["server_admin"])},
        )
        body = {"files": {"output.log": {"offset": 0, "content": ["hello"]}}}
        r = w.c.post(f"/files/acme/{vis}/{run}/file_stream", json=body, headers=headers)
        return r.status_code == 200
    query, variables = {
        "viewer": (VIEWER, {}),
        "read_run": (READ_RUN, {"e": "acme", "p": vis, "r": "r1"}),
        "upsert": (UPSERT, {"name": f"w{next(w.n)}", "project": vis, "entity": "acme"}),
    }[op]
    r = w.c.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    if r.status_code != 200:
        return False
    doc = r.json()
    data = doc.get("data") or {}
    if op == "viewer":
        return not doc.get("errors") and data["viewer"]["username"] == USERS.get(principal, "admin")
    if op == "read_run":
        return ((data.get("model") or {}).get("bucket") or {}).get("name") == "r1"
    return not doc.get("errors") and bool(data.get("upsertBucket"))


WANDB_KINDS = {
    "viewer": "signed_in_read",
    "read_run": "project_read",
    "upsert": "project_write",
    "file_stream": "project_write",
}


def test_wandb_matrix(world):
    wrong = []
    for op, kind in WANDB_KINDS.items():
        for vis in VISIBILITIES:
            for principal in PRINCIPALS:
                # the wandb endpoints take API keys only: the anonymous viewer is not let in there
                expect = allowed(principal, kind, vis) and principal not in ("anonymous", "share")
                if _wandb_call(world, op, principal, vis) != expect:
                    wrong.append(f"{op} [{vis}] as {principal}: expected {'allow' if expect else 'deny'}")
    assert not wrong, "\n".join(wrong)


def test_viewer_teams_answer_from_the_model(world):
    for principal, has, lacks in (("viewer", "acme", "nothing"), ("outsider", "other", "acme")):
        r = world.c.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": basic(world.keys[principal])}
        )
        teams = [e["node"]["name"] for e in r.json()["data"]["viewer"]["teams"]["edges"]]
        doc = world.as_(principal, "GET", "/api/v1/viewer").json()
        assert teams == [t["name"] for t in doc["teams"]] and has in teams and lacks not in teams
        assert doc["user"] == USERS[principal] and doc["auth"] == "key"
    assert {"name": "acme", "role": "viewer"} in world.as_("viewer", "GET", "/api/v1/viewer").json()["teams"]
