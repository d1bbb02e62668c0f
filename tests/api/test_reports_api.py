"""Reports as code: `runyard.Api().create_report(...)`, reading and changing blocks, the version check
between two writers, history and restore, comments; against a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import runyard
from runyard.api.reports import ReportConflict
from runyard.errors import ApiError


@pytest.fixture
def api(server, client_env, monkeypatch):
    monkeypatch.setenv("RUNYARD_HOME", client_env["RUNYARD_HOME"])
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        monkeypatch.delenv(k, raising=False)
    a = runyard.Api()
    yield a
    a.close()


def test_create_read_update_report(api, server):
    # a project exists once something is written to it; a report makes none
    with pytest.raises(ApiError) as e:
        api.create_report("admin/nowhere", "t")
    assert e.value.status == 404
    api.client.call("POST", "/api/v1/teams", body={"name": "lab"})
    server_ingest(api, "lab", "p", "r1")
    rs = {"projects": ["lab/p"], "filter": "config.lr < 0.1"}
    r = api.create_report(
        "lab/p",
        "Sweep 12",
        blocks=[
            {"type": "heading", "text": "Results"},
            {"type": "panels", "runset": rs, "metrics": ["loss"]},
        ],
    )
    assert r.version == 1 and r.title == "Sweep 12" and r.url.endswith(f"/lab/p/reports/{r.id}")
    assert [b["type"] for b in r.blocks] == ["heading", "panels"] and all(b["id"] for b in r.blocks)
    again = api.report(r.id)
    assert again.blocks == r.blocks and again.entity == "lab" and again.project == "p"
    r.add_blocks({"type": "markdown", "text": "lr=3e-4 wins"})
    assert r.version == 2 and api.report(r.id).blocks[-1]["text"] == "lr=3e-4 wins"
    assert [x.id for x in api.reports("lab/p")] == [r.id]
    with pytest.raises(ApiError) as e:
        r.add_blocks({"type": "script", "text": "x"})
    assert e.value.status == 422 and e.value.code == "bad_value" and "blocks[3].type" in e.value.message


def server_ingest(api, entity: str, project: str, run_id: str) -> None:
    """A run (and so the project) through the ingest route, as a client's upload makes one."""
    from runyard.wire.framing import file_header, frame
    from runyard.wire.records import RT, packb

    body = file_header() + frame(RT.RUN, packb({"run_id": run_id, "segment": "s1", "start_time": 1000.0}))
    path = f"/api/v1/ingest/{entity}/{project}/{run_id}"
    api.client.request("POST", path, body=body, params={"segment": "s1", "offset": 0})


def test_two_writers_conflict_then_merge_and_restore(api, server):
    server_ingest(api, "admin", "p", "r1")
    mine = api.create_report("admin/p", "shared notes", blocks=[{"type": "markdown", "text": "v1"}])
    theirs = api.report(mine.id)
    theirs.blocks[0]["text"] = "their text"
    theirs.save()
    mine.blocks[0]["text"] = "my text"
    with pytest.raises(ReportConflict) as e:
        mine.save()
    assert e.value.status == 409 and e.value.current.blocks[0]["text"] == "their text"
    assert mine.blocks[0]["text"] == "my text"  # nothing of the local edit is lost
    mine.version = e.value.current.version  # merged: mine wins, knowingly
    mine.save()
    assert api.report(mine.id).blocks[0]["text"] == "my text" and mine.version == 3
    assert [v["version"] for v in mine.versions()] == [3, 2, 1]
    mine.restore(1)
    assert mine.version == 4 and mine.blocks[0]["text"] == "v1"
    mine.comment("looks right")
    assert [(c["author"], c["body"]) for c in mine.comments()] == [("admin", "looks right")]
    mine.delete()
    with pytest.raises(ApiError) as e2:
        api.report(mine.id)
    assert e2.value.status == 404
