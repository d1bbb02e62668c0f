"""The model registry: registries, their collections and the versions linked into them."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from msgspec import UNSET, Meta, UnsetType

from .artifacts import ArtifactVersion
from .base import Answer, Request

ArtifactTypes = Annotated[
    list[Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]],
    Meta(max_length=100, description="artifact types (1-64 letters, digits, '.', '-', '_')"),
]
Description = Annotated[str, Meta(max_length=4096)]


class RegistrySummary(Answer):
    name: str
    collection_count: int
    created_at: float
    description: str | None
    artifact_types: Annotated[list[str] | None, Meta(description="the types it accepts; null: every type")]


class NewRegistry(Request):
    """A registry made before its first link (wandb's `api.create_registry`)."""

    name: Annotated[str, Meta(max_length=128)]
    visibility: Annotated[
        Literal["organization", "restricted"],
        Meta(description="organization: the entity's members, the only kind runyard has"),
    ] = "organization"
    description: Description | None = None
    artifact_types: Annotated[ArtifactTypes | None, Meta(description="null: every type")] = None


class RegistryPatch(Request):
    """Registry.save(): a new description, more accepted types (never fewer)."""

    description: Description | None | UnsetType = UNSET
    artifact_types: Annotated[ArtifactTypes, Meta(description="types to accept as well")] = []


class Registries(Answer):
    entity: str
    registries: list[RegistrySummary]


class RegistryCollection(Answer):
    name: str
    type: str
    version_count: int
    aliases: Annotated[dict[str, str], Meta(description="alias -> the version (vN) it names")]
    created_at: float
    updated_at: float


class Registry(Answer):
    entity: str
    name: str
    path: str
    created_at: float
    description: str | None
    artifact_types: Annotated[list[str] | None, Meta(description="the types it accepts; null: every type")]
    collections: list[RegistryCollection]


class RegisteredVersion(Answer):
    """A registered version: where it is registered and the artifact version it links to (null when
    the caller may not read that artifact's project)."""

    entity: str
    registry: str
    collection: str
    version: str
    path: str
    aliases: list[str]
    linked_at: float
    linked_by: str | None
    artifact: ArtifactVersion | None


class LinkedVersion(RegisteredVersion, kw_only=True):
    created: Annotated[bool, Meta(description="false when the artifact version was linked already")]


class RegistryEventDetail(Answer):
    open: ClassVar[bool] = True  # the audit entry's other fields, as recorded
    version: str | UnsetType = UNSET
    alias: str | UnsetType = UNSET
    was: Annotated[str | None | UnsetType, Meta(description="where a moved alias was")] = UNSET
    artifact: str | UnsetType = UNSET


class RegistryEvent(Answer):
    """One audit entry of a collection: a link, an alias move (`was`: where the alias was), an unlink."""

    at: float
    actor: str
    action: Literal["registry.link", "registry.alias", "registry.unalias", "registry.unlink"]
    detail: RegistryEventDetail


class RegistryCollectionDetail(Answer):
    entity: str
    registry: str
    name: str
    type: str
    path: str
    versions: list[RegisteredVersion]
    history: list[RegistryEvent]


class LinkRequest(Request):
    artifact: Annotated[str, Meta(max_length=1024, description="an artifact version: entity/project/name:vN")]
    aliases: list[str] | None = None


class Unlinked(Answer):
    unlinked: str
