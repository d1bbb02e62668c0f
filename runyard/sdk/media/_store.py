"""Writing media files off the calling thread.

`log()` encodes a media object and hashes it in the caller (so the logged value carries wandb's
`path`, `sha256` and `size`), then hands the bytes to one process-wide writer thread. The thread
writes the file under `<run.dir>/media/...` and only then records it with a FILES record, so a
reader that follows FILES records never sees a half-written file. Creating a file costs 45 µs to
1 ms on the disks we measured; that is why it is not done in the training loop.

Each run gets a `MediaStore` (in its `RunServices`), registered with the parts that `run.finish()`
stops, so that it waits for the run's files (and their FILES records) before it writes the EXIT record. Memory is bounded: when
more than `MAX_PENDING_BYTES` wait for the disk, the caller waits too.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections import deque
from typing import Any

from ...wire.records import RT
from ..services import RunServices
from ..threads import start as start_thread

MAX_PENDING_BYTES = 256 * 1024 * 1024
_BATCH = 256  # files per FILES record at most


class MediaStore:
    """One run's media files: de-duplication, pending count, FILES records, config singletons."""

    def __init__(self, services: RunServices, files_dir: str):
        self.services = services
        self.files_dir = files_dir
        self.enqueued: set[str] = set()
        self.pending = 0
        self.singletons: dict[str, dict] = {}  # `_wandb` config entries already sent
        self._warned = False

    # -- called from the logging thread -------------------------------------------------------
    def put_bytes(self, rel: str, data: bytes) -> None:
        if rel in self.enqueued:
            return
        self.enqueued.add(rel)
        _worker().submit(self, rel, data, None, len(data))

    def put_copy(self, rel: str, src: str, size: int) -> None:
        if rel in self.enqueued:
            return
        self.enqueued.add(rel)
        _worker().submit(self, rel, None, src, min(size, 1 << 20))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every file handed over so far is written and recorded."""
        return _worker().wait_for(self, timeout)

    def stop(self) -> None:  # run.finish() calls this (services.background) before the EXIT record
        self.flush(120.0)

    # -- called from the writer thread --------------------------------------------------------
    def _write(self, rel: str, data: bytes | None, src: str | None, dirs: set[str]) -> bool:
        dest = os.path.join(self.files_dir, rel)
        d = os.path.dirname(dest)
        try:
            if d not in dirs:
                os.makedirs(d, exist_ok=True)
                dirs.add(d)
            if data is not None:
                with open(dest, "wb") as f:
                    f.write(data)
            else:
                shutil.copyfile(src or "", dest)
            return True
        except OSError as e:
            if not self._warned:
                self._warned = True
                self.services.printer.warn(
                    f"could not write media file {rel}: {e.strerror or e}; further media errors are not shown"
                )
            return False

    def _record(self, rels: list[str]) -> None:
        if not rels or self.services.finished():
            return
        for i in range(0, len(rels), _BATCH):
            files = [{"path": r, "policy": "now", "kind": "media"} for r in rels[i : i + _BATCH]]
            try:
                self.services.record(RT.FILES, {"files": files})
            except Exception:
                pass


class _Worker:
    def __init__(self) -> None:
        self.jobs: deque = deque()
        self.cv = threading.Condition()
        self.pending_bytes = 0
        self.thread: threading.Thread | None = None
        self.dirs: set[str] = set()

    def submit(self, store: MediaStore, rel: str, data: bytes | None, src: str | None, cost: int) -> None:
        with self.cv:
            while (
                self.pending_bytes > MAX_PENDING_BYTES and self.thread is not None and self.thread.is_alive()
            ):
                self.cv.wait(0.05)
            self.jobs.append((store, rel, data, src, cost))
            store.pending += 1
            self.pending_bytes += cost
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="runyard-media", daemon=True)
                start_thread(self.thread)
            self.cv.notify_all()

    def wait_for(self, store: MediaStore, timeout: float) -> bool:
        with self.cv:
            return self.cv.wait_for(lambda: store.pending == 0, timeout)

    def _loop(self) -> None:
        while True:
            with self.cv:
                while not self.jobs:
                    self.cv.wait()
                batch: list[tuple] = []
                while self.jobs and len(batch) < _BATCH:
                    batch.append(self.jobs.popleft())
            done: dict[int, tuple[MediaStore, list[str]]] = {}
            try:
                for store, rel, data, src, _cost in batch:
                    ok = store._write(rel, data, src, self.dirs)
                    entry = done.setdefault(id(store), (store, []))
                    if ok:
                        entry[1].append(rel)
                for store, rels in done.values():
                    store._record(rels)
            except Exception:  # never let the thread die: finish() would wait for it
                pass
            with self.cv:
                for store, _rel, _data, _src, cost in batch:
                    store.pending -= 1
                    self.pending_bytes -= cost
                self.cv.notify_all()


_WORKER: _Worker | None = None


def _worker() -> _Worker:
    global _WORKER
    if _WORKER is None:
        _WORKER = _Worker()
    return _WORKER


def _reset_after_fork() -> None:  # the writer thread does not survive fork(); start afresh in the child
    global _WORKER
    _WORKER = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _services(run: Any) -> RunServices | None:
    """A Run's services; None for no run or a disabled one (whose NoopRun answers any attribute)."""
    services = getattr(run, "_services", None)
    return services if isinstance(services, RunServices) else None


def store_for(run: Any) -> MediaStore | None:
    """The run's store, or None when the run keeps nothing on disk (disabled, memory-only)."""
    services = _services(run)
    if services is None or services.files_dir is None:
        return None
    if services.media_store is None:
        services.media_store = MediaStore(services, services.files_dir)
        services.background.append(services.media_store)
    return services.media_store


def flush(run: Any = None, timeout: float = 30.0) -> bool:
    """Block until the media files logged so far to `run` (default: the current run) are on disk."""
    if run is None:
        from .. import state

        run = state.current()
    services = _services(run)
    s = services.media_store if services is not None else None
    return True if s is None else s.flush(timeout)
