"""Starting runyard's background threads so that the process's signals always reach the main thread.

The kernel hands a process-directed signal (Ctrl-C's SIGINT, a scheduler's SIGTERM, SIGHUP) to any
thread that does not block it. CPython runs Python handlers only in the main thread: when the
signal lands on a background thread, a flag is set, but the main thread blocked in `time.sleep()`
or a queue wait is not interrupted and sleeps on. So every thread runyard starts blocks these
signals. A new thread inherits its creator's signal mask, so the signals are blocked around
`start()`: the thread never runs a single instruction with them deliverable (blocking them at the
top of its `run()` would leave a window). A signal that arrives meanwhile stays pending and is
delivered to the main thread when the mask is restored.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_SIGNALS = frozenset(
    s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None
)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Threads created inside this block (directly or by a thread pool's submit) never take the signals."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: signals are emulated on the main thread
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start(thread: threading.Thread) -> threading.Thread:
    """Start one of runyard's background threads with SIGINT/SIGTERM/SIGHUP blocked in it."""
    with signals_blocked():
        thread.start()
    return thread
