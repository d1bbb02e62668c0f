"""gc against a commit naming an old orphan blob (store/blob_deletions.py): the commit's upload skipped
the blob because the store had it, so nothing but the commit itself protects it. Each interleaving is
driven step by step, the gc round run at the exact point between the commit's steps (no sleeps), on
SQLite and PostgreSQL, with blobs on the local disk and in S3 (moto)."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from runyard.server import ServerConfig, create_app
from runyard.server.wandb.runs import WandbError, WandbRuns
from runyard.server.wandb.state import RunKey
from runyard.store import Store
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
    transaction: 409 (the client uploads again); the next upload records the file."""
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
    assert refused.value.status == 409 and rounds[0]["sha256"] == [sha]
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

    def commit_in_flight() -> None:
        def txn(conn: Any) -> None:
            assert not s.blob_deletions.moved(conn, [sha], marks)
            checked.set()
            release.wait(60)
            s.files.upsert(conn, run_pk, "f.bin", len(data), sha)  # the reference it writes

        s.db.write(txn)

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
    assert results["gc"]["deleted"] == 0 and s.blobs.exists(sha)
