"""Framework integration tests: real frameworks on tiny models built from configs, no hub downloads,
offline (read back with runyard.runlog) and online against a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.conftest import (  # noqa: F401  (fixtures)
    client_env,
    config,
    db_url,
    home,
    pg_database,
    pytest_configure,
    server,
)


def _isolate(monkeypatch, tmp_path: Path) -> Path:
    for k in list(os.environ):
        if k.startswith(("WANDB_", "RUNYARD_")):
            monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("RUNYARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RUNYARD_CONSOLE", "off")
    monkeypatch.setenv("RUNYARD_SILENT", "true")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def _finish() -> None:
    from runyard.sdk import state

    run = state.current()
    if run is not None:
        run.finish(quiet=True)


@pytest.fixture
def offline(tmp_path, monkeypatch) -> Iterator[Path]:
    """cwd = tmp/work, RUNYARD_MODE=offline."""
    work = _isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("RUNYARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RUNYARD_MODE", "offline")
    yield work
    _finish()


@pytest.fixture
def online(server, home, tmp_path, monkeypatch) -> Iterator[Path]:  # noqa: F811
    """cwd = tmp/work; the SDK finds the real server through its credentials file."""
    work = _isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("RUNYARD_HOME", str(home))
    yield work
    _finish()
