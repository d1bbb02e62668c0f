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
    entity, project, collection = inp["entityName"], inp["projectName"], inp["artifactPortfolioName"]
    reg = registry_name(project)
    if reg is None:
        raise WandbError(
            f"runyard links artifacts into registries only: {project!r} is not "
            "'wandb-registry-<registry>' nor 'model-registry'"
        )
    aliases = [a["alias"] for a in inp.get("aliases") or [] if a.get("alias") != "latest"]
    se, sp, row = source

    def in_txn(conn: Connection) -> int:
        access.project_id(conn, store, user, se, sp)  # the linker must read the source
        registry = access.writable_registry(conn, store, user, entity, reg)
        index, _ = store.registries.link(
            conn,
            registry.id,
            collection,
            Source(se, sp, row),
            check_aliases(aliases),
            user,
            registry_path(entity, reg, collection),
        )
        return index

    try:
        return int(store.db.write(in_txn))
    except (StoreError, ApiError) as err:
        raise WandbError.of(err) from None


def unlink(store: Store, user: User, source: sa.Row, collection_id: str) -> None:
    """Take the registered version linking to `source` out of the registry collection the client
    names by id (its aliases go with it, audited); the artifact version itself stays."""
    ref = decode_id(collection_id, "ArtifactSequence")
    reg = None if ref is None or len(ref) != 3 else registry_name(ref[1])
    if ref is None or reg is None:
        raise WandbError(f"artifact collection {collection_id!r} is not a registry collection")
    entity, _, name = ref

    def in_txn(conn: Connection) -> None:
        registry = access.registry(conn, store, user, entity, reg, access.WRITE)
        col = store.registries.collection(conn, registry.id, name)
        membership = None if col is None else store.registries.membership(conn, col.id, source.id)
        if col is None or membership is None:
            raise WandbError(
                f"{source.name}:v{source.version_index} is not in {registry_path(entity, reg, name)}"
            )
        version = store.registries.resolve(conn, col.id, f"v{membership.version_index}")
        assert version is not None  # the membership found just above, in this transaction
        store.registries.unlink(conn, version, user, registry_path(entity, reg, name))

    try:
        store.db.write(in_txn)
    except (StoreError, ApiError) as err:
        raise WandbError.of(err) from None


def collection(
    store: Store, user: User, entity: str, project: str, typ: str, name: str
) -> dict[str, Any] | None:
    """ProjectArtifactCollection on a registry path (artifact.collection of a registered version):
    the registry collection of that type, when `user` may read the registry."""
    reg = registry_name(project)
    if reg is None:
        return None

    def in_txn(conn: Connection) -> sa.Row | None:
        try:
            registry = access.registry(conn, store, user, entity, reg)
        except ApiError:
            return None
        col = store.registries.collection(conn, registry.id, name)
        return col if col is not None and col.type == typ else None

    col = store.db.read(in_txn)
    if col is None:
        return None
    return collection_obj(entity, project, name) | {
        "description": None,
        "createdAt": iso(col.created_at),
        "updatedAt": iso(col.updated_at),
        "defaultArtifactType": {"id": encode_id("ArtifactType", entity, project, typ), "name": typ},
        "tags": {"edges": []},
    }


def version(
    store: Store, user: User, entity: str, project: str, name: str, ref: str
) -> tuple[str, str, sa.Row, list[str]] | None:
    """(entity, project, artifact version row, registry aliases) that a registry path names, when
    `user` may read both the registry and the artifact; None otherwise or when `project` is no registry."""
    reg = registry_name(project)
    if reg is None:
        return None

    def in_txn(conn: Connection) -> tuple[str, str, sa.Row, list[str]] | None:
        try:
            registry = access.registry(conn, store, user, entity, reg)
        except ApiError:
            return None
        col = store.registries.collection(conn, registry.id, name)
        version = None if col is None else store.registries.resolve(conn, col.id, ref)
        if version is None or not access.readable(conn, store, user)(
            f"{version.source_entity}/{version.source_project}"
        ):
            return None
        aliases = store.registries.aliases(conn, [version.membership_id])[version.membership_id]
        return version.source_entity, version.source_project, version, aliases

    return store.db.read(in_txn)


def versions(
    store: Store, user: User, entity: str, project: str, name: str
) -> list[tuple[str, str, str, sa.Row]]:
    """("vN" in the registry collection, source entity, source project, artifact version) of a registry
    collection's versions, newest first, those whose source `user` may read (ArtifactCollection.artifacts
    on a registry path)."""
    reg = registry_name(project)
    if reg is None:
        return []

    def in_txn(conn: Connection) -> list[tuple[str, str, str, sa.Row]]:
        try:
            registry = access.registry(conn, store, user, entity, reg)
        except ApiError:
            return []
        col = store.registries.collection(conn, registry.id, name)
        readable = access.readable(conn, store, user)
        return [
            (f"v{version.membership_index}", version.source_entity, version.source_project, version)
            for version in ([] if col is None else store.registries.versions(conn, col.id))
            if readable(f"{version.source_entity}/{version.source_project}")
        ]

    return store.db.read(in_txn)


def as_membership(
    membership: dict[str, Any], entity: str, project: str, name: str, version: sa.Row, aliases: list[str]
) -> dict[str, Any]:
    """The source version's membership object, seen as version vN of the registry collection: the
    client reads the collection's path, number and aliases from it (and fetches files by them)."""
    return membership | {
        "id": encode_id("Membership", entity, project, name, version.membership_index),
        "versionIndex": int(version.membership_index),
        "aliases": [
            {
                "__typename": "ArtifactAlias",
                "id": encode_id("ArtifactAlias", entity, project, name, a),
                "alias": a,
            }
            for a in aliases
        ],
        "artifactCollection": collection_obj(entity, project, name),
    }
