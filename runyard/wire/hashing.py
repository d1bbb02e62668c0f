"""The sha256 of a file: the content address of blobs, manifest entries and uploaded run files."""

from __future__ import annotations

import hashlib
import os

BLOCK = 1 << 20


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of the file's bytes (OSError when it cannot be read)."""
    with open(path, "rb") as f:
        if hasattr(hashlib, "file_digest"):  # Python 3.11+: a C loop, no Python per block
            return hashlib.file_digest(f, "sha256").hexdigest()
        h = hashlib.sha256()
        while block := f.read(BLOCK):
            h.update(block)
        return h.hexdigest()
