"""A large artifact through signed URLs with the API server in its own process: its memory stays flat
while the bytes go between the SDK and the object store. RUNYARD_TEST_S3_BIG_MB sets the size
(default 300; bench/bench_blobs.py moves 1 GB and times it)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

import runyard
from runyard.server.launcher import free_port
from tests.conftest import rss_growth

REPO = Path(__file__).resolve().parents[2]
SIZE_MB = int(os.environ.get("RUNYARD_TEST_S3_BIG_MB", "300"))


def _sha_of_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 << 20):
            h.update(block)
    return h.hexdigest()


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start: {log.read_text()}")
        time.sleep(0.1)


@pytest.mark.timeout(900)
def test_large_artifact_via_signed_urls_keeps_the_api_server_memory_flat(
    db_url, home, bucket, s3_env, tmp_path, monkeypatch
):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "WANDB_"))}
    env.update(s3_env, PYTHONPATH=str(REPO), RUNYARD_HOME=str(home))
    cmd = [sys.executable, "-m", "runyard.cli.main", "server", "--port", str(port), "--db", db_url]
    log = tmp_path / "server.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [*cmd, "--blob-url", f"s3://{bucket}/blobs", "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    big = tmp_path / "big.bin"
    try:
        _wait_healthy(url, proc, log)
        block = os.urandom(1 << 20)
        with open(big, "wb") as f:
            for i in range(SIZE_MB):
                f.write(i.to_bytes(8, "little") + block[8:])
        for k in list(os.environ):
            if k.startswith(("WANDB_", "RUNYARD_")):
                monkeypatch.delenv(k, raising=False)
        monkeypatch.setenv("RUNYARD_HOME", str(home))  # the server's credentials file logs the SDK in
        monkeypatch.setenv("RUNYARD_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.chdir(tmp_path)
        server = psutil.Process(proc.pid)
        settings = runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)
        run = runyard.init(project="p", settings=settings)
        with rss_growth([server]) as grown:  # from after the server has served its first requests
            a = runyard.Artifact("big", "model")
            a.add_file(big)
            run.log_artifact(a).wait(600)
            got = run.use_artifact("big:latest")
            out = Path(got.download(root=tmp_path / "out")) / "big.bin"
            run.finish()
        assert a.stats.direct_blobs == 1 and got.stats.direct_blobs == 1
        assert out.stat().st_size == big.stat().st_size and _sha_of_file(out) == _sha_of_file(big)
        assert grown[0] < 64 * 1024 * 1024, f"the API server's RSS grew by {grown[0] / 1e6:.0f} MB"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        big.unlink(missing_ok=True)
