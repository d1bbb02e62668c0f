"""A 1 GB artifact on an S3 blob store: through signed URLs (client <-> store) vs through the API.

    python bench/bench_blobs.py [--size-mb 1024] [--db postgresql://...] [--endpoint URL --bucket B]
                                [--wandb-python PATH]

Without --endpoint it starts moto's S3 server (`pip install 'moto[server]'`) on a loopback port, as
the tests do. The API server runs in its own process (`runyard server --blob-url s3://...`) so its
memory is measured alone: peak RSS growth over the transfer, sampled every 20 ms. Each mode uploads
the file as an artifact (`log_artifact(...).wait()`) and downloads it into an empty cache. Other work
on the machine moves these figures: compare the two modes of one run, and the load average printed.

A third line, when the official wandb client is installed (WANDB_PYTHON, --wandb-python, or the test
suite's venv): the same upload by `wandb` 0.31 through runyard's wandb endpoint. Its files go to the
store by signed URLs too, but wandb announces no sha256, so the server reads the staged object once
to hash it at the commit (docs/storage.md): the API server's CPU seconds over each upload show that.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _wait(url: str, proc: subprocess.Popen, what: str) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, OSError):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{what} did not start") from None
            time.sleep(0.1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary home)")
    ap.add_argument("--endpoint", default=None, help="an S3 endpoint to use instead of moto's server")
    ap.add_argument("--bucket", default=None, help="with --endpoint: an existing bucket")
    ap.add_argument("--wandb-python", default=os.environ.get("WANDB_PYTHON"), help="a python with wandb")
    args = ap.parse_args()

    import boto3
    import psutil

    from runyard.server.launcher import free_port

    tmp = Path(tempfile.mkdtemp(prefix="runyard-bench-blobs-"))
    procs: list[subprocess.Popen] = []
    try:
        endpoint = args.endpoint
        if endpoint is None:
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret")
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            endpoint = f"http://127.0.0.1:{port}"
            _wait(endpoint + "/moto-api/", procs[-1], "moto's S3 server")
        bucket = args.bucket or f"runyard-bench-{secrets.token_hex(4)}"
        if not args.bucket:
            boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)

        home = tmp / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNYARD_", "WANDB_"))}
        env.update(RUNYARD_HOME=str(home), RUNYARD_S3_ENDPOINT_URL=endpoint, PYTHONPATH=str(REPO))
        env.setdefault("RUNYARD_S3_REGION", "us-east-1")
        api_port = free_port()
        cmd = [sys.executable, "-m", "runyard.cli.main", "server", "--port", str(api_port)]
        cmd += ["--blob-url", f"s3://{bucket}/blobs", "--log-level", "warning"]
        if args.db:
            cmd += ["--db", args.db]
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL))
        api = f"http://127.0.0.1:{api_port}"
        _wait(api + "/api/v1/health", procs[-1], "runyard server")
        server = psutil.Process(procs[-1].pid)

        size = args.size_mb << 20
        for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
            os.environ.pop(k, None)
        os.environ["RUNYARD_HOME"] = str(home)  # the server's credentials file logs the SDK in
        os.chdir(tmp)  # run directories go there, not into the checkout
        import runyard
        from runyard.sdk.artifacts import transfer

        settings = runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)
        print(
            f"{args.size_mb} MB artifact, S3 at {endpoint}, db {args.db or 'SQLite'}; load {os.getloadavg()}"
        )
        print(
            f"{'mode':<22}{'upload MB/s':>12}{'download MB/s':>15}{'API RSS peak growth':>22}"
            f"{'API CPU s (upload)':>20}"
        )
        for mode in ("signed URLs", "through the API"):
            os.environ["RUNYARD_CACHE_DIR"] = str(tmp / f"cache-{len(mode)}")
            direct = mode == "signed URLs"
            name = "direct" if direct else "proxied"
            big = tmp / f"{name}.bin"  # a file of its own per mode
            block = os.urandom(1 << 20)  # new content each mode: nothing is deduplicated
            with open(big, "wb") as f:
                for i in range(args.size_mb):
                    f.write(i.to_bytes(8, "little") + block[8:])
            original = transfer.Transport.__init__

            def init(
                self: transfer.Transport, *a: object, _o: object = original, _d: bool = direct, **kw: object
            ) -> None:
                _o(self, *a, **kw)  # type: ignore[operator]
                self.direct = _d  # through the API: the SDK never asks for a signed URL

            transfer.Transport.__init__ = init  # type: ignore[method-assign]
            base = server.memory_info().rss
            peak = [base]
            stop = threading.Event()

            def sample(peak: list[int] = peak, stop: threading.Event = stop) -> None:
                while not stop.wait(0.02):
                    peak[0] = max(peak[0], server.memory_info().rss)

            t = threading.Thread(target=sample, daemon=True)
            t.start()
            run = runyard.init(project="bench", settings=settings)
            a = runyard.Artifact(name, "model")
            a.add_file(big)
            cpu0 = _cpu(server)
            t0 = time.perf_counter()
            run.log_artifact(a).wait(3600)
            up = time.perf_counter() - t0
            cpu = _cpu(server) - cpu0
            t0 = time.perf_counter()
            got = run.use_artifact(f"{name}:latest")
            got.download(root=tmp / f"out-{name}")
            down = time.perf_counter() - t0
            run.finish()
            stop.set()
            t.join()
            transfer.Transport.__init__ = original  # type: ignore[method-assign]
            assert a.stats.direct_blobs == (1 if direct else 0), a.stats
            assert got.stats.downloaded_bytes == size, got.stats
            mb = size / 1e6
            grown = (peak[0] - base) / 1e6
            print(f"{mode:<22}{mb / up:>12.0f}{mb / down:>15.0f}{grown:>19.0f} MB{cpu:>20.1f}")
            (tmp / f"out-{name}" / big.name).unlink()
            big.unlink()
        wandb_python = args.wandb_python or _wandb_python()
        if wandb_python:
            _wandb_upload(Path(wandb_python), api, home, tmp, args.size_mb, server)
        else:
            print("wandb client: not installed (set WANDB_PYTHON)")
        print(f"load after: {os.getloadavg()}")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def _cpu(proc: Any) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system)


WANDB_UPLOAD = """
import sys, time, wandb
run = wandb.init(project="bench")
a = wandb.Artifact("wb", type="model")
a.add_file(sys.argv[1])
t0 = time.perf_counter()
run.log_artifact(a).wait()
print("UP", time.perf_counter() - t0, flush=True)
run.finish()
"""


def _wandb_python() -> str | None:
    from tests.compat.conftest import CACHE_VENV, PEER_VENV

    for venv in (PEER_VENV, CACHE_VENV):
        if (venv / "bin" / "python").exists():
            return str(venv / "bin" / "python")
    return None


def _wandb_upload(python: Path, api: str, home: Path, tmp: Path, size_mb: int, server: Any) -> None:
    """The official client uploads the artifact (signed URLs; the server hashes at the commit)."""
    import json

    big = tmp / "wandb.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as f:
        for i in range(size_mb):
            f.write(i.to_bytes(8, "little") + block[8:])
    key = json.loads((home / "credentials").read_text())["api_key"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_", "AWS_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        WANDB_BASE_URL=api,
        WANDB_API_KEY=key,
        WANDB_SILENT="true",
        WANDB_DISABLE_GIT="true",
        WANDB_DIR=str(tmp),
        WANDB_CACHE_DIR=str(tmp / ".wandb-cache"),
        WANDB_CONFIG_DIR=str(tmp / ".wandb-config"),
        WANDB_DATA_DIR=str(tmp / ".wandb-data"),
    )
    base = server.memory_info().rss
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], server.memory_info().rss)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    cpu0 = _cpu(server)
    p = subprocess.run(
        [str(python), "-c", WANDB_UPLOAD, str(big)], cwd=tmp, env=env, capture_output=True, text=True
    )
    cpu = _cpu(server) - cpu0
    stop.set()
    t.join()
    line = next((x for x in p.stdout.splitlines() if x.startswith("UP ")), None)
    if p.returncode != 0 or line is None:
        print("wandb client failed:", p.stderr[-2000:])
        return
    up = float(line.split()[1])
    grown = (peak[0] - base) / 1e6
    print(
        f"{'wandb client (signed)':<22}{size_mb * 1.048576 / up:>12.0f}{'-':>15}{grown:>19.0f} MB{cpu:>20.1f}"
    )
    big.unlink()


if __name__ == "__main__":
    main()
