"""The wandb protocol in-process (no wandb client): GraphQL behaviour, file_stream exactly-once,
console redraws, signed uploads, and recovery when the store fails before the commit."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from runyard.server import access
from runyard.store.tables import protocol_state

UPSERT = """
mutation UpsertBucket($name: String, $project: String, $entity: String, $config: JSONString,
                      $displayName: String, $tags: [String!]) {
  upsertBucket(input: {name: $name, modelName: $project, entityName: $entity, config: $config,
                       displayName: $displayName, tags: $tags}) {
    bucket { id name displayName config project { id name entity { id name } } historyLineCount }
    inserted
  }
}
"""
RESUME = """
query RunResumeStatus($project: String, $entity: String, $name: String!) {
  model(name: $project, entityName: $entity) {
    id name entity { id name }
    bucket(name: $name, missingOk: true) {
      id name summaryMetrics displayName logLineCount historyLineCount eventsLineCount historyTail
      eventsTail config tags notes wandbConfig(keys: ["t"])
    }
  }
}
"""
FILES = """
mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) {
    runID uploadHeaders files { name uploadUrl }
  }
}
"""


def basic(key: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"api:{key}".encode()).decode()}


def gql(client, query: str, variables: dict | None = None, op: str | None = None) -> dict:
    r = client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}, "operationName": op},
        headers=basic(client.key),
    )
    assert r.status_code == 200, r.text
    return r.json()


def stream(client, run: str, body: dict, project: str = "p") -> None:
    r = client.post(f"/files/admin/{project}/{run}/file_stream", json=body, headers=basic(client.key))
    assert r.status_code == 200, r.text


def hist(i: int) -> str:
    return json.dumps(
        {"_step": i, "_timestamp": 1000.0 + i, "_runtime": 1.0 + i, "loss": i / 2, "d": {"x": i}}
    )


def upsert(client, run: str, config: dict | None = None, **kw) -> dict:
    doc = gql(
        client,
        UPSERT,
        {"name": run, "project": "p", "config": json.dumps(config or {"lr": {"value": 0.1}}), **kw},
    )
    assert "errors" not in doc, doc
    return doc["data"]["upsertBucket"]


def api(client, path: str) -> dict:
    r = client.get("/api/v1/runs/admin/p/" + path)
    assert r.status_code == 200, r.text
    return r.json()


def test_graphql_answers_errors_never_drops(client):
    # validation: an unknown field, an unknown operation name -> HTTP 200 with a GraphQL error
    doc = gql(client, "query Q { viewer { id noSuchField } }")
    assert doc["data"] is None and "noSuchField" in doc["errors"][0]["message"]
    doc = gql(client, "mutation CreateArtifact { createArtifact(input: {}) { artifact { id } } }")
    assert doc["errors"] and doc.get("data") is None
    # transport-level problems are JSON too
    r = client.post("/graphql", content=b"{not json", headers=basic(client.key))
    assert r.status_code == 400 and r.json()["errors"]
    r = client.post("/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": ""})
    assert r.status_code == 401 and r.json()["errors"]
    r = client.post("/graphql", json={"query": "{ viewer { id } }"}, headers=basic("0" * 40))
    assert r.status_code == 401
    r = client.post("/sdk/otel/v1/metrics", content=b"\x00\x01")  # the client's own telemetry
    assert r.status_code == 200


def test_graphql_aliases_fragments_directives(client):
    q = """
    query Viewer($withTeams: Boolean = false) {
      me: viewer { ...U teams @include(if: $withTeams) { edges { node { name } } } }
      serverInfo { features { name isEnabled } }
      entity(name: "admin") { organization { coreWeaveOrganizationId } }
    }
    fragment U on User { id entity username flags }
    """
    doc = gql(client, q)
    assert "errors" not in doc, doc
    assert doc["data"]["me"]["entity"] == "admin" and "teams" not in doc["data"]["me"]
    assert doc["data"]["serverInfo"] == {"features": []}
    assert doc["data"]["entity"] == {"organization": None}
    doc = gql(client, q, {"withTeams": True})
    assert doc["data"]["me"]["teams"] == {"edges": []}


def test_upsert_generates_names_and_keeps_config(client):
    b = upsert(client, "r1", {"lr": {"value": 0.1}, "_wandb": {"value": {"t": {"1": [1]}}}})
    assert b["inserted"] is True
    bucket = b["bucket"]
    assert bucket["name"] == "r1" and bucket["project"]["entity"]["name"] == "admin"
    assert bucket["displayName"].endswith("-1") and bucket["historyLineCount"] == 0
    assert upsert(client, "r1", displayName="mine")["bucket"]["displayName"] == "mine"
    stream(client, "r1", {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(0)]}}})
    run = api(client, "r1")
    assert run["name"] == "mine" and run["config"] == {"lr": 0.1, "_wandb": {"t": {"1": [1]}}}
    # names runyard cannot store are refused with a GraphQL error
    doc = gql(client, UPSERT, {"name": "r2", "entity": "a/b", "project": "p"})
    assert doc["errors"] and doc["data"]["upsertBucket"] is None


def test_file_stream_exactly_once_and_console_redraws(client):
    upsert(client, "fs")
    first = {
        "files": {
            "wandb-history.jsonl": {"offset": 0, "content": [hist(0), hist(1), hist(2)]},
            "output.log": {"offset": 0, "content": ["2026-01-02T03:04:05.000001Z progress 1"]},
        }
    }
    stream(client, "fs", first)
    stream(client, "fs", first)  # a retry: same offsets, nothing new
    stream(
        client,
        "fs",
        {
            "files": {
                "wandb-history.jsonl": {"offset": 2, "content": [hist(2), hist(3), hist(4)]},  # overlaps
                "output.log": {
                    "offset": 0,
                    "content": [
                        "2026-01-02T03:04:06Z progress 2",  # the same line redrawn
                        "ERROR 2026-01-02T03:04:07.5Z oops",
                    ],
                },
                "wandb-events.jsonl": {
                    "offset": 0,
                    "content": [json.dumps({"system.cpu": 12.5, "_wandb": True, "_timestamp": 1001.5})],
                },
            }
        },
    )
    rows = client.get("/api/v1/runs/admin/p/fs/history/raw").json()
    assert rows  # raw export answers
    console = api(client, "fs/console")["lines"]
    assert [(c["stream"], c["line"]) for c in console] == [("stdout", "progress 2")]
    summary = {"loss": 2.0, "best": 7, "_step": 4}
    stream(
        client,
        "fs",
        {
            "files": {
                "wandb-summary.json": {"offset": 0, "content": [json.dumps(summary)]},
                "output.log": {"offset": 1, "content": ["ERROR 2026-01-02T03:04:07.5Z oops"]},
            },
            "complete": True,
            "exitcode": 0,
        },
    )
    stream(client, "fs", {"complete": True, "exitcode": 0})  # the final request retried
    run = api(client, "fs")
    assert run["state"] == "finished" and run["exit_code"] == 0
    assert run["summary"]["loss"] == 2.0 and run["summary"]["best"] == 7 and run["summary"]["_step"] == 4
    assert run["summary"]["d"] == {"x": 4}
    console = api(client, "fs/console")["lines"]
    assert [(c["stream"], c["line"]) for c in console] == [("stdout", "progress 2"), ("stderr", "oops")]
    pts = api(client, "fs/history/rows")
    assert pts  # rows endpoint answers
    from runyard.api import Api  # noqa: F401  (the HTTP client is exercised in test_official_client)

    keys = {k["key"]: k["points"] for k in api(client, "fs/keys")["keys"]}
    assert keys["loss"] == 5 and keys["d"] == 5
    assert run["segments"][0]["ordinal"] == 1 and len(run["segments"]) == 1


def test_resume_status_and_new_segment(client):
    doc = gql(client, RESUME, {"project": "p", "name": "nope"}, "RunResumeStatus")
    assert doc["data"]["model"]["bucket"] is None
    upsert(client, "rs", {"a": {"value": 1}, "_wandb": {"value": {"t": {"3": [1]}}}})
    stream(
        client,
        "rs",
        {
            "files": {
                "wandb-history.jsonl": {"offset": 0, "content": [hist(0), hist(1)]},
                "output.log": {"offset": 0, "content": ["2026-01-02T03:04:05Z one"]},
            },
            "complete": True,
            "exitcode": 0,
        },
    )
    b = gql(client, RESUME, {"project": "p", "name": "rs"}, "RunResumeStatus")["data"]["model"]["bucket"]
    assert b["historyLineCount"] == 2 and b["logLineCount"] == 1 and b["eventsLineCount"] == 0
    assert json.loads(b["wandbConfig"]) == {"t": {"3": [1]}}
    assert json.loads(json.loads(b["historyTail"])[-1])["_step"] == 1
    assert json.loads(b["config"])["a"] == {"value": 1}
    assert upsert(client, "rs")["bucket"]["historyLineCount"] == 2
    stream(
        client,
        "rs",
        {
            "files": {"wandb-history.jsonl": {"offset": 2, "content": [hist(2)]}},
            "complete": True,
            "exitcode": 1,
        },
    )
    run = api(client, "rs")
    assert [s["resumed"] for s in run["segments"]] == [False, True]
    assert run["segments"][1]["starting_step"] == 2
    assert run["state"] == "failed" and run["last_step"] == 2


def test_signed_uploads_and_downloads(client):
    upsert(client, "up")
    doc = gql(client, FILES, {"entity": "admin", "project": "p", "run": "up", "files": ["a/b.txt", "../x"]})
    files = doc["data"]["createRunFiles"]["files"]
    assert [f["name"] for f in files] == ["a/b.txt"]  # an unsafe path is left out
    url = files[0]["uploadUrl"].replace("http://testserver", "")
    assert client.put(url, content=b"early", headers={"Authorization": ""}).status_code == 200
    # the run is not in the store yet (no file_stream): the file waits for it
    stream(client, "up", {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(0)]}}})
    r = client.get("/api/v1/runs/admin/p/up/files/a/b.txt")
    assert r.content == b"early"
    assert client.put(url, content=b"payload \xff", headers={"Authorization": ""}).status_code == 200
    assert client.get("/api/v1/runs/admin/p/up/files/a/b.txt").content == b"payload \xff"
    got = client.get("/wandb/files/admin/p/up/a/b.txt", headers=basic(client.key))
    assert got.status_code == 200 and got.content == b"payload \xff"
    assert client.get("/wandb/files/admin/p/up/a/b.txt", headers={"Authorization": ""}).status_code == 401
    token = url.rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.put("/wandb/upload/" + forged, content=b"x").status_code == 403


def test_store_failure_after_apply_rolls_back_state_and_frames(client, monkeypatch):
    """The protocol state and the frames it describes are one transaction: a failure after the frames
    were applied (the database going away before the commit) keeps neither, and the client's retry
    of the failed request applies it once."""
    upsert(client, "cr")
    real = access.apply_run_log
    calls = {"n": 0}

    def fails_after_applying(*a, **kw):
        res = real(*a, **kw)
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database went away")
        return res

    monkeypatch.setattr(access, "apply_run_log", fails_after_applying)
    body = {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(0), hist(1)]}}}
    with pytest.raises(ConnectionError):
        stream(client, "cr", body)
    stream(client, "cr", body)  # the client retries the same request
    stream(client, "cr", {"files": {"wandb-history.jsonl": {"offset": 2, "content": [hist(2)]}}})
    keys = {k["key"]: k["points"] for k in api(client, "cr/keys")["keys"]}
    assert keys["loss"] == 3


def test_lost_state_continues_in_a_new_segment(client):
    upsert(client, "ls")
    stream(client, "ls", {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(0)]}}})
    store = client.app_ref.state.store
    store.db.write(lambda c: c.execute(sa.delete(protocol_state).where(protocol_state.c.kind == "run")))
    upsert(client, "ls")
    stream(client, "ls", {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(5)]}}})
    run = api(client, "ls")
    assert len(run["segments"]) == 2 and run["last_step"] == 5


def test_a_deleted_run_frees_its_id(client):
    """After `DELETE /api/v1/runs/...` the wandb client finds no run of that id to resume, and a new
    run of the id starts afresh: one segment, only its own config and history."""
    upsert(client, "dr", {"a": {"value": 1}})
    body = {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(0), hist(1)]}}, "complete": True}
    stream(client, "dr", {**body, "exitcode": 0})
    assert client.delete("/api/v1/runs/admin/p/dr").status_code == 200
    assert (
        gql(client, RESUME, {"project": "p", "name": "dr"}, "RunResumeStatus")["data"]["model"]["bucket"]
        is None
    )
    assert upsert(client, "dr", {"b": {"value": 2}})["inserted"]
    stream(client, "dr", {"files": {"wandb-history.jsonl": {"offset": 0, "content": [hist(7)]}}})
    run = api(client, "dr")
    assert [s["resumed"] for s in run["segments"]] == [False]
    assert run["last_step"] == 7 and run["config"] == {"b": 2}
    assert {k["key"]: k["points"] for k in api(client, "dr/keys")["keys"]}["loss"] == 1


def test_heartbeat_on_a_deleted_sweep_is_a_404(client):
    """wandb's agent stops only on an HTTP 404 to its heartbeat (SweepNotFoundError); a GraphQL error
    in a 200 it takes for an outage and polls forever. A sweep deleted with its project answers 404,
    a heartbeat whose id this server never issued stays a GraphQL error (400 would be retried too)."""
    cfg = {"method": "grid", "parameters": {"x": {"values": [1, 2]}}}
    sid = client.post("/api/v1/sweeps/admin/gone", json={"config": cfg}).json()["id"]
    create = 'mutation A($s: String!, $p: String) { createAgent(input: {host: "h", projectName: $p, sweep: $s}) { agent { id } } }'
    agent = gql(client, create, {"s": sid, "p": "gone"})["data"]["createAgent"]["agent"]["id"]
    beat = 'mutation B($id: ID!) { agentHeartbeat(input: {id: $id, runState: "{}"}) { commands } }'
    body = {"query": beat, "variables": {"id": agent}}
    r = client.post("/graphql", json=body, headers=basic(client.key))
    assert (
        r.status_code == 200
        and json.loads(r.json()["data"]["agentHeartbeat"]["commands"])[0]["type"] == "run"
    )
    assert client.delete("/api/v1/projects/admin/gone").status_code == 200
    r = client.post("/graphql", json=body, headers=basic(client.key))
    assert r.status_code == 404, r.text
    assert r.json()["errors"][0]["message"] == "project admin/gone does not exist"
    r = client.post(
        "/graphql", json={"query": beat, "variables": {"id": "bm90IGFuIGFnZW50"}}, headers=basic(client.key)
    )
    assert r.status_code == 200 and "CreateAgent" in r.json()["errors"][0]["message"]
