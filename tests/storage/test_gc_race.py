"""gc against a commit naming an old orphan blob (store/blob_deletions.py): the commit's upload skipped
the blob because the store had it, so nothing but the commit itself protects it. Each interleaving is
driven step by step, the gc round run at the exact point between the commit's steps (no sleeps), on
SQLite and PostgreSQL, with blobs on the local disk and in S3 (moto)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from runyard.server import ServerConfig, create_app
from runyard.server.wandb.artifacts import WandbArtifacts, _staged
from runyard.server.wandb.md5 import b64_of_hex
from runyard.server.wandb.names import encode_id
from runyard.server.wandb.runs import WandbError, WandbRuns, _staged_file
from runyard.server.wandb.state import RunKey
from runyard.store import Store, User
from runyard.store.db import Database
from tests.scaleout.conftest import wait_for

A = "/api/v1/artifacts/admin/p"


@pytest.fixture(params=["local", "s3"])
def config(request, home, db_url) -> ServerConfig:
    if request.param == "s3":
        return request.getfixturevalue("s3_config")
    return ServerConfig.resolve(home=home, db_url=db_url, port=0)


@pytest.fixture
def client(config):
    app = create_app(config, announce=False)
    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {app.state.bootstrap_key}"
        yield c


def _store(c: TestClient) -> Store:
    return c.app.state.store  # type: ignore[attr-defined]


def _put(c: TestClient, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = c.put(f"/api/v1/blobs/{sha}", content=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    return sha


def _commit(c: TestClient, name: str, sha: str, size: int) -> dict:
    doc = {"type": "data", "manifest": [{"path": "f.bin", "sha256": sha, "size": size}]}
    r = c.post(f"{A}/{name}", json=doc)
    assert r.status_code == 200, r.text
    return r.json()


def _download(c: TestClient, name: str, sha: str) -> bytes:
    r = c.get(f"{A}/{name}/latest/blobs/{sha}")
    assert r.status_code == 200, r.text
    return r.content


def _run(s: Store, run_id: str) -> int:
    def txn(conn: Any) -> int:
        admin = s.entities.get(conn, "admin")
        assert admin is not None
        return s.runs.get_or_create(conn, s.projects.get_or_create(conn, admin.id, "p"), run_id, {}, admin.id)

    return s.db.write(txn)


def _old_orphan(c: TestClient, data: bytes) -> str:
    """A blob nothing references any more (its version was deleted), as old as gc's grace (0 here)."""
    sha = _put(c, data)
    _commit(c, "gone", sha, len(data))
    assert c.delete(f"{A}/gone/v0").status_code == 200
    return sha


def test_gc_between_a_commits_presence_check_and_its_transaction(client):
    """The commit finds the blob present, gc then deletes it, then the commit's transaction runs: the
    commit answers `pending` with the blob missing (never a version naming a deleted blob); the client
    uploads it again and the next commit holds it."""
    s, data = _store(client), b"weights of a model trained last month"
    sha = _old_orphan(client, data)
    found_present, rounds = s.blobs.present, []

    def present_then_gc(shas: Any) -> set[str]:
        held = found_present(shas)
        if not rounds:  # the gc round, between the commit's presence check and its transaction
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))
        return held

    s.blobs.present = present_then_gc  # type: ignore[method-assign]
    try:
        answer = _commit(client, "model", sha, len(data))
    finally:
        del s.blobs.present
    assert rounds[0]["deleted"] == 1 and rounds[0]["sha256"] == [sha] and not s.blobs.exists(sha)
    assert answer["state"] == "pending" and answer["missing"] == [sha]
    assert client.get(f"{A}/model").status_code == 404  # nothing was committed

    _put(client, data)  # what the SDK does with `missing`
    answer = _commit(client, "model", sha, len(data))
    assert answer["state"] == "committed" and answer["version"] == "v0"
    assert _download(client, "model", sha) == data
    assert s.collect_garbage(delete=True, grace_seconds=0)["deleted"] == 0


def test_a_commit_between_gcs_listing_and_its_deletion(client):
    """gc has listed the blob as an orphan; the commit lands before gc deletes: gc's look under its lock
    sees the reference and keeps the blob."""
    s, data = _store(client), b"a dataset shard nobody had used for weeks"
    sha = _old_orphan(client, data)
    delete_unreferenced, answers = s.delete_unreferenced, []

    def commit_then_delete(shas: list[str], spare_since: float) -> list[str]:
        assert shas == [sha]  # listed as an orphan
        answers.append(_commit(client, "model", sha, len(data)))
        return delete_unreferenced(shas, spare_since)

    s.delete_unreferenced = commit_then_delete  # type: ignore[method-assign]
    try:
        out = s.collect_garbage(delete=True, grace_seconds=0)
    finally:
        del s.delete_unreferenced
    assert answers[0]["state"] == "committed"
    assert out["deleted"] == 0 and s.blobs.exists(sha)
    assert _download(client, "model", sha) == data


def test_a_run_file_naming_a_blob_gc_deleted_meanwhile_is_refused(client):
    """PUT of a run file whose bytes the store already held (an old orphan): gc deletes the blob right
    after the upload kept the stored copy; the file is refused with 409 (the SDK sends it again), and
    the next PUT stores the bytes and the file."""
    s, data = _store(client), b"a run file also uploaded by another run, long ago"
    sha = _old_orphan(client, data)
    _run(s, "r1")
    put_file, rounds = s.blobs.put_file, []

    def put_then_gc(tmp_path: str, digest: str) -> None:
        put_file(tmp_path, digest)  # the store has the blob: it keeps its copy
        if not rounds:
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))

    url = "/api/v1/runs/admin/p/r1/files/notes.txt"
    s.blobs.put_file = put_then_gc  # type: ignore[method-assign]
    try:
        r = client.put(url, content=data, headers={"Content-Type": "application/octet-stream"})
    finally:
        del s.blobs.put_file
    assert rounds and rounds[0]["sha256"] == [sha]
    assert r.status_code == 409 and r.json()["error"]["code"] == "blob_collected", r.text
    r = client.put(url, content=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    assert client.get(url).content == data


def test_a_wandb_run_file_naming_a_blob_gc_deleted_meanwhile_is_refused(client):
    """The wandb protocol's run file (an upload through the API, or one adopted from the object store):
    the store kept a copy it held, gc deletes it after the store said it is there and before the file's
    transaction: 503 (wandb's uploader retries it, where it gives up on a 409); the next upload records
    the file."""
    s, data = _store(client), b"requirements.txt shared by many runs"
    sha = _old_orphan(client, data)
    admin = s.db.read(lambda conn: s.entities.user_for_key(conn, client.app.state.bootstrap_key))  # type: ignore[attr-defined]
    runs, key = WandbRuns(s), RunKey("admin", "p", "w1")
    found, rounds = s.blobs.exists, []

    def exists_then_gc(digest: str) -> bool:
        held = found(digest)
        if not rounds:
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))
        return held

    s.blobs.exists = exists_then_gc  # type: ignore[method-assign]
    try:
        with pytest.raises(WandbError, match="garbage-collected") as refused:
            runs.add_file(admin, key, "requirements.txt", len(data), sha, None)
    finally:
        del s.blobs.exists
    assert refused.value.status == 503 and rounds[0]["sha256"] == [sha]  # wandb's uploader retries a 503
    with pytest.raises(WandbError, match="garbage-collected"):  # the store has no copy now
        runs.add_file(admin, key, "requirements.txt", len(data), sha, None)
    _put(client, data)
    runs.add_file(admin, key, "requirements.txt", len(data), sha, None)


def test_gc_waits_for_a_commit_in_flight_on_postgresql(client, db_url):
    """Two processes on PostgreSQL: a commit's transaction has checked its blobs and not yet committed
    when gc dooms them; gc waits for it (the shared and exclusive `blobs` lock) and then sees the
    reference. Without the lock gc would read the references before the commit is visible."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises write transactions: no two can overlap")
    s, data = _store(client), b"a checkpoint committed while gc runs"
    sha = _old_orphan(client, data)
    run_pk = _run(s, "holder")
    marks = s.db.read(lambda conn: s.blob_deletions.marks(conn, [sha]))
    checked, release, results = threading.Event(), threading.Event(), {}

    other = Database(s.db.url)  # the other process's connections and writer

    def commit_in_flight() -> None:
        def txn(conn: Any) -> None:
            assert not s.blob_deletions.moved(conn, [sha], marks)
            checked.set()
            release.wait(60)
            s.files.upsert(conn, run_pk, "f.bin", len(data), sha)  # the reference it writes

        other.write(txn)

    committer = threading.Thread(target=commit_in_flight)
    committer.start()
    assert checked.wait(60)
    gc = threading.Thread(target=lambda: results.update(gc=s.collect_garbage(delete=True, grace_seconds=0)))
    gc.start()

    def gc_waits_for_the_lock() -> bool:
        q = (  # this test's database only: other databases of the server have their own waiters
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1919 AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return s.db.read(lambda conn: conn.execute(sa.text(q)).scalar()) > 0

    wait_for(gc_waits_for_the_lock, 60, "gc to wait for the commit's lock")
    release.set()
    committer.join(60)
    gc.join(60)
    other.close()
    assert results["gc"]["deleted"] == 0 and s.blobs.exists(sha)


# -- the wandb protocol's blobs: files before the run's first history line, artifact manifests, files of
# an artifact between their upload and its commit (runyard/server/wandb/*)


def _admin(c: TestClient) -> User:
    s = _store(c)
    user = s.db.read(lambda conn: s.entities.user_for_key(conn, c.app.state.bootstrap_key))  # type: ignore[attr-defined]
    assert user is not None
    return user


def _history_line(runs: WandbRuns, user: User, key: RunKey) -> None:
    """The run's first file_stream history line: the run enters the store, its waiting files with it."""
    line = json.dumps({"_step": 0, "_timestamp": time.time(), "_runtime": 1.0, "loss": 0.5})
    runs.file_stream(user, key, {"files": {"wandb-history.jsonl": {"offset": 0, "content": [line]}}})


def _run_file(s: Store, run_id: str, path: str) -> Any:
    def txn(conn: Any) -> Any:
        loc = s.runs.locate(conn, "admin", "p", run_id)
        return None if loc is None else s.files.get(conn, loc.id, path)

    return s.db.read(txn)


def test_a_wandb_file_sent_before_the_runs_first_history_line_is_kept_by_gc(client):
    """wandb uploads config.yaml, requirements.txt, ... before the run's first history line, when the
    run is not in the store yet. Its bytes were an old orphan the store kept, so neither the upload's
    time nor a run file protects them: gc rounds before the first history line keep them all the same
    (the run's protocol state holds them), and the run has the file afterwards."""
    s, data = _store(client), b"torch==2.9\nnumpy==2.3\n"
    sha = _old_orphan(client, data)
    admin, runs, key = _admin(client), WandbRuns(s), RunKey("admin", "p", "early")
    runs.add_file(admin, key, "requirements.txt", len(data), sha, None)
    assert _run_file(s, "early", "requirements.txt") is None  # the run is not in the store yet
    assert s.collect_garbage(delete=True, grace_seconds=0)["deleted"] == 0
    assert s.blobs.exists(sha)

    _history_line(runs, admin, key)
    row = _run_file(s, "early", "requirements.txt")
    assert row is not None and row.sha256 == sha
    assert s.collect_garbage(delete=True, grace_seconds=0)["deleted"] == 0  # a run file now
    assert client.get("/api/v1/runs/admin/p/early/files/requirements.txt").content == data


def _artifact(arts: WandbArtifacts, user: User, name: str) -> str:
    """CreateArtifact of `name` in admin/p: the pending artifact's token."""
    art_id, state, _latest = arts.create(
        user,
        {
            "entityName": "admin",
            "projectName": "p",
            "artifactCollectionName": name,
            "artifactTypeName": "model",
        },
    )
    assert state == "PENDING"
    return arts.pending_token(user, art_id)


def _manifest(files: dict[str, bytes]) -> bytes:
    contents = {
        path: {"digest": b64_of_hex(hashlib.md5(data).hexdigest()), "size": len(data)}
        for path, data in files.items()
    }
    doc = {
        "version": 1,
        "storagePolicy": "wandb-storage-policy-v1",
        "storagePolicyConfig": {},
        "contents": contents,
    }
    return json.dumps(doc).encode()


def _upload(c: TestClient, arts: WandbArtifacts, token: str, kind: str, data: bytes, path: str = "") -> None:
    """What the signed-URL PUT of an artifact file (`af`) or manifest (`am`) does once the bytes are stored."""
    sha, md5 = _put(c, data), hashlib.md5(data).hexdigest()
    arts.md5.add(sha, md5)
    grant = {"k": kind, "a": token, "n": path, "m": md5} if kind == "af" else {"k": kind, "a": token}
    arts.uploaded(grant, sha, len(data), md5)


def _grant(arts: WandbArtifacts, user: User, token: str, path: str, data: bytes) -> dict | None:
    """CreateArtifactFiles of one file: None when the server holds the content (no upload)."""
    return arts.file_grant(user, token, path, b64_of_hex(hashlib.md5(data).hexdigest()))


def test_an_artifacts_client_manifest_is_kept_while_the_version_lives(client):
    """The manifest wandb's client uploads is served back verbatim from its blob: gc keeps it as long
    as the version exists, and collects it with the version's files once the version is deleted."""
    s, admin = _store(client), _admin(client)
    arts, data = WandbArtifacts(WandbRuns(s)), b"the weights of a small model"
    token = _artifact(arts, admin, "net")
    assert _grant(arts, admin, token, "w.bin", data) is not None
    _upload(client, arts, token, "af", data, "w.bin")
    manifest = _manifest({"w.bin": data})
    _upload(client, arts, token, "am", manifest)
    arts.commit(admin, token)
    manifest_sha = hashlib.sha256(manifest).hexdigest()

    out = s.collect_garbage(delete=True, grace_seconds=0)
    assert out["deleted"] == 0 and s.blobs.exists(manifest_sha)
    version = arts.version(admin, "admin", "p", "net", "v0")
    assert version is not None and arts.client_manifest(version) == manifest_sha
    assert arts.manifest("admin", "p", version) == json.loads(manifest)

    assert client.delete(f"{A}/net/v0").status_code == 200
    out = s.collect_garbage(delete=True, grace_seconds=0)
    assert sorted(out["sha256"]) == sorted([manifest_sha, hashlib.sha256(data).hexdigest()])


def test_an_artifacts_files_are_kept_between_their_upload_and_the_commit(client):
    """Between CreateArtifactFiles/upload and CommitArtifact, gc rounds keep what the pending artifact
    accepted: a file the server found by its MD5 (an old orphan: no upload, nothing else names it)
    and the manifest; the commit then succeeds, where wandb's client could not have recovered."""
    s, admin = _store(client), _admin(client)
    arts, data = WandbArtifacts(WandbRuns(s)), b"a tokenizer nobody had used for weeks"
    sha = _old_orphan(client, data)
    arts.md5.add(sha, hashlib.md5(data).hexdigest())
    token = _artifact(arts, admin, "tok")
    assert _grant(arts, admin, token, "tok.json", data) is None  # the server holds it: not uploaded
    _upload(client, arts, token, "am", _manifest({"tok.json": data}))
    assert s.collect_garbage(delete=True, grace_seconds=0)["deleted"] == 0

    arts.commit(admin, token)
    assert _download(client, "tok", sha) == data
    assert s.collect_garbage(delete=True, grace_seconds=0)["deleted"] == 0


def test_a_file_gc_takes_while_create_artifact_files_finds_it_is_asked_for(client):
    """CreateArtifactFiles finds the content in the store, gc deletes it after the last look and before
    the pending artifact's transaction records it: the answer asks the client to upload the file (as
    for a new one) instead of promising a file that is gone; the commit then holds the uploaded bytes."""
    s, admin = _store(client), _admin(client)
    arts, data = WandbArtifacts(WandbRuns(s)), b"an eval set last used in spring"
    sha = _old_orphan(client, data)
    arts.md5.add(sha, hashlib.md5(data).hexdigest())
    token = _artifact(arts, admin, "evals")
    found, looks, rounds = s.blobs.exists, [], []

    def exists_then_gc(digest: str) -> bool:
        held = found(digest)
        looks.append(digest)
        if len(looks) == 2:  # the second look: the one right before the recording transaction
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))
        return held

    s.blobs.exists = exists_then_gc  # type: ignore[method-assign]
    try:
        grant = _grant(arts, admin, token, "evals.jsonl", data)
    finally:
        del s.blobs.exists
    assert rounds[0]["sha256"] == [sha] and not s.blobs.exists(sha)
    assert grant is not None and grant["n"] == "evals.jsonl"  # an upload URL
    _upload(client, arts, token, "af", data, "evals.jsonl")
    _upload(client, arts, token, "am", _manifest({"evals.jsonl": data}))
    arts.commit(admin, token)
    assert _download(client, "evals", sha) == data


def test_an_artifact_upload_gc_takes_meanwhile_is_answered_503(client):
    """The PUT of an artifact file whose bytes the store already held (it kept its copy): gc deletes
    the blob before the pending artifact records it. The PUT is answered 503, which wandb's uploader
    retries; the retried bytes are stored anew and the commit holds them."""
    s, admin = _store(client), _admin(client)
    arts, data = WandbArtifacts(WandbRuns(s)), b"a shard uploaded twice, a month apart"
    sha = _old_orphan(client, data)
    token = _artifact(arts, admin, "shard")
    assert _grant(arts, admin, token, "s.bin", data) is not None  # MD5 unknown: an upload
    found, rounds = s.blobs.exists, []

    def exists_then_gc(digest: str) -> bool:
        held = found(digest)
        if not rounds:
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))
        return held

    s.blobs.exists = exists_then_gc  # type: ignore[method-assign]
    try:
        with pytest.raises(WandbError, match="garbage-collected meanwhile") as refused:
            _upload(client, arts, token, "af", data, "s.bin")
    finally:
        del s.blobs.exists
    assert refused.value.status == 503 and rounds[0]["sha256"] == [sha]
    _upload(client, arts, token, "af", data, "s.bin")  # the uploader's retry
    _upload(client, arts, token, "am", _manifest({"s.bin": data}))
    arts.commit(admin, token)
    assert _download(client, "shard", sha) == data


def test_a_commit_naming_a_file_gc_took_says_to_log_the_artifact_again(client):
    """A manifest entry the pending artifact never accepted (the server finds it by MD5 at commit
    time, so nothing held it) that gc deletes during the commit: nothing is committed, and the answer
    says what to do, since wandb's client does not upload within a failed commit. Logging the artifact
    again works: CreateArtifactFiles asks for the file, which the server lacks now."""
    s, admin = _store(client), _admin(client)
    arts, data = WandbArtifacts(WandbRuns(s)), b"a checkpoint found by its MD5 alone"
    sha = _old_orphan(client, data)
    arts.md5.add(sha, hashlib.md5(data).hexdigest())
    token = _artifact(arts, admin, "ckpt")
    _upload(client, arts, token, "am", _manifest({"c.pt": data}))
    found_present, rounds = s.blobs.present, []

    def present_then_gc(shas: Any) -> set[str]:
        held = found_present(shas)
        if not rounds:
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))
        return held

    s.blobs.present = present_then_gc  # type: ignore[method-assign]
    try:
        with pytest.raises(WandbError, match=r"garbage-collected.*log the artifact again") as refused:
            arts.commit(admin, token)
    finally:
        del s.blobs.present
    assert refused.value.status == 409 and "c.pt" in refused.value.message and rounds[0]["sha256"] == [sha]
    assert arts.version(admin, "admin", "p", "ckpt", "latest") is None  # nothing was committed

    again = _artifact(arts, admin, "ckpt")  # the user logs it again
    assert _grant(arts, admin, again, "c.pt", data) is not None  # the server asks for the file
    _upload(client, arts, again, "af", data, "c.pt")
    _upload(client, arts, again, "am", _manifest({"c.pt": data}))
    arts.commit(admin, again)
    assert _download(client, "ckpt", sha) == data


def _staged_put(s: Store, name: str, data: bytes) -> None:
    """What the client's presigned PUT into the staging object `name` leaves in the object store."""
    blobs: Any = s.blobs
    blobs.client.put_object(Bucket=blobs.bucket, Key=blobs.staging_key(name), Body=data)


def _gc_after_first_look(s: Store, sha: str, rounds: list) -> Any:
    """`exists` that runs a gc round right after the store's first answer about `sha`."""
    found = s.blobs.exists

    def exists_then_gc(digest: str) -> bool:
        held = found(digest)
        if digest == sha and not rounds:
            rounds.append(s.collect_garbage(delete=True, grace_seconds=0))
        return held

    return exists_then_gc


def test_a_wandb_run_file_adopted_from_the_object_store_survives_gc_taking_the_kept_copy(client, config):
    """A run file PUT straight into the object store whose bytes the store already held: adoption keeps
    the stored copy, gc deletes it before the file is recorded. The file_stream request is refused
    with 503 and the staged object stays, so the client's retry adopts it anew."""
    if config.blob_url is None:
        pytest.skip("direct uploads need an object store")
    s, data = _store(client), b"wandb-summary of a run nobody remembers\n"
    sha = _old_orphan(client, data)
    admin, runs, key = _admin(client), WandbRuns(s), RunKey("admin", "p", "direct")
    _staged_put(s, _staged_file(key, "notes.txt"), data)
    rounds: list = []
    s.blobs.exists = _gc_after_first_look(s, sha, rounds)  # type: ignore[method-assign]
    try:
        with pytest.raises(WandbError, match="garbage-collected meanwhile") as refused:
            runs.adopt_uploaded(admin, key, ["notes.txt"])
    finally:
        del s.blobs.exists
    assert refused.value.status == 503 and rounds[0]["sha256"] == [sha] and not s.blobs.exists(sha)
    runs.adopt_uploaded(admin, key, ["notes.txt"])  # the client's retry
    _history_line(runs, admin, key)
    assert client.get("/api/v1/runs/admin/p/direct/files/notes.txt").content == data


def test_a_wandb_artifact_file_adopted_at_commit_survives_gc_taking_the_kept_copy(client, config):
    """The same for an artifact file PUT straight into the object store, adopted by CommitArtifact:
    the commit is answered 503 (the whole HTTP answer: wandb's client retries 5xx), the staged object
    stays, and the repeated commit adopts it anew and commits."""
    if config.blob_url is None:
        pytest.skip("direct uploads need an object store")
    s, admin = _store(client), _admin(client)
    arts, data = WandbArtifacts(WandbRuns(s)), b"a staged shard the store held already"
    sha = _old_orphan(client, data)
    token = _artifact(arts, admin, "staged")
    grant = _grant(arts, admin, token, "s.bin", data)
    assert grant is not None and arts.direct_put(grant, 300) is not None
    _staged_put(s, _staged(token, hashlib.md5(data).hexdigest()), data)
    _upload(client, arts, token, "am", _manifest({"s.bin": data}))
    rounds: list = []
    commit = {
        "query": "mutation C($id: ID!) { commitArtifact(input: {artifactID: $id}) { artifact { id } } }",
        "variables": {"id": encode_id("Artifact", "pending", token)},
    }
    s.blobs.exists = _gc_after_first_look(s, sha, rounds)  # type: ignore[method-assign]
    try:
        r = client.post("/graphql", json=commit)
    finally:
        del s.blobs.exists
    assert r.status_code == 503 and "garbage-collected meanwhile" in r.text, r.text
    assert rounds[0]["sha256"] == [sha]
    r = client.post("/graphql", json=commit)  # the client's retry
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    assert _download(client, "staged", sha) == data
