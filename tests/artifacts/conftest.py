"""Artifact tests: a real server (SQLite and PostgreSQL, from the server suite's fixtures) and the SDK
in this process, online against it, with the client cache and working directory isolated."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolated_sdk
from tests.server.conftest import (  # noqa: F401  (fixtures)
    cli,
    client_env,
    config,
    db_url,
    home,
    pg_database,
    pytest_configure,
    server,
)


@pytest.fixture
def env(server, home, tmp_path, monkeypatch) -> Iterator[Path]:  # noqa: F811
    """cwd = tmp/work; the SDK finds the server through its credentials file; cache in tmp/cache."""
    yield from isolated_sdk(monkeypatch, home, tmp_path / "work", cache=tmp_path / "cache")


@pytest.fixture
def settings():
    import runyard

    return runyard.Settings(console="off", x_disable_stats=True, silent=True, save_requirements=False)


def blob_count(home_dir: Path) -> int:
    return len(stored_blobs(home_dir))


def stored_blobs(home_dir: Path) -> set[str]:
    """The sha256 of every blob in the server's store. Run files (requirements, metadata, logs) land
    there too, uploaded while a test runs: compare the blobs of known contents, not totals."""
    root = home_dir / "blobs"
    if not root.exists():
        return set()
    return {d.name + f.name for d in root.iterdir() if len(d.name) == 2 for f in d.iterdir()}


def sha256_of(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path
