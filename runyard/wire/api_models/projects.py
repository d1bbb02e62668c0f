"""Projects and their metric keys."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from .base import Answer, EntityName, Query, Request

Visibility = Literal["private", "team", "public"]


class Project(Answer):
    entity: str
    name: str
    description: str | None
    created_at: float
    updated_at: float
    run_count: int
    visibility: Visibility


class Projects(Answer):
    projects: list[Project]


class ProjectPatch(Request):
    """Settings to change (the entity's admins); null leaves a setting as it is."""

    visibility: Visibility | None | UnsetType = UNSET
    description: str | None | UnsetType = UNSET
    name: Annotated[str | None | UnsetType, Meta(description="a new name (renames the project)")] = UNSET


class ProjectTransfer(Request):
    to: Annotated[EntityName, Meta(description="the entity that receives the project")]


class ProjectDeleted(Answer):
    deleted: str
    note: str


class KindQuery(Query):
    kind: Annotated[Literal["history", "system"], Meta(description="history (default) or system")] = "history"


class ProjectKey(Answer):
    key: str
    runs: Annotated[int, Meta(description="how many runs of the project log it")]
    points: int
    step_min: int | None
    step_max: int | None


class ProjectKeys(Answer):
    keys: list[ProjectKey]
