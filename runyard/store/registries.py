"""The model registry: registries of an entity hold collections ("registered models") whose versions
v0, v1, ... are links to artifact versions of the entity's projects (no files are copied).

A registry is addressed like a project named `wandb-registry-<name>` (W&B's form), so
"acme/wandb-registry-model/classifier:production" names a registered version. Aliases such as
`production` are unique per collection and move when reassigned; `latest` is not stored, it is
always the newest version. Every link, alias move and unlink is written to the audit log (target:
the collection's path), which is also the collection's history.

A registry is created on its first link, or explicitly (`api.create_registry`) with a description and
the artifact types it accepts; a link of another type is refused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..wire.names import ARTIFACT_RULE, REGISTRY_PREFIX, valid_artifact_name
from . import version_aliases as aliases_of
from .artifacts import TYPE_RE
from .audit import Audit
from .db import Database
from .entities import User
from .errors import StoreError
from .tables import (
    artifact_collections,
    artifact_versions,
    audit_log,
    entities,
    projects,
    registries,
    registry_aliases,
    registry_collections,
    registry_versions,
)
from .version_aliases import LATEST, check_alias, version_index

MAX_ALIASES = 100  # aliases added or removed by one request
MAX_TYPES = 100  # artifact types a registry accepts
HISTORY = 200  # history entries a collection answers with


def registry_path(entity: str, registry: str, collection: str | None = None) -> str:
    return f"{entity}/{REGISTRY_PREFIX}{registry}" + (f"/{collection}" if collection else "")


def check_name(name: Any, what: str) -> str:
    if not valid_artifact_name(name):
        raise StoreError("bad_name", f"{what} name {name!r} must be {ARTIFACT_RULE}")
    return name


def check_types(types: Any) -> list[str]:
    """The artifact types a registry accepts: at most MAX_TYPES artifact type names."""
    if not isinstance(types, list) or not all(isinstance(t, str) and TYPE_RE.match(t) for t in types):
        raise StoreError(
            "bad_value",
            "artifact_types must be a list of artifact types (1-64 letters, digits, '.', '-', '_')",
        )
    if len(types) > MAX_TYPES:
        raise StoreError("too_many", f"{len(types)} artifact types; at most {MAX_TYPES}")
    return list(dict.fromkeys(types))


def check_aliases(aliases: Any) -> list[str]:
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise StoreError("wrong_type", "aliases must be a list of strings")
    if len(aliases) > MAX_ALIASES:
        raise StoreError("too_many", f"{len(aliases)} aliases; at most {MAX_ALIASES} per request")
    for a in aliases:
        if a == LATEST:
            raise StoreError("bad_value", "'latest' always marks the newest version; it cannot be set")
    return list(dict.fromkeys(check_alias(a) for a in aliases))


def _collection_named(registry_id: int, name: str) -> sa.Select:
    return sa.select(registry_collections).where(
        registry_collections.c.registry_id == registry_id, registry_collections.c.name == name
    )


def _count(table: sa.Table, of_parent: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    """How many rows of `table` belong to the outer query's row (`of_parent` correlates them)."""
    return sa.select(sa.func.count()).select_from(table).where(of_parent).scalar_subquery()


@dataclass
class Source:
    """The artifact version a registry version links to."""

    entity: str
    project: str
    row: sa.Row  # artifact_versions joined with its collection's name and type

    @property
    def name(self) -> str:
        return f"{self.entity}/{self.project}/{self.row.name}:v{self.row.version_index}"


class Registries:
    def __init__(self, db: Database, audit: Audit):
        self.db = db
        self.audit = audit

    # -- reading ----------------------------------------------------------------------------------
    def get(self, conn: Connection, entity_id: int, name: str) -> sa.Row | None:
        q = sa.select(registries).where(registries.c.entity_id == entity_id, registries.c.name == name)
        return conn.execute(q).first()

    def collection(self, conn: Connection, registry_id: int, name: str) -> sa.Row | None:
        return conn.execute(_collection_named(registry_id, name)).first()

    def of_entity(self, conn: Connection, entity_id: int) -> list[dict]:
        n = _count(registry_collections, registry_collections.c.registry_id == registries.c.id)
        q = (
            sa.select(
                registries.c.name,
                registries.c.created_at,
                registries.c.description,
                registries.c.artifact_types,
                n.label("collection_count"),
            )
            .where(registries.c.entity_id == entity_id)
            .order_by(registries.c.name)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def collections(self, conn: Connection, registry_id: int) -> list[dict]:
        n = _count(registry_versions, registry_versions.c.collection_id == registry_collections.c.id)
        q = (
            sa.select(registry_collections, n.label("version_count"))
            .where(registry_collections.c.registry_id == registry_id)
            .order_by(registry_collections.c.updated_at.desc(), registry_collections.c.id)
        )
        rows = conn.execute(q).all()
        al = self._aliases_by_collection(conn, [r.id for r in rows])
        return [
            {
                "name": r.name,
                "type": r.type,
                "version_count": r.version_count,
                "aliases": al.get(r.id, {}),
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in rows
        ]

    def _aliases_by_collection(self, conn: Connection, ids: list[int]) -> dict[int, dict[str, str]]:
        """collection id -> {alias: "vN"}."""
        out: dict[int, dict[str, str]] = {}
        if not ids:
            return out
        q = (
            sa.select(
                registry_aliases.c.collection_id, registry_aliases.c.alias, registry_versions.c.version_index
            )
            .join(registry_versions, registry_versions.c.id == registry_aliases.c.version_id)
            .where(registry_aliases.c.collection_id.in_(ids))
            .order_by(registry_aliases.c.alias)
        )
        for cid, alias, idx in conn.execute(q):
            out.setdefault(cid, {})[alias] = f"v{idx}"
        return out

    def _source_query(self) -> sa.Select:
        linker = entities.alias("linker")
        return (
            sa.select(
                registry_versions.c.id.label("membership_id"),
                registry_versions.c.version_index.label("membership_index"),
                registry_versions.c.linked_at,
                linker.c.name.label("linked_by_name"),
                entities.c.name.label("source_entity"),
                projects.c.name.label("source_project"),
                artifact_versions,
                artifact_collections.c.name,
                artifact_collections.c.type,
            )
            .join(artifact_versions, artifact_versions.c.id == registry_versions.c.artifact_version_id)
            .join(artifact_collections, artifact_collections.c.id == artifact_versions.c.collection_id)
            .join(projects, projects.c.id == artifact_collections.c.project_id)
            .join(entities, entities.c.id == projects.c.entity_id)
            .outerjoin(linker, linker.c.id == registry_versions.c.linked_by)
        )

    def versions(self, conn: Connection, collection_id: int) -> list[sa.Row]:
        """The collection's versions, newest first, each with its source artifact version."""
        q = (
            self._source_query()
            .where(registry_versions.c.collection_id == collection_id)
            .order_by(registry_versions.c.version_index.desc())
        )
        return list(conn.execute(q).all())

    def resolve(self, conn: Connection, collection_id: int, ref: str) -> sa.Row | None:
        """The version called `ref`: "vN", "latest" (the newest) or an alias."""
        q = self._source_query().where(registry_versions.c.collection_id == collection_id)
        if ref == LATEST:
            q = q.order_by(registry_versions.c.version_index.desc()).limit(1)
        elif (index := version_index(ref)) is not None:
            q = q.where(registry_versions.c.version_index == index)
        else:
            q = aliases_of.named(q, registry_aliases, registry_versions.c.id, ref)
        return conn.execute(q).first()

    def aliases(self, conn: Connection, membership_ids: list[int]) -> dict[int, list[str]]:
        return aliases_of.of_versions(conn, registry_aliases, membership_ids)

    def membership(self, conn: Connection, collection_id: int, artifact_version_id: int) -> sa.Row | None:
        """The version of the collection that links to this artifact version (id, version_index)."""
        q = sa.select(registry_versions.c.id, registry_versions.c.version_index).where(
            registry_versions.c.collection_id == collection_id,
            registry_versions.c.artifact_version_id == artifact_version_id,
        )
        return conn.execute(q).first()

    def memberships_of(self, conn: Connection, artifact_version_id: int) -> list[str]:
        """Where an artifact version is registered ("entity/wandb-registry-r/collection:vN")."""
        q = (
            sa.select(
                entities.c.name.label("entity"),
                registries.c.name.label("registry"),
                registry_collections.c.name.label("collection"),
                registry_versions.c.version_index,
            )
            .join(registry_collections, registry_collections.c.id == registry_versions.c.collection_id)
            .join(registries, registries.c.id == registry_collections.c.registry_id)
            .join(entities, entities.c.id == registries.c.entity_id)
            .where(registry_versions.c.artifact_version_id == artifact_version_id)
            .order_by(registry_versions.c.id)
        )
        return [
            f"{registry_path(r.entity, r.registry, r.collection)}:v{r.version_index}" for r in conn.execute(q)
        ]

    def history(self, conn: Connection, target: str, limit: int = HISTORY) -> list[dict]:
        """The audit entries of a collection (links, alias moves, unlinks), newest first."""
        q = (
            sa.select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
            .where(audit_log.c.target == target, audit_log.c.action.startswith("registry."))
            .order_by(audit_log.c.id.desc())
            .limit(limit)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    # -- writing ----------------------------------------------------------------------------------
    def get_or_create(self, conn: Connection, entity_id: int, name: str, user: User) -> sa.Row:
        ins = self.db.insert(registries).values(
            entity_id=entity_id, name=check_name(name, "registry"), created_at=time.time(), created_by=user.id
        )
        conn.execute(ins.on_conflict_do_nothing(index_elements=["entity_id", "name"]))
        row = self.get(conn, entity_id, name)
        assert row is not None
        return row

    def create(
        self,
        conn: Connection,
        entity_id: int,
        name: str,
        user: User,
        target: str,
        description: str | None,
        artifact_types: list[str] | None,
    ) -> sa.Row:
        """A new registry (api.create_registry); `artifact_types` None accepts every type."""
        if self.get(conn, entity_id, name) is not None:
            raise StoreError("registry_exists", f"registry {target} exists already")
        self.get_or_create(conn, entity_id, name, user)
        types = None if artifact_types is None else check_types(artifact_types)
        conn.execute(
            sa.update(registries)
            .where(registries.c.entity_id == entity_id, registries.c.name == name)
            .values(description=description, artifact_types=types)
        )
        self.audit.record(
            conn, user, "registry.create", target, description=description, artifact_types=types
        )
        row = self.get(conn, entity_id, name)
        assert row is not None
        return row

    def update(
        self,
        conn: Connection,
        reg: sa.Row,
        user: User,
        target: str,
        description: tuple[str | None] | None,
        add_types: list[str],
    ) -> None:
        """Registry.save(): a new description, more accepted types (never fewer, as in wandb: links
        made under a type stay valid); a registry accepting every type keeps doing so. `description`:
        (the new one,) or None to keep it."""
        values: dict[str, Any] = {}
        if description is not None and description[0] != reg.description:
            values["description"] = description[0]
        new = [
            t
            for t in check_types(add_types)
            if reg.artifact_types is not None and t not in reg.artifact_types
        ]
        if new:
            values["artifact_types"] = [*reg.artifact_types, *new]
        if values:
            conn.execute(sa.update(registries).where(registries.c.id == reg.id).values(**values))
            self.audit.record(conn, user, "registry.update", target, **values)

    def link(
        self,
        conn: Connection,
        registry_id: int,
        collection: str,
        src: Source,
        aliases: list[str],
        user: User,
        target: str,
    ) -> tuple[int, bool]:
        """Link artifact version `src` into `collection` (created with the source's type) and
        assign `aliases`; a version already linked there keeps its number. Returns (index, created).
        A registry that names the types it accepts refuses others (409 `type_not_allowed`)."""
        types = conn.execute(
            sa.select(registries.c.artifact_types).where(registries.c.id == registry_id)
        ).scalar()
        if types is not None and src.row.type not in types:
            raise StoreError(
                "type_not_allowed",
                f"registry {target.rsplit('/', 1)[0]} accepts artifacts of types {types}, not {src.row.type!r}",
            )
        now = time.time()
        ins = self.db.insert(registry_collections).values(
            registry_id=registry_id,
            name=check_name(collection, "collection"),
            type=src.row.type,
            next_version=0,
            created_at=now,
            updated_at=now,
        )
        conn.execute(ins.on_conflict_do_nothing(index_elements=["registry_id", "name"]))
        col = conn.execute(self.db.for_update(_collection_named(registry_id, collection))).one()
        if col.type != src.row.type:
            raise StoreError(
                "type_mismatch",
                f"collection {collection!r} holds {col.type!r} artifacts, not {src.row.type!r}",
            )
        existing = self.membership(conn, col.id, src.row.id)
        created = existing is None
        if existing is None:
            mid = conn.execute(
                sa.insert(registry_versions).values(
                    collection_id=col.id,
                    version_index=col.next_version,
                    artifact_version_id=src.row.id,
                    linked_at=now,
                    linked_by=user.id,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            index = col.next_version
            conn.execute(
                sa.update(registry_collections)
                .where(registry_collections.c.id == col.id)
                .values(next_version=col.next_version + 1, updated_at=now)
            )
            self.audit.record(conn, user, "registry.link", target, version=f"v{index}", artifact=src.name)
        else:
            mid, index = existing.id, existing.version_index
        for a in aliases:
            self.move_alias(conn, col.id, int(mid), index, a, user, target)
        return index, created

    def move_alias(
        self,
        conn: Connection,
        collection_id: int,
        membership_id: int,
        index: int,
        alias: str,
        user: User,
        target: str,
    ) -> None:
        """Point `alias` at version `index` (audited with where it was before); no-op when it is there."""
        q = (
            sa.select(registry_aliases.c.version_id, registry_versions.c.version_index)
            .join(registry_versions, registry_versions.c.id == registry_aliases.c.version_id)
            .where(registry_aliases.c.collection_id == collection_id, registry_aliases.c.alias == alias)
        )
        before = conn.execute(q).first()
        if before is not None and before.version_id == membership_id:
            return
        aliases_of.move(conn, registry_aliases, collection_id, membership_id, alias)
        self.audit.record(
            conn,
            user,
            "registry.alias",
            target,
            alias=alias,
            version=f"v{index}",
            was=None if before is None else f"v{before.version_index}",
        )

    def remove_alias(
        self, conn: Connection, membership_id: int, index: int, alias: str, user: User, target: str
    ) -> None:
        if aliases_of.remove(conn, registry_aliases, membership_id, alias):
            self.audit.record(conn, user, "registry.unalias", target, alias=alias, version=f"v{index}")

    def unlink(self, conn: Connection, v: sa.Row, user: User, target: str) -> None:
        """Remove version `v` (a `resolve` row) from its collection; the artifact version stays."""
        aliases = self.aliases(conn, [v.membership_id])[v.membership_id]
        conn.execute(sa.delete(registry_versions).where(registry_versions.c.id == v.membership_id))
        self.audit.record(
            conn,
            user,
            "registry.unlink",
            target,
            version=f"v{v.membership_index}",
            artifact=f"{v.source_entity}/{v.source_project}/{v.name}:v{v.version_index}",
            aliases=aliases,
        )
