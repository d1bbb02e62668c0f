"""Moving artifact bytes: the commit protocol, parallel streaming uploads, verified resumable downloads.

A large blob is one stream, never whole in memory: uploaded file-to-socket (Client.send_file, i.e.
os.sendfile), downloaded in BLOCK pieces, received and hashed by one thread while a second writes
(`_receive`). Where the server's blob store signs URLs (S3), large blobs go to and from the object
store directly: the server only signs (`_put_direct`, the 307 of a `?direct=1` download). Blobs up to SMALL_BLOB travel in batches of frames both ways (`_put_batch`,
`fetch_blobs`), each verified separately. Transfers run in a small thread pool, one HTTP connection
per thread.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import os
import queue
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import CommError, Error
from ..http_client import ApiError, Client, signed_url_client
from ..threads import signals_blocked
from ..threads import start as start_thread
from .cache import ArtifactCache

WORKERS = 8
BLOCK = 4 << 20  # bytes per read/write of a transfer
PIPELINE_MIN = 2 * BLOCK  # bodies from this size on are received and written by two threads
SMALL_BLOB = 1 << 20  # blobs up to this size are uploaded in batches (POST /api/v1/blobs/batch) ...
BATCH_BYTES = 4 << 20  # ... of at most this many bytes ...
BATCH_BLOBS = 500  # ... and this many blobs
BATCH_TYPE = "application/vnd.runyard.blobs"
FRAME_HEADER = 64 + 8  # a batch frame: <sha256 hex><size, 8 bytes big-endian><content>


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
    direct_blobs: int = 0  # uploaded or downloaded through URLs of the object store the server signed
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


def registry_api_path(entity: str, registry: str, collection: str, ref: str | None = None) -> str:
    p = f"/api/v1/registries/{q(entity)}/{q(registry)}/{q(collection)}"
    return p if ref is None else p + "/" + q(ref)


class Transport:
    """One client per thread, all for the same server and key."""

    def __init__(self, base_url: str, api_key: str | None, workers: int = WORKERS):
        self.base_url, self.api_key, self.workers = base_url, api_key, workers
        self._local = threading.local()
        self._all: list[Client] = []
        self._lock = threading.Lock()
        self.batches = True  # the server takes POST /api/v1/blobs/batch (until it answers 404)
        self.direct = True  # the server may sign URLs for blob transfers (until it answers 404)

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
            with signals_blocked():  # map() submits every item, so the pool's threads start here
                results = ex.map(fn, items)
            return list(results)

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
        small = [s for s in missing if sizes.get(s, SMALL_BLOB + 1) <= SMALL_BLOB]
        if transport.batches and len(small) > 1:
            large = [s for s in missing if sizes.get(s, SMALL_BLOB + 1) > SMALL_BLOB]
            jobs: list[Callable[[], None]] = [
                functools.partial(_put_blob, transport, name, source, stats, bar, sha) for sha in large
            ]
            jobs += [
                functools.partial(_put_batch, transport, name, source, stats, bar, group)
                for group in batches(small, sizes, transport.workers)
            ]
        else:
            jobs = [functools.partial(_put_blob, transport, name, source, stats, bar, sha) for sha in missing]
        try:
            transport.map(lambda job: job(), jobs)
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
            if not _put_direct(transport, sha, f, size, bar, stats):
                transport.client().send_file(f"/api/v1/blobs/{sha}", f, size, bar.update)
        except ApiError as e:
            if e.code in ("checksum_mismatch", "source_changed", "upload_refused"):
                raise ArtifactChecksumError(
                    f"artifact {name}: {src} changed after it was added to the artifact"
                ) from None
            raise
    stats.add(uploaded_blobs=1, uploaded_bytes=size)


def _put_direct(transport: Transport, sha: str, f: Any, size: int, bar: Any, stats: Stats) -> bool:
    """Through a URL of the object store the server signs (False where it cannot sign)."""
    if not transport.direct:
        return False
    client = transport.client()
    client.direct = transport.direct
    done = client.put_blob_direct(sha, f, size, bar.update)
    transport.direct = client.direct
    if done:
        stats.add(direct_blobs=1)
    return done


def batches(shas: list[str], sizes: dict[str, int], workers: int) -> list[list[str]]:
    """Small blobs in groups of at most BATCH_BYTES and BATCH_BLOBS, enough groups to keep the workers busy."""
    per = max(1, min(BATCH_BLOBS, -(-len(shas) // workers)))
    out: list[list[str]] = []
    cur: list[str] = []
    nbytes = 0
    for sha in shas:
        size = sizes.get(sha, 0)
        if cur and (len(cur) >= per or nbytes + size > BATCH_BYTES):
            out.append(cur)
            cur, nbytes = [], 0
        cur.append(sha)
        nbytes += size
    if cur:
        out.append(cur)
    return out


def _put_batch(
    transport: Transport,
    name: str,
    source: Callable[[str], str | None],
    stats: Stats,
    bar: Any,
    shas: list[str],
) -> None:
    """POST small blobs as one body of frames (<sha256 hex><8-byte size><content>); a server without the
    batch endpoint gets them one PUT each."""
    if not transport.batches:
        for sha in shas:
            _put_blob(transport, name, source, stats, bar, sha)
        return
    parts: list[bytes] = []
    paths: dict[str, str] = {}
    total = 0
    for sha in shas:
        src = source(sha)
        try:
            if src is None:
                raise FileNotFoundError(sha)
            with open(src, "rb") as f:
                data = f.read(SMALL_BLOB + 1)
        except FileNotFoundError:
            raise Error(f"artifact {name}: the file with sha256 {sha} is gone (was it deleted?)") from None
        paths[sha] = src
        parts += (sha.encode(), len(data).to_bytes(8, "big"), data)
        total += len(data)
    try:
        transport.client().request(
            "POST", "/api/v1/blobs/batch", body=b"".join(parts), content_type=BATCH_TYPE
        )
    except ApiError as e:
        if e.status in (404, 405):  # an older server: one request per blob
            transport.batches = False
            _put_batch(transport, name, source, stats, bar, shas)
            return
        if e.code == "checksum_mismatch":
            bad = str((e.body.get("error") or {}).get("sha256"))
            raise ArtifactChecksumError(
                f"artifact {name}: {paths.get(bad, bad)} changed after it was added to the artifact"
            ) from None
        raise
    stats.add(uploaded_blobs=len(shas), uploaded_bytes=total)
    bar.update(total)


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
        url = f"{version_path}/blobs/{sha}" + ("?direct=1" if transport.direct else "")
        resp = client.open_stream(url, headers, ok=(200, 206, 307))
        signed: Client | None = None
        if resp.status == 307:  # a URL of the object store, signed by the server: no key goes there
            location = resp.getheader("Location") or ""
            resp.read()
            signed, path = signed_url_client(location)
            client = signed
            resp = signed.open_stream(path, headers)
        try:
            mode = "ab"
            if have and resp.status != 206:  # the server sent everything: start over
                h, mode, have = hashlib.sha256(), "wb", 0
            with open(part, mode) as f:
                _receive(resp, f, h, size - have, stats, progress)
        except BaseException:
            client.close()  # the connection is mid-body; the part file keeps what arrived
            raise
        if signed is not None:
            signed.close()
            stats.add(direct_blobs=1)
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


def fetch_blobs(
    transport: Transport,
    version_path: str,
    sizes: dict[str, int],
    cache: ArtifactCache,
    stats: Stats,
    progress: Callable[[int], None],
) -> None:
    """Put several small blobs in the cache with one request (POST .../blobs, frames back), each
    verified against its sha256 before it is adopted. A server without that endpoint: one GET each."""
    shas = [s for s in sizes if not cache.has(s, sizes[s])]
    if not transport.batches or len(shas) <= 1:
        for sha in shas:
            fetch_blob(transport, version_path, sha, sizes[sha], cache, stats, progress)
        return
    client = transport.client()
    try:
        resp = client.post_json_stream(f"{version_path}/blobs", {"sha256": shas})
    except ApiError as e:
        if e.status not in (404, 405):
            raise
        if e.status == 405 or e.code == "http_error":  # no such endpoint (an older server)
            transport.batches = False
        for sha in shas:
            fetch_blob(transport, version_path, sha, sizes[sha], cache, stats, progress)
        return
    try:
        tmp = cache.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        for want in shas:
            head = _read_exact(resp, FRAME_HEADER)
            sha, size = head[:64].decode("ascii", "replace"), int.from_bytes(head[64:], "big")
            if sha != want or size != sizes[sha]:
                raise ArtifactChecksumError(
                    f"{version_path}: the server sent {size} bytes for blob {sha}, not {sizes[want]} bytes "
                    f"for {want} (nothing was kept of it)"
                )
            data = _read_exact(resp, size)
            got = hashlib.sha256(data).hexdigest()
            if got != sha:
                raise ArtifactChecksumError(
                    f"downloaded bytes of {version_path} blob {sha} hash to {got}; the file is corrupt on "
                    "the server or was damaged in transit (nothing was kept)"
                )
            part = cache.part_path(sha)
            with open(part, "wb") as f:
                f.write(data)
            cache.adopt(part, sha)
            stats.add(downloaded_blobs=1, downloaded_bytes=size)
            progress(size)
        if resp.read(1):
            raise ArtifactChecksumError(f"{version_path}: the server sent more blobs than were asked for")
    except BaseException:
        client.close()  # the answer may be unread: never reuse this connection
        raise


def _read_exact(resp: Any, n: int) -> bytes:
    try:
        data = resp.read(n)
    except (OSError, http.client.HTTPException) as e:
        raise CommError(f"the server's answer broke off: {e}") from None
    if len(data) != n:
        raise CommError(f"the server's answer ended early ({len(data)} of {n} bytes)")
    return data


def _receive(resp: Any, f: Any, h: Any, expect: int, stats: Stats, progress: Callable[[int], None]) -> None:
    """Read the body into `f` while hashing it into `h`. A large body is pipelined: this thread
    receives and hashes one block while a second thread writes the previous one (two buffers, so
    memory stays at 2 * BLOCK per download)."""
    if expect < PIPELINE_MIN:
        while block := resp.read(BLOCK):
            f.write(block)
            h.update(block)
            stats.add(downloaded_bytes=len(block))
            progress(len(block))
        return
    free: queue.Queue = queue.Queue()
    full: queue.Queue = queue.Queue()
    for _ in range(2):
        free.put(memoryview(bytearray(BLOCK)))
    failed: list[BaseException] = []

    def writer() -> None:
        while (item := full.get()) is not None:
            buf, n = item
            try:
                if not failed:
                    f.write(buf[:n])
            except BaseException as e:  # noqa: BLE001 - handed to the receiving thread
                failed.append(e)
            free.put(buf)

    t = threading.Thread(target=writer, name="runyard-artifact-write", daemon=True)
    start_thread(t)
    try:
        while not failed:
            buf = free.get()
            n = _fill(resp, buf)
            if not n:
                free.put(buf)
                break
            h.update(buf[:n])
            full.put((buf, n))
            stats.add(downloaded_bytes=n)
            progress(n)
    finally:
        full.put(None)
        t.join()
    if failed:
        raise failed[0]


def _fill(resp: Any, buf: memoryview) -> int:
    """Read into `buf` until it is full or the body ends; returns the bytes read."""
    n = 0
    while n < len(buf):
        got = resp.readinto(buf[n:])
        if not got:
            break
        n += got
    return n
