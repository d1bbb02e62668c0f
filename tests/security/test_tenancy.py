"""Cross-tenant access, attacked as a hostile user would, against a real server on SQLite and PostgreSQL.

alice and bob are ordinary users; each attack is bob reaching for alice's data (blobs by sha256, the
wandb MD5 dedup, lineage records, ingest offsets), or a member removed from a team / a revoked key
holding on to a live stream or a signed URL. Each test also checks that legitimate same-tenant use
still works (dedup uploads nothing, a member's own URLs and streams work).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb

DEADLINE = 60.0


def wait_for(cond: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Tenant:
    """One user's HTTP client on the real server (Bearer for /api, Basic for the wandb endpoints)."""

    def __init__(self, url: str, name: str, key: str):
        self.name, self.key = name, key
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60)

    def gql(self, query: str, **variables: object) -> dict:
        basic = "Basic " + base64.b64encode(f"api:{self.key}".encode()).decode()
        r = self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": basic}
        )
        assert r.status_code == 200, r.text
        return r.json()

    def put_blob(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        assert self.http.put(f"/api/v1/blobs/{sha}", content=data).status_code == 200
        return sha

    def commit(self, where: str, name: str, files: dict[str, bytes]) -> httpx.Response:
        manifest = [
            {"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for p, d in files.items()
        ]
        return self.http.post(
            f"/api/v1/artifacts/{where}/{name}", json={"type": "dataset", "manifest": manifest}
        )


@pytest.fixture
def tenants(server) -> dict[str, Tenant]:
    admin = Tenant(server.url, "admin", server.api_key)
    out = {"admin": admin}
    for name in ("alice", "bob"):
        r = admin.http.post("/api/v1/users", json={"name": name})
        assert r.status_code == 201, r.text
        out[name] = Tenant(server.url, name, r.json()["api_key"])
    yield out
    for t in out.values():
        t.http.close()


def runlog(run_id: str, segment: str, *records: tuple[int, dict]) -> bytes:
    body = [frame(RT.RUN, packb({"run_id": run_id, "segment": segment, "start_time": 1000.0}))]
    body += [frame(t, packb(r)) for t, r in records]
    return file_header() + b"".join(body)


def ingest(t: Tenant, where: str, data: bytes, segment: str = "s1") -> httpx.Response:
    return t.http.post(f"/api/v1/ingest/{where}", params={"segment": segment, "offset": 0}, content=data)


# -- blobs --------------------------------------------------------------------------------------------
def test_manifest_naming_anothers_blob_is_refused(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    secret = b"alice's private weights " * 100
    sha = alice.put_blob(secret)
    # alice's own use: her upload counts, a second version in another project uploads nothing
    assert alice.http.post("/api/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": []}
    assert alice.commit("alice/p", "model", {"w.bin": secret}).json()["state"] == "committed"
    assert alice.commit("alice/q", "copy", {"w.bin": secret}).json()["state"] == "committed"
    # bob names the hash: told it is missing (no existence oracle), and his commit stays pending
    assert bob.http.post("/api/v1/blobs/missing", json={"sha256": [sha]}).json() == {"missing": [sha]}
    got = bob.commit("bob/p", "stolen", {"w.bin": secret}).json()
    assert got["state"] == "pending" and got["missing"] == [sha]
    r = bob.http.get(f"/api/v1/artifacts/bob/p/stolen/latest/blobs/{sha}")
    assert r.status_code == 404 and secret not in r.content
    r = bob.http.get(f"/api/v1/artifacts/alice/p/model/latest/blobs/{sha}")
    assert r.status_code == 403 and secret not in r.content
    r = bob.http.post("/api/v1/artifacts/alice/p/model/latest/blobs", json={"sha256": [sha]})
    assert r.status_code == 403 and secret not in r.content
    # an upload alice has not committed yet is no oracle either
    fresh = alice.put_blob(b"not committed yet")
    assert bob.http.post("/api/v1/blobs/missing", json={"sha256": [fresh]}).json() == {"missing": [fresh]}
    # bob holding the same bytes proves it by uploading them; then the commit is his
    bob.put_blob(secret)
    assert bob.commit("bob/p", "stolen", {"w.bin": secret}).json()["state"] == "committed"
    assert bob.http.get(f"/api/v1/artifacts/bob/p/stolen/latest/blobs/{sha}").content == secret
    # a team shares what its members committed there
    assert alice.http.post("/api/v1/teams", json={"name": "lab"}).status_code == 201
    assert alice.commit("lab/p", "shared", {"w.bin": secret}).json()["state"] == "committed"
    team_only = b"team-only bytes"
    alice.put_blob(team_only)
    assert alice.commit("lab/p", "shared2", {"t.bin": team_only}).json()["state"] == "committed"
    tsha = hashlib.sha256(team_only).hexdigest()
    assert bob.http.post("/api/v1/blobs/missing", json={"sha256": [tsha]}).json() == {"missing": [tsha]}
    alice.http.post("/api/v1/teams/lab/members", json={"user": "bob"})
    assert bob.http.post("/api/v1/blobs/missing", json={"sha256": [tsha]}).json() == {"missing": []}
    assert bob.commit("bob/p", "from-team", {"t.bin": team_only}).json()["state"] == "committed"


ART = """mutation A($e: String!, $p: String!, $n: String!, $d: String!) {
  createArtifact(input: {artifactTypeName: "dataset", artifactCollectionName: $n, entityName: $e,
                         projectName: $p, digest: $d}) { artifact { id state } } }"""
FILES = """mutation F($files: [CreateArtifactFileSpecInput!]!) {
  createArtifactFiles(input: {artifactFiles: $files}) { files { edges { node { name uploadUrl } } } } }"""
MANIFEST = """mutation M($id: ID!, $e: String!, $p: String!) {
  createArtifactManifest(input: {artifactID: $id, name: "wandb_manifest.json", digest: "x", entityName: $e,
                                 projectName: $p, runName: "r"}) { artifactManifest { file { uploadUrl } } } }"""
COMMIT = """mutation C($id: ID!) { commitArtifact(input: {artifactID: $id}) { artifact { id digest } } }"""


def _wandb_artifact(t: Tenant, entity: str, name: str, data: bytes, upload: bool = True) -> dict:
    """The official client's artifact flow over raw GraphQL: returns {"upload_url", "commit"}."""
    b64 = base64.b64encode(hashlib.md5(data).digest()).decode()
    art = t.gql(ART, e=entity, p="p", n=name, d=name)["data"]["createArtifact"]["artifact"]["id"]
    spec = [{"artifactID": art, "name": "f.bin", "md5": b64}]
    url = t.gql(FILES, files=spec)["data"]["createArtifactFiles"]["files"]["edges"][0]["node"]["uploadUrl"]
    if url and upload:
        assert httpx.put(url, content=data, timeout=60).status_code == 200
    man = t.gql(MANIFEST, id=art, e=entity, p="p")["data"]["createArtifactManifest"]["artifactManifest"]
    contents = {"version": 1, "contents": {"f.bin": {"digest": b64, "size": len(data)}}}
    assert (
        httpx.put(man["file"]["uploadUrl"], content=json.dumps(contents).encode(), timeout=60).status_code
        == 200
    )
    return {"upload_url": url, "commit": t.gql(COMMIT, id=art)}


def test_wandb_md5_dedup_is_scoped(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    data = b"alice's wandb file " * 50
    first = _wandb_artifact(alice, "alice", "ds", data)
    assert first["upload_url"] and "errors" not in first["commit"]
    again = _wandb_artifact(alice, "alice", "ds2", data)  # her own bytes: the dedup still skips the upload
    assert again["upload_url"] is None and "errors" not in again["commit"]
    # bob announces the same MD5: he is asked to upload; committing without uploading is refused
    theft = _wandb_artifact(bob, "bob", "ds", data, upload=False)
    assert theft["upload_url"] is not None
    assert "not uploaded" in theft["commit"]["errors"][0]["message"]
    r = bob.http.get("/api/v1/artifacts/bob/p/ds/latest/blobs/" + hashlib.sha256(data).hexdigest())
    assert r.status_code == 404 and data not in r.content
    own = _wandb_artifact(bob, "bob", "ds", data)  # uploading the bytes himself works
    assert own["upload_url"] is not None and "errors" not in own["commit"]


# -- lineage and ingest -------------------------------------------------------------------------------
def test_use_artifact_of_another_entity_is_refused(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    alice.put_blob(b"data")
    digest = alice.commit("alice/p", "ds", {"d": b"data"}).json()["digest"]
    use = {"name": "ds", "digest": digest, "entity": "alice", "project": "p", "seq": 1}
    r = ingest(bob, "bob/p/r1", runlog("r1", "s1", (RT.USE_ARTIFACT, use)))
    assert r.status_code == 403, r.text
    assert bob.http.get("/api/v1/runs/bob/p/r1").status_code == 404  # the chunk was refused whole
    lineage = alice.http.get("/api/v1/artifacts/alice/p/ds/latest/lineage").json()
    assert lineage["used_by"] == []
    out = {"name": "ds", "digest": digest, "entity": "alice", "project": "p", "seq": 1}
    assert ingest(bob, "bob/p/r2", runlog("r2", "s1", (RT.ARTIFACT, out))).status_code == 403
    # alice's own run uses it; bob's run using his own artifact is fine
    assert ingest(alice, "alice/p/r1", runlog("r1", "s1", (RT.USE_ARTIFACT, use))).status_code == 200
    used = alice.http.get("/api/v1/artifacts/alice/p/ds/latest/lineage").json()["used_by"]
    assert [(u["entity"], u["id"]) for u in used] == [("alice", "r1")]
    bob.put_blob(b"bob data")
    own = bob.commit("bob/p", "mine", {"d": b"bob data"}).json()["digest"]
    mine = {"name": "mine", "digest": own, "seq": 1}
    assert ingest(bob, "bob/p/r3", runlog("r3", "s1", (RT.USE_ARTIFACT, mine))).status_code == 200
    # lineage never shows runs the reader may not read: a team artifact used by a run in alice's entity
    alice.http.post("/api/v1/teams", json={"name": "lab"})
    alice.http.post("/api/v1/teams/lab/members", json={"user": "bob"})
    bob.put_blob(b"team data")
    tdig = bob.commit("lab/p", "tds", {"d": b"team data"}).json()["digest"]
    tuse = {"name": "tds", "digest": tdig, "entity": "lab", "project": "p", "seq": 1}
    assert ingest(alice, "alice/p/r9", runlog("r9", "s1", (RT.USE_ARTIFACT, tuse))).status_code == 200
    assert alice.http.get("/api/v1/artifacts/lab/p/tds/latest/lineage").json()["used_by"] != []
    assert bob.http.get("/api/v1/artifacts/lab/p/tds/latest/lineage").json()["used_by"] == []


def test_ingest_offset_needs_read_access(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    assert ingest(alice, "alice/p/run", runlog("run", "s1")).status_code == 200
    url = "/api/v1/ingest/alice/p/run"
    assert alice.http.get(url, params={"segment": "s1"}).json()["acked_offset"] > 0
    r = bob.http.get(url, params={"segment": "s1"})
    assert r.status_code == 403 and "acked_offset" not in r.text
    r = bob.http.get("/api/v1/ingest/nobody/p/run", params={"segment": "s1"})
    assert r.status_code == 404
    # a first upload to one's own entity (or a team the admin will create on first write) answers 0
    assert bob.http.get("/api/v1/ingest/bob/p/new", params={"segment": "s1"}).json() == {"acked_offset": 0}
    admin = tenants["admin"]
    assert admin.http.get("/api/v1/ingest/newteam/p/x", params={"segment": "s1"}).json() == {
        "acked_offset": 0
    }


# -- removal and revocation ---------------------------------------------------------------------------
RUN_FILES = """mutation F($e: String!, $p: String!, $r: String!) {
  createRunFiles(input: {entityName: $e, projectName: $p, runName: $r, files: ["notes.txt"]}) {
    files { uploadUrl } } }"""


def upload_url(t: Tenant, entity: str, run: str = "r") -> str:
    doc = t.gql(RUN_FILES, e=entity, p="p", r=run)
    assert "errors" not in doc, doc
    return str(doc["data"]["createRunFiles"]["files"][0]["uploadUrl"])


class Listener:
    """An SSE stream read on a thread (its own connection): its lines, and whether the server closed it."""

    def __init__(self, t: Tenant, project: str):
        self.lines: list[str] = []
        self.closed = threading.Event()
        self._socket: socket.socket | None = None
        self._http = httpx.Client(base_url=t.http.base_url, headers=dict(t.http.headers), timeout=60)
        self._thread = threading.Thread(target=self._run, args=(project,), daemon=True)
        self._thread.start()

    def _run(self, project: str) -> None:
        try:
            with self._http.stream("GET", "/api/v1/stream", params={"project": project}) as r:
                self._socket = r.extensions["network_stream"].get_extra_info("socket")
                for line in r.iter_lines():
                    self.lines.append(line)
        except httpx.HTTPError:
            pass  # closed by this side (close())
        finally:
            self.closed.set()

    def close(self) -> None:
        # Closing the client does not wake a read in progress (it would wait for the server's next
        # keepalive, 15 s): shutting the socket down does.
        if self._socket is not None and not self.closed.is_set():
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
        self._thread.join(DEADLINE)
        self._http.close()


def test_removed_member_loses_stream_and_signed_urls(tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    assert alice.http.post("/api/v1/teams", json={"name": "lab"}).status_code == 201
    assert alice.http.post("/api/v1/teams/lab/members", json={"user": "bob"}).status_code == 200
    assert ingest(alice, "lab/p/r0", runlog("r0", "s1")).status_code == 200
    bobs, alices = Listener(bob, "lab/p"), Listener(alice, "lab/p")
    wait_for(lambda: ": connected" in bobs.lines and ": connected" in alices.lines, "both streams to open")
    url = upload_url(bob, "lab")
    assert httpx.put(url, content=b"while a member", timeout=60).status_code == 200
    assert ingest(alice, "lab/p/r1", runlog("r1", "s1")).status_code == 200
    wait_for(lambda: any("run.created" in x for x in bobs.lines), "bob to see the new run")

    assert alice.http.delete("/api/v1/teams/lab/members/bob").status_code == 200
    wait_for(bobs.closed.is_set, "bob's stream to close")
    assert "event: access.revoked" in bobs.lines
    assert httpx.put(url, content=b"after removal", timeout=60).status_code == 403
    assert bob.http.get("/api/v1/stream", params={"project": "lab/p"}).status_code == 403
    # alice's stream goes on and gets the next event; her URLs work
    assert ingest(alice, "lab/p/r2", runlog("r2", "s1")).status_code == 200
    wait_for(lambda: any('"run_id": "r2"' in x for x in alices.lines), "alice to see r2")
    assert not alices.closed.is_set() and not any("r2" in x for x in bobs.lines)
    assert httpx.put(upload_url(alice, "lab"), content=b"fine", timeout=60).status_code == 200
    alices.close()
    bobs.close()


def test_revoked_key_ends_its_urls_and_streams(tenants):
    bob = tenants["bob"]
    made = bob.http.post("/api/v1/keys", json={"name": "laptop"}).json()
    laptop = Tenant(str(bob.http.base_url), "bob", made["api_key"])
    assert ingest(bob, "bob/p/r", runlog("r", "s1")).status_code == 200
    doomed, kept = upload_url(laptop, "bob"), upload_url(bob, "bob")
    listener = Listener(laptop, "bob/p")
    wait_for(lambda: ": connected" in listener.lines, "the stream to open")
    key_id = next(k["id"] for k in bob.http.get("/api/v1/keys").json()["keys"] if k["name"] == "laptop")
    assert bob.http.delete(f"/api/v1/keys/{key_id}").status_code == 200
    wait_for(listener.closed.is_set, "the revoked key's stream to close")
    assert httpx.put(doomed, content=b"x", timeout=60).status_code == 403
    assert httpx.put(kept, content=b"x", timeout=60).status_code == 200  # the user's other key still stands
    listener.close()
    laptop.http.close()


def test_signed_url_tokens_stay_out_of_the_access_log(tenants):
    bob = tenants["bob"]
    assert ingest(bob, "bob/p/r", runlog("r", "s1")).status_code == 200
    url = upload_url(bob, "bob")
    token = url.rsplit("/", 1)[1]
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    log = logging.getLogger("uvicorn.access")
    level, handler = log.level, Keep()
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        assert httpx.put(url, content=b"x", timeout=60).status_code == 200
        wait_for(lambda: any("/wandb/upload/" in m for m in seen), "the access log line")
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    assert not any(token in m or token[:20] in m for m in seen), seen
    assert any("/wandb/upload/<token>" in m for m in seen)


def test_signed_urls_are_short_lived(tenants, server):
    assert server.config.signed_url_seconds <= 900
    bob = tenants["bob"]
    assert ingest(bob, "bob/p/r", runlog("r", "s1")).status_code == 200
    token = upload_url(bob, "bob").rsplit("/", 1)[1]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert payload["x"] - time.time() <= server.config.signed_url_seconds
    assert payload["kid"] is not None and payload["u"] == "bob"
