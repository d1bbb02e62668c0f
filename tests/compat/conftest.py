"""Real wandb offline runs for the importer tests, written by the official client in its own venv.

The client (wandb 0.31.0) lives in a separate virtual environment so runyard never depends on it:
`~/.cache/peer-venvs/v_wandb` when present, else one created under `~/.cache/runyard-test-wandb/<ver>`
(python -m venv + pip install, a minute or two, once). If that install fails the tests skip, unless
CI is set. The runs are written once per session, offline, with wandb's dirs in a temp folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .wandb_scripts import DECODE, FAIL, GOOD

try:  # the server fixtures (a real server on a free port) for test_wandb_sync.py
    import starlette  # noqa: F401
except ImportError:  # the server extra is missing: test_wandb_sync.py skips itself
    pass
else:
    from tests.server.conftest import client_env, config, db_url, home, pg_database, server  # noqa: F401

WANDB_VERSION = "0.31.0"
PEER_VENV = Path.home() / ".cache" / "peer-venvs" / "v_wandb"
CACHE_VENV = Path.home() / ".cache" / "runyard-test-wandb" / WANDB_VERSION


def _has_wandb(python: Path) -> bool:
    if not python.exists():
        return False
    p = subprocess.run(
        [str(python), "-c", "import wandb, numpy, PIL; print(wandb.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return p.returncode == 0 and p.stdout.strip() == WANDB_VERSION


def _give_up(msg: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def wandb_python() -> Path:
    for venv in (PEER_VENV, CACHE_VENV):
        py = venv / "bin" / "python"
        if _has_wandb(py):
            return py
    py = CACHE_VENV / "bin" / "python"
    try:
        CACHE_VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(CACHE_VENV)], check=True, timeout=300)
        p = subprocess.run(
            [str(py), "-m", "pip", "install", "-q", f"wandb=={WANDB_VERSION}", "numpy", "pillow"],
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as e:
        _give_up(f"cannot create a venv with wandb {WANDB_VERSION} for the importer tests: {e}")
    if p.returncode != 0 or not _has_wandb(py):
        _give_up(
            f"pip install wandb=={WANDB_VERSION} failed; importer tests need the official client:\n{p.stderr[-2000:]}"
        )
    return py


def run_wandb(python: Path, script: str, cwd: Path, name: str, expect_rc: int = 0) -> None:
    cwd.mkdir(parents=True, exist_ok=True)
    (cwd / name).write_text(script)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    env.update(
        WANDB_MODE="offline",
        WANDB_SILENT="true",
        WANDB_DIR=str(cwd),
        WANDB_CACHE_DIR=str(cwd / ".wandb-cache"),
        WANDB_CONFIG_DIR=str(cwd / ".wandb-config"),
        WANDB_DATA_DIR=str(cwd / ".wandb-data"),
        WANDB_DISABLE_GIT="true",
    )
    env.pop("PYTHONPATH", None)
    p = subprocess.run([str(python), name], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert p.returncode == expect_rc, p.stdout + p.stderr


@pytest.fixture(scope="session")
def wandb_root(wandb_python, tmp_path_factory) -> Path:
    """A folder holding `wandb/` with two offline runs: a finished one and a failed one."""
    root = tmp_path_factory.mktemp("wandb-runs")
    run_wandb(wandb_python, GOOD, root, "train.py")
    run_wandb(wandb_python, FAIL, root, "crash.py", expect_rc=1)
    return root


@pytest.fixture(scope="session")
def good_run(wandb_root) -> Path:
    return next(
        d for d in _runs(wandb_root) if "hello from the run" in (d / "files" / "output.log").read_text()
    )


@pytest.fixture(scope="session")
def failed_run(wandb_root) -> Path:
    return next(d for d in _runs(wandb_root) if "about to fail" in (d / "files" / "output.log").read_text())


def _runs(root: Path) -> list[Path]:
    return [d for d in sorted((root / "wandb").glob("offline-run-*")) if d.is_dir() and not d.is_symlink()]


def wandb_file(run_dir: Path) -> Path:
    (f,) = run_dir.glob("*.wandb")
    return f


@pytest.fixture(scope="session")
def wandb_decoded(wandb_python, good_run) -> dict:
    """The good run decoded independently, by wandb's own protobuf classes (in its venv)."""
    p = subprocess.run(
        [str(wandb_python), "-c", DECODE, str(wandb_file(good_run))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)
