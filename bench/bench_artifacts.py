"""Artifact throughput on loopback: a 1 GB file up and down, and an artifact of 10,000 small files.

    python bench/bench_artifacts.py [--size-mb 1024] [--files 10000] [--db postgresql://...]

Targets (docs/artifacts.md): upload and download >= 300 MB/s each way; logging 10,000 small files
< 5 s. The server runs in this process (uvicorn in a thread), like the SDK tests; peak RSS growth
is printed too (large files are streamed in 4 MiB blocks, never loaded whole), and the load average
before and after: other work on the machine moves these figures a lot, so compare runs at like load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()

    import psutil

    import runyard
    from runyard.server import ServerConfig, ServerThread

    tmp = Path(tempfile.mkdtemp(prefix="runyard-bench-art-"))
    home = tmp / "home"
    os.environ.update(RUNYARD_HOME=str(home), RUNYARD_CACHE_DIR=str(tmp / "cache"))
    for k in ("RUNYARD_API_KEY", "RUNYARD_BASE_URL", "WANDB_API_KEY", "WANDB_BASE_URL"):
        os.environ.pop(k, None)
    os.chdir(tmp)
    proc = psutil.Process()
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], proc.memory_info().rss)

    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    cfg = ServerConfig.resolve(home=home, db_url=args.db, port=0)
    with ServerThread(cfg):
        settings = runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)
        big = tmp / "big.bin"
        block = os.urandom(1 << 20)
        with open(big, "wb") as f:
            for i in range(args.size_mb):
                f.write(i.to_bytes(8, "little") + block[8:])
        size = big.stat().st_size
        base = proc.memory_info().rss
        threading.Thread(target=sample, daemon=True).start()

        run = runyard.init(project="bench", settings=settings)
        t0 = time.perf_counter()
        art = runyard.Artifact("big", "model")
        art.add_file(big)
        t1 = time.perf_counter()
        run.log_artifact(art).wait(600)
        t2 = time.perf_counter()
        used = run.use_artifact("big:latest")
        t3 = time.perf_counter()
        used.download(root=tmp / "out")
        t4 = time.perf_counter()
        stop.set()
        mb = size / 1e6
        print(f"file: {mb:.0f} MB")
        print(f"hash (add_file, sha256):      {t1 - t0:6.2f} s  {mb / (t1 - t0):7.0f} MB/s")
        print(f"upload (log_artifact+wait):   {t2 - t1:6.2f} s  {mb / (t2 - t1):7.0f} MB/s  (target >= 300)")
        print(
            f"download (fetch, verify, link out): {t4 - t3:6.2f} s  {mb / (t4 - t3):7.0f} MB/s  (target >= 300)"
        )
        print(f"peak RSS above baseline: {(peak[0] - base) / 1e6:.0f} MB")
        (tmp / "out" / "big.bin").unlink()
        big.unlink()

        small = tmp / "small"
        for i in range(args.files):
            d = small / f"d{i % 100:02d}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"f{i}.txt").write_text(f"file {i}\n" * 4)
        t5 = time.perf_counter()
        sa = runyard.Artifact("small", "dataset")
        sa.add_dir(small)
        run.log_artifact(sa).wait(600)
        t6 = time.perf_counter()
        print(
            f"log_artifact of {args.files} small files (hash, upload, commit): {t6 - t5:6.2f} s  (target < 5)"
        )
        t7 = time.perf_counter()
        sa2 = runyard.Artifact("small", "dataset")
        sa2.add_dir(small)
        run.log_artifact(sa2).wait(600)
        t8 = time.perf_counter()
        print(f"  again, unchanged (dedup, nothing uploaded): {t8 - t7:6.2f} s")
        t9 = time.perf_counter()
        run.use_artifact("small:latest").download(root=tmp / "small-out")
        t10 = time.perf_counter()
        print(f"  download of the {args.files} files: {t10 - t9:6.2f} s")
        run.finish()
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
