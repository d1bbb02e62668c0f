"""Process hooks that finish runs the user forgot, and record how the process ended.

- atexit: finishes every live run (exit code from sys.exit / uncaught exception, else 0);
- sys.excepthook: an uncaught exception marks the run failed with exit code 1;
- sys.exit is wrapped so `sys.exit(3)` is recorded as exit code 3 (atexit cannot see it);
- SIGTERM/SIGHUP (when the program has no handler of its own): the run is marked crashed with
  128+signal and the default action then proceeds.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import weakref
from typing import Any

from ..errors import RunStopped

_live: weakref.WeakSet = weakref.WeakSet()
_installed = False
_exit_code: int | None = None
_exc_seen: BaseException | None = None
_orig_exit = sys.exit
_orig_excepthook = sys.excepthook


def register(run: Any) -> None:
    _live.add(run)
    _install()


def _finish_all(code: int, state: str | None = None) -> None:
    for run in list(_live):
        try:
            run.finish(exit_code=code, _state=state)
        except Exception:
            pass


def _at_exit() -> None:
    if _exc_seen is not None:
        code = 130 if isinstance(_exc_seen, KeyboardInterrupt) else 1
        _finish_all(code, "crashed" if code == 130 else "failed")
    else:
        _finish_all(_exit_code or 0)


def _excepthook(exc_type: Any, exc: Any, tb: Any) -> None:
    global _exc_seen
    _exc_seen = exc
    if isinstance(exc, RunStopped):  # the run is already finished `stopped`: one line, no traceback
        print(f"runyard: {exc}", file=sys.stderr)
        return
    _orig_excepthook(exc_type, exc, tb)


def _exit(code: Any = None) -> None:
    global _exit_code
    if code is None or code is True or code is False:
        _exit_code = int(bool(code)) if code is not None else 0
    elif isinstance(code, int):
        _exit_code = code
    else:
        _exit_code = 1  # sys.exit("message") exits with status 1
    _orig_exit(code)


def _on_signal(signum: int, frame: Any) -> None:
    _finish_all(128 + signum, "crashed")
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _after_fork_in_child() -> None:
    # A forked child (e.g. a DataLoader worker) inherits the run object but not its writer thread:
    # its log() calls would pile up unseen, and its exit must not finish the parent's run.
    for run in list(_live):
        run._forked_copy = True
    _live.clear()


def _install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    sys.excepthook = _excepthook
    sys.exit = _exit  # type: ignore[assignment]
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is None:
                continue
            try:
                if signal.getsignal(sig) == signal.SIG_DFL:
                    signal.signal(sig, _on_signal)
            except (ValueError, OSError):
                pass
