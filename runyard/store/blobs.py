"""Blob storage for run files: a tiny interface, a local-directory implementation (the default).

Blobs are content-addressed (sha256), so uploading the same file twice stores it once and the
client-supplied path never touches the filesystem. The S3 implementation (s3blobs.py) adds direct
transfers: URLs the API signs so that clients move the bytes to and from the object store themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from ..wire.home import private_dir

try:
    import fcntl
except ImportError:  # Windows: partial uploads are told apart by age alone
    fcntl = None  # type: ignore[assignment]


class BlobStore(Protocol):
    presigns: bool  # a DirectBlobStore: clients can be sent to the store with signed URLs

    def put_file(self, tmp_path: str, sha256: str) -> None:
        """Take ownership of a finished temporary file whose content hashes to `sha256`."""

    def open(self, sha256: str) -> BinaryIO: ...

    def iter_bytes(self, sha256: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        """The blob's content in pieces (what a download streams)."""

    def exists(self, sha256: str) -> bool: ...

    def present(self, shas: Sequence[str]) -> set[str]:
        """Those of `shas` the store holds (one question per blob, asked together where that is faster)."""

    def delete(self, sha256: str) -> None: ...

    def iter_blobs(self) -> Iterator[tuple[str, int, float]]:
        """(sha256, size, mtime) of every blob: what `runyard gc` sweeps."""

    def staging(self) -> BlobWriter:
        """A writer that streams an upload to a temporary file while hashing it."""

    def sweep_tmp(self, older_than: float) -> int:
        """Remove partial uploads (temporary files no live writer holds) last written before
        `older_than` (epoch seconds); returns how many. A killed server leaves them behind."""

    def put_many(self, blobs: Sequence[tuple[str, bytes | memoryview]]) -> int:
        """Store small blobs whose contents the caller verified against their sha256; returns how
        many were new. One durability barrier for the lot rather than one per blob where possible."""


class DirectBlobStore(BlobStore, Protocol):
    def presign_get(self, sha256: str, expires: float) -> str:
        """A URL that GETs the blob (with ranges) without credentials until `expires` seconds pass."""

    def presign_put(self, sha256: str, size: int, name: str, expires: float) -> tuple[str, dict[str, str]]:
        """A URL, and the headers to send with it, that PUTs `size` bytes hashing to `sha256` into the
        staging object `name` (made of characters [a-z0-9._-])."""

    def adopt(self, name: str, sha256: str, size: int) -> str | None:
        """Move the staged object `name` into place as `sha256`; None, or why it is refused."""

    def presign_put_staged(
        self, name: str, expires: float, hexmd5: str | None = None
    ) -> tuple[str, dict[str, str]]:
        """A URL, and the headers to send with it, that PUTs content whose sha256 and size are not known
        in advance (wandb's clients announce at most an MD5, `hexmd5`) into the staging object `name`."""

    def adopt_hashing(
        self,
        name: str,
        max_bytes: int,
        hexmd5: str | None,
        accept: Callable[[str, int, str], None] | None = None,
    ) -> tuple[str, int, str] | str:
        """Hash the staged object `name` and move it into place as its sha256: (sha256, size, hex
        MD5), or why it is refused (absent, larger than `max_bytes`, another MD5 than `hexmd5` if given).
        `accept(sha256, size, hex MD5)` records it before the staged object goes; when it raises, the
        staged object stays for a retry."""


def direct(blobs: BlobStore) -> DirectBlobStore | None:
    """`blobs` when it can sign URLs for clients, else None."""
    return cast(DirectBlobStore, blobs) if blobs.presigns else None


class BlobWriter:
    def __init__(self, directory: str):
        fd, self.path = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".tmp")
        if fcntl is not None:  # held while the upload lives: the sweep spares files that are locked
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._f = os.fdopen(fd, "wb")
        self._h = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._f.write(data)
        self._h.update(data)
        self.size += len(data)

    def write_unhashed(self, data: bytes) -> None:
        """`write` without the hash: with `hash_only`, lets writing and hashing run in two threads.
        Each piece must get both calls, and the hash calls must come in order."""
        self._f.write(data)

    def hash_only(self, data: bytes) -> None:
        self._h.update(data)
        self.size += len(data)

    def finish(self) -> str:
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()
        return self._h.hexdigest()

    def discard(self) -> None:
        if not self._f.closed:
            with contextlib.suppress(
                OSError
            ):  # e.g. the disk is full: closing flushes what cannot be written
                self._f.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


SYNC_THREADS = 8  # for the whole process: more concurrent syncs only contend in the filesystem's journal
SYNC_CHUNK = 64  # files of a batch written (and kept open) before they are synced together
_sync_pool: Any = None
_sync_pool_lock = threading.Lock()


def _datasync(fd: int) -> None:
    getattr(os, "fdatasync", os.fsync)(fd)


def _sync_fds(fds: list[int]) -> None:
    """Make the contents of these open files durable: in a few shared threads, so that the filesystem
    commits concurrent syncs together rather than one journal commit per file."""
    global _sync_pool
    if len(fds) <= 2:
        for fd in fds:
            _datasync(fd)
        return
    with _sync_pool_lock:
        if _sync_pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _sync_pool = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="runyard-sync")
    list(_sync_pool.map(_datasync, fds))


def sweep_dir(tmp: Path, older_than: float) -> int:
    """Remove the partial uploads in `tmp` (see BlobStore.sweep_tmp)."""
    removed = 0
    for e in os.scandir(tmp):
        if not e.name.endswith(".tmp") or not e.is_file(follow_symlinks=False):
            continue
        try:
            if e.stat().st_mtime >= older_than:
                continue
            with open(e.path, "rb") as f:
                if fcntl is not None:
                    try:
                        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a live upload (of this or another server process)
                os.unlink(e.path)
            removed += 1
        except FileNotFoundError:
            continue  # finished (renamed into place) or removed meanwhile
    return removed


class LocalBlobStore:
    """`<root>/<2 hex>/<62 hex>`; writes are tmp file + fsync + rename, so a crash never leaves half a blob."""

    presigns = False

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        private_dir(self.tmp)

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
        dest.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(tmp_path, dest)

    def open(self, sha256: str) -> BinaryIO:
        return open(self._path(sha256), "rb")

    def put_many(self, blobs: Sequence[tuple[str, bytes | memoryview]]) -> int:
        """Small blobs (already verified) in one go, SYNC_CHUNK at a time: each temporary file is written,
        then all are synced together (fdatasync in shared threads), then renamed into place: still no
        half blob after a crash, at a fraction of the cost of one fsync after another."""
        seen: set[str] = set()
        todo: list[tuple[Path, bytes | memoryview]] = []
        for sha, data in blobs:
            dest = self._path(sha)
            if sha not in seen and not dest.exists():
                seen.add(sha)
                todo.append((dest, data))
        parents: set[Path] = set()
        for i in range(0, len(todo), SYNC_CHUNK):
            chunk = todo[i : i + SYNC_CHUNK]
            fds: list[int] = []
            tmps: list[str] = []
            try:
                try:
                    for _dest, data in chunk:
                        fd, tmp = tempfile.mkstemp(dir=self.tmp, prefix="batch-", suffix=".tmp")
                        fds.append(fd)
                        tmps.append(tmp)
                        view = memoryview(data)
                        while view:
                            view = view[os.write(fd, view) :]
                    _sync_fds(fds)
                finally:
                    for fd in fds:
                        os.close(fd)
                for n, (dest, _data) in enumerate(chunk):
                    if dest.parent not in parents:
                        dest.parent.mkdir(mode=0o700, exist_ok=True)
                        parents.add(dest.parent)
                    os.replace(tmps[n], dest)
                    tmps[n] = ""
            finally:
                for tmp in tmps:  # a failure: nothing of this chunk stays behind in tmp/
                    if tmp:
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(tmp)
        return len(todo)

    def sweep_tmp(self, older_than: float) -> int:
        return sweep_dir(self.tmp, older_than)

    def iter_bytes(self, sha256: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        with self.open(sha256) as f:
            while data := f.read(chunk):
                yield data

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()

    def present(self, shas: Sequence[str]) -> set[str]:
        return {s for s in shas if self.exists(s)}

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
