"""The model registry: `/api/v1/registries/{entity}[/{registry}[/{collection}[/{version}[/aliases]]]]`.

Linking (POST to a collection with `{"artifact": "entity/project/name:ref", "aliases": [...]}`)
creates the registry and the collection on first use; versions resolve by "vN", "latest" or an
alias; alias moves and unlinks are audited, and a collection answers its history from the audit
log. See docs/registry.md.
"""

from __future__ import annotations

from typing import Any

import msgspec
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import Store, User
from ...store.registries import Source, check_aliases, check_name, registry_path
from ...wire import api_models as m
from .. import access, deletions
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, read, store, user, write


def _names(request: Request) -> tuple[str, str, str]:
    """entity, registry, collection of the path (collection "" when the route has none)."""
    reg = check_name(request.path_params["registry"], "registry")
    col = request.path_params.get("collection")
    return name_param(request, "entity"), reg, "" if col is None else check_name(col, "collection")


def _collection(
    conn: Any, repos: Store, caller: User, entity: str, registry: str, col: str, action: str = access.READ
) -> sa.Row:
    reg = access.registry(conn, repos, caller, entity, registry, action)
    row = repos.registries.collection(conn, reg.id, col)
    if row is None:
        raise ApiError(
            404, "unknown_collection", f"collection {registry_path(entity, registry, col)} does not exist"
        )
    return row


def _version(
    conn: Any,
    repos: Store,
    caller: User,
    entity: str,
    registry: str,
    col: str,
    ref: str,
    action: str = access.READ,
) -> Any:
    coll = _collection(conn, repos, caller, entity, registry, col, action)
    version = repos.registries.resolve(conn, coll.id, ref)
    if version is None:
        raise ApiError(404, "unknown_version", f"{registry_path(entity, registry, col)}:{ref} does not exist")
    return coll, version


def _version_doc(
    conn: Any,
    repos: Store,
    caller: User,
    entity: str,
    registry: str,
    col: str,
    version: Any,
    manifest: bool = False,
) -> dict:
    """A registered version: where it is registered, and the artifact version it links to (None when
    the caller may not read that artifact's project)."""
    can_read = access.readable(conn, repos, caller)
    aliases = repos.registries.aliases(conn, [version.membership_id])[version.membership_id]
    doc: dict[str, Any] = {
        "entity": entity,
        "registry": registry,
        "collection": col,
        "version": f"v{version.membership_index}",
        "path": f"{registry_path(entity, registry, col)}:v{version.membership_index}",
        "aliases": aliases,
        "linked_at": version.linked_at,
        "linked_by": version.linked_by_name,
        "artifact": None,
    }
    if can_read(f"{version.source_entity}/{version.source_project}"):
        doc["artifact"] = repos.artifacts.doc(
            conn, version, version.source_entity, version.source_project, can_read, manifest=manifest
        )
    return doc


@endpoint("The registries of an entity", answer=m.Registries)
async def list_registries(request: Request) -> Response:
    entity = name_param(request, "entity")
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> list[dict]:
        return repos.registries.of_entity(conn, access.entity_id(conn, repos, caller, entity))

    return JSON({"entity": entity, "registries": await read(request, in_txn)})


def _registry_doc(conn: Any, repos: Store, entity: str, reg: Any) -> dict:
    return {
        "entity": entity,
        "name": reg.name,
        "path": registry_path(entity, reg.name),
        "created_at": reg.created_at,
        "description": reg.description,
        "artifact_types": reg.artifact_types,
        "collections": repos.registries.collections(conn, reg.id),
    }


@endpoint("A registry and its collections, with their aliases", answer=m.Registry)
async def get_registry(request: Request) -> Response:
    entity, registry, _ = _names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        return _registry_doc(conn, repos, entity, access.registry(conn, repos, caller, entity, registry))

    return JSON(await read(request, in_txn))


@endpoint(
    "Create a registry before its first link, with a description and the artifact types it accepts "
    "(409 registry_exists)",
    body=m.NewRegistry,
    answer=m.Registry,
)
async def create_registry(request: Request, new: m.NewRegistry) -> Response:
    entity = name_param(request, "entity")
    name = check_name(new.name, "registry")
    if new.visibility != "organization":
        raise ApiError(
            422,
            "bad_value",
            f"visibility {new.visibility!r}: a runyard registry is visible to its entity's members "
            "('organization'); invited-members-only registries are not supported",
            field="visibility",
        )
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        eid = access.entity_id(conn, repos, caller, entity, access.WRITE)
        reg = repos.registries.create(
            conn, eid, name, caller, registry_path(entity, name), new.description, new.artifact_types
        )
        return _registry_doc(conn, repos, entity, reg)

    return JSON(await write(request, in_txn), status_code=201)


@endpoint(
    "Change a registry's description or add artifact types it accepts (types are never removed)",
    body=m.RegistryPatch,
    answer=m.Registry,
)
async def update_registry(request: Request, patch: m.RegistryPatch) -> Response:
    entity, registry, _ = _names(request)
    repos, caller = store(request), user(request)
    description = None if patch.description is msgspec.UNSET else (patch.description,)

    def in_txn(conn: Any) -> dict:
        reg = access.registry(conn, repos, caller, entity, registry, access.WRITE)
        target = registry_path(entity, registry)
        repos.registries.update(conn, reg, caller, target, description, patch.artifact_types)
        reg = access.registry(conn, repos, caller, entity, registry)
        return _registry_doc(conn, repos, entity, reg)

    return JSON(await write(request, in_txn))


@endpoint(
    "A registry collection: its versions (newest first) and its history", answer=m.RegistryCollectionDetail
)
async def get_collection(request: Request) -> Response:
    entity, registry, col = _names(request)
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        coll = _collection(conn, repos, caller, entity, registry, col)
        versions = [
            _version_doc(conn, repos, caller, entity, registry, col, version)
            for version in repos.registries.versions(conn, coll.id)
        ]
        return {
            "entity": entity,
            "registry": registry,
            "name": col,
            "type": coll.type,
            "path": registry_path(entity, registry, col),
            "versions": versions,
            "history": repos.registries.history(conn, registry_path(entity, registry, col)),
        }

    return JSON(await read(request, in_txn))


def _artifact_ref(ref: str) -> tuple[str, str, str, str]:
    if ref.count("/") != 2 or ":" not in ref.rsplit("/", 1)[1]:
        raise ApiError(422, "bad_value", "artifact must be an artifact version: 'entity/project/name:vN'")
    path, version = ref.rsplit(":", 1)
    ae, ap, an = path.split("/")
    return ae, ap, an, version


@endpoint(
    "Link an artifact version the caller can read into the collection (registry and collection are "
    "created on first link)",
    body=m.LinkRequest,
    answer=m.LinkedVersion,
)
async def link(request: Request, new: m.LinkRequest) -> Response:
    entity, registry, col = _names(request)
    ae, ap, an, aref = _artifact_ref(new.artifact)
    aliases = check_aliases(new.aliases or [])
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        pid = access.project_id(conn, repos, caller, ae, ap)
        src = repos.artifacts.resolve(conn, pid, an, aref)
        if src is None:
            raise deletions.missing_version(conn, repos, pid, f"{ae}/{ap}", an, aref)
        reg = access.writable_registry(conn, repos, caller, entity, registry)
        target = registry_path(entity, registry, col)
        index, created = repos.registries.link(
            conn, reg.id, col, Source(ae, ap, src), aliases, caller, target
        )
        coll, version = _version(conn, repos, caller, entity, registry, col, f"v{index}")
        return _version_doc(conn, repos, caller, entity, registry, col, version) | {"created": created}

    return JSON(await write(request, in_txn))


@endpoint(
    "A registered version (vN, latest or an alias) with the artifact version it links to",
    query=m.VersionQuery,
    answer=m.RegisteredVersion,
)
async def get_version(request: Request, query: m.VersionQuery) -> Response:
    entity, registry, col = _names(request)
    ref = request.path_params["version"]
    manifest = query.manifest
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        _, version = _version(conn, repos, caller, entity, registry, col, ref)
        doc = _version_doc(conn, repos, caller, entity, registry, col, version, manifest=manifest)
        if doc["artifact"] is None:
            raise ApiError(
                403,
                "forbidden",
                f"{doc['path']} links to an artifact in {version.source_entity}/{version.source_project}, "
                f"which user {caller.name!r} cannot read",
            )
        return doc

    return JSON(await read(request, in_txn))


@endpoint(
    "Move aliases onto this version (add: from wherever they were) or take them off (remove)",
    body=m.AliasChange,
    answer=m.RegisteredVersion,
)
async def set_aliases(request: Request, change: m.AliasChange) -> Response:
    entity, registry, col = _names(request)
    ref = request.path_params["version"]
    add, remove = check_aliases(change.add or []), check_aliases(change.remove or [])
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> dict:
        coll, version = _version(conn, repos, caller, entity, registry, col, ref, access.WRITE)
        target = registry_path(entity, registry, col)
        for alias in add:
            repos.registries.move_alias(
                conn, coll.id, version.membership_id, version.membership_index, alias, caller, target
            )
        for alias in remove:
            repos.registries.remove_alias(
                conn, version.membership_id, version.membership_index, alias, caller, target
            )
        _, version = _version(conn, repos, caller, entity, registry, col, f"v{version.membership_index}")
        return _version_doc(conn, repos, caller, entity, registry, col, version)

    return JSON(await write(request, in_txn))


@endpoint(
    "Take a version out of the collection (its aliases go with it); the artifact version stays",
    answer=m.Unlinked,
)
async def unlink(request: Request) -> Response:
    entity, registry, col = _names(request)
    ref = request.path_params["version"]
    repos, caller = store(request), user(request)

    def in_txn(conn: Any) -> str:
        _, version = _version(conn, repos, caller, entity, registry, col, ref, access.WRITE)
        repos.registries.unlink(conn, version, caller, registry_path(entity, registry, col))
        return f"{registry_path(entity, registry, col)}:v{version.membership_index}"

    return JSON({"unlinked": await write(request, in_txn)})


B = "/api/v1/registries/{entity}"
RC = B + "/{registry}/{collection}"
routes = [
    Route(B, list_registries, methods=["GET"]),
    Route(B, create_registry, methods=["POST"]),
    Route(B + "/{registry}", get_registry, methods=["GET"]),
    Route(B + "/{registry}", update_registry, methods=["PATCH"]),
    Route(RC, get_collection, methods=["GET"]),
    Route(RC, link, methods=["POST"]),
    Route(RC + "/{version}", get_version, methods=["GET"]),
    Route(RC + "/{version}", unlink, methods=["DELETE"]),
    Route(RC + "/{version}/aliases", set_aliases, methods=["POST"]),
]
