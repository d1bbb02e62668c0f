"""The process-wide current run, and rebinding of `runyard.run/config/summary` as wandb does."""

from __future__ import annotations

import sys
from typing import Any

from ..errors import Error

_current: Any = None  # the active Run (or NoopRun), None outside init ... finish
setup_settings: Any = None  # Settings from setup(): defaults of every later init, above the env


class PreInit:
    """Stands in for runyard.config / runyard.summary before init; any use says what to do."""

    def __init__(self, name: str):
        object.__setattr__(self, "_name", name)

    def _fail(self, what: str = "") -> Error:
        return Error(f"You must call runyard.init() before runyard.{self._name}{what}")

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        raise self._fail(f".{key}")

    def __getitem__(self, key: str) -> Any:
        raise self._fail(f"[{key!r}]")

    def __setitem__(self, key: str, value: Any) -> None:
        raise self._fail(f"[{key!r}]")

    def __setattr__(self, key: str, value: Any) -> None:
        raise self._fail(f".{key}")

    def __repr__(self) -> str:
        return f"<runyard.{self._name}: call runyard.init() first>"


def current() -> Any:
    return _current


def require(fn: str) -> Any:
    run = _current
    if run is None:
        raise Error(f"You must call runyard.init() before runyard.{fn}()")
    return run


def bind(run: Any) -> None:
    global _current
    _current = run
    mod: Any = sys.modules.get("runyard")
    if mod is not None:
        mod.run = run
        mod.config = run.config
        mod.summary = run.summary


def unbind(run: Any) -> None:
    global _current
    if _current is not run:
        return
    _current = None
    mod: Any = sys.modules.get("runyard")
    if mod is not None:
        mod.run = None
        mod.config = PreInit("config")
        mod.summary = PreInit("summary")
