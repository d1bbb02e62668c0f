"""Artifacts through the public API: `api.artifact("entity/project/name:alias")`,
`api.artifact_versions(type, "entity/project/name")`, `api.artifact_collections("entity/project")`,
`api.artifact_collection(type, "entity/project/name").artifacts()` (also on a registry path).

The objects are the SDK's `runyard.Artifact` (logged state): `download()`, `files()`, `metadata`,
`aliases`, `save()`, `delete()`; their `logged_by()` / `used_by()` answer public-API Runs, as in wandb.
"""

from __future__ import annotations

from typing import Any, cast

from ..errors import CommError, UsageError
from ..sdk.artifacts.artifact import Artifact as _SdkArtifact
from ..sdk.artifacts.artifact import fetch_version, parse_artifact_path
from ..sdk.artifacts.transfer import Transport, artifact_path, q, registry_api_path
from ..wire import api_models as m
from ..wire.names import REGISTRY_PREFIX, registry_name
from .http import Http, quote
from .runs import Run


class Artifact(_SdkArtifact):
    """A version read through the public API: lineage answers are Runs."""

    _api_http: Http

    @classmethod
    def _from_api(cls, http: Http, doc: dict, transport: Transport) -> Artifact:
        a = cast(Artifact, cls._from_doc(doc, transport))  # _from_doc builds `cls`
        a._api_http = http
        return a

    def logged_by(self) -> Run | None:  # type: ignore[override]
        """The run that logged this version."""
        return super().logged_by()  # type: ignore[return-value]  # _run_of builds public-API Runs

    def used_by(self) -> list[Run]:  # type: ignore[override]
        """The runs that used this version."""
        return super().used_by()  # type: ignore[return-value]

    def _run_of(self, linked: dict) -> Run:
        e, p = linked["entity"], linked["project"]
        doc = self._api_http.call(
            "GET", f"/api/v1/runs/{quote(e)}/{quote(p)}/{quote(linked['id'])}", answer=m.RunDetail
        )
        return Run(self._api_http, self._api_http.base_url, e, p, doc)


def _transport(http: Http) -> Transport:
    return Transport.like(http)


def artifact(http: Http, default_entity: Any, path: str, type: str | None = None) -> Artifact:
    entity, project, name, ref = parse_artifact_path(path, None, None)
    t = _transport(http)
    doc, link = fetch_version(t, entity or default_entity(), project, name, ref)
    art = Artifact._from_api(http, doc, t)
    art._link = link
    if type is not None and art.type != type:
        raise UsageError(f"artifact {art.qualified_name} has type {art.type!r}, not {type!r}")
    return art


def artifact_versions(http: Http, default_entity: Any, type_name: str | None, name: str) -> list[Artifact]:
    """Every version of "entity/project/name", newest first (manifests are fetched when used)."""
    entity, project, coll, _ref = parse_artifact_path(name, None, None)
    entity = entity or default_entity()
    doc = http.call("GET", artifact_path(entity, project, coll))
    if type_name is not None and doc["type"] != type_name:
        raise UsageError(f"artifact {entity}/{project}/{coll} has type {doc['type']!r}, not {type_name!r}")
    t = _transport(http)
    out = []
    for v in doc["versions"]:
        a = Artifact._from_api(http, v, t)
        a._manifest_pending = True
        out.append(a)
    return out


def run_artifacts(http: Http, run_api_path: str, kind: str) -> list[Artifact]:
    """The versions a run logged (`kind="logged"`) or used (`"used"`), in order: committed ones, and
    deleted ones with `state == "DELETED"` (their names and metadata; no files)."""
    t = _transport(http)
    out = []
    for d in http.call("GET", run_api_path + "/artifacts")[kind]:
        if d.get("state") in ("committed", "deleted"):  # not "hidden" (unreadable), "pending" (not uploaded)
            a = Artifact._from_api(http, d, t)
            a._manifest_pending = True
            out.append(a)
    return out


def artifact_collections(
    http: Http, entity: str, project: str, type_name: str | None = None
) -> list[ArtifactCollection]:
    """The artifact names of a project (of one type), most recently changed first."""
    params = {"type": type_name} if type_name else None
    rows = http.call("GET", f"/api/v1/artifacts/{q(entity)}/{q(project)}", params)["artifacts"]
    return [ArtifactCollection(http, entity, project, r) for r in rows]


class ArtifactCollection:
    """wandb's `api.artifact_collection(type, "entity/project/name")` (and each of
    `api.artifact_collections(project)`): a project's artifact name with its versions or, on a registry
    path ("entity/wandb-registry-model/name"), a registry collection with its registered versions."""

    def __init__(self, http: Http, entity: str, project: str, doc: dict):
        self._http = http
        self.entity, self.project = entity, project
        self.name: str = doc["name"]
        self.type: str = doc["type"]
        self.description: str | None = doc.get("description")
        self.version_count: int = doc["version_count"]
        self.created_at: float | None = doc.get("created_at")
        self.updated_at: float | None = doc.get("updated_at")
        self._aliases: list[str] | None = None

    @property
    def aliases(self) -> list[str]:
        """The aliases its versions carry (not `latest`), asked for when first read."""
        if self._aliases is None:
            reg = registry_name(self.project)
            if reg is None:
                versions = self._http.call("GET", artifact_path(self.entity, self.project, self.name))[
                    "versions"
                ]
                found = [a for v in versions for a in v["aliases"]]
            else:
                found = list(_registry_collection(self._http, self.entity, reg, self.name)["aliases"])
            self._aliases = sorted(a for a in found if a != "latest")
        return self._aliases

    def is_sequence(self) -> bool:
        """True for a project's artifact name, False for a registry collection (wandb's portfolio)."""
        return registry_name(self.project) is None

    def artifacts(self, per_page: int = 50) -> list[Artifact]:
        """The versions, newest first; in a registry collection the artifact versions its versions
        link to (`version` and `aliases` as the artifact's; `is_link` true)."""
        reg = registry_name(self.project)
        if reg is None:
            return artifact_versions(
                self._http, lambda: self.entity, self.type, f"{self.entity}/{self.project}/{self.name}"
            )
        doc = self._http.call("GET", registry_api_path(self.entity, reg, self.name))
        t, out = _transport(self._http), []
        for v in doc["versions"]:
            if v.get("artifact") is None:  # linked from a project the caller may not read
                continue
            a = Artifact._from_api(self._http, v["artifact"], t)
            a._link = (v["entity"], v["registry"], v["collection"], v["version"])
            a._manifest_pending = True
            out.append(a)
        return out

    def __repr__(self) -> str:
        return f"<ArtifactCollection {self.entity}/{self.project}/{self.name} ({self.type})>"


def artifact_collection(http: Http, default_entity: Any, type_name: str, name: str) -> ArtifactCollection:
    entity, project, coll, _ref = parse_artifact_path(name, None, None)
    entity = entity or default_entity()
    reg = registry_name(project)
    if reg is not None:
        doc = _registry_collection(http, entity, reg, coll)
        if doc["type"] != type_name:
            raise UsageError(
                f"artifact collection {entity}/{project}/{coll} has type {doc['type']!r}, not {type_name!r}"
            )
        return ArtifactCollection(http, entity, project, doc)
    found = [c for c in artifact_collections(http, entity, project, type_name) if c.name == coll]
    if not found:
        raise CommError(f"artifact collection {entity}/{project}/{coll} of type {type_name!r} not found")
    return found[0]


def _registry_collection(http: Http, entity: str, registry: str, name: str) -> dict:
    cols = http.call("GET", f"/api/v1/registries/{q(entity)}/{q(registry)}")["collections"]
    found = [c for c in cols if c["name"] == name]
    if not found:
        raise CommError(f"registry collection {entity}/{REGISTRY_PREFIX}{registry}/{name} not found")
    return found[0]
