"""`runyard.Api()`: wandb's public API (`wandb.Api()`) over the runyard server's HTTP API.

api = runyard.Api()                                  # server and key as `runyard sync` finds them
for run in api.runs("me/proj", filters={"config.lr": {"$lt": 0.1}}, order="-summary_metrics.acc"):
    print(run.name, run.summary["acc"])
df = api.run("me/proj/abc123").history(keys=["loss"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ApiError
from ..sdk.http_client import resolve_credentials
from ..sdk.run_view import run_api_path
from .http import Http, quote
from .runs import Run, Runs

if TYPE_CHECKING:
    from .reports import Report

# msgspec, the API models and the reports client are imported where they are used, not above:
# `runyard.Api().run(path).history()` needs none of them (~15 ms in a fresh process)

DEFAULT_TIMEOUT = 60.0


class Api:
    """Entry point of the public API.

    `overrides` may set `base_url`, `entity` and `project` (defaults for paths that omit them);
    `api_key` and `timeout` (seconds) as in wandb. The server and key otherwise come from
    RUNYARD_API_KEY / RUNYARD_BASE_URL (or WANDB_*), `runyard login`, or a local server's
    credentials file, in that order (docs/server-api.md).
    """

    def __init__(
        self, overrides: dict | None = None, timeout: float | None = None, api_key: str | None = None
    ):
        self.settings: dict[str, Any] = dict(overrides or {})
        creds = resolve_credentials(self.settings.get("base_url"), api_key)
        self.base_url = creds.base_url
        self.api_key = creds.api_key
        self._http = Http(self.base_url, self.api_key, timeout=timeout or DEFAULT_TIMEOUT)
        self._viewer: dict | None = None

    # -- who am I ---------------------------------------------------------------------------------
    def viewer(self) -> dict:
        """The caller: `user`, `is_admin`, `default_entity`, `entities`."""
        if self._viewer is None:
            import msgspec

            from ..wire import api_models as m

            self._viewer = msgspec.to_builtins(self._http.call("GET", "/api/v1/viewer", answer=m.Viewer))
        return self._viewer

    @property
    def default_entity(self) -> str:
        return self.settings.get("entity") or self.viewer()["default_entity"]

    @property
    def client(self) -> Http:
        """The HTTP client (`call(method, path, params, body)`), for endpoints without a wrapper."""
        return self._http

    # -- runs -------------------------------------------------------------------------------------
    def run(self, path: str = "") -> Run:
        """One run: "entity/project/run_id" (also "entity/project/runs/run_id", "project/run_id")."""
        entity, project, run_id = self._run_path(path)
        doc = self._http.get_deferred(run_api_path(entity, project, run_id), "RunDetail")
        return Run(self._http, self.base_url, entity, project, doc, run_id)

    def runs(
        self,
        path: str | None = None,
        filters: dict | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = True,
        lazy: bool = True,
    ) -> Runs:
        """Runs of "entity/project", filtered on the server with wandb's MongoDB-style `filters`
        (`{"config.lr": 0.01}`, `{"$and": [...]}`, `{"summary_metrics.acc": {"$gt": 0.9}}`, `$in`,
        `$regex` on names and tags, `config.<key>.value` too) and sorted by `order`
        (`"-summary_metrics.acc"`, `"+created_at"`). A lazy sequence: `len()` asks for the count."""
        entity, project = self._project_path(path)
        if filters is not None and not isinstance(filters, dict):
            raise ValueError("filters must be a dict (MongoDB-style)")
        return Runs(self._http, self.base_url, entity, project, filters, order, per_page)

    def sweep(self, path: str) -> Any:
        """One sweep: "entity/project/sweep_id" (or "project/sweep_id"); see api/sweeps.py."""
        from .sweeps import Sweep

        entity, project, sweep_id = self._run_path(path)
        return Sweep(self._http, self.base_url, entity, project, sweep_id)

    def projects(self, entity: str | None = None) -> list[dict]:
        """Projects the caller can see (of `entity` if given): name, entity, run_count, ..."""
        import msgspec

        from ..wire import api_models as m

        ps = self._http.call("GET", "/api/v1/projects", answer=m.Projects).projects
        return [msgspec.to_builtins(p) for p in ps if entity is None or p.entity == entity]

    # -- artifacts (api/artifacts.py) -------------------------------------------------------------
    def artifact(self, name: str, type: str | None = None) -> Any:
        """One artifact version: "entity/project/name:alias" (or "project/name:v3"; alias default latest)."""
        from .artifacts import artifact

        return artifact(self._http, lambda: self.default_entity, self._with_project(name), type)

    def artifact_versions(self, type_name: str | None, name: str, per_page: int = 50) -> list:
        """Every version of "entity/project/name", newest first."""
        from .artifacts import artifact_versions

        return artifact_versions(self._http, lambda: self.default_entity, type_name, self._with_project(name))

    artifacts = artifact_versions

    def artifact_collections(self, project_name: str | None = None, type_name: str | None = None) -> list:
        """Artifact names of a project ("entity/project") as `ArtifactCollection`s (`name`, `type`,
        `description`, `version_count`, `aliases`, `artifacts()`), most recently changed first."""
        from .artifacts import artifact_collections

        entity, project = self._project_path(project_name)
        return artifact_collections(self._http, entity, project, type_name)

    def artifact_collection(self, type_name: str, name: str) -> Any:
        """One collection: "entity/project/name" (or a registry path "entity/wandb-registry-model/name");
        its `artifacts()` are the versions, newest first."""
        from .artifacts import artifact_collection

        return artifact_collection(
            self._http, lambda: self.default_entity, type_name, self._with_project(name)
        )

    # -- registries (api/registries.py) -----------------------------------------------------------
    def registries(self, organization: str | None = None, filter: dict | None = None) -> list:
        """The registries of `organization` (an entity; default: yours), by name; `filter` on `name`
        or `description`: a value or `{"$regex": pattern}`."""
        from .registries import registries

        return registries(self._http, organization or self.default_entity, filter)

    def registry(self, name: str, organization: str | None = None) -> Any:
        """One registry by its name without the "wandb-registry-" prefix ("model")."""
        from .registries import registry

        return registry(self._http, organization or self.default_entity, name)

    def create_registry(
        self,
        name: str,
        visibility: str = "organization",
        organization: str | None = None,
        description: str | None = None,
        artifact_types: list[str] | None = None,
    ) -> Any:
        """A new registry accepting `artifact_types` (None: every type); visibility "organization"
        (the entity's members) is the only one runyard has."""
        from .registries import create_registry

        entity = organization or self.default_entity
        return create_registry(self._http, entity, name, visibility, description, artifact_types)

    # -- reports ----------------------------------------------------------------------------------
    def create_report(self, project: str, title: str, blocks: list[dict] | None = None) -> Report:
        """A new report in "entity/project" (or "project" of the default entity) with `blocks`
        (dicts, see runyard/api/reports.py; ids are added where missing)."""
        from .reports import Report, with_ids

        entity, name = self._project_path(project)
        doc = self._http.call(
            "POST",
            f"/api/v1/projects/{quote(entity)}/{quote(name)}/reports",
            body={"title": title, "blocks": with_ids(list(blocks or []))},
        )
        return Report(self._http, self.base_url, doc)

    def report(self, report_id: int) -> Report:
        from .reports import Report

        return Report(self._http, self.base_url, self._http.call("GET", f"/api/v1/reports/{int(report_id)}"))

    def reports(self, project: str | None = None) -> list[Report]:
        """The reports of "entity/project", newest edit first."""
        entity, name = self._project_path(project)
        rows = self._http.call("GET", f"/api/v1/projects/{quote(entity)}/{quote(name)}/reports")["reports"]
        return [self.report(r["id"]) for r in rows]

    def _with_project(self, name: str) -> str:
        path = name.split(":", 1)[0]
        if "/" not in path and self.settings.get("project"):
            return f"{self.settings['project']}/{name}"
        return name

    # -- paths ------------------------------------------------------------------------------------
    def _project_path(self, path: str | None) -> tuple[str, str]:
        entity, project = self._path(path, "a project path 'entity/project'", 2)
        return entity, project

    def _run_path(self, path: str) -> tuple[str, str, str]:
        entity, project, run_id = self._path(path, "a run path 'entity/project/run_id'", 3)
        return entity, project, run_id

    def _path(self, path: str | None, what: str, size: int) -> list[str]:
        """`path` as `size` names; the leading ones it leaves out are the default entity, then the
        default project (settings), as wandb's Api reads them. A run may be `entity/project/runs/id`."""
        parts = [p for p in (path or "").strip("/").split("/") if p]
        if size == 3 and len(parts) == 4 and parts[2] == "runs":
            del parts[2]
        missing = size - len(parts)
        if missing == 2 and self.settings.get("project"):
            parts.insert(0, self.settings["project"])
            missing = 1
        if missing == 1:
            parts.insert(0, self.default_entity)
        if len(parts) != size:
            raise ValueError(f"expected {what}, got {path!r}")
        return parts

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"<Api {self.base_url}>"


__all__ = ["Api", "ApiError"]
