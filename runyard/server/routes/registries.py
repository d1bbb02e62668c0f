"""The model registry: `/api/v1/registries/{entity}[/{registry}[/{collection}[/{version}[/aliases]]]]`.

Linking (POST to a collection with `{"artifact": "entity/project/name:ref", "aliases": [...]}`)
creates the registry and the collection on first use; versions resolve by "vN", "latest" or an
alias; alias moves and unlinks are audited, and a collection answers its history from the audit
log. See docs/registry.md.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...store import Store, User
from ...store.registries import Source, check_aliases, check_name, registry_path
from ...wire import api_models as m
from .. import access
from ..contract import endpoint
from ..errors import ApiError
from ..http import JSON, name_param, read, store, user, write


def _names(request: Request) -> tuple[str, str, str]:
    """entity, registry, collection of the path (collection "" when the route has none)."""
    reg = check_name(request.path_params["registry"], "registry")
    col = request.path_params.get("collection")
    return name_param(request, "entity"), reg, "" if col is None else check_name(col, "collection")


def _collection(c: Any, s: Store, u: User, e: str, r: str, col: str, action: str = access.READ) -> sa.Row:
    reg = access.registry(c, s, u, e, r, action)
    row = s.registries.collection(c, reg.id, col)
    if row is None:
        raise ApiError(404, "unknown_collection", f"collection {registry_path(e, r, col)} does not exist")
    return row


def _version(c: Any, s: Store, u: User, e: str, r: str, col: str, ref: str, action: str = access.READ) -> Any:
    coll = _collection(c, s, u, e, r, col, action)
    v = s.registries.resolve(c, coll.id, ref)
    if v is None:
        raise ApiError(404, "unknown_version", f"{registry_path(e, r, col)}:{ref} does not exist")
    return coll, v


def _version_doc(c: Any, s: Store, u: User, e: str, r: str, col: str, v: Any, manifest: bool = False) -> dict:
    """A registered version: where it is registered, and the artifact version it links to (None when
    the caller may not read that artifact's project)."""
    can_read = access.readable(c, s, u)
    aliases = s.registries.aliases(c, [v.membership_id])[v.membership_id]
    d: dict[str, Any] = {
        "entity": e,
        "registry": r,
        "collection": col,
        "version": f"v{v.membership_index}",
        "path": f"{registry_path(e, r, col)}:v{v.membership_index}",
        "aliases": aliases,
        "linked_at": v.linked_at,
        "linked_by": v.linked_by_name,
        "artifact": None,
    }
    if can_read(f"{v.source_entity}/{v.source_project}"):
        d["artifact"] = s.artifacts.doc(c, v, v.source_entity, v.source_project, can_read, manifest=manifest)
    return d


@endpoint("The registries of an entity", answer=m.Registries)
async def list_registries(request: Request) -> Response:
    e = name_param(request, "entity")
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.registries.of_entity(c, access.entity_id(c, s, u, e))

    return JSON({"entity": e, "registries": await read(request, q)})


@endpoint("A registry and its collections, with their aliases", answer=m.Registry)
async def get_registry(request: Request) -> Response:
    e, r, _ = _names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> list[dict]:
        return s.registries.collections(c, access.registry(c, s, u, e, r).id)

    cols = await read(request, q)
    return JSON({"entity": e, "name": r, "path": registry_path(e, r), "collections": cols})


@endpoint(
    "A registry collection: its versions (newest first) and its history", answer=m.RegistryCollectionDetail
)
async def get_collection(request: Request) -> Response:
    e, r, col = _names(request)
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        coll = _collection(c, s, u, e, r, col)
        versions = [_version_doc(c, s, u, e, r, col, v) for v in s.registries.versions(c, coll.id)]
        return {
            "entity": e,
            "registry": r,
            "name": col,
            "type": coll.type,
            "path": registry_path(e, r, col),
            "versions": versions,
            "history": s.registries.history(c, registry_path(e, r, col)),
        }

    return JSON(await read(request, q))


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
    e, r, col = _names(request)
    ae, ap, an, aref = _artifact_ref(new.artifact)
    aliases = check_aliases(new.aliases or [])
    s, u = store(request), user(request)

    def w(c: Any) -> dict:
        src = s.artifacts.resolve(c, access.project_id(c, s, u, ae, ap), an, aref)
        if src is None:
            raise ApiError(404, "unknown_artifact", f"artifact {ae}/{ap}/{an}:{aref} does not exist")
        reg = access.writable_registry(c, s, u, e, r)
        target = registry_path(e, r, col)
        index, created = s.registries.link(c, reg.id, col, Source(ae, ap, src), aliases, u, target)
        coll, v = _version(c, s, u, e, r, col, f"v{index}")
        return _version_doc(c, s, u, e, r, col, v) | {"created": created}

    return JSON(await write(request, w))


@endpoint(
    "A registered version (vN, latest or an alias) with the artifact version it links to",
    query=m.VersionQuery,
    answer=m.RegisteredVersion,
)
async def get_version(request: Request, query: m.VersionQuery) -> Response:
    e, r, col = _names(request)
    ref = request.path_params["version"]
    manifest = query.manifest
    s, u = store(request), user(request)

    def q(c: Any) -> dict:
        _, v = _version(c, s, u, e, r, col, ref)
        d = _version_doc(c, s, u, e, r, col, v, manifest=manifest)
        if d["artifact"] is None:
            raise ApiError(
                403,
                "forbidden",
                f"{d['path']} links to an artifact in {v.source_entity}/{v.source_project}, "
                f"which user {u.name!r} cannot read",
            )
        return d

    return JSON(await read(request, q))


@endpoint(
    "Move aliases onto this version (add: from wherever they were) or take them off (remove)",
    body=m.AliasChange,
    answer=m.RegisteredVersion,
)
async def set_aliases(request: Request, change: m.AliasChange) -> Response:
    e, r, col = _names(request)
    ref = request.path_params["version"]
    add, remove = check_aliases(change.add or []), check_aliases(change.remove or [])
    s, u = store(request), user(request)

    def w(c: Any) -> dict:
        coll, v = _version(c, s, u, e, r, col, ref, access.WRITE)
        target = registry_path(e, r, col)
        for a in add:
            s.registries.move_alias(c, coll.id, v.membership_id, v.membership_index, a, u, target)
        for a in remove:
            s.registries.remove_alias(c, v.membership_id, v.membership_index, a, u, target)
        _, v = _version(c, s, u, e, r, col, f"v{v.membership_index}")
        return _version_doc(c, s, u, e, r, col, v)

    return JSON(await write(request, w))


@endpoint(
    "Take a version out of the collection (its aliases go with it); the artifact version stays",
    answer=m.Unlinked,
)
async def unlink(request: Request) -> Response:
    e, r, col = _names(request)
    ref = request.path_params["version"]
    s, u = store(request), user(request)

    def w(c: Any) -> str:
        _, v = _version(c, s, u, e, r, col, ref, access.WRITE)
        s.registries.unlink(c, v, u, registry_path(e, r, col))
        return f"{registry_path(e, r, col)}:v{v.membership_index}"

    return JSON({"unlinked": await write(request, w)})


B = "/api/v1/registries/{entity}"
RC = B + "/{registry}/{collection}"
routes = [
    Route(B, list_registries, methods=["GET"]),
    Route(B + "/{registry}", get_registry, methods=["GET"]),
    Route(RC, get_collection, methods=["GET"]),
    Route(RC, link, methods=["POST"]),
    Route(RC + "/{version}", get_version, methods=["GET"]),
    Route(RC + "/{version}", unlink, methods=["DELETE"]),
    Route(RC + "/{version}/aliases", set_aliases, methods=["POST"]),
]
