"""Handing memory that large chart queries freed back to the system, once the server is quiet.

glibc keeps freed memory in its arenas for reuse, and raises its mmap threshold after each large
free, so the arrays of big chart queries end up in the worker threads' arenas: after four 100-run x
1M-step queries at once the server held ~110 MB over idle that it no longer used (bench/bench_scale.py,
chart part). `malloc_trim(0)` returns the free pages of every arena. It runs a moment after the
last large answer rather than on the query path (it takes milliseconds and would hold the arenas'
locks while queries allocate); fixed malloc thresholds did the same at a ~25% cost in query time.
The trim alone left 70-100 MB pinned across the ~16 arenas glibc gives 40 worker threads on 2 cores;
with two arenas it returns nearly all of it (2-3 MB over idle), at no measured cost in query time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from collections.abc import Callable

from starlette.responses import Response

LARGE_ANSWER = 1 << 20  # bytes: answers this big come from queries that touched far more
QUIET_S = 1.0  # the trim waits this long after the last large answer
ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None  # musl (no malloc_trim) and others: nothing to do


_libc = _glibc()
_trim: Callable[[int], int] | None = _libc.malloc_trim if _libc is not None else None


def limit_arenas() -> None:
    """Cap glibc's arenas for the threads started from now on (the server's, before they start)."""
    if _libc is not None:
        _libc.mallopt(M_ARENA_MAX, ARENAS)


_pending: threading.Timer | None = None
_lock = threading.Lock()


def after_large(response: Response) -> Response:
    """`response`; when its body is large, (re)arm the trim for QUIET_S from now."""
    global _pending
    if _trim is not None and len(response.body) >= LARGE_ANSWER:
        with _lock:
            if _pending is not None:
                _pending.cancel()
            _pending = threading.Timer(QUIET_S, _trim, (0,))
            _pending.daemon = True
            _pending.start()
    return response
