"""API details through the in-process ASGI client: auth, error envelope, bad input, ingest protocol."""

from __future__ import annotations

import base64
import collections
import hashlib
import json

import pytest
from starlette.routing import Route

from runyard.server.auth import PUBLIC
from runyard.server.routes import ROUTES
from runyard.wire.framing import HEADER_SIZE, Tail, iter_frames
from runyard.wire.reader import find_runlog, read

from .conftest import make_runs


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    (r,) = make_runs(d, steps=300, keys=["loss", "acc"])
    log = find_runlog(r["dir"])
    rd = read(log)
    return {"id": r["id"], "segment": rd.run["segment"], "data": log.read_bytes(), "rd": rd}


def ingest_url(run, entity="admin", project="p"):
    return f"/api/v1/ingest/{entity}/{project}/{run['id']}"


def post(client, run, offset, data, **kw):
    return client.post(
        ingest_url(run, **kw), params={"segment": run["segment"], "offset": offset}, content=data
    )


def frame_bounds(data: bytes) -> list[int]:
    tail = Tail()
    return [off for off, _t, _p in iter_frames(data, tail, HEADER_SIZE)] + [tail.good_bytes]


def assert_error(resp, status, code=None):
    assert resp.status_code == status, resp.text
    doc = resp.json()
    assert set(doc) == {"error"} and {"code", "message"} <= set(doc["error"]) and doc["error"]["message"]
    if code:
        assert doc["error"]["code"] == code, doc
    return doc["error"]


def test_auth_required_everywhere(client):
    bare = {"Authorization": ""}
    for route in ROUTES:
        path = route.path.replace("{path:path}", "x").format_map(
            collections.defaultdict(lambda: "x", entity="admin", project="p", run_id="r")
        )
        for m in route.methods - {"HEAD"}:
            r = client.request(m, path, headers=bare)
            # health, sign-in, a one-time password link: no key needed
            if (m, path) in PUBLIC:
                assert r.status_code != 401, path
            else:
                assert_error(r, 401, "unauthorized")
    assert_error(
        client.get("/api/v1/viewer", headers={"Authorization": "Bearer " + "0" * 40}), 401, "bad_key"
    )
    assert_error(client.get("/api/v1/viewer", headers={"Authorization": "Token abc"}), 401)
    basic = base64.b64encode(f"api:{client.key}".encode()).decode()
    assert client.get("/api/v1/viewer", headers={"Authorization": "Basic " + basic}).json()["user"] == "admin"


def test_credentials_file_written_private(client, config):
    doc = json.loads(config.credentials_path.read_text())
    assert doc["api_key"] == client.key and config.credentials_path.stat().st_mode & 0o777 == 0o600


def test_openapi_describes_every_route(client):
    spec = client.get("/api/v1/openapi.json").json()
    mounted = {
        (m.lower(), r.path.replace(":path", ""))
        for r in ROUTES
        if isinstance(r, Route)
        for m in r.methods
        if m != "HEAD"
    }
    described = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert mounted == described


def test_ingest_exactly_once_and_offsets(client, offline_run):
    data, run = offline_run["data"], offline_run
    bounds = frame_bounds(data)
    mid = bounds[len(bounds) // 2]
    assert client.get(ingest_url(run), params={"segment": run["segment"]}).json() == {"acked_offset": 0}
    # a chunk beyond what the server has: 409 with the offset to resend from
    err = assert_error(post(client, run, mid, data[mid:]), 409, "offset_mismatch")
    assert err["acked_offset"] == 0
    assert post(client, run, 0, data[:mid]).json()["acked_offset"] == mid
    again = post(client, run, 0, data[:mid]).json()  # a retry of an applied chunk is skipped whole
    assert again["applied_records"] == 0 and again["acked_offset"] == mid
    assert post(client, run, mid, data[mid:]).json()["acked_offset"] == len(data)
    assert client.get(ingest_url(run), params={"segment": run["segment"]}).json()["acked_offset"] == len(data)
    hist = client.get(f"/api/v1/runs/admin/p/{run['id']}/history/raw", params={"keys": "loss,acc"}).json()
    for s in hist["series"]:
        assert len(s["step"]) == 300 and s["step"] == list(range(300))
    assert client.get(f"/api/v1/runs/admin/p/{run['id']}").json()["history_points"] == 600


def test_bad_ingest_input_leaves_store_whole(client, offline_run):
    data, run = offline_run["data"], offline_run
    bounds = frame_bounds(data)
    mid = bounds[3]
    assert post(client, run, 0, data[:mid]).status_code == 200
    before = client.get(f"/api/v1/runs/admin/p/{run['id']}").json()
    corrupt = bytearray(data[mid:])
    corrupt[len(corrupt) // 2] ^= 0xFF
    assert_error(post(client, run, mid, bytes(corrupt)), 400, "corrupt_frame")
    assert_error(post(client, run, mid, data[mid:-3]), 400, "corrupt_frame")  # torn last frame
    assert_error(post(client, run, 0, b"NOTALOG!" + data[8:mid]), 400, "bad_header")
    assert_error(client.post(ingest_url(run), params={"offset": 0}, content=data), 400, "missing_parameter")
    assert_error(
        client.post(ingest_url(run), params={"segment": run["segment"], "offset": "x"}, content=data), 422
    )
    assert_error(
        client.post(ingest_url(run), params={"segment": "other", "offset": 0}, content=data),
        400,
        "segment_mismatch",
    )
    wrong = {**run, "id": "someoneelse"}
    assert_error(post(client, wrong, 0, data), 400, "run_mismatch")
    after = client.get(f"/api/v1/runs/admin/p/{run['id']}").json()
    assert after["history_points"] == before["history_points"]
    assert after["segments"][0]["acked_offset"] == mid
    assert post(client, run, mid, data[mid:]).json()["acked_offset"] == len(data)


def test_oversized_bodies(client, offline_run):
    cfg = client.app_ref.state.config
    cfg.max_ingest_bytes, cfg.max_json_bytes, cfg.max_file_bytes = 100, 50, 10
    assert_error(post(client, offline_run, 0, offline_run["data"]), 413, "body_too_large")
    assert_error(client.post("/api/v1/projects/admin/p/runs/query", content=b"{" + b" " * 100 + b"}"), 413)


def test_blob_uploads_are_bounded_and_verified(client):
    """Every upload route streams its body through one helper: bounded (declared or not), checked
    against its digest, and leaving no temporary file behind when refused."""
    client.app_ref.state.config.max_file_bytes = 10
    tmp = client.app_ref.state.store.blobs.tmp
    ten = b"0123456789"
    url = f"/api/v1/blobs/{hashlib.sha256(ten).hexdigest()}"
    assert_error(client.put(url, content=ten + b"!"), 413, "body_too_large")  # Content-Length
    assert_error(client.put(url, content=iter([ten, b"!"])), 413, "body_too_large")  # streamed
    assert_error(client.put(url, content=b"9876543210"), 400, "checksum_mismatch")
    assert list(tmp.iterdir()) == []
    assert client.put(url, content=iter([ten[:4], ten[4:]])).json() == {
        "sha256": hashlib.sha256(ten).hexdigest(),
        "size": 10,
    }


def test_json_endpoints_reject_bad_input(client, offline_run):
    assert post(client, offline_run, 0, offline_run["data"]).status_code == 200
    q = "/api/v1/projects/admin/p/runs/query"
    assert_error(client.post(q, content=b"{not json"), 400, "bad_json")
    assert_error(client.post(q, json=[1, 2]), 422, "wrong_type")
    assert_error(client.post(q, json={"limit": "ten"}), 422, "wrong_type")
    assert_error(client.post(q, json={"filter": {"config.lr": {"$bogus": 1}}}), 422, "bad_filter")
    assert_error(client.post(q, json={"order": "-nosuchcolumn"}), 422, "bad_filter")
    assert_error(client.post(q, json={"wat": 1}), 422, "unknown_field")
    assert_error(client.get("/api/v1/projects/admin/p/runs", params={"filter": "{"}), 400, "bad_json")
    run_url = f"/api/v1/runs/admin/p/{offline_run['id']}"
    assert_error(client.patch(run_url, json={"tags": "x"}), 422, "wrong_type")
    assert_error(client.patch(run_url, json={"state": "bogus"}), 422, "bad_value")
    assert client.patch(run_url, json={"tags": ["a", "b"], "notes": "hi"}).json()["tags"] == ["a", "b"]
    assert_error(client.get(run_url + "/history", params={"buckets": 0}), 422, "out_of_range")
    assert_error(client.get(run_url + "/history", params={"min": "abc"}), 422, "wrong_type")
    assert_error(client.get("/api/v1/runs/admin/p/nope"), 404, "unknown_run")
    for bad in ("a(b)", "<p>", "it's"):  # outside the name rule: refused before any lookup
        assert_error(client.get(f"/api/v1/runs/admin/{bad}/nope"), 400, "bad_name")
    assert_error(client.get("/api/v1/runs/nobody/p/x/history"), 404, "unknown_run")
    assert_error(client.get("/api/v1/projects/admin/nope/runs"), 404, "unknown_project")
    assert_error(client.get("/api/v1/nothing/here"), 404, "not_found")
    assert_error(client.put(run_url + "/files/%2e%2e/evil", content=b"x"), 400, "bad_path")
    assert_error(client.put(run_url + "/files/a//b", content=b"x"), 400, "bad_path")
    assert_error(client.get(run_url + "/files/missing.txt"), 404, "unknown_file")


def test_run_listing_filter_sort_paginate(client, tmp_path):
    runs = make_runs(tmp_path, runs=5, steps=10)
    for r in runs:
        log = find_runlog(r["dir"])
        rd = read(log)
        res = client.post(
            f"/api/v1/ingest/admin/p/{r['id']}",
            params={"segment": rd.run["segment"], "offset": 0},
            content=log.read_bytes(),
        )
        assert res.status_code == 200
    q = "/api/v1/projects/admin/p/runs/query"
    doc = client.post(
        q, json={"filter": {"config.lr": {"$gte": 0.03}}, "order": "-config.i", "limit": 2, "total": True}
    ).json()
    assert doc["total"] == 3 and [r["config"]["i"] for r in doc["runs"]] == [4, 3] and doc["next_offset"] == 2
    doc = client.post(
        q, json={"filter": {"config.lr": {"$gte": 0.03}}, "order": "-config.i", "offset": 2}
    ).json()
    assert [r["config"]["i"] for r in doc["runs"]] == [2] and doc["next_offset"] is None
    seen, cursor = [], None  # keyset pages: next_cursor until null
    while True:
        doc = client.post(
            q, json={"order": "-config.i", "limit": 2} | ({"cursor": cursor} if cursor else {})
        ).json()
        seen += [r["config"]["i"] for r in doc["runs"]]
        if not (cursor := doc["next_cursor"]):
            break
    assert seen == [4, 3, 2, 1, 0]
    assert_error(client.post(q, json={"order": "-config.i", "cursor": "bm9wZQ"}), 422, "bad_filter")
    doc = client.get(
        "/api/v1/projects/admin/p/runs",
        params={"order": "+summary.loss", "filter": json.dumps({"state": "finished"})},
    ).json()
    assert [r["config"]["i"] for r in doc["runs"]] == [0, 1, 2, 3, 4]
    client.patch(f"/api/v1/runs/admin/p/{runs[0]['id']}", json={"tags": ["base"]})
    doc = client.post(q, json={"filter": {"tags": {"$in": ["base"]}}}).json()
    assert [r["id"] for r in doc["runs"]] == [runs[0]["id"]]
    doc = client.post(q, json={"filter": {"$or": [{"config.i": 1}, {"summary.best": {"$lt": 0}}]}}).json()
    assert [r["config"]["i"] for r in doc["runs"]] == [1]
    projects = client.get("/api/v1/projects").json()["projects"]
    assert projects[0]["name"] == "p" and projects[0]["run_count"] == 5
