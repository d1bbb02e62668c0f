"""Moving artifact bytes: the commit protocol, parallel streaming uploads, verified resumable downloads.

Every body is streamed in 1 MiB blocks (sync_client.Client.put_stream / open_stream), so a 1 GB file
never sits in memory. Transfers run in a small thread pool, one HTTP connection per thread.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import CommError, Error
from ..sync_client import ApiError, Client
from .cache import ArtifactCache

WORKERS = 8
BLOCK = 1 << 20


class ArtifactChecksumError(Error):
    """Downloaded (or uploaded) bytes do not hash to the sha256 the manifest names."""


@dataclass
class Stats:
    """What one transfer moved: tests and benchmarks read these."""

    uploaded_blobs: int = 0
    uploaded_bytes: int = 0
    downloaded_blobs: int = 0
    downloaded_bytes: int = 0
    cached_blobs: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **kw: int) -> None:
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def artifact_path(entity: str, project: str, name: str, ref: str | None = None) -> str:
    p = f"/api/v1/artifacts/{q(entity)}/{q(project)}/{q(name)}"
    return p if ref is None else p + "/" + q(ref)


class Transport:
    """One client per thread, all for the same server and key."""

    def __init__(self, base_url: str, api_key: str | None, workers: int = WORKERS):
        self.base_url, self.api_key, self.workers = base_url, api_key, workers
        self._local = threading.local()
        self._all: list[Client] = []
        self._lock = threading.Lock()

    @classmethod
    def like(cls, client: Client) -> Transport:
        return cls(client.base_url, client.api_key)

    def client(self) -> Client:
        c = getattr(self._local, "client", None)
        if c is None:
            c = Client(self.base_url, self.api_key, timeout=300.0)
            self._local.client = c
            with self._lock:
                self._all.append(c)
        return c

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        items = list(items)
        if len(items) <= 1:
            return [fn(x) for x in items]
        with ThreadPoolExecutor(min(self.workers, len(items)), thread_name_prefix="runyard-artifact") as ex:
            return list(ex.map(fn, items))

    def close(self) -> None:
        with self._lock:
            for c in self._all:
                c.close()
            self._all.clear()


def progress_bar(total: int, desc: str) -> Any:
    """A tqdm bar when tqdm is installed and stderr is a terminal; otherwise a silent counter."""
    try:
        from tqdm import tqdm

        return tqdm(total=total, unit="B", unit_scale=True, desc=desc, disable=None, leave=False)
    except ImportError:
        return _NoBar()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


# -- upload -------------------------------------------------------------------------------------------
def commit(
    transport: Transport,
    entity: str,
    project: str,
    name: str,
    doc: dict,
    source: Callable[[str], str | None],
    stats: Stats,
    quiet: bool = False,
) -> dict:
    """POST the manifest; upload the blobs the server lacks (from `source(sha256)` paths); POST again."""
    client = transport.client()
    path = artifact_path(entity, project, name)
    sizes = {e["sha256"]: e["size"] for e in doc["manifest"] if e.get("sha256")}
    for _attempt in range(3):
        resp = client.post_json(path, doc)
        if resp.get("state") != "pending":
            return resp
        missing = resp.get("missing") or []
        bar = progress_bar(sum(sizes.get(s, 0) for s in missing), f"upload {name}") if not quiet else _NoBar()
        try:
            transport.map(functools.partial(_put_blob, transport, name, source, stats, bar), missing)
        finally:
            bar.close()
    raise CommError(f"artifact {name}: the server kept asking for blobs that were uploaded")


def _put_blob(
    transport: Transport, name: str, source: Callable[[str], str | None], stats: Stats, bar: Any, sha: str
) -> None:
    src = source(sha)
    if src is None or not os.path.exists(src):
        raise Error(f"artifact {name}: the file with sha256 {sha} is gone (was it deleted?)")
    size = os.path.getsize(src)
    with open(src, "rb") as f:
        try:
            transport.client().put_stream(f"/api/v1/blobs/{sha}", f, size, bar.update)
        except ApiError as e:
            if e.code == "checksum_mismatch":
                raise ArtifactChecksumError(
                    f"artifact {name}: {src} changed after it was added to the artifact"
                ) from None
            raise
    stats.add(uploaded_blobs=1, uploaded_bytes=size)


# -- download -----------------------------------------------------------------------------------------
def fetch_blob(
    transport: Transport,
    version_path: str,
    sha: str,
    size: int,
    cache: ArtifactCache,
    stats: Stats,
    progress: Callable[[int], None],
) -> Path:
    """Put blob `sha` in the cache: resume a partial download, verify the sha256, then adopt it."""
    if cache.has(sha, size):
        cache.touch(sha)
        stats.add(cached_blobs=1)
        return cache.obj_path(sha)
    part = cache.part_path(sha)
    part.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        h = hashlib.sha256()
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        if have:  # the bytes already here count towards the hash
            with open(part, "rb") as f:
                while block := f.read(BLOCK):
                    h.update(block)
            progress(have)
        client = transport.client()
        headers = {"Range": f"bytes={have}-"} if have else {}
        resp = client.open_stream(f"{version_path}/blobs/{sha}", headers)
        try:
            mode = "ab"
            if have and resp.status != 206:  # the server sent everything: start over
                h, mode, have = hashlib.sha256(), "wb", 0
            with open(part, mode) as f:
                while block := resp.read(BLOCK):
                    f.write(block)
                    h.update(block)
                    stats.add(downloaded_bytes=len(block))
                    progress(len(block))
        except BaseException:
            client.close()  # the connection is mid-body; the part file keeps what arrived
            raise
        if h.hexdigest() == sha and part.stat().st_size == size:
            stats.add(downloaded_blobs=1)
            return cache.adopt(part, sha)
        part.unlink()
        if attempt == 0 and have:  # a corrupt partial file: one clean try
            continue
        raise ArtifactChecksumError(
            f"downloaded bytes of {version_path} blob {sha} hash to {h.hexdigest()}; the file is corrupt "
            "on the server or was damaged in transit (nothing was kept)"
        )
    raise AssertionError("unreachable")
