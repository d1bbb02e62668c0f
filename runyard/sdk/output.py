"""What runyard itself prints: one prefix, honouring silent/quiet/show_warnings, warnings once."""

from __future__ import annotations

import sys
import threading

_said: set[str] = set()  # termlog(..., repeat=False) messages already printed


def _term(msg: str, level: str, newline: bool, repeat: bool, prefix: bool) -> None:
    if not repeat:
        if msg in _said:
            return
        _said.add(msg)
    head = "runyard: " if prefix else ""
    lines = [f"{head}{level}{line}" for line in str(msg).split("\n")]
    try:
        print("\n".join(lines), file=sys.stderr, end="\n" if newline else "", flush=True)
    except Exception:  # a closed stderr must not take training down
        pass


def termlog(string: str = "", newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    """Print a message to stderr with runyard's prefix (wandb.termlog); repeat=False prints it once."""
    _term(string, "", newline, repeat, prefix)


def termwarn(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    _term(string, "WARNING ", newline, repeat, prefix)


def termerror(string: str, newline: bool = True, repeat: bool = True, prefix: bool = True) -> None:
    _term(string, "ERROR ", newline, repeat, prefix)


class Printer:
    def __init__(self, silent: bool = False, quiet: bool = False, show_warnings: bool = True):
        self.silent = silent
        self.quiet = quiet
        self.show_warnings = show_warnings
        self._once: set[str] = set()
        self._lock = threading.Lock()
        self.warnings: list[str] = []  # kept for tests and `run.status()`

    def _emit(self, msg: str) -> None:
        try:
            print(f"runyard: {msg}", file=sys.stderr, flush=True)
        except Exception:  # a closed stderr must not take training down
            pass

    def info(self, msg: str) -> None:
        if not (self.silent or self.quiet):
            self._emit(msg)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)
        if not self.silent and self.show_warnings:
            self._emit(f"WARNING {msg}")

    def warn_once(self, key: str, msg: str) -> None:
        with self._lock:
            if key in self._once:
                return
            self._once.add(key)
        self.warn(msg)
