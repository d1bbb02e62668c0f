"""The background writer: drains the run's queue, encodes records and appends them to the run log.

`log()` only appends a tuple to a deque (thread-safe, no lock on the hot path). This thread wakes
every flush interval (or sooner when the queue grows), turns what it finds into records, writes them
and fsyncs every few seconds or megabytes and at the end. A failing disk never raises into
training: the encoded bytes stay in memory, one warning is printed, and writing is retried; log()
stops queueing once the memory held reaches `max_queue_bytes` (run.py).

It shares the interpreter (the GIL) with the training thread, which waits whenever this thread
holds it: up to `sys.getswitchinterval()` (5 ms) if this thread never lets go. Letting go after
every small step is no better: a training thread that never blocks keeps the interpreter until the
switch interval forces it to hand over, so this thread would get one small step per 5 ms and fall
behind. So it works in steps of a few hundred microseconds at most (a slice of the queue, a record
of at most ~64k values, a few C calls per step) and lets go once it has held the interpreter for
SLICE (`_Pacer`), or SLICE_BEHIND while more than DRAIN_BYTES are queued: the training
thread hands over once per switch interval at most, so only the one call in progress then waits
(a fraction of a percent of calls when a call takes a few microseconds), and the writer gets up
to half the interpreter when it must catch up. Its long calls (write, fsync) release it anyway.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable

from ..wire.framing import file_header
from ..wire.history_codec import check_floats_with_msgspec, value_count
from ..wire.record_builder import HISTORY_KIND, RecordBuilder
from ..wire.records import RT

K_HIST = HISTORY_KIND
K_BARRIER = 255
FSYNC_EVERY = 2.0  # seconds between fsyncs at most...
FSYNC_BYTES = 8 << 20  # ...and bytes written between them, so finish()'s fsync stays short
DRAIN_BYTES = 4 << 20  # queued bytes encoded per write (each write lets go of the interpreter)
WIDE = 64  # values in a log() call from which log() checks its floats with msgspec (see history_codec)
_IOV = 256  # buffers per writev

# What a queued log() call holds: its item tuple, step and time (~120 B) and its values: a float row
# (8 B per value, history_codec.float_row) or per value a slot of the values tuple and a value object
# (32 B). The keys tuple is shared (the run interns it).
_CALL_BYTES = 120
_VALUE_BYTES = 32


def queued_bytes(values: tuple | bytes) -> int:
    return _CALL_BYTES + (len(values) if type(values) is bytes else _VALUE_BYTES * len(values))


_WIDE_BYTES = queued_bytes(bytes(8 * WIDE))  # the least a call of WIDE values holds queued


SLICE = 0.002  # seconds this thread holds the interpreter before it lets go (see above)
SLICE_BEHIND = 0.005


class _Pacer:
    """Called between steps of work: lets go of the interpreter once this thread has held it for `slice`."""

    __slots__ = ("since", "slice")

    def __init__(self) -> None:
        self.since = time.perf_counter()
        self.slice = SLICE

    def __call__(self) -> None:
        if time.perf_counter() - self.since >= self.slice:
            time.sleep(0)  # releases the interpreter: a training thread waiting for it takes it now
            self.since = time.perf_counter()


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
        self.unwritten_bytes = 0  # encoded, not yet written: held in memory like the queue
        self._fd: int | None = None
        self._good = 0  # file size after the last complete write
        self._last_fsync = time.monotonic()
        self._dirty = 0  # bytes written since the last fsync
        self._write_error: str | None = None
        self.bytes_written = 0
        self._pace = _Pacer()
        self._wide_seen = False
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
            self.unwritten_bytes += 16

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
                self.unwritten_bytes = 0
                return
            self._open()
            if self._fd is None:
                return
        frames = self._unwritten
        i = off = 0  # the first frame not wholly written, and how much of it is
        try:
            while i < len(frames):
                batch: list[bytes | memoryview] = [memoryview(frames[i])[off:], *frames[i + 1 : i + _IOV]]
                # writev releases the interpreter and needs no joined copy of the frames
                n = os.writev(self._fd, batch) if hasattr(os, "writev") else os.write(self._fd, batch[0])
                while n:
                    rest = len(frames[i]) - off
                    if n < rest:
                        off, n = off + n, 0
                    else:
                        i, off, n = i + 1, 0, n - rest
        except OSError as e:
            # never leave half a record behind: cut back to the last complete write and retry later
            try:
                os.ftruncate(self._fd, self._good)
            except OSError:
                pass
            self._report(f"cannot write the run log {self.path}: {e.strerror}")
            return
        size = self.unwritten_bytes
        self._good += size
        self.bytes_written += size
        self._unwritten = []
        self.unwritten_bytes = 0
        self._dirty += size
        if self._write_error is not None:
            self.warn(f"run log writable again ({self.path})")
            self._write_error = None

    def _fsync(self, force: bool = False) -> None:
        if self._fd is None or not self._dirty:
            return
        now = time.monotonic()
        if force or self._dirty >= FSYNC_BYTES or now - self._last_fsync >= FSYNC_EVERY:
            try:
                os.fsync(self._fd)
            except OSError:
                pass
            self._dirty = 0
            self._last_fsync = now

    # -- encoding -----------------------------------------------------------------------------
    def drain(self, barriers: list[threading.Event]) -> bool:
        """Encode about DRAIN_BYTES of the queue into frames to write; True when more is queued."""
        q = self.q
        pace = self._pace
        out = RecordBuilder(pause=pace)  # the SDK numbers its records at log() time
        frags: list[tuple] = []
        system: list[list] = []
        console: list[list] = []
        popleft = q.popleft
        taken = n = 0
        try:
            while taken < DRAIN_BYTES:
                try:
                    item = popleft()
                except IndexError:
                    break
                n += 1
                if not n & 255:
                    pace()
                k = item[0]
                if k == K_HIST:
                    frags.append(item)
                    v = item[6]
                    nb = queued_bytes(v)
                    taken += nb
                    if nb >= _WIDE_BYTES and not self._wide_seen and value_count(v) >= WIDE:
                        self._wide_seen = True  # imported here, not on the training thread
                        check_floats_with_msgspec()
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
            self.unwritten_bytes += out.nbytes
            self._unwritten.extend(out.take_frames())
            self.drained_bytes += taken  # off the queue either way (now counted as unwritten)
        return bool(q) and taken >= DRAIN_BYTES

    def cycle(self) -> None:
        barriers: list[threading.Event] = []
        try:
            more = True
            pace = self._pace
            while more:
                pace.since = time.perf_counter()  # it just woke or wrote: the interpreter was free
                more = self.drain(barriers)
                pace.slice = SLICE_BEHIND if more else SLICE
                self._write_out()
                self._fsync(force=bool(barriers) and not more)
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
