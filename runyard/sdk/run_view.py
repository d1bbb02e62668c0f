"""A logged run as the server knows it, read-only: what `artifact.logged_by()` / `used_by()` answer in
the SDK, and the base of the public API's `Run` (runyard/api/runs.py adds history, files and edits).

Attributes as wandb's public-API Run: `id`, `name` (alias `display_name`), `state`, `config`,
`summary`, `tags`, `notes`, `group`, `job_type`, `sweep_id`, `created_at` / `heartbeat_at` (ISO
strings, UTC), `entity`, `project`, `path` (`[entity, project, id]`), `url`, `metadata`, `last_step`,
`raw` (the server's document).

A view may be made before its document is decoded (`api.run(path)`, runyard/api/api.py): the
attributes that come from it are decoded, and checked against the model, when one is first read or
set; until then only `id` (from the path) is known, which is all `history()` needs.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..wire import api_models as m


def _iso(t: float | None) -> str | None:
    """Epoch seconds as wandb shows `created_at`: ISO 8601, UTC, no zone suffix."""
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def run_api_path(entity: str, project: str, run_id: str) -> str:
    return f"/api/v1/runs/{_q(entity)}/{_q(project)}/{_q(run_id)}"


class RunView:
    """One run of the server (see the module's docstring for its attributes)."""

    def __init__(
        self,
        base_url: str,
        entity: str,
        project: str,
        doc: m.Run | Callable[[], m.Run],
        run_id: str | None = None,
    ):
        """`doc`: the run's document, or a function decoding it when first needed (then `run_id`
        names the run until it is)."""
        self._base = base_url
        self.entity, self.project = entity, project
        if callable(doc):
            assert run_id is not None
            self.id: str = run_id
            self._deferred: Callable[[], m.Run] | None = doc
        else:
            self._deferred = None
            self._load(doc)

    def _load(self, doc: m.Run) -> None:
        import msgspec  # loaded already: the document was decoded by it

        from ..wire import api_models as m

        self.raw: dict = msgspec.to_builtins(doc)
        self.id = doc.id
        self.name: str | None = doc.name
        self.state: str = doc.state
        self.config: dict = doc.config
        self.summary: dict = doc.summary
        self.tags: list[str] = list(doc.tags)
        self.notes: str | None = doc.notes
        self.group: str | None = doc.group
        self.job_type: str | None = doc.job_type
        self.sweep_id: str | None = doc.sweep_id
        self.created_at: str | None = _iso(doc.created_at)
        self.heartbeat_at: str | None = _iso(doc.heartbeat_at)
        self.metadata: dict = doc.metadata if isinstance(doc, m.RunDetail) else {}
        self.last_step: int | None = doc.last_step

    def _decode(self) -> None:
        if self._deferred is not None:
            doc = self._deferred()  # a malformed answer raises ApiError here, and at each later read
            self._deferred = None
            self._load(doc)

    if not TYPE_CHECKING:  # to mypy, the attributes are those _load declares

        def __getattr__(self, name: str) -> Any:
            # called only for an attribute not set: maybe one _load sets (a subclass's too)
            if self.__dict__.get("_deferred") is not None:
                self._decode()
                return getattr(self, name)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def __setattr__(self, name: str, value: Any) -> None:
            if not name.startswith("_") and self.__dict__.get("_deferred") is not None:
                self._decode()  # or decoding later would overwrite what is set now (run.name = ...)
            object.__setattr__(self, name, value)

    @property
    def display_name(self) -> str | None:
        return self.name

    @display_name.setter
    def display_name(self, v: str | None) -> None:
        self.name = v

    @property
    def path(self) -> list[str]:
        return [self.entity, self.project, self.id]

    @property
    def url(self) -> str:
        return f"{self._base}/{_q(self.entity)}/{_q(self.project)}/runs/{_q(self.id)}"

    @property
    def _api_path(self) -> str:
        return run_api_path(self.entity, self.project, self.id)

    def __repr__(self) -> str:
        return f"<Run {'/'.join(self.path)} ({self.state})>"
