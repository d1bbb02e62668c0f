"""Saved views, reports, comments and share links through the HTTP API, on SQLite and PostgreSQL:
who sees and changes what (personal vs shared views; readers and members of a team's project), the
version check that keeps two editors from overwriting each other, history and restore, bounds."""

from __future__ import annotations

from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb


def runlog(run_id: str) -> bytes:
    return file_header() + frame(RT.RUN, packb({"run_id": run_id, "segment": "s1", "start_time": 1000.0}))


def as_key(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def new_user(client, name: str) -> str:
    r = client.post("/api/v1/users", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()["api_key"]


def team(client, members: dict[str, str]) -> dict[str, str]:
    """Team `lab` with project `lab/p` (run r1); members name -> role; returns name -> key."""
    keys = {n: new_user(client, n) for n in members}
    assert client.post("/api/v1/teams", json={"name": "lab"}).status_code == 201
    for n, role in members.items():
        r = client.post("/api/v1/teams/lab/members", json={"user": n, "role": role})
        assert r.status_code in (200, 201), r.text
    r = client.post("/api/v1/ingest/lab/p/r1", params={"segment": "s1", "offset": 0}, content=runlog("r1"))
    assert r.status_code == 200, r.text
    return keys


STATE = {
    "version": 1,
    "filter": "lr > 0.01",
    "sort": {"key": "summary.loss", "dir": "asc"},
    "colors": {"r1": "#f00"},
}


def test_personal_and_shared_views(client):
    k = team(client, {"mia": "member", "vic": "viewer"})
    mia, vic = as_key(k["mia"]), as_key(k["vic"])
    base = "/api/v1/projects/lab/p/views"
    # a viewer may keep a personal view (reading is enough), but not share one
    mine = client.post(base, json={"name": "my view", "state": STATE}, headers=vic)
    assert mine.status_code == 201, mine.text
    assert mine.json()["shared"] is False and mine.json()["state"] == STATE and mine.json()["owner"] == "vic"
    r = client.post(base, json={"name": "team view", "shared": True, "state": STATE}, headers=vic)
    assert r.status_code == 403
    shared = client.post(base, json={"name": "team view", "shared": True, "state": STATE}, headers=mia).json()
    # each sees the shared view and only their own personal views
    assert [v["name"] for v in client.get(base, headers=vic).json()["views"]] == ["my view", "team view"]
    assert [v["name"] for v in client.get(base, headers=mia).json()["views"]] == ["team view"]
    assert client.get(f"/api/v1/views/{mine.json()['id']}", headers=mia).status_code == 404
    # rename, replace the state, duplicate, delete
    vid = shared["id"]
    r = client.patch(f"/api/v1/views/{vid}", json={"name": "renamed", "state": {"version": 1}}, headers=mia)
    assert r.json()["name"] == "renamed" and r.json()["state"] == {"version": 1}
    assert client.patch(f"/api/v1/views/{vid}", json={"name": "x"}, headers=vic).status_code == 403
    dup = client.post(f"/api/v1/views/{vid}/duplicate", json={}, headers=vic)
    assert dup.status_code == 201 and dup.json()["name"] == "renamed (copy)" and dup.json()["shared"] is False
    assert dup.json()["owner"] == "vic" and dup.json()["state"] == {"version": 1}
    assert client.delete(f"/api/v1/views/{vid}", headers=vic).status_code == 403
    assert client.delete(f"/api/v1/views/{vid}", headers=mia).status_code == 200
    assert client.get(f"/api/v1/views/{vid}", headers=mia).status_code == 404
    # an outsider sees nothing of the project
    out = as_key(new_user(client, "out"))
    assert client.get(base, headers=out).status_code == 403


def test_view_bounds_and_shapes(client, config):
    team(client, {})
    base = "/api/v1/projects/lab/p/views"
    assert client.post(base, json={"name": "", "state": {}}).status_code == 422
    assert client.post(base, json={"name": "x" * 201, "state": {}}).status_code == 422
    assert client.post(base, json={"name": "v", "state": []}).json()["error"]["code"] == "wrong_type"
    assert (
        client.post(base, json={"name": "v", "state": {}, "owner": 1}).json()["error"]["code"]
        == "unknown_field"
    )
    big = {"filter": "x" * (config.max_view_bytes + 1)}
    r = client.post(base, json={"name": "v", "state": big})
    assert r.status_code == 413 and r.json()["error"]["code"] == "view_too_large"
    assert client.get("/api/v1/views/99999999999999999999999").status_code == 400
    assert client.get("/api/v1/views/12345").status_code == 404


BLOCKS = [
    {"id": "h", "type": "heading", "text": "Findings", "level": 1},
    {"id": "t", "type": "markdown", "text": "Loss **drops**."},
    {
        "id": "g",
        "type": "panels",
        "runset": {"projects": ["lab/p"], "filter": ""},
        "metrics": ["loss"],
        "panel_settings": {"loss": {"logY": True}},
    },
    {"id": "r", "type": "runs", "runset": {"projects": ["lab/p"]}, "columns": ["summary.loss"]},
]


def test_report_edit_conflict_history_and_restore(client):
    k = team(client, {"mia": "member", "ned": "member", "vic": "viewer"})
    mia, ned, vic = as_key(k["mia"]), as_key(k["ned"]), as_key(k["vic"])
    assert client.post("/api/v1/projects/lab/p/reports", json={"title": "t"}, headers=vic).status_code == 403
    r = client.post("/api/v1/projects/lab/p/reports", json={"title": "Week 1", "blocks": BLOCKS}, headers=mia)
    assert r.status_code == 201, r.text
    rep = r.json()
    assert rep["version"] == 1 and rep["blocks"] == BLOCKS and rep["created_by"] == "mia"
    rid = rep["id"]
    got = client.get(f"/api/v1/reports/{rid}", headers=vic).json()
    assert got["title"] == "Week 1" and got["can_edit"] is False
    assert (
        client.patch(f"/api/v1/reports/{rid}", json={"version": 1, "title": "x"}, headers=vic).status_code
        == 403
    )
    # two editors start from version 1: the first save wins, the second is told (and given the current)
    a = client.patch(f"/api/v1/reports/{rid}", json={"version": 1, "title": "Week 1 (mia)"}, headers=mia)
    assert a.status_code == 200 and a.json()["version"] == 2 and a.json()["updated_by"] == "mia"
    b = client.patch(f"/api/v1/reports/{rid}", json={"version": 1, "blocks": BLOCKS[:1]}, headers=ned)
    assert b.status_code == 409
    err = b.json()["error"]
    assert err["code"] == "version_conflict" and err["current"]["version"] == 2
    assert err["current"]["title"] == "Week 1 (mia)" and err["current"]["blocks"] == BLOCKS
    # ned merges and saves on top of version 2
    c = client.patch(f"/api/v1/reports/{rid}", json={"version": 2, "blocks": BLOCKS[:1]}, headers=ned)
    assert c.status_code == 200 and c.json()["version"] == 3 and c.json()["title"] == "Week 1 (mia)"
    vs = client.get(f"/api/v1/reports/{rid}/versions", headers=vic).json()["versions"]
    assert [(v["version"], v["author"]) for v in vs] == [(3, "ned"), (2, "mia"), (1, "mia")]
    assert client.get(f"/api/v1/reports/{rid}/versions/1", headers=vic).json()["blocks"] == BLOCKS
    # restore version 1 as version 4
    r = client.post(f"/api/v1/reports/{rid}/versions/1/restore", json={"version": 3}, headers=mia)
    assert r.status_code == 200 and r.json()["version"] == 4
    assert r.json()["title"] == "Week 1" and r.json()["blocks"] == BLOCKS
    assert (
        client.post(f"/api/v1/reports/{rid}/versions/1/restore", json={"version": 3}, headers=mia).status_code
        == 409
    )
    listed = client.get("/api/v1/projects/lab/p/reports", headers=vic).json()["reports"]
    assert [(x["id"], x["title"], x["version"]) for x in listed] == [(rid, "Week 1", 4)]
    assert client.delete(f"/api/v1/reports/{rid}", headers=vic).status_code == 403
    assert client.delete(f"/api/v1/reports/{rid}", headers=ned).status_code == 200
    assert client.get(f"/api/v1/reports/{rid}", headers=mia).status_code == 404


def test_report_blocks_are_checked_and_bounded(client, config):
    team(client, {})
    url = "/api/v1/projects/lab/p/reports"
    # a block that does not have its type's shape: a 4xx whose field names the block and its field
    bad = [
        ([{"type": "markdown", "text": "no id"}], "missing_field", "blocks[0].id"),
        ([{"id": "", "type": "markdown"}], "out_of_range", "blocks[0].id"),
        (
            [{"id": "a", "type": "heading"}, {"id": "b", "type": "script", "text": "x"}],
            "bad_value",
            "blocks[1].type",
        ),
        ([{"id": "a", "type": "markdown", "text": 5}], "wrong_type", "blocks[0].text"),
        ([{"id": "a", "type": "markdown", "html": "<b>"}], "unknown_field", "blocks[0].html"),
        ([{"id": "a", "type": "heading", "level": True}], "wrong_type", "blocks[0].level"),
        ([{"id": "a", "type": "panels", "columns": 17}], "out_of_range", "blocks[0].columns"),
        (
            [{"id": "a", "type": "panels", "runset": {"projects": "lab/p"}}],
            "wrong_type",
            "blocks[0].runset.projects",
        ),
        ([{"id": "a", "type": "panels", "runset": {"query": {}}}], "unknown_field", "blocks[0].runset.query"),
        (
            [{"id": "a", "type": "panels", "panel_settings": ["train/loss"]}],
            "wrong_type",
            "blocks[0].panel_settings",
        ),
        ([{"id": "a", "type": "media", "keys": ["k"] * 501}], "out_of_range", "blocks[0].keys"),
        ("not a list", "wrong_type", "blocks"),
        (["not an object"], "wrong_type", "blocks[0]"),
    ]
    for blocks, code, field in bad:
        r = client.post(url, json={"title": "t", "blocks": blocks})
        err = r.json()["error"]
        assert r.status_code == 422 and (err["code"], err["field"]) == (code, field), (blocks, r.text)
        assert repr(field) in err["message"], err
    twice = [{"id": "a", "type": "heading"}, {"id": "a", "type": "heading"}]
    err = client.post(url, json={"title": "t", "blocks": twice}).json()["error"]
    assert err["code"] == "bad_block" and "block 1" in err["message"] and "'a'" in err["message"], err
    many = [{"id": str(i), "type": "heading", "text": "h"} for i in range(config.max_report_blocks + 1)]
    assert client.post(url, json={"title": "t", "blocks": many}).json()["error"]["code"] == "bad_block"
    big = [{"id": "a", "type": "markdown", "text": "x" * (config.max_report_bytes + 1)}]
    assert client.post(url, json={"title": "t", "blocks": big}).status_code == 413
    assert client.post(url, json={"title": " "}).status_code == 422
    rid = client.post(url, json={"title": "ok"}).json()["id"]
    err = client.patch(f"/api/v1/reports/{rid}", json={"title": "x"}).json()["error"]
    assert err["code"] == "missing_field" and err["field"] == "version"
    err = client.patch(f"/api/v1/reports/{rid}", json={"version": True}).json()["error"]
    assert err["code"] == "wrong_type" and err["field"] == "version"


def test_report_blocks_are_stored_as_sent(client):
    """The models check the blocks; what is stored and read back is what was sent: no field added
    (absent ones stay absent), none dropped, free-form settings untouched."""
    team(client, {})
    blocks = [
        {"type": "heading", "id": "h", "text": "Results"},
        {
            "id": "p",
            "type": "panels",
            "runset": {"filter": "", "projects": ["lab/p"]},
            "settings": {"smoothing": 0.6, "x": {"axis": "_step", "log": False}, "ids": [1, 2.5, None]},
            "panel_settings": {"train/loss": {"ymax": 0.25}},
        },
        {"id": "e", "type": "image"},
    ]
    made = client.post("/api/v1/projects/lab/p/reports", json={"title": "t", "blocks": blocks}).json()
    assert made["blocks"] == blocks
    assert client.get(f"/api/v1/reports/{made['id']}").json()["blocks"] == blocks
    edited = client.patch(f"/api/v1/reports/{made['id']}", json={"version": 1, "blocks": blocks[1:]})
    assert edited.json()["blocks"] == blocks[1:]
    assert client.get(f"/api/v1/reports/{made['id']}/versions/1").json()["blocks"] == blocks


def test_old_versions_are_dropped_beyond_the_bound(client, config):
    team(client, {})
    config.max_report_versions = 3  # the app holds this object
    rid = client.post("/api/v1/projects/lab/p/reports", json={"title": "v1"}).json()["id"]
    for v in range(1, 6):
        assert (
            client.patch(f"/api/v1/reports/{rid}", json={"version": v, "title": f"v{v + 1}"}).status_code
            == 200
        )
    vs = client.get(f"/api/v1/reports/{rid}/versions").json()["versions"]
    assert [v["version"] for v in vs] == [6, 5, 4]
    assert client.get(f"/api/v1/reports/{rid}/versions/1").status_code == 404


def test_comments_on_reports_and_runs(client, config):
    k = team(client, {"mia": "member", "vic": "viewer"})
    mia, vic = as_key(k["mia"]), as_key(k["vic"])
    rid = client.post("/api/v1/projects/lab/p/reports", json={"title": "r"}, headers=mia).json()["id"]
    for url in (f"/api/v1/reports/{rid}/comments", "/api/v1/runs/lab/p/r1/comments"):
        c = client.post(url, json={"body": "<script>alert(1)</script> looks good"}, headers=mia)
        assert c.status_code == 201, c.text
        assert client.post(url, json={"body": "me too"}, headers=vic).status_code == 403
        assert client.post(url, json={"body": ""}, headers=mia).status_code == 422
        long = "x" * (config.max_comment_chars + 1)
        assert client.post(url, json={"body": long}, headers=mia).status_code == 422
        listed = client.get(url, headers=vic).json()["comments"]
        assert [(x["author"], x["body"]) for x in listed] == [("mia", "<script>alert(1)</script> looks good")]
        assert listed[0]["created_at"] > 0
        cid = listed[0]["id"]
        assert client.delete(f"/api/v1/comments/{cid}", headers=vic).status_code == 403
        assert client.delete(f"/api/v1/comments/{cid}", headers=mia).status_code == 200
        assert client.get(url, headers=vic).json()["comments"] == []


def test_share_link_reads_the_report_and_what_it_shows_live_until_revoked(client):
    """The link's token (X-Runyard-Share) reads its report and the data of the projects its blocks
    show, as they are now (a block added later widens it at once); nothing else, never a write; a
    new link replaces it and revoking ends it."""
    k = team(client, {"vic": "viewer"})
    r = client.post("/api/v1/ingest/lab/q/r2", params={"segment": "s1", "offset": 0}, content=runlog("r2"))
    assert r.status_code == 200, r.text
    panels = {"id": "b1", "type": "panels", "runset": {"projects": ["lab/p"]}, "metrics": ["loss"]}
    made = client.post("/api/v1/projects/lab/p/reports", json={"title": "r", "blocks": [panels]}).json()
    rid = made["id"]
    assert client.post(f"/api/v1/reports/{rid}/share", headers=as_key(k["vic"])).status_code == 403
    r = client.post(f"/api/v1/reports/{rid}/share")
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert r.json()["path"] == f"/shared/{token}"
    assert client.get(f"/api/v1/reports/{rid}").json()["shared_since"] is not None
    link = {"Authorization": "", "X-Runyard-Share": token}

    doc = client.get("/api/v1/share", headers=link)
    assert doc.status_code == 200, doc.text
    assert doc.json()["title"] == "r" and doc.json()["blocks"] == [panels] and doc.json()["can_edit"] is False
    assert doc.json()["shared_since"] is None
    # the shown project's runs, run detail and history (POST queries that only read too)
    assert [x["id"] for x in client.get("/api/v1/projects/lab/p/runs", headers=link).json()["runs"]] == ["r1"]
    assert client.get("/api/v1/runs/lab/p/r1", headers=link).status_code == 200
    assert (
        client.get("/api/v1/runs/lab/p/r1/history/raw", params={"keys": "loss"}, headers=link).status_code
        == 200
    )
    assert client.post("/api/v1/projects/lab/p/runs/query", json={}, headers=link).status_code == 200
    # nothing else: another project, the report's other routes, views, comments, entity-wide lists
    for url in (
        "/api/v1/runs/lab/q/r2",
        "/api/v1/projects/lab/q/runs",
        f"/api/v1/reports/{rid}",
        f"/api/v1/reports/{rid}/versions",
        f"/api/v1/reports/{rid}/comments",
        "/api/v1/runs/lab/p/r1/comments",
        "/api/v1/projects/lab/p/views",
        "/api/v1/projects/lab/p/reports",
        "/api/v1/teams/lab",
    ):
        assert client.get(url, headers=link).status_code in (401, 403), url
    listed = client.get("/api/v1/projects", headers=link).json()["projects"]
    assert [(x["entity"], x["name"]) for x in listed] == [("lab", "p")]  # the shown project only
    # never a write
    for method, url, kw in (
        ("PATCH", f"/api/v1/reports/{rid}", {"json": {"version": 1, "title": "x"}}),
        ("POST", f"/api/v1/reports/{rid}/comments", {"json": {"body": "hi"}}),
        (
            "POST",
            "/api/v1/ingest/lab/p/r9",
            {"params": {"segment": "s1", "offset": 0}, "content": runlog("r9")},
        ),
        ("DELETE", f"/api/v1/reports/{rid}/share", {}),
    ):
        r = client.request(method, url, headers=link, **kw)
        assert r.status_code == 403 and r.json()["error"]["code"] == "read_only_share", (url, r.text)
    # the link follows the report: a run set over lab/q added now is readable now
    both = panels | {"runset": {"projects": ["lab/p", "lab/q"]}}
    r = client.patch(f"/api/v1/reports/{rid}", json={"version": 1, "blocks": [both]})
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/runs/lab/q/r2", headers=link).status_code == 200
    assert client.get("/api/v1/share", headers=link).json()["blocks"] == [both]

    # sharing again replaces the link; revoking ends it
    new = client.post(f"/api/v1/reports/{rid}/share").json()["token"]
    gone = client.get("/api/v1/share", headers=link)
    assert gone.status_code == 401 and gone.json()["error"]["code"] == "unknown_share"
    link2 = link | {"X-Runyard-Share": new}
    assert client.get("/api/v1/runs/lab/p/r1", headers=link2).status_code == 200
    assert client.delete(f"/api/v1/reports/{rid}/share").json() == {"revoked": True}
    assert client.get("/api/v1/runs/lab/p/r1", headers=link2).status_code == 401
    assert client.get("/api/v1/share", headers={"X-Runyard-Share": "x" * 500}).status_code == 401
    # a caller that is not a share link is told what to send
    assert client.get("/api/v1/share").json()["error"]["code"] == "not_a_share_link"
