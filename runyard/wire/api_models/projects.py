"""Projects and their metric keys."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from .base import Answer, Query


class Project(Answer):
    entity: str
    name: str
    description: str | None
    created_at: float
    updated_at: float
    run_count: int


class Projects(Answer):
    projects: list[Project]


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
