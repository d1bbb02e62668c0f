"""`api.run(path)` -> Run and `api.runs(path, filters, order, per_page)` -> Runs (lazy pages)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import ApiError
from ..sdk.run_view import RunView
from . import history as _history
from .files import File, Files
from .http import Http, quote

if TYPE_CHECKING:
    import pandas

    from ..wire import api_models as m

# msgspec and the API models are imported where an answer is decoded, not above: `api.run(path)`
# followed by `history()` needs neither (see Http.get_deferred)

EDITABLE = ("name", "notes", "tags", "group", "job_type")


class Run(RunView):
    """One run of the server, as wandb's public-API Run: the attributes of the SDK's `RunView`
    (`id`, `name`, `state`, `config`, `summary`, `tags`, `url`, `path`, ...), plus history, files,
    artifacts and changes: set name/notes/tags/group/job_type, `config` or `summary`, then
    `update()`; `delete()` removes the run.
    """

    def __init__(
        self,
        http: Http,
        base_url: str,
        entity: str,
        project: str,
        doc: m.Run | Callable[[], m.Run],
        run_id: str | None = None,
    ):
        self._http = http
        super().__init__(base_url, entity, project, doc, run_id)

    def _load(self, doc: m.Run) -> None:
        super()._load(doc)
        self._as_loaded = copy.deepcopy((self.config, self.summary))  # update() sends only what changed

    # -- history ----------------------------------------------------------------------------------
    def history(
        self, samples: int | None = None, keys: Any = None, x_axis: str = "_step", pandas: bool = True
    ) -> pandas.DataFrame | list[dict]:
        """Every row (`samples=None`, unlike wandb) or `samples` rows spread evenly; with `keys`,
        only rows that have all of them. A pandas DataFrame, or a list of dicts with `pandas=False`."""
        return _history.history(self._http, self._api_path, keys, samples, x_axis, pandas)

    def scan_history(
        self,
        keys: Any = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
    ) -> _history.HistoryScan:
        """Iterate over every row (dicts), fetched `page_size` rows at a time."""
        return _history.HistoryScan(self._http, self._api_path, keys, page_size, min_step, max_step)

    # -- files ------------------------------------------------------------------------------------
    def files(self, names: list[str] | None = None, per_page: int = 50) -> Files:
        from ..wire import api_models as m

        docs = self._http.call("GET", self._api_path + "/files", answer=m.RunFiles).files
        fs = [File(self._http, self._api_path, d, self._base) for d in docs]
        if names:
            fs = [f for f in fs if f.name in set(names)]
        return Files(fs)

    def file(self, name: str) -> File:
        for f in self.files():
            if f.name == name:
                return f
        raise ApiError(404, "unknown_file", f"run {'/'.join(self.path)} has no file {name!r}")

    # -- artifacts ----------------------------------------------------------------------------------
    def logged_artifacts(self, per_page: int = 100) -> list:
        """The artifact versions this run logged (outputs), in the order it logged them."""
        from .artifacts import run_artifacts

        return run_artifacts(self._http, self._api_path, "logged")

    def used_artifacts(self, per_page: int = 100) -> list:
        """The artifact versions this run used (inputs), in the order it used them."""
        from .artifacts import run_artifacts

        return run_artifacts(self._http, self._api_path, "used")

    # -- changes ----------------------------------------------------------------------------------
    def update(self) -> Run:
        """Save name, notes, tags, group and job_type as set on this object, and `config` and
        `summary` when they were edited (each replaced by this object's dict)."""
        from ..wire import api_models as m

        body: dict[str, Any] = {k: getattr(self, k) for k in EDITABLE}
        body["tags"] = list(body["tags"] or [])
        config, summary = self._as_loaded
        if self.config != config:
            body["config"] = dict(self.config)
        if self.summary != summary:
            body["summary"] = dict(self.summary)
        self._load(self._http.call("PATCH", self._api_path, body=body, answer=m.RunDetail))
        return self

    def load(self, force: bool = False) -> Run:
        """Fetch the run again from the server."""
        from ..wire import api_models as m

        self._deferred = None  # this answer replaces one not decoded yet
        self._load(self._http.call("GET", self._api_path, answer=m.RunDetail))
        return self

    def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run; with `delete_artifacts` also the artifact versions it created (aliases
        included; refused, and nothing deleted, when one of them is registered in a registry)."""
        params = {"delete_artifacts": "true"} if delete_artifacts else None
        self._http.call("DELETE", self._api_path, params=params)


class Runs:
    """A lazy, paginated sequence of runs: `len()`, indexing and iteration fetch pages as needed."""

    def __init__(
        self,
        http: Http,
        base_url: str,
        entity: str,
        project: str,
        filters: dict | None = None,
        order: str | None = "+created_at",
        per_page: int = 50,
    ):
        self._http, self._base = http, base_url
        self.entity, self.project = entity, project
        self.filters, self.order = filters or {}, order
        self.per_page = max(1, min(int(per_page), 1000))
        self._runs: list[Run] = []
        self._more = True
        self._cursor: str | None = None  # the server's next_cursor (keyset pages)
        self._total: int | None = None

    def _url(self) -> str:
        return f"/api/v1/projects/{quote(self.entity)}/{quote(self.project)}/runs/query"

    def _fetch_page(self) -> None:
        import msgspec

        from ..wire import api_models as m

        assert self._more
        body: dict[str, Any] = {"limit": self.per_page, "total": self._total is None}
        if self._cursor is not None:
            body["cursor"] = self._cursor
        if self.filters:
            body["filter"] = self.filters
        if self.order:
            body["order"] = self.order
        doc = self._http.call("POST", self._url(), body=body, answer=m.RunsPage)
        if doc.total is not msgspec.UNSET:
            self._total = doc.total
        self._runs.extend(Run(self._http, self._base, self.entity, self.project, d) for d in doc.runs)
        self._cursor = doc.next_cursor
        self._more = self._cursor is not None

    def __len__(self) -> int:
        if self._total is None:
            self._fetch_page()
        assert self._total is not None
        return self._total

    def __iter__(self) -> Iterator[Run]:
        i = 0
        while True:
            while i >= len(self._runs) and self._more:
                self._fetch_page()
            if i >= len(self._runs):
                return
            yield self._runs[i]
            i += 1

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice) or i < 0:
            return list(self)[i]
        while i >= len(self._runs) and self._more:
            self._fetch_page()
        return self._runs[i]

    def __repr__(self) -> str:
        return f"<Runs {self.entity}/{self.project}>"
