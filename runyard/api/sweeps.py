"""`Api().sweep("entity/project/id")`: wandb's public-API Sweep over the server's sweep API."""

from __future__ import annotations

from typing import Any

from .http import Http, quote
from .runs import Run, Runs


class Sweep:
    """A sweep: `id`, `entity`, `project`, `config`, `state`, `trials` (params, state, run, metric
    values), `runs` (its trials' runs), `best_run()`, and what a sweep page shows (`pareto_front`,
    `importance`, `correlation`)."""

    def __init__(self, http: Http, base_url: str, entity: str, project: str, sweep_id: str):
        self._http, self._base = http, base_url
        self.entity, self.project, self.id = entity, project, sweep_id
        self.load()

    def load(self) -> dict:
        self._doc: dict = self._http.call(
            "GET", f"/api/v1/sweeps/{quote(self.entity)}/{quote(self.project)}/{quote(self.id)}"
        )
        return self._doc

    def __getattr__(self, name: str) -> Any:
        if name in ("config", "state", "trials", "pareto_front", "importance", "correlation", "method"):
            return self._doc[name]
        raise AttributeError(name)

    @property
    def path(self) -> list[str]:
        return [self.entity, self.project, self.id]

    @property
    def url(self) -> str:
        return f"{self._base}/{self.entity}/{self.project}/sweeps/{self.id}"

    @property
    def runs(self) -> list[Run]:
        """The runs of the sweep's trials (the latest attempt of each), in trial order."""
        ids = [t["run_id"] for t in self._doc["trials"]]
        if not ids:
            return []
        found = {
            r.id: r for r in Runs(self._http, self._base, self.entity, self.project, {"id": {"$in": ids}})
        }
        return [found[i] for i in ids if i in found]

    def best_run(self, order: str | None = None) -> Run | None:
        """The finished trial's run with the best value of the sweep's (first) metric, or by `order`
        (`"-summary_metrics.acc"`, as `Api().runs` takes it)."""
        ids = [t["run_id"] for t in self._doc["trials"] if t["state"] == "finished"]
        if not ids:
            return None
        metrics = self._doc["config"].get("metric")
        metric = metrics[0] if isinstance(metrics, list) else metrics
        if order is None:
            if not metric:
                return None
            sign = "+" if metric.get("goal", "minimize") == "minimize" else "-"
            order = f"{sign}summary_metrics.{metric['name']}"
        filters = {"id": {"$in": ids}}
        for r in Runs(self._http, self._base, self.entity, self.project, filters, order, per_page=1):
            return r
        return None

    def __repr__(self) -> str:
        return f"<Sweep {'/'.join(self.path)} ({self.state})>"
