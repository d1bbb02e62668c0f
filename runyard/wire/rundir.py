"""Layout of a run directory, shared by the SDK (writes it) and readers (CLI, sync, server import).

<root>/runyard/offline-run-<YYYYmmdd_HHMMSS>-<id>/     (online runs: run-<ts>-<id>/)
    run-<id>.rylog       the run log: every record of the run
    files/               media, saved files, code/, requirements.txt, diff.patch
    .lock                held (flock) while the writing process lives
    .synced              written by `runyard sync` once the server has everything
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .names import PROJECT_RULE, valid_project_name

RUNS_FOLDER = "runyard"
LOCK_NAME = ".lock"
DIR_RE = re.compile(r"^(offline-run|run)-(\d{8}_\d{6})-([A-Za-z0-9_-]+)$")

try:
    import fcntl
except ImportError:  # Windows: no liveness detection, runs without an exit record show as "running"
    fcntl = None  # type: ignore[assignment]


def check_run_id(run_id: object) -> str:
    """`run_id` if it can name a run directory (the name rule, wire/names.py); ValueError otherwise
    (e.g. an imported `../../x`)."""
    if not valid_project_name(run_id):
        raise ValueError(f"run id {str(run_id)[:80]!r} must be {PROJECT_RULE}")
    return str(run_id)


def run_dir_name(offline: bool, stamp: str, run_id: str) -> str:
    return f"{'offline-run' if offline else 'run'}-{stamp}-{check_run_id(run_id)}"


def log_name(run_id: str) -> str:
    return f"run-{check_run_id(run_id)}.rylog"


def is_run_dir(p: Path) -> bool:
    return p.is_dir() and DIR_RE.match(p.name) is not None and any(p.glob("*.rylog"))


def find_run_dirs(path: str | os.PathLike) -> list[Path]:
    """A run directory itself, or every run directory below a folder (e.g. ./runyard), oldest first."""
    p = Path(path)
    if is_run_dir(p) or (p.is_file() and p.suffix == ".rylog"):
        return [p]
    found: list[Path] = []
    for cand in (p, p / RUNS_FOLDER):
        if cand.is_dir():
            found.extend(c for c in cand.iterdir() if is_run_dir(c))
    return sorted(set(found), key=_stamp)


def find_sweep_dirs(path: str | os.PathLike) -> list[Path]:
    """Local sweep directories (runyard/sweeps/local.py) at `path`: the directory itself, or those
    under sweeps/ or runyard/sweeps/ below it (where `runyard sweep --local` puts them). Here rather
    than beside the sweep code so that `runyard sync` finds them without importing it (and YAML)."""
    p = Path(path)
    if is_sweep_dir(p):
        return [p]
    found: list[Path] = []
    for base in (p, p / "sweeps", p / RUNS_FOLDER / "sweeps"):
        if base.is_dir():
            found.extend(c for c in sorted(base.glob("sweep-*")) if is_sweep_dir(c))
    return found


def is_sweep_dir(p: Path) -> bool:
    """A local sweep's directory (not merely a folder holding a sweep config named sweep.yaml)."""
    return (p / "sweep.yaml").is_file() and (p / "state").is_file() and (p / "trials").is_dir()


def _stamp(p: Path) -> str:
    m = DIR_RE.match(p.name)
    return m.group(2) + m.group(3) if m else p.name


class RunLock:
    """An exclusive flock on <run dir>/.lock, held while the run's process lives.

    The kernel drops it when the process dies, even by SIGKILL, so a reader can tell a live run
    from a crashed one without heartbeats.
    """

    def __init__(self, run_dir: str | os.PathLike):
        self.path = os.path.join(run_dir, LOCK_NAME)
        self.fd: int | None = None

    def acquire(self) -> bool:
        if fcntl is None:
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)  # closing drops the flock
            except OSError:
                pass
            self.fd = None


def is_live(run_dir: str | os.PathLike) -> bool:
    """True while some process holds the run's lock (i.e. is still writing it)."""
    if fcntl is None:
        return False
    path = os.path.join(run_dir, LOCK_NAME)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False
