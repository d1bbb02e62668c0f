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


def write_private_json(path: Path, doc: dict) -> None:
    """Write `doc` to `path` readable by the owner only (created 600, replaced atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
