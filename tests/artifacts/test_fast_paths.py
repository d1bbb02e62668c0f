"""The fast paths of artifact transfers keep the guarantees of the plain ones: small blobs in batches
(each verified server-side, all or nothing), zero-copy uploads (a file that shrank is reported),
pipelined resumable downloads, and download roots hard-linked to the cache (tampering detected)."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from pathlib import Path

import pytest

import runyard
from runyard.api import Api
from runyard.sdk.artifacts import transfer
from runyard.sdk.artifacts.cache import ArtifactCache
from runyard.sdk.http_client import ApiError as SyncApiError
from runyard.sdk.http_client import Client

from .conftest import blob_count, write

BATCH = "/api/v1/blobs/batch"


def _run(settings, **kw):
    return runyard.init(project="p", settings=settings, reinit="create_new", **kw)


def _frames(*blobs: tuple[str, bytes]) -> bytes:
    return b"".join(sha.encode() + struct.pack(">Q", len(data)) + data for sha, data in blobs)


def _post(api: Api, body: bytes) -> dict:
    return api.client.request("POST", BATCH, body=body, content_type=transfer.BATCH_TYPE)[1]


@pytest.fixture
def calls(monkeypatch) -> dict[str, int]:
    """Counts the blob requests the SDK makes: batches and single uploads."""
    n = {"batch": 0, "put": 0, "get": 0, "get_batch": 0}
    request, send_file = Client.request, Client.send_file
    open_stream, post_json_stream = Client.open_stream, Client.post_json_stream

    def counting_request(self, method, path, *a, **kw):
        if path == BATCH:
            n["batch"] += 1
        return request(self, method, path, *a, **kw)

    def counting_send_file(self, *a, **kw):
        n["put"] += 1
        return send_file(self, *a, **kw)

    def counting_open_stream(self, *a, **kw):
        n["get"] += 1
        return open_stream(self, *a, **kw)

    def counting_post_json_stream(self, *a, **kw):
        n["get_batch"] += 1
        return post_json_stream(self, *a, **kw)

    monkeypatch.setattr(Client, "request", counting_request)
    monkeypatch.setattr(Client, "send_file", counting_send_file)
    monkeypatch.setattr(Client, "open_stream", counting_open_stream)
    monkeypatch.setattr(Client, "post_json_stream", counting_post_json_stream)
    return n


def test_small_files_go_in_batches_large_ones_streamed(env, settings, home, calls):
    files = {f"d/f{i}.txt": f"small {i}\n".encode() * (i + 1) for i in range(300)}
    for name, data in files.items():
        write(env / "src" / name, data)
    big = os.urandom(transfer.SMALL_BLOB + 1)
    write(env / "src" / "big.bin", big)
    run = _run(settings)
    a = runyard.Artifact("many", "dataset")
    a.add_dir(env / "src")
    run.log_artifact(a).wait(60)
    assert a.stats.uploaded_blobs == 301
    assert calls["put"] == 1 and 1 <= calls["batch"] <= 300 // 2
    assert blob_count(home) >= 301
    got = run.use_artifact("many:latest")
    out = Path(got.download(root=env / "out"))
    for name, data in files.items():
        assert (out / name).read_bytes() == data
    assert (out / "big.bin").read_bytes() == big
    assert got.stats.downloaded_blobs == 301
    assert calls["get"] == 1 and 1 <= calls["get_batch"] <= 300 // 2
    run.finish()


def test_batched_download_verifies_each_blob_and_checks_membership(env, settings, home, monkeypatch):
    for i in range(20):  # groups of several blobs
        write(env / "src" / f"{i}.txt", f"content {i}" * 10)
    run = _run(settings)
    a = runyard.Artifact("bd", "data")
    a.add_dir(env / "src")
    run.log_artifact(a).wait(30)
    shas = [a.get_entry(f"{i}.txt").sha256 for i in range(20)]
    got = run.use_artifact("bd:v0")
    vpath = got._path()
    with pytest.raises(SyncApiError) as ei:  # only the version's blobs can be asked for
        Api().client.post_json_stream(vpath + "/blobs", {"sha256": [shas[0], "0" * 64]})
    assert (ei.value.status, ei.value.code) == (404, "unknown_file")
    blob = home / "blobs" / shas[2][:2] / shas[2][2:]
    os.chmod(blob, 0o644)
    blob.write_bytes(b"X" * blob.stat().st_size)  # bit rot on the server, same size
    calls = {"n": 0}
    post_json_stream = Client.post_json_stream

    def counting(self, *a, **kw):
        calls["n"] += 1
        return post_json_stream(self, *a, **kw)

    monkeypatch.setattr(Client, "post_json_stream", counting)
    with pytest.raises(runyard.Error, match="hash to"):
        got.download(root=env / "o")
    assert calls["n"] >= 1 and not ArtifactCache().has(shas[2])
    assert not any(p.name.startswith(shas[2]) for p in (ArtifactCache().root / "tmp").iterdir())
    run.finish()


def test_a_server_without_batched_downloads_gets_one_get_per_blob(env, settings, monkeypatch, calls):
    def old_server(self, path, doc):
        calls["get_batch"] += 1
        raise SyncApiError(404, "http_error", "Not Found")

    monkeypatch.setattr(Client, "post_json_stream", old_server)
    for i in range(20):  # enough for groups of several blobs
        write(env / "src" / f"{i:02d}.txt", f"file {i}")
    run = _run(settings)
    a = runyard.Artifact("olddl", "data")
    a.add_dir(env / "src")
    run.log_artifact(a).wait(30)
    got = run.use_artifact("olddl:latest")
    out = Path(got.download(root=env / "o"))
    assert sorted(p.name for p in out.iterdir()) == [f"{i:02d}.txt" for i in range(20)]
    assert got.stats.downloaded_blobs == 20 and calls["get"] == 20 and calls["get_batch"] >= 1
    run.finish()


def test_batch_endpoint_verifies_every_blob_before_storing_any(env, settings, home):
    run = _run(settings)  # the server's first run creates the user's entity
    api = Api()
    good, other = b"good blob", b"other blob"
    gsha, osha = hashlib.sha256(good).hexdigest(), hashlib.sha256(other).hexdigest()
    with pytest.raises(SyncApiError) as ei:
        _post(api, _frames((gsha, good), (osha, b"not the other blob")))
    assert ei.value.status == 400 and ei.value.code == "checksum_mismatch"
    assert ei.value.body["error"]["sha256"] == osha
    assert not (home / "blobs" / gsha[:2] / gsha[2:]).exists()
    for bad in (
        _frames((gsha, good))[:-3],  # the body ends inside the content
        _frames((gsha, good))[:40],  # ... inside a header
        b"x" * 64 + struct.pack(">Q", 1) + b"!",  # not a sha256
        _frames(("A" * 64, b"")),  # upper case is not the store's spelling
    ):
        with pytest.raises(SyncApiError) as ei:
            _post(api, bad)
        assert (ei.value.status, ei.value.code) == (400, "bad_frame")
    assert _post(api, _frames((gsha, good), (osha, other), (gsha, good))) == {
        "count": 3,
        "new": 2,
        "bytes": 2 * len(good) + len(other),
    }
    assert (home / "blobs" / gsha[:2] / gsha[2:]).read_bytes() == good
    assert _post(api, _frames((gsha, good)))["new"] == 0  # stored once
    assert _post(api, b"") == {"count": 0, "new": 0, "bytes": 0}
    run.finish()


def test_a_small_file_changed_after_add_is_refused_by_the_batch(env, settings):
    write(env / "a.txt", "aaaa")
    write(env / "b.txt", "bbbb")
    run = _run(settings)
    a = runyard.Artifact("changed", "data")
    a.add_file(env / "a.txt")
    a.add_file(env / "b.txt")
    write(env / "b.txt", "BBBB")  # same size, other bytes: only the hash can tell
    with pytest.raises(runyard.Error, match="b.txt changed after it was added"):
        run.log_artifact(a).wait(30)
    run.finish()


def test_a_server_without_batches_gets_one_put_per_blob(env, settings, monkeypatch, calls):
    request = Client.request

    def old_server(self, method, path, *a, **kw):
        if path == BATCH:
            raise SyncApiError(405, "method_not_allowed", "no such route")
        return request(self, method, path, *a, **kw)

    monkeypatch.setattr(Client, "request", old_server)
    for i in range(5):
        write(env / "src" / f"{i}.txt", f"file {i}")
    run = _run(settings)
    a = runyard.Artifact("old", "data")
    a.add_dir(env / "src")
    run.log_artifact(a).wait(30)
    assert a.stats.uploaded_blobs == 5 and calls["put"] == 5
    run.finish()


def test_send_file_reports_a_file_that_shrank_and_stays_usable(env, settings):
    run = _run(settings)
    api = Api()
    data = os.urandom(100_000)
    write(env / "f.bin", data)
    with open(env / "f.bin", "rb") as f, pytest.raises(SyncApiError) as ei:
        api.client.send_file(f"/api/v1/blobs/{hashlib.sha256(data).hexdigest()}", f, len(data) + 10)
    assert ei.value.code == "source_changed"
    with open(env / "f.bin", "rb") as f:
        got = api.client.send_file(f"/api/v1/blobs/{hashlib.sha256(data).hexdigest()}", f, len(data))
    assert got["size"] == len(data)
    run.finish()


def test_pipelined_download_resumes_and_survives_a_corrupt_part(env, settings):
    data = os.urandom(3 * transfer.BLOCK + 12345)  # received by two threads (>= PIPELINE_MIN)
    write(env / "big.bin", data)
    run = _run(settings)
    a = runyard.Artifact("piped", "data")
    a.add_file(env / "big.bin")
    run.log_artifact(a).wait(60)
    sha = a.get_entry("big.bin").sha256
    part = ArtifactCache().part_path(sha)
    write(part, data[:1000])  # a killed download: the rest (> PIPELINE_MIN) comes pipelined
    got = run.use_artifact("piped:latest")
    out = Path(got.download(root=env / "o"))
    assert (out / "big.bin").read_bytes() == data
    assert got.stats.downloaded_bytes == len(data) - 1000
    ArtifactCache().obj_path(sha).unlink()
    write(part, b"\0" * 1000)  # a corrupt partial file: one clean download
    got2 = Api().artifact(f"{run.entity}/p/piped:v0")
    assert (Path(got2.download(root=env / "o2")) / "big.bin").read_bytes() == data
    run.finish()


def test_download_links_the_cache_and_detects_a_written_object(env, settings, monkeypatch):
    data = os.urandom(50_000)
    write(env / "f.bin", data)
    run = _run(settings)
    a = runyard.Artifact("linked", "data")
    a.add_file(env / "f.bin")
    run.log_artifact(a).wait(30)
    sha = a.get_entry("f.bin").sha256
    got = run.use_artifact("linked:latest")
    dest = Path(got.download(root=env / "r1")) / "f.bin"
    obj = ArtifactCache().obj_path(sha)
    assert os.path.samefile(dest, obj) and not dest.stat().st_mode & stat.S_IWUSR  # no copy; read-only
    assert dest.read_bytes() == data
    # someone allowed to write a read-only file (root) edits the download in place: the cache object
    # changes with it, and the cache must notice rather than hand the edit out as the artifact
    os.chmod(dest, 0o644)
    with open(dest, "r+b") as f:
        f.write(b"edited")
    assert not ArtifactCache().has(sha, len(data))
    again = Api().artifact(f"{run.entity}/p/linked:v0")
    dest2 = Path(again.download(root=env / "r2")) / "f.bin"
    assert dest2.read_bytes() == data and again.stats.downloaded_bytes == len(data)
    assert dest.read_bytes()[:6] == b"edited"  # the user's edit stays theirs
    # links off: a writable copy
    monkeypatch.setenv("RUNYARD_ARTIFACT_LINKS", "0")
    dest3 = Path(Api().artifact(f"{run.entity}/p/linked:v0").download(root=env / "r3")) / "f.bin"
    assert not os.path.samefile(dest3, ArtifactCache().obj_path(sha))
    assert dest3.read_bytes() == data and dest3.stat().st_mode & stat.S_IWUSR
    run.finish()
