"""The official wandb client downloads an artifact's files and its manifest straight from the object
store (server/wandb/endpoints.py `artifact_download`): the signed `directUrl` the server hands out is
re-authorised by the access policy at use, then answered with a 307 to a signed GET of the store. The
store's request log shows the client's own GETs of the blob (no credentials) and none by the server,
and the API server's memory does not grow with the file."""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading

import psutil

from tests.compat.conftest import wandb_python  # noqa: F401
from tests.storage.test_wandb_direct import _env

SIZE_MB = 48

LOG = r"""
import wandb
run = wandb.init(project="dl")
art = wandb.Artifact("data", type="dataset")
art.add_file("big.bin")
art.add_file("small.txt")
run.log_artifact(art).wait()
run.finish()
print("DONE", flush=True)
"""

DOWNLOAD = r"""
import wandb
art = wandb.Api().artifact("admin/dl/data:latest")
print("PATH", art.download(root="out"), flush=True)
"""


def _sha(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 << 20):
            h.update(block)
    return h.hexdigest()


def _signed_gets(requests: list[dict], key: str) -> list[dict]:
    return [
        r
        for r in requests
        if r["method"] == "GET"
        and key in r["url"]
        and "X-Amz-Signature=" in r["url"]
        and not any(k.lower() == "authorization" for k in r["headers"])
    ]


def _server_gets(requests: list[dict], key: str) -> list[dict]:
    """GETs by the API server itself (boto3 signs with an Authorization header)."""
    return [
        r
        for r in requests
        if r["method"] == "GET"
        and key in r["url"]
        and any(k.lower() == "authorization" for k in r["headers"])
    ]


def test_official_client_downloads_artifact_files_from_the_object_store(
    s3_server,
    s3_requests,
    wandb_python,  # noqa: F811
    tmp_path,
):
    block = os.urandom(1 << 20)
    with open(tmp_path / "big.bin", "wb") as f:
        for i in range(SIZE_MB):
            f.write(i.to_bytes(8, "little") + block[8:])
    (tmp_path / "small.txt").write_text("hello")
    env = _env(s3_server, tmp_path)
    p = subprocess.run(
        [str(wandb_python), "-c", LOG], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert p.returncode == 0 and "DONE" in p.stdout, p.stdout + p.stderr[-3000:]
    sha = _sha(tmp_path / "big.bin")
    key = f"/blobs/{sha[:2]}/{sha[2:]}"

    before = len(s3_requests())  # the download's requests come after these
    me = psutil.Process()
    base = peak = me.memory_info().rss
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.02):
            peak = max(peak, me.memory_info().rss)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        p = subprocess.run(  # another cache: the one the upload filled would answer without a download
            [str(wandb_python), "-c", DOWNLOAD],
            cwd=tmp_path,
            env=dict(env, WANDB_CACHE_DIR=str(tmp_path / "cache2"), WANDB_DATA_DIR=str(tmp_path / "data2")),
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        stop.set()
        t.join()
    assert p.returncode == 0 and "PATH" in p.stdout, p.stdout + p.stderr[-3000:]
    out = tmp_path / next(x for x in p.stdout.split("\n") if x.startswith("PATH ")).removeprefix("PATH ")
    assert _sha(out / "big.bin") == sha and (out / "small.txt").read_text() == "hello"

    seen = s3_requests()[before:]
    assert _signed_gets(seen, key), [r["url"] for r in seen]  # the client's own GETs of the blob
    assert not _server_gets(seen, key)  # the server never read it
    small = hashlib.sha256(b"hello").hexdigest()
    others = {r["url"].split("?")[0] for r in _signed_gets(seen, "/blobs/")} - {
        u for u in (r["url"].split("?")[0] for r in seen) if key in u or small[2:] in u
    }
    assert others, "the manifest (the client's own blob) came from the store too"
    # the API process (the server runs in this one) held no copy of the file
    assert peak - base < SIZE_MB * (1 << 20) // 2, f"the API's RSS grew by {(peak - base) / 1e6:.0f} MB"
