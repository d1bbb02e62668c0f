"""Console capture: copy this process's stdout/stderr into lines without changing what the terminal shows.

Two modes:

``"wrap"`` (default)
    ``sys.stdout`` / ``sys.stderr`` are replaced by thin tee objects. Every call goes to the original
    stream unchanged (same text, same flushing) and a copy of the text is fed to a line assembler.
    Captured: text written through the ``sys`` attribute at write time, and the output of
    ``logging.StreamHandler`` objects attached to a logger before ``start()`` (pointed at the tee
    until ``stop()``; ``retarget_logging=False`` turns that off). Not captured, but still shown:
    whatever else grabbed the stream object earlier (a handler attached to no logger, a tqdm bar
    created before ``start()``, ``sys.__stdout__``), bytes written to ``sys.stdout.buffer``, and
    C extensions or child processes writing to fd 1/2. Whoever still holds a tee after ``stop()``
    (a handler created while capturing) keeps working: the tee becomes a pure pass-through.

``"redirect"``
    fds 1 and 2 are pointed at a pipe (a pty when the original is a terminal, so ``isatty()`` stays
    true for everyone) and one reader thread per stream writes every byte through to the original fd
    before assembling lines. This also captures C extensions and inherited-fd child processes. If the
    fds cannot be redirected, capture falls back to ``"wrap"`` (see :attr:`ConsoleCapture.mode`).

Line assembly mirrors what the terminal ends up showing on each line: ``\\n`` ends a line, a lone
``\\r`` starts the line over (a progress bar redrawn 1000 times is stored once, in its final state,
without the spaces tqdm pads redraws with), ``\\r\\n`` is a plain line end. ANSI colour codes are kept;
erase-in-line sequences (``ESC[K``, ``ESC[2K``) are applied and dropped. Lines are passed to
``emit(stream, ts, line)`` without the newline, ``ts`` being ``time.time()`` when the line completed.
Nested progress bars (tqdm draws the inner bar one row down and comes back with ``ESC[A``) are
followed too: only the rows the cursor can still return to are held back.

Limits, all of them cosmetic:

- A ``\\r`` redraw keeps the text after the last ``\\r``; a terminal would still show the tail of a
  longer previous text that was not blanked out.
- Of the cursor movements only ``\\n``, ``\\r`` and cursor-up (``ESC[nA``, ``ESC[nF``) are followed;
  others stay in the text as they are. A sequence split across two writes is not recognised.
- With nested bars, the outer bar's first state is emitted once (the cursor has not gone up yet),
  and after the bars end the next line may come out one line late.
- ``"redirect"``: stdout and stderr are read by two threads, so on one terminal their relative
  order can differ slightly from the order of the writes, and emit calls for the two interleave
  accordingly; a terminal resize is not passed on to the pty.
- ``"wrap"``: the tee is not an ``io.TextIOWrapper`` (``isinstance`` checks and
  ``sys.stdout is sys.__stdout__`` see the difference while capturing).
"""

from __future__ import annotations

import atexit
import codecs
import collections
import os
import re
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from .threads import start as start_thread

__all__ = ["MAX_LINE_CHARS", "STDERR", "STDOUT", "ConsoleCapture", "Emit"]

STDOUT = 1
STDERR = 2

Emit = Callable[[int, float, str], None]

# A line still open after this many characters is emitted in pieces, so output that never ends a
# line (a binary dump, a runaway progress bar without \r) cannot grow memory without bound.
MAX_LINE_CHARS = 64 * 1024

# Erase in line, CSI <n> K. The cursor is at the end of the text we hold, so n=1/2 blank everything
# before it and n=0 (the default) erases nothing we hold.
_ERASE_IN_LINE = re.compile(r"\x1b\[([012]?)K")

# Cursor up (n rows, or to the start of the line n rows up), as nested progress bars use it.
_CURSOR_UP = re.compile(r"\x1b\[(\d*)([AF])")
# More nested bars than this are not told apart.
_MAX_REACH = 16

_STREAMS = ((STDOUT, "stdout", 1), (STDERR, "stderr", 2))

_ACTIVE: weakref.WeakSet[ConsoleCapture] = weakref.WeakSet()


class _Guard(threading.local):
    # True while this thread runs capture code (assembling, or inside emit). A write arriving then --
    # from emit itself, a signal handler or a __del__ -- reaches the terminal but is not captured,
    # instead of deadlocking on the lock or recursing forever.
    busy = False


def _clean(text: str, redrawn: bool) -> str:
    if "\x1b[" in text:
        cut = 0
        for m in _ERASE_IN_LINE.finditer(text):
            if m.group(1) in ("1", "2"):
                cut = m.end()
        redrawn = redrawn or cut > 0
        text = _ERASE_IN_LINE.sub("", text[cut:])
    if redrawn:
        # tqdm pads a shorter redraw with spaces to blank out the previous one: erasure, not content.
        text = text.rstrip(" ")
    return text


class _Row:
    """One line on the terminal: its text so far and how it got there."""

    __slots__ = ("parts", "size", "cr", "redrawn", "ts", "shown", "dirty")

    def __init__(self, text: str = "", shown: bool = False):
        self.parts: list[str] = [text] if text else []
        self.size = len(text)
        self.cr = False  # last character was a lone \r: the next text replaces the line
        self.redrawn = False
        self.ts = 0.0  # when the cursor last left it with \n
        self.shown = shown  # already emitted once (see _Assembler._up)
        self.dirty = False

    def text(self) -> str:
        parts = self.parts
        return _clean(parts[0] if len(parts) == 1 else "".join(parts), self.redrawn)


class _Assembler:
    """Turns one stream's text into lines, as a terminal would lay them out.

    Normally only the cursor's line is open and ``\n`` emits it. Nested progress bars (tqdm puts
    the second bar one row down: ``\n``, redraw, ``ESC[A``) move the cursor back up, so once that
    happens the few rows it can reach are held until it can no longer get back to them.
    ``feed``/``flush`` run under ``lock``.
    """

    __slots__ = (
        "stream",
        "closed",
        "lock",
        "_cap",
        "_limit",
        "_row",
        "_above",
        "_below",
        "_reach",
        "_moved",
        "_last",
    )

    def __init__(self, stream: int, cap: ConsoleCapture, limit: int):
        self.stream = stream
        self.closed = False
        # Per stream, so a writer stuck on a full stderr pipe does not hold up stdout.
        self.lock = threading.Lock()
        self._cap = cap
        self._limit = limit
        self._row = _Row()  # the cursor's row
        self._above: list[_Row] = []  # held rows above it, top first
        self._below: list[_Row] = []  # rows below it (the cursor moved up), nearest first
        self._reach = 0  # how many rows up the cursor has been seen to go back
        self._moved = False  # cursor moved up since the last new bottom row
        self._last: str | None = None  # last emitted line, in case the cursor returns to it

    def tee(self, orig: Any, text: Any) -> Any:
        """Write text to the original stream and take a copy; only the original's errors propagate."""
        cap = self._cap
        guard = cap._guard
        if guard.busy or not isinstance(text, str):
            return orig.write(text)
        guard.busy = True
        try:
            # The original write happens under the lock too, so the captured text is in the order
            # the terminal got it even when threads interleave their prints.
            with self.lock:
                n = orig.write(text)
                try:
                    if not self.closed:
                        self.feed(text, cap._ready)
                except Exception:
                    pass  # capture trouble must never break the user's print
            if cap._ready:
                try:
                    cap._drain()
                except Exception:
                    pass
        finally:
            guard.busy = False
        return n

    def copy(self, texts: list[Any], write: Callable[[Any], Any] | None = None) -> None:
        """Take a copy of texts, after ``write(texts)`` (writelines) under the same lock if given.

        Without ``write`` it is redirect mode's reader, whose text already reached the terminal.
        """
        cap = self._cap
        guard = cap._guard
        if guard.busy:
            if write is not None:
                write(texts)
            return
        guard.busy = True
        try:
            with self.lock:
                if write is not None:
                    write(texts)
                try:
                    for text in texts:
                        if isinstance(text, str) and text and not self.closed:
                            self.feed(text, cap._ready)
                except Exception:
                    pass
            if cap._ready:
                try:
                    cap._drain()
                except Exception:
                    pass
        finally:
            guard.busy = False

    def feed(self, text: str, out: collections.deque) -> None:
        # Shortcuts for the two writes print() makes: the text, then "\n".
        if text == "\n" and not self._above and not self._below:
            self._newline(time.time(), out)
            return
        if "\n" not in text:
            row = self._row
            if "\r" in text or "\x1b[" in text or row.cr or row.size + len(text) > self._limit:
                self._add(text, out)
            else:
                row.parts.append(text)
                row.size += len(text)
                row.dirty = True
            return
        pieces = text.split("\n")
        self._add(pieces[0], out)
        now = time.time()
        for piece in pieces[1:]:
            self._newline(now, out)
            self._add(piece, out)

    def _add(self, text: str, out: collections.deque) -> None:
        if "\x1b[" in text:
            pos = 0
            for m in _CURSOR_UP.finditer(text):
                self._add_plain(text[pos : m.start()], out)
                self._up(int(m.group(1) or 1), home=m.group(2) == "F")
                pos = m.end()
            text = text[pos:]
        self._add_plain(text, out)

    def _add_plain(self, text: str, out: collections.deque) -> None:
        if "\r" not in text:
            self._append(text, out)
            return
        segments = text.split("\r")
        self._append(segments[0], out)
        for seg in segments[1:]:
            # Only mark the \r: the old text is dropped when new text arrives, because a \n right
            # after it (possibly in the next write) keeps the line as it is.
            self._row.cr = True
            self._append(seg, out)

    def _append(self, seg: str, out: collections.deque) -> None:
        if not seg:
            return
        row = self._row
        if row.cr:
            row.cr = False
            row.parts = []
            row.size = 0
            row.redrawn = True
        row.parts.append(seg)
        row.size += len(seg)
        row.dirty = True
        if row.size > self._limit:
            text = "".join(row.parts)
            now = time.time()
            while len(text) > self._limit:
                out.append((self.stream, now, text[: self._limit]))
                text = text[self._limit :]
            row.parts = [text]
            row.size = len(text)

    def _newline(self, now: float, out: collections.deque) -> None:
        row = self._row
        row.ts = now
        if self._below:  # down onto a row still on screen (the next progress bar)
            self._above.append(row)
            row = self._row = self._below.pop(0)
            row.cr = True  # column 0: what comes next overwrites it
            return
        if not self._above:  # plain output: the line is final
            self._last = line = row.text()
            out.append((self.stream, now, line))
            row.parts = []  # reused in place: this is half of every print()
            row.size = 0
            row.cr = row.redrawn = row.shown = row.dirty = False
            return
        self._row = _Row()
        self._above.append(row)
        if not self._moved:  # a second new row without the cursor going up: the bars are gone
            self._reach = 0
        self._moved = False
        while len(self._above) > self._reach:
            self._release(self._above.pop(0), out)

    def _release(self, row: _Row, out: collections.deque) -> None:
        line = row.text()
        if not row.shown or row.dirty:
            out.append((self.stream, row.ts, line))
        self._last = line

    def _up(self, n: int, home: bool) -> None:
        for _ in range(n):
            if not self._above:
                if self._last is None:
                    break
                # The row was emitted when the cursor left it; take it back so a redraw (the
                # outer bar) lands there. It is emitted again only if it changes.
                self._above.append(_Row(self._last, shown=True))
                self._last = None
            self._below.insert(0, self._row)
            self._row = self._above.pop()
        if home:
            self._row.cr = True
        self._moved = True
        self._reach = min(max(self._reach, len(self._below)), _MAX_REACH)

    def flush(self) -> list[tuple[float, str]]:
        """Everything still on screen, as final lines; blank rows at the bottom are left out."""
        now = time.time()
        rows = [*self._above, self._row, *self._below]
        self._row, self._above, self._below = _Row(), [], []
        self._reach, self._moved, self._last = 0, False, None
        lines = [(row.ts or now, row.text()) for row in rows if not row.shown or row.dirty]
        while lines and not lines[-1][1].strip():
            lines.pop()
        return lines


class _TeeStream:
    """Stands in for sys.stdout/sys.stderr: the original does all the work, we only read along."""

    __slots__ = ("_orig", "_asm")

    def __init__(self, orig: Any, asm: _Assembler | None):
        object.__setattr__(self, "_orig", orig)
        object.__setattr__(self, "_asm", asm)

    def write(self, s: Any) -> Any:
        asm = self._asm
        if asm is None:
            return self._orig.write(s)
        return asm.tee(self._orig, s)

    def writelines(self, lines: Iterable[Any]) -> None:
        asm = self._asm
        if asm is None:
            self._orig.writelines(lines)
        else:
            asm.copy(list(lines), self._orig.writelines)  # list: a one-shot iterator is read twice

    def flush(self) -> Any:
        return self._orig.flush()  # defined (not delegated) because print(flush=True) is hot

    def __getattr__(self, name: str) -> Any:
        if name in _TeeStream.__slots__:  # half-built instance (copy, pickle): avoid recursion
            raise AttributeError(name)
        return getattr(self._orig, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._orig, name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._orig, name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(self._orig)) | {"write", "writelines", "flush"})

    def __enter__(self) -> _TeeStream:
        self._orig.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._orig.__exit__(*exc)

    def __repr__(self) -> str:
        return f"<runyard console tee of {self._orig!r}>"


class _Channel:
    """One redirected fd: the pipe (or pty) we read, the saved original we write through to."""

    def __init__(self, stream: int, fd: int, saved: int, read_fd: int, encoding: str):
        self.stream = stream
        self.fd = fd
        self.saved = saved
        self.read_fd = read_fd
        self.encoding = encoding
        self.thread: threading.Thread | None = None
        # Both the reader and stop() use `saved`; whoever finishes last closes it, so stop() never
        # dup2()s a number the reader already closed and the OS handed out again.
        self.users = 2
        self.users_lock = threading.Lock()

    def release_saved(self) -> None:
        with self.users_lock:
            self.users -= 1
            last = self.users == 0
        if last:
            _close(self.saved)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _flush(stream: Any) -> None:
    try:
        if stream is not None:
            stream.flush()
    except Exception:
        pass


def _flush_c_stdio() -> None:
    # printf() output of C extensions sits in libc's buffers until flushed; push it into the pipe
    # before the fds are restored so it is captured (and not reordered after later output).
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except Exception:
        pass


def _write_all(fd: int, data: bytes) -> bool:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:  # someone set the terminal non-blocking: wait, do not drop output
            import select

            select.select([], [fd], [], 1.0)
            continue
        except OSError:
            return False
        view = view[n:]
    return True


def _open_channel(saved: int) -> tuple[int, int]:
    """(read end, write end). A pty when the original is a terminal, so isatty() stays true."""
    if os.isatty(saved):
        try:
            import fcntl
            import termios

            master, slave = os.openpty()
            try:
                attrs = termios.tcgetattr(slave)
                attrs[1] &= ~termios.OPOST  # pass bytes unchanged: the real tty does \n -> \r\n
                termios.tcsetattr(slave, termios.TCSANOW, attrs)
                try:  # same size, so get_terminal_size() and tqdm's width stay right
                    size = fcntl.ioctl(saved, termios.TIOCGWINSZ, b"\0" * 8)
                    fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
                except OSError:
                    pass
                return master, slave
            except Exception:
                _close(master)
                _close(slave)
        except (ImportError, OSError):
            pass
    return os.pipe()


class ConsoleCapture:
    """Capture ``sys.stdout``/``sys.stderr`` of this process as lines passed to ``emit``.

    ``emit(stream, ts, line)`` gets :data:`STDOUT` or :data:`STDERR`, the ``time.time()`` at which
    the line completed and the line without its newline. It runs on whichever thread completed the
    line (a reader thread in ``"redirect"`` mode), outside the locks user writes wait on, one call
    at a time and in completion order. It should be quick and must not block (append to a queue):
    the thread that calls it is the one printing, and in ``"redirect"`` mode a slow emit fills the
    pipe and stalls every writer. Exceptions from it are swallowed and counted in
    :attr:`emit_errors`. Output that emit writes itself is shown but not captured in ``"wrap"``
    mode; in ``"redirect"`` mode emit must not write to stdout/stderr at all (it would be read back
    by the thread running it).

    ``mode``: ``"wrap"`` or ``"redirect"`` (see the module docstring); :attr:`mode` tells which one
    is in use after :meth:`start`. ``max_line_chars``: an open line longer than this is emitted in
    pieces. ``drain_timeout``: how long :meth:`stop` waits for the readers to drain the pipes and for
    an emit call in progress on another thread. ``retarget_logging``: point ``logging``
    StreamHandlers that write to the original streams at the tee while capturing.
    """

    def __init__(
        self,
        emit: Emit,
        mode: str = "wrap",
        *,
        max_line_chars: int = MAX_LINE_CHARS,
        drain_timeout: float = 2.0,
        retarget_logging: bool = True,
    ):
        if mode not in ("wrap", "redirect"):
            raise ValueError(f"mode must be 'wrap' or 'redirect', not {mode!r}")
        self._emit = emit
        self._requested_mode = mode
        #: The mode actually in use: "redirect" falls back to "wrap" when fds cannot be redirected.
        self.mode = mode
        self.emit_errors = 0
        self._max_line_chars = max_line_chars
        self._retarget_logging = retarget_logging
        self._retargeted: list[tuple[Any, Any, _TeeStream]] = []
        self._drain_timeout = drain_timeout
        self._state_lock = threading.Lock()  # serialises start()/stop()
        self._emit_lock = threading.Lock()  # held by the one thread currently calling emit
        self._guard = _Guard()
        self._ready: collections.deque = collections.deque()
        self._running = False
        self._assemblers: dict[int, _Assembler] = {}
        self._tees: dict[str, tuple[Any, _TeeStream]] = {}
        self._channels: list[_Channel] = []

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        """Begin capturing. A second call while running does nothing."""
        with self._state_lock:
            if self._running:
                return
            self._assemblers = {s: _Assembler(s, self, self._max_line_chars) for s, _, _ in _STREAMS}
            self._ready.clear()
            self.mode = self._requested_mode
            if self.mode == "redirect":
                try:
                    self._start_redirect()
                except Exception:  # no fds to redirect, out of fds or threads: wrap still works
                    self._stop_redirect()
                    self.mode = "wrap"
            if self.mode == "wrap":
                self._start_wrap()
            self._running = True
            _ACTIVE.add(self)
            # An uncaught exception's traceback is printed before atexit runs, so it is captured;
            # restoring the fds there keeps the interpreter's last flush off a pipe nobody reads.
            atexit.register(self.stop)

    def stop(self) -> None:
        """Emit any unterminated line, restore the streams (or fds) and stop. Idempotent."""
        with self._state_lock:
            if not self._running:
                return
            self._running = False
            _ACTIVE.discard(self)
            atexit.unregister(self.stop)
            if self.mode == "wrap":
                self._stop_wrap()
            else:
                self._stop_redirect()
            for asm in self._assemblers.values():
                # Bounded: a thread blocked writing to a stalled terminal holds this lock; then
                # its open line is lost rather than stop() hanging.
                if asm.lock.acquire(timeout=self._drain_timeout):
                    try:
                        asm.closed = True
                        lines = asm.flush()
                    finally:
                        asm.lock.release()
                    self._ready.extend((asm.stream, ts, line) for ts, line in lines)
                else:
                    asm.closed = True
            self._final_drain()

    def __enter__(self) -> ConsoleCapture:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- emitting ---------------------------------------------------------------------------------

    def _drain(self) -> None:
        # Whoever completes a line emits it, unless another thread is already emitting; that thread
        # then picks the line up. Writers never wait on a slow emit and lines keep their order. The
        # re-check after release closes the gap where a line was queued just as the emitter left.
        ready = self._ready
        while ready:
            if not self._emit_lock.acquire(blocking=False):
                return
            try:
                self._emit_all()
            finally:
                self._emit_lock.release()

    def _emit_all(self) -> None:
        ready = self._ready
        while ready:
            stream, ts, line = ready.popleft()
            try:
                self._emit(stream, ts, line)
            except Exception:
                self.emit_errors += 1

    def _final_drain(self) -> None:
        guard = self._guard
        if guard.busy:  # stop() called from inside emit or a write on this thread: cannot wait
            self._drain()
            return
        guard.busy = True
        try:
            # Wait for an emit in progress so that normally none happens after stop(); bounded,
            # because that emit might wait on something our caller holds. On timeout the thread
            # emitting now also emits what is left.
            if self._emit_lock.acquire(timeout=self._drain_timeout):
                try:
                    self._emit_all()
                finally:
                    self._emit_lock.release()
        finally:
            guard.busy = False

    # -- wrap mode --------------------------------------------------------------------------------

    def _start_wrap(self) -> None:
        for stream, name, _ in _STREAMS:
            orig = getattr(sys, name)
            if orig is None:  # pythonw, some daemons: nothing to capture
                continue
            tee = _TeeStream(orig, self._assemblers[stream])
            self._tees[name] = (orig, tee)
            setattr(sys, name, tee)
        if self._retarget_logging:
            self._retarget_handlers()

    def _stop_wrap(self) -> None:
        for handler, orig, tee in self._retargeted:
            if handler.stream is tee:  # reconfigured since: leave it alone
                try:
                    handler.setStream(orig)
                except Exception:
                    pass
        self._retargeted = []
        for name, (orig, tee) in self._tees.items():
            object.__setattr__(tee, "_asm", None)  # loggers may still hold it: pass-through only
            if getattr(sys, name) is tee:  # someone replaced it after us: theirs stays
                setattr(sys, name, orig)
        self._tees = {}

    def _retarget_handlers(self) -> None:
        # Scripts usually configure logging before init(); those StreamHandlers hold the original
        # stream object and would bypass the tee. Point the ones attached to a logger at the tee
        # for the duration (setStream is logging's public API and takes the handler's lock).
        logging = sys.modules.get("logging")
        if logging is None:  # never imported: no handler can exist
            return
        by_stream = {id(orig): (orig, tee) for orig, tee in self._tees.values()}
        loggers = [logging.getLogger(), *list(logging.Logger.manager.loggerDict.values())]
        seen: set[int] = set()
        for logger in loggers:
            for handler in list(getattr(logger, "handlers", ())):
                if id(handler) in seen or not isinstance(handler, logging.StreamHandler):
                    continue
                seen.add(id(handler))
                pair = by_stream.get(id(getattr(handler, "stream", None)))
                if pair is None:  # a file, or a stream that is not ours
                    continue
                try:
                    handler.setStream(pair[1])
                except Exception:
                    continue
                self._retargeted.append((handler, pair[0], pair[1]))

    # -- redirect mode ----------------------------------------------------------------------------

    def _start_redirect(self) -> None:
        for stream, name, fd in _STREAMS:
            pystream = getattr(sys, name)
            _flush(pystream)  # what was written before start goes out before the fd changes
            saved = os.dup(fd)
            try:
                read_fd, write_fd = _open_channel(saved)
            except OSError:
                _close(saved)
                raise
            encoding = getattr(pystream, "encoding", None) or "utf-8"
            try:
                codecs.lookup(encoding)
            except LookupError:
                encoding = "utf-8"
            channel = _Channel(stream, fd, saved, read_fd, encoding)
            thread = threading.Thread(
                target=self._pump, args=(channel,), name=f"runyard-console-{name}", daemon=True
            )
            try:
                # Reader first: once the fd points at the pipe, nothing may go unread.
                start_thread(thread)
            except Exception:
                for f in (read_fd, write_fd, saved):
                    _close(f)
                raise
            channel.thread = thread
            try:
                os.dup2(write_fd, fd)
            except OSError:
                channel.release_saved()
                raise
            finally:
                _close(write_fd)  # the reader sees EOF once fd 1/2 stop pointing at the pipe
            self._channels.append(channel)

    def _pump(self, channel: _Channel) -> None:
        copy = self._assemblers[channel.stream].copy
        decoder = codecs.getincrementaldecoder(channel.encoding)(errors="replace")
        passthrough = True
        try:
            while True:
                try:
                    data = os.read(channel.read_fd, 65536)
                except OSError:  # EIO: the pty's last writer is gone
                    break
                if not data:
                    break
                if passthrough:  # terminal first; on failure keep reading so writers never block
                    passthrough = _write_all(channel.saved, data)
                copy([decoder.decode(data)])
            copy([decoder.decode(b"", True)])
        finally:
            _close(channel.read_fd)
            channel.release_saved()

    def _stop_redirect(self) -> None:
        for name in ("stdout", "stderr", "__stdout__", "__stderr__"):
            _flush(getattr(sys, name, None))
        _flush_c_stdio()
        for channel in self._channels:
            try:
                # Our process stops writing into the pipe; the reader sees EOF once it drained it,
                # unless a child process still holds it (then it keeps passing bytes through).
                os.dup2(channel.saved, channel.fd)
            except OSError:
                pass
        deadline = time.monotonic() + self._drain_timeout
        for channel in self._channels:
            if channel.thread is not None:
                channel.thread.join(max(0.0, deadline - time.monotonic()))
            channel.release_saved()
        self._channels = []

    # -- fork -------------------------------------------------------------------------------------

    def _after_fork_in_child(self) -> None:
        # The child has only the forking thread: locks held by others stay locked forever, and the
        # reader threads and the emit consumer are gone. Fall back to plain pass-through; in
        # redirect mode the child's fd 1/2 still lead to the parent's reader, which captures them.
        self._emit_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._guard = _Guard()
        self._running = False
        atexit.unregister(self.stop)
        for asm in self._assemblers.values():
            asm.lock = threading.Lock()
            asm.closed = True
        # Not _stop_wrap(): logging's handler locks may be held by a thread that no longer
        # exists. Retargeted handlers keep the tee, which passes writes straight through.
        for name, (orig, tee) in self._tees.items():
            object.__setattr__(tee, "_asm", None)
            if getattr(sys, name) is tee:
                setattr(sys, name, orig)
        self._tees = {}
        self._retargeted = []
        for channel in self._channels:
            _close(channel.read_fd)
            _close(channel.saved)
        self._channels = []


def _after_fork_in_child() -> None:
    for cap in list(_ACTIVE):
        try:
            cap._after_fork_in_child()
        except Exception:
            pass
    _ACTIVE.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
