"""The official client's model registry calls: `linkArtifact` (run.link_artifact, run.link_model,
artifact.link), `unlinkArtifact` (artifact.unlink, artifact.delete of a linked version), the registry
collection (artifact.collection) and artifact lookups by a registry path
("entity/wandb-registry-model/classifier:production", wandb's legacy "entity/model-registry/classifier:v0"),
all over runyard's registry (store/registries.py) and through the access policy. Alias moves in a
registry collection (addAliases / deleteAliases) are in artifacts.py `change_aliases`."""

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
from .names import decode_id, encode_id
from .reads import iso
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


def unlink(store: Store, user: User, source: sa.Row, collection_id: str) -> None:
    """Take the registered version linking to `source` out of the registry collection the client
    names by id (its aliases go with it, audited); the artifact version itself stays."""
    ref = decode_id(collection_id, "ArtifactSequence")
    reg = None if ref is None or len(ref) != 3 else registry_name(ref[1])
    if ref is None or reg is None:
        raise WandbError(f"artifact collection {collection_id!r} is not a registry collection")
    e, _, name = ref

    def w(c: Connection) -> None:
        r = access.registry(c, store, user, e, reg, access.WRITE)
        col = store.registries.collection(c, r.id, name)
        m = None if col is None else store.registries.membership(c, col.id, source.id)
        if col is None or m is None:
            raise WandbError(f"{source.name}:v{source.version_index} is not in {registry_path(e, reg, name)}")
        v = store.registries.resolve(c, col.id, f"v{m.version_index}")
        assert v is not None  # the membership found just above, in this transaction
        store.registries.unlink(c, v, user, registry_path(e, reg, name))

    try:
        store.db.write(w)
    except (StoreError, ApiError) as err:
        raise WandbError.of(err) from None


def collection(store: Store, user: User, e: str, project: str, typ: str, name: str) -> dict[str, Any] | None:
    """ProjectArtifactCollection on a registry path (artifact.collection of a registered version):
    the registry collection of that type, when `user` may read the registry."""
    reg = registry_name(project)
    if reg is None:
        return None

    def q(c: Connection) -> sa.Row | None:
        try:
            r = access.registry(c, store, user, e, reg)
        except ApiError:
            return None
        col = store.registries.collection(c, r.id, name)
        return col if col is not None and col.type == typ else None

    col = store.db.read(q)
    if col is None:
        return None
    return collection_obj(e, project, name) | {
        "description": None,
        "createdAt": iso(col.created_at),
        "updatedAt": iso(col.updated_at),
        "defaultArtifactType": {"id": encode_id("ArtifactType", e, project, typ), "name": typ},
        "tags": {"edges": []},
    }


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


def versions(store: Store, user: User, e: str, project: str, name: str) -> list[tuple[str, str, str, sa.Row]]:
    """("vN" in the registry collection, source entity, source project, artifact version) of a registry
    collection's versions, newest first, those whose source `user` may read (ArtifactCollection.artifacts
    on a registry path)."""
    reg = registry_name(project)
    if reg is None:
        return []

    def q(c: Connection) -> list[tuple[str, str, str, sa.Row]]:
        try:
            r = access.registry(c, store, user, e, reg)
        except ApiError:
            return []
        col = store.registries.collection(c, r.id, name)
        readable = access.readable(c, store, user)
        return [
            (f"v{v.membership_index}", v.source_entity, v.source_project, v)
            for v in ([] if col is None else store.registries.versions(c, col.id))
            if readable(f"{v.source_entity}/{v.source_project}")
        ]

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
