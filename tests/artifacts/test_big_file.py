"""A 1 GB artifact up and down with memory bounded (streams, never whole files in memory).

The database plays no part in moving bytes, so this runs on SQLite only. ~15 s here; set
RUNYARD_TEST_BIG_MB to change the size. bench/bench_artifacts.py measures throughput.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import psutil
import pytest

import runyard

SIZE_MB = int(os.environ.get("RUNYARD_TEST_BIG_MB", "1024"))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_1gb_round_trip_in_bounded_memory(env, settings, tmp_path):
    big = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    with open(big, "wb") as f:
        for i in range(SIZE_MB):
            f.write(i.to_bytes(8, "little") + block[8:])
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], proc.memory_info().rss)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out = None
    try:
        run = runyard.init(project="p", settings=settings)
        a = runyard.Artifact("big", "model")
        a.add_file(big)
        run.log_artifact(a).wait(120)
        assert a.stats.uploaded_bytes == big.stat().st_size
        got = run.use_artifact("big:latest")
        out = Path(got.download(root=tmp_path / "out")) / "big.bin"
        assert got.stats.downloaded_bytes == big.stat().st_size
        run.finish()
    finally:
        stop.set()
        t.join()
    try:
        assert out is not None and out.stat().st_size == big.stat().st_size
        with open(out, "rb") as f:
            f.seek((SIZE_MB // 2) << 20)
            assert f.read(8) == (SIZE_MB // 2).to_bytes(8, "little")
        assert peak[0] - base < 200 * 1024 * 1024, f"RSS grew by {(peak[0] - base) / 1e6:.0f} MB"
    finally:
        big.unlink()
        if out is not None:
            out.unlink()
