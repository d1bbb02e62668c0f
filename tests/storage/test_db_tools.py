"""`runyard db migrate` and `runyard db copy`: an embedded install (SQLite + local blobs) moved to
another database (PostgreSQL; SQLite too) with its blobs to S3, verified, re-runnable, and served."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

import runyard
from runyard.server import ServerConfig, ServerThread
from runyard.server.launcher import free_port
from runyard.store import Store
from runyard.store.db import head_revision, migrate

from .conftest import blob_keys

REPO = Path(__file__).resolve().parents[2]


def _cli(args: list[str], env: dict, check: bool = True) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "WANDB_"))}
    e.update(env, PYTHONPATH=str(REPO))
    p = subprocess.run(
        [sys.executable, "-m", "runyard.cli.main", *args], env=e, capture_output=True, text=True, timeout=300
    )
    if check:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


def _embedded_install(home: Path, work: Path, monkeypatch) -> dict:
    """A SQLite install with a run (metrics, a file) and an artifact, written by the SDK online."""
    for k in list(os.environ):
        if k.startswith(("WANDB_", "RUNYARD_")):
            monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RUNYARD_HOME", str(home))
    monkeypatch.setenv("RUNYARD_CACHE_DIR", str(work / "cache"))
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    cfg = ServerConfig.resolve(home=home, db_url=f"sqlite:///{home / 'runyard.db'}", port=0)
    big = os.urandom(2 * 1024 * 1024 + 3)
    (work / "model.bin").write_bytes(big)
    with ServerThread(cfg) as srv:
        settings = runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)
        run = runyard.init(project="p", settings=settings, config={"lr": 0.1})
        for s in range(50):
            runyard.log({"loss": 1.0 / (s + 1)})
        with open(Path(run.dir) / "notes.txt", "w") as f:
            f.write("notes")
        a = runyard.Artifact("m", "model")
        a.add_file(work / "model.bin")
        run.log_artifact(a).wait(60)
        run.finish()
        key = srv.api_key
    return {"run": run.id, "entity": run.entity, "key": key, "big": big}


@pytest.mark.parametrize("db_url", ["postgresql", "sqlite"], indirect=True)
def test_copy_an_embedded_install_to_another_database_and_its_blobs_to_s3(
    tmp_path, db_url, bucket, s3_env, s3_client, monkeypatch
):
    src_home = tmp_path / "src"
    src_home.mkdir()
    made = _embedded_install(src_home, tmp_path / "w1", monkeypatch)
    source = f"sqlite:///{src_home / 'runyard.db'}"
    blob_url = f"s3://{bucket}/blobs"

    out = _cli(["db", "copy", source, db_url, "--blob-url", blob_url], s3_env).stdout
    assert "every table's count matches" in out and "every blob is in" in out
    assert len(blob_keys(s3_client, bucket)) == sum(
        1 for d in (src_home / "blobs").iterdir() if len(d.name) == 2 for _ in d.iterdir()
    )
    again = _cli(["db", "copy", source, db_url, "--blob-url", blob_url], s3_env).stdout  # idempotent
    assert "database: 0 row(s) copied" in again and "blobs: 0 copied" in again

    # the copy serves: same key, same run, same history, the artifact's bytes from the bucket
    new_home = tmp_path / "new"
    new_home.mkdir()
    cfg = ServerConfig.resolve(
        home=new_home,
        db_url=db_url,
        port=0,
        blob_url=blob_url,
        s3_endpoint_url=s3_env["RUNYARD_S3_ENDPOINT_URL"],
        s3_region="us-east-1",
        write_credentials=False,
    )
    with ServerThread(cfg) as srv:
        h = {"Authorization": f"Bearer {made['key']}"}
        run_path = f"{srv.url}/api/v1/runs/{made['entity']}/p/{made['run']}"
        assert httpx.get(run_path, headers=h, timeout=60).json()["config"]["lr"] == 0.1
        files = {f["path"] for f in httpx.get(run_path + "/files", headers=h, timeout=60).json()["files"]}
        assert "notes.txt" in files
        assert httpx.get(run_path + "/files/notes.txt", headers=h, timeout=60).content == b"notes"
        monkeypatch.setenv("RUNYARD_BASE_URL", srv.url)
        monkeypatch.setenv("RUNYARD_API_KEY", made["key"])
        from runyard.api import Api

        api = Api()
        hist = api.run(f"{made['entity']}/p/{made['run']}").history(keys=["loss"], pandas=False)
        assert [r["loss"] for r in hist] == [1.0 / (s + 1) for s in range(50)]
        art = api.artifact(f"{made['entity']}/p/m:v0")
        assert (Path(art.download(root=tmp_path / "dl")) / "model.bin").read_bytes() == made["big"]
        # new rows get new ids: the copied ids did not leave PostgreSQL's sequences behind
        r = httpx.post(f"{srv.url}/api/v1/users", json={"name": "newcomer"}, headers=h, timeout=60)
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_copy_refuses_a_destination_that_holds_other_data(tmp_path, db_url, monkeypatch):
    src_home = tmp_path / "src"
    src_home.mkdir()
    _embedded_install(src_home, tmp_path / "w1", monkeypatch)
    other = tmp_path / "other"
    other.mkdir()
    with ServerThread(ServerConfig.resolve(home=other, db_url=db_url, port=0)):
        pass  # a server started on the destination made its own admin and key
    p = _cli(["db", "copy", f"sqlite:///{src_home / 'runyard.db'}", db_url], {}, check=False)
    assert p.returncode == 1 and "holds other data" in p.stderr


def test_migrate_upgrades_in_place_and_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'runyard.db'}"
    first = _cli(["db", "migrate", "--db", url], {}).stdout
    assert "upgraded from revision (empty) to" in first
    assert "already at revision" in _cli(["db", "migrate", "--db", url], {}).stdout
    from runyard.store.db import Database, head_revision, migrate

    old = tmp_path / "old.db"  # a database an older runyard left
    db = Database(f"sqlite:///{old}")
    try:
        migrate(db, "0005")
    finally:
        db.close()
    out = _cli(["db", "migrate", "--db", f"sqlite:///{old}"], {}).stdout
    assert f"upgraded from revision 0005 to {head_revision()}" in out


def test_a_database_of_a_newer_runyard_is_one_error_line(tmp_path):
    """A database that a newer runyard migrated (its rows may use layouts this one cannot read): the
    server and `runyard db migrate` refuse it in one line naming both revisions, instead of a
    traceback or answers that fail later."""
    url = f"sqlite:///{tmp_path / 'runyard.db'}"
    _cli(["db", "migrate", "--db", url], {})
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '9001'")
    engine.dispose()
    for args in (
        ["db", "migrate", "--db", url],
        ["server", "--home", str(tmp_path), "--port", str(free_port())],
    ):
        p = _cli(args, {}, check=False)
        assert p.returncode == 1, p.stderr
        assert "schema revision 9001, written by a newer runyard" in p.stderr and head_revision() in p.stderr
        assert "Traceback" not in p.stderr


def test_a_malformed_blob_url_is_one_error_line(tmp_path):
    p = _cli(
        ["server", "--home", str(tmp_path), "--port", "1", "--blob-url", "ftp://bucket/x"], {}, check=False
    )
    assert p.returncode == 1 and "blob URL must look like s3://bucket/prefix" in p.stderr
    assert "Traceback" not in p.stderr


def test_upgrading_moves_wandb_client_manifests_to_their_versions_where_gc_sees_them(empty_db_url, tmp_path):
    """Before revision 0021 the wandb layer remembered the manifest a client sent for a version in its
    collection's index document, where gc did not look. The upgrade gives each live version its
    manifest; a deleted version's manifest is left for gc."""
    store = Store.open(empty_db_url, tmp_path / "blobs")
    try:
        migrate(store.db, "0020")
        live, gone, m_live, m_gone = "a" * 64, "b" * 64, "c" * 64, "d" * 64
        index = hashlib.sha256(b"admin\0p\0net").hexdigest()[:40]
        doc = {
            "by_md5": {},
            "by_digest": {live: {"md5": "x", "manifest": m_live}, gone: {"manifest": m_gone}},
        }

        def old_rows(conn):
            for sql in (
                "INSERT INTO entities (id, name, kind, is_admin, created_at) VALUES (1, 'admin', 'user', true, 0)",
                "INSERT INTO projects (id, entity_id, name, created_at, updated_at) VALUES (1, 1, 'p', 0, 0)",
                "INSERT INTO artifact_collections (id, project_id, name, type, next_version, created_at, updated_at)"
                " VALUES (1, 1, 'net', 'model', 2, 0, 0)",
                "INSERT INTO artifact_versions (id, collection_id, version_index, digest, metadata, size,"
                f" file_count, created_at, deleted_at) VALUES (1, 1, 0, '{live}', '{{}}', 0, 0, 0, NULL),"
                f" (2, 1, 1, '{gone}', '{{}}', 0, 0, 0, 5)",
            ):
                conn.execute(sa.text(sql))
            conn.execute(
                sa.text(
                    "INSERT INTO protocol_state (kind, name, doc, updated_at) VALUES ('index', :n, :d, 0)"
                ),
                {"n": index, "d": json.dumps(doc)},
            )

        store.db.write(old_rows)
        migrate(store.db)
        got = store.db.read(
            lambda conn: dict(conn.execute(sa.text("SELECT id, manifest_blob FROM artifact_versions")).all())
        )
        assert got == {1: m_live, 2: None}
        kept = store.db.read(lambda conn: store.artifacts.referenced(conn, [m_live, m_gone]))
        assert kept == {m_live}
    finally:
        store.close()
