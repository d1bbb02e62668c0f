"""Moving runs between projects (PATCH {"project"}) and the project-wide keys endpoint."""

from __future__ import annotations

import pytest

from runyard.wire.reader import find_runlog, read

from .conftest import make_runs
from .test_api import assert_error, frame_bounds

DIGEST = "ab" * 32


def runlog(r: dict) -> dict:
    log = find_runlog(r["dir"])
    return {"id": r["id"], "segment": read(log).run["segment"], "data": log.read_bytes()}


def ingest(client, run, offset, data, project="p"):
    return client.post(
        f"/api/v1/ingest/admin/{project}/{run['id']}",
        params={"segment": run["segment"], "offset": offset},
        content=data,
    )


def acked(client, run, project="p"):
    url = f"/api/v1/ingest/admin/{project}/{run['id']}"
    return client.get(url, params={"segment": run["segment"]}).json()["acked_offset"]


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    d = tmp_path_factory.mktemp("runs")
    (a,) = make_runs(d / "a", steps=300, keys=["loss", "acc"])
    (b,) = make_runs(d / "b", steps=50, keys=["loss"])
    first = make_runs(d / "r1", id="resumable", steps=20)[0]
    second = make_runs(d / "r2", id="resumable", steps=20)[0]
    return {"a": runlog(a), "b": runlog(b), "r1": runlog(first), "r2": runlog(second)}


def test_move_keeps_data_and_ingest_follows(client, logs):
    run = logs["a"]
    data, rid = run["data"], run["id"]
    mid = frame_bounds(data)[len(frame_bounds(data)) // 2]
    assert ingest(client, run, 0, data[:mid]).status_code == 200
    old = f"/api/v1/runs/admin/p/{rid}"
    assert client.put(old + "/files/notes.txt", content=b"hello").status_code == 200
    store = client.app_ref.state.store
    store.db.submit_write(
        lambda c: store.artifacts.link(
            c, store.runs.locate(c, "admin", "p", rid).id, "output", "admin", "p", "m", DIGEST
        )
    ).result()
    before = {
        "detail": client.get(old).json(),
        "history": client.get(old + "/history/raw", params={"keys": "loss,acc"}).json()["series"],
        "console": client.get(old + "/console").json()["lines"],
        "files": client.get(old + "/files").json()["files"],
        "artifacts": client.get(old + "/artifacts").json(),
    }
    assert before["history"][0]["step"] and before["artifacts"]["logged"]

    moved = client.patch(old, json={"project": "q", "notes": "moved"})
    assert moved.status_code == 200, moved.text
    doc = moved.json()
    assert doc["project"] == "q" and doc["id"] == rid and doc["notes"] == "moved"
    assert doc["metadata"]["moved_from"] == ["p"]
    assert_error(client.get(old), 404, "unknown_run")
    new = f"/api/v1/runs/admin/q/{rid}"
    assert client.get(new + "/history/raw", params={"keys": "loss,acc"}).json()["series"] == before["history"]
    assert client.get(new + "/console").json()["lines"] == before["console"]
    assert client.get(new + "/files").json()["files"] == before["files"]
    assert client.get(new + "/files/notes.txt").content == b"hello"
    assert client.get(new + "/artifacts").json() == before["artifacts"]
    assert client.get(new).json()["segments"] == before["detail"]["segments"]
    counts = {x["name"]: x["run_count"] for x in client.get("/api/v1/projects").json()["projects"]}
    assert counts == {"p": 0, "q": 1}

    # the writer keeps streaming under the old name (or `runyard sync` re-sends its directory):
    # the server finds the moved run (metadata.moved_from) and creates nothing in the old project
    assert acked(client, run) == mid
    assert_error(ingest(client, run, len(data), b""), 409, "offset_mismatch")
    live_q = client.app_ref.state.broker.subscribe("admin/q")  # the new project's live stream
    assert ingest(client, run, mid, data[mid:]).json()["acked_offset"] == len(data)
    event = live_q.get_nowait()  # the still-streaming run's update is announced where the run now is
    assert event["project"] == "q" and event["run_id"] == rid and event["type"] == "run.updated"
    client.app_ref.state.broker.unsubscribe(live_q)
    again = ingest(client, run, 0, data).json()  # a full re-sync: everything skipped
    assert again["applied_records"] == 0 and again["acked_offset"] == len(data)
    assert client.get("/api/v1/projects/admin/p/runs").json()["runs"] == []
    hist = client.get(new + "/history/raw", params={"keys": "loss"}).json()["series"][0]
    assert hist["step"] == list(range(300))
    assert client.get(new).json()["history_points"] == 600
    assert "line from the run 0" in [x["line"] for x in client.get(new + "/console").json()["lines"]]

    # moving back drops the name from moved_from
    back = client.patch(new, json={"project": "p"}).json()
    assert back["project"] == "p" and back["metadata"]["moved_from"] == ["q"]
    # the same project: nothing moves
    assert client.patch(f"/api/v1/runs/admin/p/{rid}", json={"project": "p"}).json()["project"] == "p"


def test_new_segment_of_a_moved_run_follows_the_redirect(client, logs):
    r1, r2 = logs["r1"], logs["r2"]
    assert r1["id"] == r2["id"] == "resumable" and r1["segment"] != r2["segment"]
    assert ingest(client, r1, 0, r1["data"]).status_code == 200
    assert client.patch("/api/v1/runs/admin/p/resumable", json={"project": "q"}).status_code == 200
    assert acked(client, r2) == 0
    assert ingest(client, r2, 0, r2["data"]).status_code == 200  # resumed under the old project name
    assert client.get("/api/v1/projects/admin/p/runs").json()["runs"] == []
    doc = client.get("/api/v1/runs/admin/q/resumable").json()
    assert [s["segment"] for s in doc["segments"]] == [r1["segment"], r2["segment"]]
    assert doc["history_points"] == 40


def test_move_conflicts_and_bad_input(client, logs):
    run = logs["b"]
    for project in ("p", "q"):
        assert ingest(client, run, 0, run["data"], project=project).status_code == 200
    url = f"/api/v1/runs/admin/p/{run['id']}"
    assert_error(client.patch(url, json={"project": "q", "name": "renamed"}), 409, "run_exists")
    assert client.get(url).json()["name"] != "renamed"  # the refused request changed nothing
    assert_error(client.patch(url, json={"project": 3}), 422, "wrong_type")
    assert_error(client.patch(url, json={"project": "a/b"}), 422, "bad_value")
    assert_error(client.patch(url, json={"entity": "someone", "project": "z"}), 422, "bad_value")
    assert_error(client.patch("/api/v1/runs/admin/p/nope", json={"project": "z"}), 404, "unknown_run")
    # entity may name the current one; the target project is created
    doc = client.patch(url, json={"entity": "admin", "project": "new-one"}).json()
    assert doc["project"] == "new-one" and doc["entity"] == "admin"
    assert "new-one" in {x["name"] for x in client.get("/api/v1/projects").json()["projects"]}


def test_project_keys(client, logs):
    for name in ("a", "b"):
        assert ingest(client, logs[name], 0, logs[name]["data"]).status_code == 200
    doc = client.get("/api/v1/projects/admin/p/keys").json()
    assert doc == {
        "keys": [
            {"key": "acc", "runs": 1, "points": 300, "step_min": 0, "step_max": 299},
            {"key": "loss", "runs": 2, "points": 350, "step_min": 0, "step_max": 299},
        ]
    }
    assert client.get("/api/v1/projects/admin/p/keys", params={"kind": "history"}).json() == doc
    assert client.get("/api/v1/projects/admin/p/keys", params={"kind": "system"}).json() == {"keys": []}
    assert_error(client.get("/api/v1/projects/admin/p/keys", params={"kind": "x"}), 422, "bad_parameter")
    run_keys = f"/api/v1/runs/admin/p/{logs['a']['id']}/keys"
    assert [k["key"] for k in client.get(run_keys).json()["keys"]] == ["acc", "loss"]
    assert_error(client.get(run_keys, params={"kind": "x"}), 422, "bad_parameter")
    assert_error(client.get("/api/v1/projects/admin/nope/keys"), 404, "unknown_project")
    # a moved run takes its keys along
    client.patch(f"/api/v1/runs/admin/p/{logs['a']['id']}", json={"project": "q"})
    assert [k["key"] for k in client.get("/api/v1/projects/admin/q/keys").json()["keys"]] == ["acc", "loss"]
    assert client.get("/api/v1/projects/admin/p/keys").json()["keys"] == [
        {"key": "loss", "runs": 1, "points": 50, "step_min": 0, "step_max": 49}
    ]
