"""MD5s of blobs, which wandb names files by (runyard's blobs are named by sha256).

wandb's file `md5`, artifact entry digests and artifact cache are base64 MD5s. The index maps each
blob's sha256 to its hex MD5 and back, written when an upload arrives (hashed while streamed) or, for blobs that
arrived another way, computed once on first request. Both directions live in the database
(`protocol_state`, kinds `sha` and `md5`), which every replica shares. Lookups by MD5 let an artifact file that the
server already holds skip its upload (`uploadUrl: null`).
"""

from __future__ import annotations

import base64
import hashlib
import re
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
    """Both directions in the database (store/protocol_state.py, kinds `sha` and `md5`)."""

    def __init__(self, store: Any):
        self.store = store

    def add(self, sha256: str, hexmd5: str) -> None:
        if not _SHA.match(sha256) or not _HEX.match(hexmd5):
            return
        ps = self.store.protocol

        def in_txn(conn: Any) -> None:
            ps.add(conn, "sha", sha256, hexmd5)
            ps.add(conn, "md5", hexmd5, sha256)

        self.store.db.write(in_txn)

    def _get(self, kind: str, name: str) -> str | None:
        got = self.store.db.read(lambda conn: self.store.protocol.get(conn, kind, name))
        return got if isinstance(got, str) and got else None

    def md5_of(self, sha256: str) -> str | None:
        return self._get("sha", sha256) if _SHA.match(sha256) else None

    def sha_of(self, hexmd5: str) -> str | None:
        return self._get("md5", hexmd5) if _HEX.match(hexmd5) else None

    def hex_of_blob(self, store: Any, sha256: str) -> str:
        """The blob's hex MD5, computed (streaming) and remembered on first use."""
        got = self.md5_of(sha256)
        if got:
            return got
        hasher = hashlib.md5()
        for chunk in store.blobs.iter_bytes(sha256):
            hasher.update(chunk)
        self.add(sha256, hasher.hexdigest())
        return hasher.hexdigest()

    def b64_of_blob(self, store: Any, sha256: str) -> str | None:
        try:
            return b64_of_hex(self.hex_of_blob(store, sha256))
        except (FileNotFoundError, OSError):
            return None
