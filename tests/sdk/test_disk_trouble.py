"""A full disk never raises into training; once the disk is back nothing is lost."""

from __future__ import annotations

import os
import threading
import time

import pytest

import runyard
from runyard.runlog import read
from runyard.sdk.writer import queued_bytes


def test_full_disk_warns_once_and_recovers_without_loss(workdir, capsys):
    run = runyard.init(
        project="p", mode="offline", settings=runyard.Settings(console="off", x_disable_stats=True)
    )
    run.log({"a": 0})
    run.flush()
    w = run._writer
    real_fd = w._fd
    full = os.open("/dev/full", os.O_WRONLY)  # every write fails with ENOSPC, as on a full disk
    w._fd = full
    for i in range(1, 3000):
        run.log({"a": i})  # never raises
    time.sleep(0.8)
    err = capsys.readouterr().err
    assert err.count("No space left on device") == 1
    w._fd = real_fd  # the disk has room again
    os.close(full)
    for i in range(3000, 3100):
        run.log({"a": i})
    run.finish()
    assert "writable again" in capsys.readouterr().err
    rd = read(run.sync_dir)
    assert rd.tail.clean and rd.series("a")[1] == list(range(3100))


@pytest.mark.parametrize("keys", [1, 1000])
def test_queue_is_bounded_in_bytes_when_the_disk_is_slow(workdir, capsys, keys):
    """The bound holds for narrow and wide rows alike: it counts bytes, not log() calls."""
    bound = 1 << 20
    run = runyard.init(
        project="p",
        mode="offline",
        settings=runyard.Settings(console="off", x_disable_stats=True, max_queue_bytes=bound),
    )
    w = run._writer
    real_cycle, real_backpressure = w.cycle, run._backpressure
    disk_back = threading.Event()

    def hung_cycle():  # the disk hangs until log() has had to wait for it
        disk_back.wait()
        real_cycle()

    def backpressure():
        disk_back.set()
        real_backpressure()

    w.cycle, run._backpressure = hung_cycle, backpressure
    names = [f"k{j}" for j in range(keys)]
    steps = 20_000 if keys == 1 else 300  # 3 MB or 9.6 MB of queued data: over the bound
    peak = 0
    for i in range(steps):
        run.log(dict.fromkeys(names, float(i)))
        peak = max(peak, run._queued_bytes - w.drained_bytes)
    run.finish()
    assert peak <= bound + queued_bytes(keys)
    assert capsys.readouterr().err.count("faster than the run log can be written") == 1
    assert read(run.sync_dir).series(names[-1])[1] == [float(i) for i in range(steps)]
