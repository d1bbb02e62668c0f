"""The background writer: drains the run's queue, encodes records and appends them to the run log.

`log()` only appends a tuple to a deque (thread-safe, no lock on the hot path). This thread wakes
every flush interval (or sooner when the queue grows), turns what it finds into records, writes them
with one `write()` and fsyncs every few seconds and at the end. A failing disk never raises into
training: the bytes stay in memory (bounded), one warning is printed, and writing is retried.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

from ..wire.framing import file_header
from ..wire.record_builder import HISTORY_BATCH, HISTORY_KIND, RecordBuilder
from ..wire.records import RT

K_HIST = HISTORY_KIND
K_BARRIER = 255
FSYNC_EVERY = 2.0
MAX_UNWRITTEN = 256 * 1024 * 1024


# What a queued log() call holds: its item tuple, step and time (~120 B) and per value a slot of the
# values tuple and a float object (32 B); the keys tuple is shared (the run interns it).
_CALL_BYTES = 120
_VALUE_BYTES = 32


def queued_bytes(n_values: int) -> int:
    return _CALL_BYTES + _VALUE_BYTES * n_values


class LogWriter(threading.Thread):
    def __init__(self, path: str | None, queue: deque, flush_interval: float, warn: Callable[[str], None]):
        super().__init__(name="runyard-writer", daemon=True)
        self.path = path
        self.q = queue
        self.flush_interval = min(max(flush_interval, 0.01), 0.5)
        self.warn = warn
        self.wake = threading.Event()
        self._stopping = False
        self._unwritten: list[bytes] = []
        self._unwritten_bytes = 0
        self._dropped_bytes = 0
        self._fd: int | None = None
        self._good = 0  # file size after the last complete write
        self._last_fsync = time.monotonic()
        self._dirty = False
        self._write_error: str | None = None
        self.bytes_written = 0
        self.drained_bytes = 0  # queued_bytes() of the log() calls taken off the queue so far
        if path is not None:
            self._open()

    # -- file handling ------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            fd = os.open(str(self.path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as e:
            self._report(f"cannot open the run log {self.path}: {e.strerror}")
            return
        size = os.fstat(fd).st_size
        self._fd = fd
        self._good = size
        if size == 0:
            self._unwritten.append(file_header())
            self._unwritten_bytes += 16

    def _report(self, msg: str) -> None:
        if self._write_error is None:
            self.warn(f"{msg}; training continues and runyard keeps retrying (data held in memory)")
        self._write_error = msg

    def _write_out(self) -> None:
        if not self._unwritten:
            return
        if self._fd is None:
            if self.path is None:
                self._unwritten.clear()
                self._unwritten_bytes = 0
                return
            self._open()
            if self._fd is None:
                self._bound_memory()
                return
        data = b"".join(self._unwritten)
        view = memoryview(data)
        try:
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
        except OSError as e:
            # never leave half a record behind: cut back to the last complete write and retry later
            try:
                os.ftruncate(self._fd, self._good)
            except OSError:
                pass
            self._unwritten = [data]
            self._report(f"cannot write the run log {self.path}: {e.strerror}")
            self._bound_memory()
            return
        self._good += len(data)
        self.bytes_written += len(data)
        self._unwritten.clear()
        self._unwritten_bytes = 0
        self._dirty = True
        if self._write_error is not None:
            self.warn(
                f"run log writable again ({self.path}); nothing was lost"
                if not self._dropped_bytes
                else f"run log writable again; {self._dropped_bytes} bytes had to be dropped while it was not"
            )
            self._write_error = None

    def _bound_memory(self) -> None:
        while self._unwritten_bytes > MAX_UNWRITTEN and len(self._unwritten) > 1:
            dropped = self._unwritten.pop(1)  # keep the header
            self._unwritten_bytes -= len(dropped)
            self._dropped_bytes += len(dropped)

    def _fsync(self, force: bool = False) -> None:
        if self._fd is None or not self._dirty:
            return
        now = time.monotonic()
        if force or now - self._last_fsync >= FSYNC_EVERY:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            self._dirty = False
            self._last_fsync = now

    # -- encoding -----------------------------------------------------------------------------
    def drain(self) -> list[threading.Event]:
        q = self.q
        out = RecordBuilder()  # the SDK numbers its records at log() time
        frags: list[tuple] = []
        system: list[list] = []
        console: list[list] = []
        barriers: list[threading.Event] = []
        popleft = q.popleft
        values = n_hist = 0
        try:
            while True:
                try:
                    item = popleft()
                except IndexError:
                    break
                k = item[0]
                if k == K_HIST:
                    frags.append(item)
                    n_hist += 1
                    values += len(item[6])
                    if len(frags) >= HISTORY_BATCH:
                        out.history(frags)
                        frags = []
                    continue
                if k == RT.CONSOLE:
                    console.append([item[1], item[2], item[3], item[4]])
                    continue
                if k == RT.SYSTEM:
                    system.append([item[1], item[2], item[3]])
                    continue
                if k == K_BARRIER:
                    barriers.append(item[1])
                    continue
                # order-sensitive records (config, summary, metric, exit, ...) close the current batch
                if frags:
                    out.history(frags)
                    frags = []
                out.emit(k, item[1])
            if frags:
                out.history(frags)
            if system:
                out.emit(RT.SYSTEM, {"samples": system})
            if console:
                out.emit(RT.CONSOLE, {"lines": console})
        finally:  # what was encoded is kept even if a later record fails to encode
            self._unwritten_bytes += out.nbytes
            self._unwritten.extend(out.take_frames())
            self.drained_bytes += n_hist * _CALL_BYTES + values * _VALUE_BYTES  # off the queue either way
        return barriers

    def cycle(self) -> None:
        try:
            barriers = self.drain()
            self._write_out()
            self._fsync(force=bool(barriers))
        except Exception as e:  # the writer must survive anything; losing it would lose the run
            barriers = []
            self._report(f"internal error in the run-log writer: {e!r}")
        for b in barriers:
            b.set()

    # -- thread -------------------------------------------------------------------------------
    def run(self) -> None:
        while True:
            self.wake.wait(self.flush_interval)
            self.wake.clear()
            self.cycle()
            if self._stopping and not self.q:
                break
        self._fsync(force=True)

    def stop(self, timeout: float | None = 60.0) -> bool:
        """Drain everything, fsync, close; True when all was written."""
        self._stopping = True
        self.wake.set()
        self.join(timeout)
        ok = not self.is_alive() and not self._unwritten
        if not self.is_alive():
            if self._unwritten:  # last chance, e.g. the disk came back
                self._write_out()
                ok = not self._unwritten
            self._fsync(force=True)
            if self._fd is not None:
                try:
                    os.close(self._fd)
                except OSError:
                    pass
                self._fd = None
        return ok

    def barrier(self, timeout: float = 10.0) -> bool:
        """Wait until everything enqueued so far is on disk."""
        if not self.is_alive():
            return False
        ev = threading.Event()
        self.q.append((K_BARRIER, ev))
        self.wake.set()
        return ev.wait(timeout)
