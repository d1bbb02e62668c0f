"""Blobs on an S3-compatible store: artifacts and run files (media) move between the client and the
store through URLs the server signs; downloads resume with ranges; the blob-ownership rules hold."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest

import runyard
from runyard.sdk.artifacts.cache import ArtifactCache

from .conftest import blob_keys, signed_puts


@pytest.fixture
def settings():
    return runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _key(sha: str) -> str:
    return f"blobs/{sha[:2]}/{sha[2:]}"


def test_artifact_goes_to_the_store_and_back_through_signed_urls(
    sdk_env, settings, bucket, s3_client, s3_requests
):
    big = os.urandom(3 * 1024 * 1024 + 17)  # above the batch size: one blob of its own, signed URL
    _write(sdk_env / "d" / "model.bin", big)
    _write(sdk_env / "d" / "a.txt", b"small one")
    _write(sdk_env / "d" / "b.txt", b"small two")
    run = runyard.init(project="p", settings=settings)
    a = runyard.Artifact("m", "model")
    a.add_dir(sdk_env / "d")
    run.log_artifact(a).wait(60)
    assert a.stats.direct_blobs == 1  # the big blob; the small ones travel batched through the API
    keys = set(blob_keys(s3_client, bucket))
    sha = hashlib.sha256(big).hexdigest()
    assert len(signed_puts(s3_requests(), sha)) == 1  # the SDK's PUT, with the signature, no key
    assert (
        _key(sha) in keys
        and {_key(hashlib.sha256(x).hexdigest()) for x in (b"small one", b"small two")} <= keys
    )
    assert not [k for k in keys if k.startswith("blobs/uploads/")]  # staged uploads were moved into place

    got = run.use_artifact("m:latest")
    out = Path(got.download(root=sdk_env / "out"))
    assert (out / "model.bin").read_bytes() == big
    assert (out / "a.txt").read_bytes() == b"small one"
    assert got.stats.direct_blobs >= 1  # the big one at least (small ones may come batched)
    run.finish()


def test_a_download_resumes_from_the_store_with_a_range(sdk_env, settings):
    data = os.urandom(9 * 1024 * 1024 + 5)
    _write(sdk_env / "big.bin", data)
    run = runyard.init(project="p", settings=settings)
    a = runyard.Artifact("resumed", "data")
    a.add_file(sdk_env / "big.bin")
    run.log_artifact(a).wait(60)
    sha = a.get_entry("big.bin").sha256
    part = ArtifactCache().part_path(sha)
    _write(part, data[:4_000_000])  # what a killed download leaves behind
    got = run.use_artifact("resumed:latest")
    out = Path(got.download(root=sdk_env / "o"))
    assert (out / "big.bin").read_bytes() == data
    assert got.stats.downloaded_bytes == len(data) - 4_000_000 and got.stats.direct_blobs == 1
    run.finish()


def test_run_files_and_media_are_stored_in_the_bucket_and_served_by_signed_urls(
    sdk_env, settings, s3_server, bucket, s3_client
):
    pytest.importorskip("PIL")
    import numpy as np

    run = runyard.init(project="p", settings=settings)
    img = (np.arange(64 * 64 * 3) % 251).astype("uint8").reshape(64, 64, 3)
    runyard.log({"picture": runyard.Image(img)})
    _write(Path(run.dir) / "notes.txt", b"some notes")
    run.finish()
    key = s3_server.api_key
    h = {"Authorization": f"Bearer {key}"}
    base = f"{s3_server.url}/api/v1/runs/{run.entity}/p/{run.id}/files"
    listing = httpx.get(base, headers=h, timeout=60).json()["files"]
    media = [f for f in listing if f["path"].startswith("media/images/")]
    assert media and any(f["path"] == "notes.txt" for f in listing)
    keys = set(blob_keys(s3_client, bucket))
    for f in [*media, next(f for f in listing if f["path"] == "notes.txt")]:
        assert _key(f["sha256"]) in keys
        through_api = httpx.get(f"{base}/{f['path']}", headers=h, timeout=60)
        assert through_api.status_code == 200
        signed = httpx.get(f"{base}/{f['path']}", params={"direct": 1}, headers=h, timeout=60)
        assert signed.status_code == 307
        location = signed.headers["location"]
        assert location.startswith(s3_client.meta.endpoint_url) and key not in location
        direct = httpx.get(location, timeout=60)  # no credentials: the signature is the grant
        assert direct.status_code == 200 and direct.content == through_api.content
        assert direct.headers["content-disposition"].startswith("attachment")
        partial = httpx.get(location, headers={"Range": "bytes=3-"}, timeout=60)
        assert partial.status_code == 206 and partial.content == through_api.content[3:]


def test_large_media_and_run_files_are_uploaded_through_signed_urls(
    sdk_env, settings, s3_server, bucket, s3_client, s3_requests, monkeypatch
):
    import numpy as np

    pytest.importorskip("PIL")
    run = runyard.init(project="p", settings=settings)
    noise = np.random.default_rng(0).integers(0, 255, (800, 800, 3), dtype=np.uint8)  # a PNG > 1 MiB
    runyard.log({"noise": runyard.Image(noise)})
    weights = os.urandom(1536 * 1024)
    _write(Path(run.dir) / "weights.bin", weights)
    run.finish()
    h = {"Authorization": f"Bearer {s3_server.api_key}"}
    base = f"{s3_server.url}/api/v1/runs/{run.entity}/p/{run.id}/files"
    listing = {f["path"]: f for f in httpx.get(base, headers=h, timeout=60).json()["files"]}
    png = next(f for p, f in listing.items() if p.startswith("media/images/noise"))
    assert png["size"] > 1024 * 1024
    for f in (png, listing["weights.bin"]):
        assert len(signed_puts(s3_requests(), f["sha256"])) == 1
        assert _key(f["sha256"]) in blob_keys(s3_client, bucket)
    assert httpx.get(f"{base}/weights.bin", headers=h, timeout=60).content == weights
    from runyard.api import Api

    before = len(s3_requests())
    got = Api().run(f"{run.entity}/p/{run.id}").file("weights.bin").download(root=sdk_env / "dl")
    got.close()
    assert (sdk_env / "dl" / "weights.bin").read_bytes() == weights
    key = _key(listing["weights.bin"]["sha256"])
    fetched = [r for r in s3_requests()[before:] if r["method"] == "GET" and key in r["url"]]
    assert len(fetched) == 1 and "X-Amz-Signature=" in fetched[0]["url"]  # from the store, signed
    local = next((Path(run.dir) / "media" / "images").glob("noise*"))
    assert httpx.get(f"{base}/{png['path']}", headers=h, timeout=60).content == local.read_bytes()

    # a file named by a blob the caller may not use is refused, and says nothing of the blob
    bob = httpx.post(f"{s3_server.url}/api/v1/users", json={"name": "bob"}, headers=h, timeout=60).json()[
        "api_key"
    ]
    monkeypatch.setenv("RUNYARD_API_KEY", bob)
    bobs = runyard.init(project="q", settings=settings)
    bobs.finish()
    theirs = f"{s3_server.url}/api/v1/runs/bob/q/{bobs.id}/files/x.bin"
    bh = {"Authorization": f"Bearer {bob}"}
    r = httpx.put(theirs, params={"sha256": png["sha256"]}, headers=bh, timeout=60)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_blob"
    r = httpx.put(theirs, params={"sha256": "0" * 64}, headers=bh, timeout=60)  # absent: the same answer
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_blob"
