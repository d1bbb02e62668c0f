"""`run.log_code()`: a run's source files as an artifact of type "code", chosen as wandb chooses them."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

from .artifact import Artifact

# Folders of run data (ours and wandb's), never source code.
_RUN_DIRS = ("runyard", "wandb", ".wandb")


def is_code_file(path: str) -> bool:
    """The default selection: Python files, Dockerfiles and requirements.txt."""
    f = os.path.basename(path)
    return f.endswith(".py") or f.startswith("Dockerfile") or f == "requirements.txt"


def in_run_dir(path: str, root: str) -> bool:
    return any(os.path.relpath(path, root).startswith(d + os.sep) for d in _RUN_DIRS)


def _call(fn: Callable[..., bool], path: str, root: str) -> bool:
    # wandb accepts both fn(path) and fn(path, root)
    return bool(fn(path, root) if len(inspect.signature(fn).parameters) == 2 else fn(path))


def code_files(root: str, include_fn: Callable[..., bool], exclude_fn: Callable[..., bool]) -> Iterator[str]:
    for dirpath, _dirs, files in os.walk(root):
        for fname in sorted(files):
            path = os.path.join(dirpath, fname)
            if _call(include_fn, path, root) and not _call(exclude_fn, path, root):
                yield path


def default_name(project: str, program: str | None) -> str:
    """wandb's name, `source-<project>-<program path>` with unsafe characters made `_`."""
    rel = os.path.relpath(program) if program else "program"
    if rel.startswith(".."):
        rel = os.path.basename(rel)
    cleaned = re.sub(r"[^a-zA-Z0-9_\-.]", "_", f"source-{project}-{rel}")
    return cleaned if len(cleaned) <= 128 else cleaned[:63] + ".." + cleaned[-63:]


def code_artifact(
    name: str, root: str, include_fn: Callable[..., bool], exclude_fn: Callable[..., bool]
) -> Any:
    """The draft artifact of the matching files under `root` (paths relative to it), or None."""
    root = os.path.abspath(root)
    art = Artifact(name, "code")
    added = False
    for path in code_files(root, include_fn, exclude_fn):
        art.add_file(path, name=os.path.relpath(path, root))
        added = True
    return art if added else None
