"""Registry administration as wandb 0.31's public API has it: `api.registries()`,
`api.registry(name)`, `api.create_registry(name, visibility, ...)`, over /api/v1/registries.

wandb's `organization` is runyard's entity (a user or a team): it defaults to the caller's entity.
A registry is visible to its entity's members ("organization"); wandb's "restricted" registries
(invited members only) do not exist here and are refused by the server.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import UsageError
from ..wire.names import REGISTRY_PREFIX
from .artifacts import Artifact, ArtifactCollection, artifact_collection
from .http import Http, quote


class Registry:
    """A registry: `name`, `full_name` ("wandb-registry-<name>"), `organization` / `entity`,
    `description`, `artifact_types` (editable, then `save()`), `collections()`, `versions()`."""

    def __init__(self, http: Http, entity: str, doc: dict):
        self._http = http
        self.entity = self.organization = entity
        self._load(doc)

    def _load(self, doc: dict) -> None:
        self.name: str = doc["name"]
        self.created_at: float = doc["created_at"]
        self.description: str | None = doc.get("description")
        types = doc.get("artifact_types")
        self.allow_all_artifact_types = types is None
        self.artifact_types: list[str] = list(types or [])
        self._saved = (self.description, list(self.artifact_types))
        self._collections: list[dict] = doc.get("collections") or []

    @property
    def full_name(self) -> str:
        return REGISTRY_PREFIX + self.name

    @property
    def visibility(self) -> str:
        return "organization"

    @property
    def path(self) -> str:
        return f"{self.entity}/{self.full_name}"

    def _api_path(self) -> str:
        return f"/api/v1/registries/{quote(self.entity)}/{quote(self.name)}"

    def load(self) -> Registry:
        self._load(self._http.call("GET", self._api_path()))
        return self

    def collections(self) -> list[ArtifactCollection]:
        """Its collections (registered models, datasets...), most recently changed first."""
        self.load()
        return [
            artifact_collection(self._http, lambda: self.entity, c["type"], f"{self.path}/{c['name']}")
            for c in self._collections
        ]

    def versions(self) -> list[Artifact]:
        """The artifact versions linked into any of its collections, collection by collection."""
        return [a for c in self.collections() for a in c.artifacts()]

    def save(self) -> Registry:
        """Save `description` and the types added to `artifact_types` (types are never removed)."""
        description, types = self._saved
        gone = [t for t in types if t not in self.artifact_types]
        if gone:
            raise UsageError(f"artifact types {gone} cannot be removed from registry {self.path}")
        body: dict[str, Any] = {"artifact_types": [t for t in self.artifact_types if t not in types]}
        if self.description != description:
            body["description"] = self.description
        self._load(self._http.call("PATCH", self._api_path(), body=body))
        return self

    def __repr__(self) -> str:
        return f"<Registry {self.path}>"


def registries(http: Http, entity: str, filter: dict | None = None) -> list[Registry]:
    """The registries of `entity`, by name; `filter` as wandb's on `name` and `description`: a value,
    or `{"$regex": pattern}` (Python's re, searched)."""
    rows = http.call("GET", f"/api/v1/registries/{quote(entity)}")["registries"]
    tests = [_test(k, v) for k, v in (filter or {}).items()]
    return [
        Registry(http, entity, {**r, "collections": None}) for r in rows if all(test(r) for test in tests)
    ]


def registry(http: Http, entity: str, name: str) -> Registry:
    return Registry(http, entity, http.call("GET", f"/api/v1/registries/{quote(entity)}/{quote(name)}"))


def create_registry(
    http: Http,
    entity: str,
    name: str,
    visibility: str,
    description: str | None,
    artifact_types: list[str] | None,
) -> Registry:
    body = {
        "name": name,
        "visibility": visibility,
        "description": description,
        "artifact_types": artifact_types,
    }
    return Registry(http, entity, http.call("POST", f"/api/v1/registries/{quote(entity)}", body=body))


def _test(key: str, want: Any) -> Any:
    if key not in ("name", "description"):
        raise UsageError(f"registries() filters on name and description, not {key!r}")
    if isinstance(want, dict):
        if set(want) != {"$regex"} or not isinstance(want["$regex"], str):
            raise UsageError(f"filter on {key}: a value or {{'$regex': pattern}}, not {want!r}")
        pattern = re.compile(want["$regex"])
        return lambda r: r.get(key) is not None and pattern.search(r[key]) is not None
    return lambda r: r.get(key) == want
