"""The periodic blob gc (server/jobs.py, RUNYARD_GC_INTERVAL): a round deletes the old unreferenced
blobs and spares an upload in flight (a blob whose artifact commit has not arrived, even one the store
held from long ago) and referenced blobs; of many processes claiming a period's round, exactly one gets it (store/job_runs.py)."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import sqlalchemy as sa
from starlette.testclient import TestClient

from runyard.server import create_app
from runyard.server.config import ServerConfig
from runyard.store import Store
from runyard.store.tables import blob_owners
from tests.scaleout.conftest import wait_for

DAY = 86400.0


def _put(c: TestClient, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = c.put(f"/api/v1/blobs/{sha}", content=data, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200, r.text
    return sha


def _commit(c: TestClient, name: str, sha: str, size: int):
    doc = {"type": "data", "manifest": [{"path": "f.bin", "sha256": sha, "size": size}]}
    return c.post(f"/api/v1/artifacts/admin/p/{name}", json=doc)


def test_a_gc_round_deletes_old_orphans_and_spares_an_upload_in_flight(home, db_url):
    config = ServerConfig.resolve(home=home, db_url=db_url, port=0, gc_interval=0.2, gc_grace=DAY)
    app = create_app(config, announce=False)
    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {app.state.bootstrap_key}"
        s: Store = app.state.store
        old_orphan, in_flight, old_kept = b"deleted artifact's file", b"uploaded, commit pending", b"kept"
        sha_orphan, sha_flight, sha_kept = (_put(c, d) for d in (old_orphan, in_flight, old_kept))
        assert _commit(c, "kept", sha_kept, len(old_kept)).status_code == 200
        two_days_ago = time.time() - 2 * DAY
        for sha in (sha_orphan, sha_kept, sha_flight):  # old blobs, as if stored two days ago
            path = config.blob_dir / sha[:2] / sha[2:]
            os.utime(path, (two_days_ago, two_days_ago))
        # ... and uploaded then, but for the one in flight: the store kept its old copy when it was
        # uploaded again just now (content-addressed), and that upload's commit is still to come
        s.db.write(
            lambda conn: conn.execute(
                sa.update(blob_owners)
                .where(blob_owners.c.sha256.in_([sha_orphan, sha_kept]))
                .values(created_at=two_days_ago)
            )
        )

        wait_for(lambda: not s.blobs.exists(sha_orphan), 60, "the gc round to delete the old orphan")
        assert s.blobs.exists(sha_flight) and s.blobs.exists(sha_kept)
        seen = time.time()

        def later_round() -> dict | None:
            last = s.db.read(lambda conn: s.job_runs.last(conn, "gc"))
            return last if last and last["started_at"] > seen and last["finished_at"] else None

        last = wait_for(later_round, 60, "a whole later round")
        assert last["result"]["dry_run"] is False and last["result"]["grace_seconds"] == DAY
        assert last["result"]["blobs_total"] == 2  # the one in flight and the referenced one, spared again
        # the upload's commit arrives after the round: its blob is all there
        assert _commit(c, "late", sha_flight, len(in_flight)).status_code == 200
        r = c.get(f"/api/v1/artifacts/admin/p/late/v0/blobs/{sha_flight}")
        assert r.status_code == 200 and r.content == in_flight


def test_of_many_processes_claiming_a_period_one_gets_the_round(home, db_url):
    stores = [Store.open(db_url, home / "blobs") for _ in range(4)]
    stores[0].migrate()
    try:
        now = time.time()
        got: list[bool] = []
        go = threading.Barrier(len(stores))

        def claim(s: Store) -> None:
            go.wait()
            got.append(s.db.write(lambda c: s.job_runs.claim(c, "gc", 60.0, now)))

        threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got) == [False, False, False, True]
        s = stores[0]
        # within the period nobody gets it again; once the period has passed, one does
        assert not s.db.write(lambda c: s.job_runs.claim(c, "gc", 60.0, now + 59.0))
        assert s.db.write(lambda c: s.job_runs.claim(c, "gc", 60.0, now + 60.0))
        assert not stores[1].db.write(lambda c: stores[1].job_runs.claim(c, "gc", 60.0, now + 60.5))
    finally:
        for s in stores:
            s.close()
