"""MD5s of blobs, which wandb names files by (runyard's blobs are named by sha256).

wandb's file `md5`, artifact entry digests and artifact cache are base64 MD5s. The index is a pair of
tiny files per blob under `RUNYARD_HOME/compat/wandb/md5/`: `sha/<sha256>` holds the hex MD5 and
`md5/<hex md5>` the sha256, written when an upload arrives (hashed while streamed) or, for blobs that
arrived another way, computed once on first request. Lookups by MD5 let an artifact file that the
server already holds skip its upload (`uploadUrl: null`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

_HEX = re.compile(r"^[0-9a-f]{32}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def hex_of_b64(b64: str) -> str | None:
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        return None
    return raw.hex() if len(raw) == 16 else None


def b64_of_hex(hexmd5: str) -> str:
    return base64.b64encode(bytes.fromhex(hexmd5)).decode()


class Md5Index:
    def __init__(self, root: Path):
        self.root = root

    def _write(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def add(self, sha256: str, hexmd5: str) -> None:
        if not _SHA.match(sha256) or not _HEX.match(hexmd5):
            return
        self._write(self.root / "sha" / sha256, hexmd5)
        self._write(self.root / "md5" / hexmd5, sha256)

    def md5_of(self, sha256: str) -> str | None:
        if not _SHA.match(sha256):
            return None
        try:
            return (self.root / "sha" / sha256).read_text().strip() or None
        except FileNotFoundError:
            return None

    def sha_of(self, hexmd5: str) -> str | None:
        if not _HEX.match(hexmd5):
            return None
        try:
            return (self.root / "md5" / hexmd5).read_text().strip() or None
        except FileNotFoundError:
            return None

    def hex_of_blob(self, store: Any, sha256: str) -> str:
        """The blob's hex MD5, computed (streaming) and remembered on first use."""
        got = self.md5_of(sha256)
        if got:
            return got
        h = hashlib.md5()
        for chunk in store.blobs.iter_bytes(sha256):
            h.update(chunk)
        self.add(sha256, h.hexdigest())
        return h.hexdigest()

    def b64_of_blob(self, store: Any, sha256: str) -> str | None:
        try:
            return b64_of_hex(self.hex_of_blob(store, sha256))
        except (FileNotFoundError, OSError):
            return None
