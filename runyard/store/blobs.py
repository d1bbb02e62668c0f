"""Blob storage for run files: a tiny interface, a local-directory implementation.

Blobs are content-addressed (sha256), so uploading the same file twice stores it once and the
client-supplied path never touches the filesystem. An S3 implementation only needs these methods.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol


class BlobStore(Protocol):
    def put_file(self, tmp_path: str, sha256: str) -> None:
        """Take ownership of a finished temporary file whose content hashes to `sha256`."""

    def open(self, sha256: str) -> BinaryIO: ...

    def iter_bytes(self, sha256: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        """The blob's content in pieces (what a download streams)."""

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...

    def iter_blobs(self) -> Iterator[tuple[str, int, float]]:
        """(sha256, size, mtime) of every blob: what `runyard gc` sweeps."""

    def staging(self) -> BlobWriter:
        """A writer that streams an upload to a temporary file while hashing it."""


class BlobWriter:
    def __init__(self, directory: str):
        fd, self.path = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".tmp")
        self._f = os.fdopen(fd, "wb")
        self._h = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._f.write(data)
        self._h.update(data)
        self.size += len(data)

    def finish(self) -> str:
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()
        return self._h.hexdigest()

    def discard(self) -> None:
        if not self._f.closed:
            self._f.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class LocalBlobStore:
    """`<root>/<2 hex>/<62 hex>`; writes are tmp file + fsync + rename, so a crash never leaves half a blob."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def staging(self) -> BlobWriter:
        return BlobWriter(str(self.tmp))

    def put_file(self, tmp_path: str, sha256: str) -> None:
        dest = self._path(sha256)
        if dest.exists():
            os.unlink(tmp_path)
            return
        dest.parent.mkdir(exist_ok=True)
        os.replace(tmp_path, dest)

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")

    def iter_bytes(self, sha256: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        with self.open(sha256) as f:
            while data := f.read(chunk):
                yield data

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def delete(self, sha256: str) -> None:
        try:
            os.unlink(self._path(sha256))
        except FileNotFoundError:
            pass

    def iter_blobs(self) -> Iterator[tuple[str, int, float]]:
        for sub in sorted(os.scandir(self.root), key=lambda e: e.name):
            if len(sub.name) != 2 or not sub.is_dir():
                continue
            for f in os.scandir(sub.path):
                sha = sub.name + f.name
                if len(sha) == 64 and all(c in "0123456789abcdef" for c in sha):
                    st = f.stat()
                    yield sha, st.st_size, st.st_mtime
