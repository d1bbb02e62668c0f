"""Health and the caller."""

from __future__ import annotations

from typing import Literal

from .base import Answer


class Health(Answer):
    status: Literal["ok"]
    version: str


class ViewerEntity(Answer):
    name: str
    kind: Literal["user", "team"]


class Viewer(Answer):
    user: str
    is_admin: bool
    default_entity: str
    entities: list[ViewerEntity]
