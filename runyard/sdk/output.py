"""What runyard itself prints: one prefix, honouring silent/quiet/show_warnings, warnings once."""

from __future__ import annotations

import sys
import threading


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
