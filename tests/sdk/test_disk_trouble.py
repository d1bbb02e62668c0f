"""A full disk never raises into training; once the disk is back nothing is lost."""

from __future__ import annotations

import os
import time

import runyard
from runyard.runlog import read


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
