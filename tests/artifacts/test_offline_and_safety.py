"""Offline staging and sync of a copied run directory, the cache, references, path safety, gc, resume."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

import runyard
from runyard.api import Api
from runyard.sdk.artifacts.cache import ArtifactCache, parse_size
from runyard.sdk.http_client import ApiError as SyncApiError

from .conftest import cli, sha256_of, stored_blobs, write


def _run(settings, **kw):
    return runyard.init(project="p", settings=settings, reinit="create_new", **kw)


def test_offline_staged_in_run_dir_and_synced_from_a_copy(env, settings, tmp_path, client_env):
    write(env / "w" / "a.bin", os.urandom(50_000))
    write(env / "w" / "sub" / "b.txt", "b")
    run = _run(settings, mode="offline")
    art = runyard.Artifact("weights", "model", metadata={"k": 1})
    art.add_dir(env / "w")
    run.log_artifact(art, aliases=["candidate"])
    assert art.state == "STAGED"
    (env / "w" / "a.bin").unlink()  # the staged copy is what gets uploaded
    run.finish()
    staged = Path(run.sync_dir) / "artifacts"
    assert len(list((staged / "blobs").iterdir())) == 2 and len(list(staged.glob("*.json"))) == 1

    other = tmp_path / "elsewhere"  # "another machine": only the copied run directory
    shutil.copytree(run.sync_dir, other / Path(run.sync_dir).name)
    out = cli(["sync", str(other)], client_env)
    assert "1 run(s) uploaded" in out.stdout, out.stdout
    api = Api()
    entity = api.default_entity
    a = api.artifact(f"{entity}/p/weights:candidate")
    assert a.version == "v0" and a.metadata == {"k": 1} and a.logged_by().id == run.id
    assert sorted(e.path for e in a.files()) == ["a.bin", "sub/b.txt"]
    again = cli(["sync", "--include-synced", str(other)], client_env)
    assert "already up to date" in again.stdout


def test_offline_use_artifact_uses_the_cache_or_says_why(env, settings):
    write(env / "x.txt", "hello")
    run = _run(settings)
    a = runyard.Artifact("cached", "data")
    a.add_file(env / "x.txt")
    run.log_artifact(a).wait(30)
    run.finish()
    run2 = _run(settings)
    run2.use_artifact("cached:latest").download(root=env / "d1")  # fills the cache
    run2.finish()

    off = _run(settings, mode="offline")
    used = off.use_artifact("p/cached:latest")
    assert used.version == "v0"
    out = used.download(root=env / "d2")
    assert Path(out, "x.txt").read_text() == "hello" and used.stats.downloaded_bytes == 0
    with pytest.raises(runyard.UsageError, match="not in the local cache"):
        off.use_artifact("p/never-seen:latest")
    off.finish()


def test_second_download_is_served_by_the_cache(env, settings):
    write(env / "f.bin", os.urandom(100_000))
    run = _run(settings)
    a = runyard.Artifact("c2", "data")
    a.add_file(env / "f.bin")
    run.log_artifact(a).wait(30)
    used = run.use_artifact("c2:v0")
    used.download(root=env / "r1")
    assert used.stats.downloaded_bytes == 100_000
    again = Api().artifact(f"{run.entity}/p/c2:latest")
    again.download(root=env / "r2")
    assert again.stats.downloaded_bytes == 0 and again.stats.cached_blobs == 1
    run.finish()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def end_headers(self):
        self.send_header("ETag", '"etag-' + hashlib.sha256(self.path.encode()).hexdigest()[:8] + '"')
        super().end_headers()


def test_references_are_recorded_not_copied(env, settings, home, tmp_path):
    ref_dir = tmp_path / "refs"
    write(ref_dir / "big.bin", os.urandom(20_000))
    write(ref_dir / "n" / "c.txt", "c")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(ref_dir)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        run = _run(settings)
        a = runyard.Artifact("refs", "dataset")
        a.add_reference((ref_dir / "n").as_uri(), name="local")
        a.add_reference(f"http://127.0.0.1:{srv.server_port}/big.bin")
        assert a.get_entry("local/c.txt").extra["checksum"].startswith("sha256:")
        assert a.get_entry("big.bin").extra["checksum"].startswith("etag:")
        run.log_artifact(a).wait(30)
        refs = {sha256_of((ref_dir / "big.bin").read_bytes()), sha256_of("c")}
        assert not stored_blobs(home) & refs and a.stats.uploaded_bytes == 0
        got = run.use_artifact("refs:latest")
        root = got.download(root=env / "refs-out")
        assert Path(root, "big.bin").read_bytes() == (ref_dir / "big.bin").read_bytes()
        assert Path(root, "local", "c.txt").read_text() == "c"
        write(ref_dir / "n" / "c.txt", "changed")
        with pytest.raises(runyard.Error, match="changed since"):
            got.download(root=env / "refs-out2")
        run.finish()
    finally:
        srv.shutdown()
        srv.server_close()  # shutdown() only stops the loop; this closes the listening socket


@pytest.mark.parametrize("bad", ["../../etc/passwd", "/etc/passwd", "a/../../b", "C:/x", "a\\b"])
def test_path_traversal_is_refused_everywhere(env, settings, bad):
    write(env / "f.txt", "x")
    a = runyard.Artifact("t", "data")
    with pytest.raises(runyard.UsageError):
        a.add_file(env / "f.txt", name=bad)
    api = Api()
    sha = hashlib.sha256(b"x").hexdigest()
    doc = {"type": "data", "manifest": [{"path": bad, "sha256": sha, "size": 1}]}
    with pytest.raises(runyard.Error) as ei:
        api.client.call("POST", f"/api/v1/artifacts/{api.default_entity}/p/t", body=doc)
    assert ei.value.status == 400 and ei.value.code == "bad_path"

    run = _run(settings)
    a.add_file(env / "f.txt", name="ok.txt")
    run.log_artifact(a).wait(30)
    got = run.use_artifact("t:latest")
    got._entries[bad] = got._entries.pop("ok.txt")  # a hostile server's manifest
    got._entries[bad].path = bad
    with pytest.raises(runyard.Error, match="refusing"):
        got.download(root=env / "out")
    assert not Path("/etc/passwd-never").exists()
    run.finish()


def test_checksum_mismatch_is_detected_and_nothing_cached(env, settings, home):
    write(env / "f.bin", os.urandom(10_000))
    run = _run(settings)
    a = runyard.Artifact("cs", "data")
    a.add_file(env / "f.bin")
    run.log_artifact(a).wait(30)
    sha = a.get_entry("f.bin").sha256
    blob = home / "blobs" / sha[:2] / sha[2:]
    os.chmod(blob, 0o644)
    blob.write_bytes(os.urandom(10_000))  # bit rot on the server
    got = run.use_artifact("cs:v0")
    with pytest.raises(runyard.Error, match="hash to"):
        got.download(root=env / "o")
    assert not ArtifactCache().has(sha) and not ArtifactCache().part_path(sha).exists()
    # and an upload whose bytes do not match its name is refused
    api = Api()
    with pytest.raises(SyncApiError) as ei, open(env / "f.bin", "rb") as f:
        api.client.put_stream(f"/api/v1/blobs/{'0' * 64}", f, 10_000)
    assert ei.value.code == "checksum_mismatch"
    run.finish()


def test_interrupted_download_resumes(env, settings):
    data = os.urandom(3 * 1024 * 1024 + 17)
    write(env / "big.bin", data)
    run = _run(settings)
    a = runyard.Artifact("resume", "data")
    a.add_file(env / "big.bin")
    run.log_artifact(a).wait(30)
    sha = a.get_entry("big.bin").sha256
    part = ArtifactCache().part_path(sha)  # what a killed download leaves behind
    write(part, data[: 2 * 1024 * 1024])
    got = run.use_artifact("resume:latest")
    out = got.download(root=env / "o")
    assert Path(out, "big.bin").read_bytes() == data
    assert got.stats.downloaded_bytes == len(data) - 2 * 1024 * 1024
    # a corrupt partial file costs one clean download, not a failure
    ArtifactCache().obj_path(sha).unlink()
    write(part, b"\0" * 1024)
    got2 = Api().artifact(f"{run.entity}/p/resume:v0")
    got2.download(root=env / "o2")
    assert Path(env / "o2" / "big.bin").read_bytes() == data
    run.finish()


def test_gc_frees_exactly_the_unreferenced_blobs(env, settings, home, client_env):
    run = _run(settings)
    shas = {}
    for name, content in (("keep", "shared"), ("drop", "shared"), ("drop2", "only-in-drop")):
        write(env / f"{name}.txt", content)
        a = runyard.Artifact(name, "data")
        a.add_file(env / f"{name}.txt")
        run.log_artifact(a, aliases=["x"]).wait(30)
        shas[name] = a.get_entry(f"{name}.txt").sha256
    with open(run.dir + "/notes.txt", "w") as f:
        f.write("only-in-drop")  # a run file with the same content as an artifact file
    run.save(run.dir + "/notes.txt", policy="now")
    run.finish()
    api = Api()
    api.artifact(f"{run.entity}/p/drop2:v0").delete(delete_aliases=True)
    with pytest.raises(runyard.Error, match="has aliases"):
        api.artifact(f"{run.entity}/p/drop:v0").delete()
    api.artifact(f"{run.entity}/p/drop:v0").delete(delete_aliases=True)
    orphan = write(env / "orphan.txt", "uploaded, never committed")
    osha = hashlib.sha256(orphan.read_bytes()).hexdigest()
    with open(orphan, "rb") as f:
        api.client.put_stream(f"/api/v1/blobs/{osha}", f, orphan.stat().st_size)

    dry = cli(["gc", "--grace", "0"], client_env)
    assert "1 unreferenced blob(s)" in dry.stdout and "dry run" in dry.stdout
    assert osha in stored_blobs(home)
    report = api.client.call("POST", "/api/v1/admin/gc", body={"delete": True, "grace_seconds": 0})
    assert report["sha256"] == [osha]  # "shared" is kept by `keep`, "only-in-drop" by the run file
    assert osha not in stored_blobs(home)
    assert api.artifact(f"{run.entity}/p/keep:v0").download(root=env / "k")
    young = api.client.call("POST", "/api/v1/admin/gc", body={"delete": False})
    assert young["blobs_unreferenced"] == 0


def test_cli_put_get_ls_and_cache_cleanup(env, client_env, tmp_path):
    write(env / "d" / "one.txt", "1")
    write(env / "d" / "two.txt", "2" * 5000)
    client_env = dict(client_env, RUNYARD_CACHE_DIR=str(tmp_path / "clicache"))
    out = cli(
        ["artifact", "put", str(env / "d"), "--name", "p/cli-ds", "--type", "dataset", "--alias", "a1"],
        client_env,
    )
    assert ":v0 (new version; 2 file(s)" in out.stdout, out.stdout
    again = cli(["artifact", "put", str(env / "d"), "--name", "p/cli-ds", "--type", "dataset"], client_env)
    assert "same content" in again.stdout and "0 bytes uploaded" in again.stdout
    got = cli(["artifact", "get", "p/cli-ds:a1", "--root", str(env / "g")], client_env)
    assert (env / "g" / "two.txt").read_text() == "2" * 5000, got.stdout
    ls = cli(["artifact", "ls", "p"], client_env)
    assert "cli-ds" in ls.stdout and "a1" in ls.stdout and "latest" in ls.stdout
    clean = cli(["artifact", "cache", "cleanup", "--max-size", "1KB"], client_env)
    held = int(re.search(r"holds (\d+) bytes", clean.stdout).group(1))
    assert "removed" in clean.stdout and held <= 1000, clean.stdout
    assert parse_size("10GB") == 10**10 and parse_size("1GiB") == 2**30
    assert json.loads("{}") == {}
