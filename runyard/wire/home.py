"""Where runyard keeps its files, and how private files in it are written.

The SDK (credentials lookup) and the server (first-start credentials) share this: the home directory
and the credentials format are a contract between them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

CREDENTIALS_NAME = "credentials"


def runyard_home(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("RUNYARD_HOME") or os.path.join(os.path.expanduser("~"), ".runyard"))


def private_dir(path: str | os.PathLike) -> Path:
    """Create the folder `path` (and missing parents) for the owner only: 0700 whatever the umask.
    A folder that exists is left as it is (its owner may have opened it on purpose)."""
    p = Path(path)
    missing = []
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by another process: keep its mode
            continue
        os.chmod(d, 0o700)  # mkdir's mode is masked by the umask
    return Path(path)


def private_file(path: str | os.PathLike) -> None:
    """Create an empty file readable by the owner only (0600 whatever the umask), unless it exists.
    SQLite gives its -wal and -shm files the mode of the database file: they follow it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else os.chmod(path, 0o600)
    finally:
        os.close(fd)


def write_private_json(path: Path, doc: dict) -> None:
    """Write `doc` to `path` readable by the owner only (created 600, replaced atomically)."""
    private_dir(path.parent)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
