"""Health and the caller."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from .base import Answer

Role = Literal["admin", "member", "viewer"]  # in a team: administer, write, read
KeyScope = Literal["read", "write"]


class Health(Answer):
    status: Literal["ok"]
    version: str


class Ready(Answer):
    status: Literal["ready", "unavailable"]
    checks: Annotated[
        dict[str, str], Meta(description="database, blob_store, bus: ok, or why it did not answer")
    ]


class ViewerEntity(Answer):
    name: str
    kind: Literal["user", "team"]


class ViewerTeam(Answer):
    name: str
    role: Role


class Viewer(Answer):
    user: str
    is_admin: bool
    anonymous: bool
    default_entity: str
    entities: list[ViewerEntity]
    teams: list[ViewerTeam]
    auth: Literal["anonymous", "key", "session"]
    scope: KeyScope
