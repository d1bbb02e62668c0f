"""Public reader of run logs: `runyard.runlog.read(path)` with no server and no network.

rd = runyard.runlog.read("runyard/offline-run-20261128_101500-abc12345")
rd.config, rd.summary, rd.history(), rd.series("train/loss"), rd.state, rd.tail
"""

from .wire.framing import RunLogError, Tail
from .wire.reader import Record, RunData, iter_records, read
from .wire.rundir import find_run_dirs, is_live

__all__ = ["Record", "RunData", "RunLogError", "Tail", "find_run_dirs", "is_live", "iter_records", "read"]
