"""Deleting what other things point at, one rule for every path: an artifact version (REST and the wandb
client's DeleteArtifact), a run and, when asked, the versions it logged (REST `DELETE /api/v1/runs/...`
and the wandb client's DeleteRun). A deleted version stays as a tombstone (store/artifacts.py), so a
fetch of it answers 410 naming it (`missing_version`).

Each runs inside the caller's write transaction, so a refusal (409) leaves everything as it was.
"""

from __future__ import annotations

from typing import Any

from ..store import Store, User
from . import access
from .errors import ApiError


def delete_version(
    c: Any, s: Store, u: User, e: str, p: str, v: Any, delete_aliases: bool, registered_ok: bool
) -> str:
    """Delete artifact version `v` (a row of `s.artifacts.resolve`) of project e/p; answers its
    "e/p/name:vN". Aliases other than `latest` need `delete_aliases` (409 `has_aliases`), registry
    versions linking to it `registered_ok` (409 `registered`); the registry versions go with it."""
    label = f"{v.name}:v{v.version_index}"
    user_aliases = [a for a in s.artifacts.aliases(c, [v.id])[v.id] if a != "latest"]
    if user_aliases and not delete_aliases:
        raise ApiError(
            409, "has_aliases", f"{label} has aliases {user_aliases}; pass delete_aliases=true to delete it"
        )
    registered = s.registries.memberships_of(c, v.id)
    if registered and not registered_ok:  # deleting it takes it out of the registry, "production" included
        raise ApiError(
            409,
            "registered",
            f"{e}/{p}/{label} is registered as {registered}; unlink it from the registry "
            "(`runyard registry unlink`) or delete the version with delete_aliases=true, "
            "which deletes its registry versions too",
        )
    s.artifacts.delete_version(c, v.id)
    s.audit.record(c, u, "artifact.delete", f"{e}/{p}/{label}", aliases=user_aliases, registered=registered)
    return f"{e}/{p}/{label}"


def delete_run(c: Any, s: Store, u: User, e: str, p: str, r: str, delete_artifacts: bool) -> list[str]:
    """Delete run e/p/r (WRITE on its project) and, with `delete_artifacts`, the artifact versions it
    created (those it logged first; WRITE on their projects), aliases included, whoever used them.
    A version registered in a registry is not deleted with a run: 409 `registered` and nothing is.
    Answers the versions deleted."""
    loc = access.run(c, s, u, e, p, r, access.WRITE)
    deleted = []
    if delete_artifacts:
        for ae, ap, name, digest in s.artifacts.created_by(c, loc.id):
            ent = s.entities.get(c, ae)
            proj = s.projects.get(c, ent.id, ap) if ent is not None else None
            if proj is None:
                continue  # the project (and its versions) is gone already
            v = s.artifacts.resolve(c, access.project_id(c, s, u, ae, ap, access.WRITE), name, digest)
            if v is not None:  # None: never committed, or deleted already
                deleted.append(delete_version(c, s, u, ae, ap, v, delete_aliases=True, registered_ok=False))
    s.runs.delete(c, loc.id)
    s.audit.record(c, u, "run.delete", f"{e}/{p}/{r}", artifacts=deleted)
    return deleted


def missing_version(conn: Any, repos: Store, pid: int, where: str, name: str, ref: str) -> ApiError:
    """404 for a version that never was; 410 naming it for one that was deleted (its tombstone)."""
    gone = repos.artifacts.resolve(conn, pid, name, ref, deleted=True)
    if gone is not None:
        asked = "" if ref == f"v{gone.version_index}" else f" (asked as {ref})"
        return ApiError(
            410, "artifact_deleted", f"artifact {where}/{name}:v{gone.version_index}{asked} was deleted"
        )
    return ApiError(404, "unknown_artifact", f"artifact {where}/{name}:{ref} does not exist")
