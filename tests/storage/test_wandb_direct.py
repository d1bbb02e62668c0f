"""The official wandb client's files go straight into the object store (docs/storage.md): the server
answers CreateArtifactFiles with presigned PUTs of staging objects (Content-MD5 signed) and on
CommitArtifact reads each staged object once to learn its sha256, checks its MD5 and adopts it; it
answers CreateRunFiles with presigned PUTs too, and adopts a run file when file_stream says it is
uploaded. The file's bytes never pass through the API: the store saw the client's signed PUT, the server
put none of its bytes into the store itself (only copies inside it), and the version serves the
same bytes."""

from __future__ import annotations

import hashlib
import os
import subprocess

import httpx

from tests.compat.conftest import wandb_python  # noqa: F401

SCRIPT = r"""
import os, wandb
run = wandb.init(project="direct")
print("ID", run.id, flush=True)
wandb.save("weights.bin", policy="now")  # a run file
art = wandb.Artifact("data", type="dataset")
art.add_file("big.bin")
art.add_file("big.bin", name="copy/big.bin")  # the same content under a second path
art.add_file("small.txt")
run.log_artifact(art).wait()
run.finish()
print("DONE", flush=True)
"""


def _env(srv, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_", "AWS_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        HOME=str(tmp_path),
        WANDB_BASE_URL=srv.url,
        WANDB_API_KEY=srv.api_key,
        WANDB_SILENT="true",
        WANDB_DISABLE_GIT="true",
        WANDB_DIR=str(tmp_path),
        WANDB_CACHE_DIR=str(tmp_path / ".cache"),
        WANDB_CONFIG_DIR=str(tmp_path / ".config"),
        WANDB_DATA_DIR=str(tmp_path / ".data"),
    )
    return env


def test_official_client_artifact_files_go_straight_to_the_object_store(
    s3_server,
    s3_requests,
    wandb_python,  # noqa: F811
    tmp_path,
):
    big = os.urandom(3 * 1024 * 1024)
    (tmp_path / "big.bin").write_bytes(big)
    (tmp_path / "small.txt").write_text("hello")
    weights = os.urandom(2 * 1024 * 1024)
    (tmp_path / "weights.bin").write_bytes(weights)
    p = subprocess.run(
        [str(wandb_python), "-c", SCRIPT],
        cwd=tmp_path,
        env=_env(s3_server, tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0 and "DONE" in p.stdout, p.stdout + p.stderr[-3000:]

    h = {"Authorization": f"Bearer {s3_server.api_key}"}
    v = httpx.get(f"{s3_server.url}/api/v1/artifacts/admin/direct/data/v0", headers=h, timeout=60).json()
    sha = hashlib.sha256(big).hexdigest()
    got = httpx.get(
        f"{s3_server.url}/api/v1/artifacts/admin/direct/data/v0/blobs/{sha}", headers=h, timeout=60
    )
    assert got.status_code == 200 and got.content == big, (got.status_code, v)

    # the client PUT the files to the store with presigned URLs (no credentials of its own) ...
    md5 = hashlib.md5(big).hexdigest()
    puts = _signed_puts(s3_requests(), "/uploads/wandb.")
    mine = [r for r in puts if md5 in r["url"]]
    assert mine, [r["url"] for r in puts]
    # with the Content-MD5 the server signed into the URL (uploadHeaders reached the client)
    assert all(any(k.lower() == "content-md5" for k in r["headers"]) for r in mine), mine[0]["headers"]
    # ... and the server put no bytes of it into the store: its only PUTs of the blob's key are
    # copies inside the store (it read the staged object once, to learn its sha256)
    _only_copied(s3_requests(), sha)

    # the run file: served from the store, PUT there by the client, copied into place by the server
    run_id = next(x for x in p.stdout.split("\n") if x.startswith("ID ")).removeprefix("ID ")
    got = httpx.get(
        f"{s3_server.url}/api/v1/runs/admin/direct/{run_id}/files/weights.bin", headers=h, timeout=60
    )
    assert got.status_code == 200 and got.content == weights, got.status_code
    assert _signed_puts(s3_requests(), "/uploads/wandbrun.")
    # and the files the client uploads at its end (after the last history) are there too
    listed = httpx.get(
        f"{s3_server.url}/api/v1/runs/admin/direct/{run_id}/files", headers=h, timeout=60
    ).json()
    names = {f["path"] for f in listed["files"]}
    assert {"wandb-metadata.json", "config.yaml", "wandb-summary.json", "weights.bin"} <= names, names
    _only_copied(s3_requests(), hashlib.sha256(weights).hexdigest())


def _only_copied(requests: list[dict], sha: str) -> None:
    key = f"/blobs/{sha[:2]}/{sha[2:]}"
    to_key = [r for r in requests if r["method"] == "PUT" and key in r["url"]]
    assert to_key and all(any(k.lower() == "x-amz-copy-source" for k in r["headers"]) for r in to_key), to_key


def _signed_puts(requests: list[dict], prefix: str) -> list[dict]:
    """PUTs of staging objects with presigned URLs (the client's own: no credentials)."""
    return [
        r
        for r in requests
        if r["method"] == "PUT"
        and prefix in r["url"]
        and "X-Amz-Signature=" in r["url"]
        and not any(k.lower() == "authorization" for k in r["headers"])
    ]
