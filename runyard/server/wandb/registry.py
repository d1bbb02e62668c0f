"""The official client's model registry calls: `linkArtifact` (run.link_artifact, run.link_model) and
artifact lookups by a registry path ("entity/wandb-registry-model/classifier:production", wandb's
legacy "entity/model-registry/classifier:v0"), both over runyard's registry (store/registries.py)
and through the access policy."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store import Store, User
from ...store.errors import StoreError
from ...store.registries import Source, check_aliases, registry_path
from ...wire.names import registry_name
from .. import access
from ..errors import ApiError
from .artifacts import collection_obj
from .names import encode_id
from .runs import WandbError


def link(store: Store, user: User, source: tuple[str, str, sa.Row], inp: dict[str, Any]) -> int:
    """Link the source artifact version into the collection `inp` names; returns its version index."""
    e, project, collection = inp["entityName"], inp["projectName"], inp["artifactPortfolioName"]
    reg = registry_name(project)
    if reg is None:
        raise WandbError(
            f"runyard links artifacts into registries only: {project!r} is not "
            "'wandb-registry-<registry>' nor 'model-registry'"
        )
    aliases = [a["alias"] for a in inp.get("aliases") or [] if a.get("alias") != "latest"]
    se, sp, row = source

    def w(c: Connection) -> int:
        access.project_id(c, store, user, se, sp)  # the linker must read the source
        r = access.writable_registry(c, store, user, e, reg)
        index, _ = store.registries.link(
            c,
            r.id,
            collection,
            Source(se, sp, row),
            check_aliases(aliases),
            user,
            registry_path(e, reg, collection),
        )
        return index

    try:
        return int(store.db.write(w))
    except (StoreError, ApiError) as err:
        raise WandbError.of(err) from None


def version(
    store: Store, user: User, e: str, project: str, name: str, ref: str
) -> tuple[str, str, sa.Row, list[str]] | None:
    """(entity, project, artifact version row, registry aliases) that a registry path names, when
    `user` may read both the registry and the artifact; None otherwise or when `project` is no registry."""
    reg = registry_name(project)
    if reg is None:
        return None

    def q(c: Connection) -> tuple[str, str, sa.Row, list[str]] | None:
        try:
            r = access.registry(c, store, user, e, reg)
        except ApiError:
            return None
        col = store.registries.collection(c, r.id, name)
        v = None if col is None else store.registries.resolve(c, col.id, ref)
        if v is None or not access.readable(c, store, user)(f"{v.source_entity}/{v.source_project}"):
            return None
        aliases = store.registries.aliases(c, [v.membership_id])[v.membership_id]
        return v.source_entity, v.source_project, v, aliases

    return store.db.read(q)


def as_membership(
    m: dict[str, Any], e: str, project: str, name: str, v: sa.Row, aliases: list[str]
) -> dict[str, Any]:
    """The source version's membership object, seen as version vN of the registry collection: the
    client reads the collection's path, number and aliases from it (and fetches files by them)."""
    return m | {
        "id": encode_id("Membership", e, project, name, v.membership_index),
        "versionIndex": int(v.membership_index),
        "aliases": [
            {"__typename": "ArtifactAlias", "id": encode_id("ArtifactAlias", e, project, name, a), "alias": a}
            for a in aliases
        ],
        "artifactCollection": collection_obj(e, project, name),
    }
