"""mode="disabled": a run whose every method does nothing and which writes nothing at all."""

from __future__ import annotations

import os
from typing import Any

from .config import Config


class _NoopSummary(dict):
    def update(self, *a: Any, **kw: Any) -> None:  # type: ignore[override]
        dict.update(self, *a, **kw)

    def __getattr__(self, k: str) -> Any:
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k) from None


class NoopRun:
    disabled = True
    offline = False
    resumed = False
    url = None
    project_url = None
    sweep_id = None
    entity = None
    group = None
    job_type = None
    notes = None
    tags: tuple = ()
    starting_step = 0
    step = 0

    def __init__(self, project: str | None = None, name: str | None = None, config: dict | None = None):
        self.id = os.urandom(4).hex()
        self.name = name or f"dummy-{self.id}"
        self.display_name = self.name
        self.project = project or "uncategorized"
        self.path = f"{self.project}/{self.id}"
        self.dir = os.path.join(
            os.path.realpath("/tmp"), "runyard-disabled", self.id, "files"
        )  # never created
        self.config = Config(sink=None, allow_val_change=True)
        if config:
            self.config.update(config, allow_val_change=True)
        self.summary = _NoopSummary()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def noop(*args: Any, **kwargs: Any) -> None:
            return None

        return noop

    def finish(self, exit_code: int | None = None, quiet: bool | None = None) -> None:
        from . import state

        state.unbind(self)

    join = finish

    def __enter__(self) -> NoopRun:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()

    def __repr__(self) -> str:
        return f"<runyard.Run (disabled) {self.id}>"
