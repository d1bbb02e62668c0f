"""Relative paths that clients name: run files, media references, artifact entries.

One rule for all of them, applied where a path is stored (server) and where it is followed (SDK,
`runyard.Api`, importers): relative, '/'-separated, no '.', '..' or empty components, no leading '/'
or drive, no backslashes or control characters. A path that passes cannot leave the folder or URL
prefix it is joined to. The web UI applies the same rule before it builds a file URL
(web/src/core/paths.ts).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

MAX_PATH = 1024


class BadPath(ValueError):
    """A path that could escape the folder it names a file in, or is not portable."""


def clean_path(path: Any, what: str = "file path") -> str:
    """`path` normalised; raises BadPath (naming `what`) for a path that breaks the rule above."""
    if not isinstance(path, str) or not path or len(path) > MAX_PATH:
        raise BadPath(f"{what} must be 1 to {MAX_PATH} characters, got {str(path)[:80]!r}")
    if "\\" in path or any(ord(c) < 32 for c in path):
        raise BadPath(f"{what} {path!r} must not contain backslashes or control characters")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise BadPath(f"{what} {path!r} must be relative (no leading '/' or drive)")
    if any(p in ("..", ".", "") for p in path.split("/")):
        raise BadPath(f"{what} {path!r} must not contain '.', '..' or empty components")
    return posixpath.normpath(path)


# keys of a media value (a dict with `_type`, as the SDK and wandb log them) that name run files
_PATH_KEY = "path"
_PATH_LIST_KEY = "filenames"


def media_paths(value: Any) -> Iterator[str]:
    """Every file path a logged value names: `path` and `filenames` inside dicts that carry `_type`
    (images, audio, tables, html...; masks and boxes nest their own). Iterative, so depth is free."""
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        v, media = stack.pop()
        if isinstance(v, dict):
            media = media or isinstance(v.get("_type"), str)
            for k, x in v.items():
                if media and k == _PATH_KEY and isinstance(x, str):
                    yield x
                elif media and k == _PATH_LIST_KEY and isinstance(x, list):
                    yield from (f for f in x if isinstance(f, str))
                elif isinstance(x, (dict, list)):
                    stack.append((x, media))
        elif isinstance(v, list):
            stack.extend((x, media) for x in v if isinstance(x, (dict, list)))


def check_media_paths(value: Any) -> None:
    """Raise BadPath when a media value names a file outside its run (the UI fetches these paths)."""
    for p in media_paths(value):
        clean_path(p, "media file path")
