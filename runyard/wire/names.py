"""The name rule: which entity, project, run id and artifact names runyard accepts, one definition
for the SDK (refused at `init`), the store and the server (refused in paths and bodies).

Names appear in URLs, file names and HTML, so they are kept to a safe set: ASCII letters, digits,
`.`, `_`, `-`; projects and run ids may also hold inner spaces (wandb scripts use them); artifact
names start with a letter or digit. At most 128 characters; never `.` or `..`.
"""

from __future__ import annotations

import re
from typing import Any

NAME_MAX = 128
_ENTITY = re.compile(r"[A-Za-z0-9._-]{1,128}")
_PROJECT = re.compile(r"[A-Za-z0-9._-](?:[A-Za-z0-9._ -]{0,126}[A-Za-z0-9._-])?")
_ARTIFACT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

ENTITY_RULE = "1-128 characters: letters, digits, '-', '_', '.'"
PROJECT_RULE = "1-128 characters: letters, digits, '-', '_', '.' and inner spaces"
ARTIFACT_RULE = "1-128 characters: letters, digits, '.', '-', '_', starting with a letter or digit"


def _ok(pattern: re.Pattern[str], name: Any) -> bool:
    return isinstance(name, str) and pattern.fullmatch(name) is not None and name not in (".", "..")


def valid_entity_name(name: Any) -> bool:
    """A user or team name."""
    return _ok(_ENTITY, name)


def valid_project_name(name: Any) -> bool:
    """A project name or a run id."""
    return _ok(_PROJECT, name)


def valid_artifact_name(name: Any, max_len: int = NAME_MAX) -> bool:
    """An artifact (collection) name or type."""
    return _ok(_ARTIFACT, name) and len(name) <= max_len


REGISTRY_PREFIX = "wandb-registry-"  # a path's project segment naming a registry (W&B's form)
LEGACY_MODEL_REGISTRY = "model-registry"  # wandb's link_model target: the "model" registry here


def registry_name(project: Any) -> str | None:
    """The registry a path's project segment names ("wandb-registry-model" -> "model"), else None."""
    if project == LEGACY_MODEL_REGISTRY:
        return "model"
    if isinstance(project, str) and project.startswith(REGISTRY_PREFIX):
        return project[len(REGISTRY_PREFIX) :]
    return None
