"""Saved workspace views. The state is the UI's versioned view object (web/src/core/view.ts), kept as
given and bounded in size by the server (`max_view_bytes`)."""

from __future__ import annotations

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from .base import Answer, Json, Request, Title

ViewState = Annotated[Json, Meta(description="the workspace's view (web/src/core/view.ts StoredView)")]


class SavedView(Answer):
    id: int
    name: str
    shared: Annotated[bool, Meta(description="the project's (members change it) or its owner's alone")]
    owner: str
    state: ViewState
    created_at: float
    updated_at: float


class SavedViews(Answer):
    """The project's shared views and the caller's personal ones, by name."""

    views: list[SavedView]


class NewView(Request):
    name: Title
    state: ViewState
    shared: bool = False


class ViewPatch(Request):
    """What to change; making a view shared needs write access to the project, making it personal
    again is its owner's act."""

    name: Title | UnsetType = UNSET
    shared: bool | UnsetType = UNSET
    state: ViewState | UnsetType = UNSET


class ViewCopy(Request):
    """A copy takes its original's state: a name (default "<name> (copy)") and whether it is shared."""

    name: Title | UnsetType = UNSET
    shared: bool = False
