"""Artifacts: collections (one per name in a project), versions v0, v1, ..., aliases, manifests, lineage.

A version is identified in its collection by the digest of its manifest (wire/manifest.py):
committing content that is already a version returns that version (no new version, nothing stored).
Files are blobs in the shared content-addressed blob store, so versions and projects share them; a
commit names the blobs it needs and is refused (`missing`) until the committer may use each of them
(blob_refs.py: it uploaded it, or can read something holding it). Aliases are
unique per collection: `latest` follows the newest version and a user alias moves when reassigned.

A deleted version stays as a tombstone (`deleted_at` set, no entries, aliases or registry links, so its
blobs go to gc): the runs that logged or used it name it as "deleted", and a fetch of it answers 410.
Its index is never reused; committing the same content again brings it back under its old index.

Lineage comes from the run log (ARTIFACT and USE_ARTIFACT records) as links by
(entity, project, name, digest), so a link can be ingested before or after the version it names.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..wire.manifest import is_sha256, manifest_digest
from ..wire.names import ARTIFACT_RULE, valid_artifact_name
from ..wire.paths import BadPath, clean_path
from . import version_aliases as aliases_of
from .db import Database
from .errors import StoreError
from .jsonsafe import jsonable
from .tables import (
    artifact_aliases,
    artifact_collections,
    artifact_entries,
    artifact_links,
    artifact_versions,
    blob_holds,
    entities,
    projects,
    registry_versions,
    run_files,
    runs,
)
from .version_aliases import LATEST, check_alias, version_index

TYPE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
Readable = Callable[[str], bool]  # may the caller read this "entity/project"? (server/access.py decides)
LIVE = artifact_versions.c.deleted_at.is_(None)


@dataclass
class Commit:
    """A validated commit request."""

    name: str
    type: str
    digest: str
    entries: list[dict]
    description: str | None = None
    metadata: dict = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    manifest_blob: str | None = None  # the client's own manifest document (a blob), kept with the version

    @property
    def blobs(self) -> set[str]:
        """Every blob the commit names: its files' and its client manifest's."""
        named = {e["sha256"] for e in self.entries if e["sha256"]}
        return named | {self.manifest_blob} if self.manifest_blob else named


def check_name(name: Any) -> str:
    if not valid_artifact_name(name):
        raise StoreError("bad_name", f"artifact name {name!r} must be {ARTIFACT_RULE}")
    return name


def _content(c: Commit, size: int, now: float, user_id: int | None) -> dict[str, Any]:
    """A version row's fields that a commit sets, whether the row is new or a revived tombstone."""
    return {
        "description": c.description,
        "metadata": c.metadata,
        "size": size,
        "file_count": len(c.entries),
        "created_at": now,
        "created_by": user_id,
        "manifest_blob": c.manifest_blob,
    }


def parse_commit(name: str, doc: dict) -> Commit:
    """Validate a commit document: names, aliases, entry paths, sizes, and the digest (recomputed)."""
    check_name(name)
    typ = doc.get("type")
    if not isinstance(typ, str) or not TYPE_RE.match(typ):
        raise StoreError("bad_value", f"artifact type {typ!r} must be 1-64 letters, digits, '.', '-', '_'")
    raw = doc.get("manifest")
    if not isinstance(raw, list):
        raise StoreError("missing_field", "manifest must be a list of {path, sha256, size, ref?, extra?}")
    entries, seen = [], set()
    for e in raw:
        if not isinstance(e, dict):
            raise StoreError("wrong_type", "each manifest entry must be an object")
        try:
            path = clean_path(e.get("path"), "artifact entry name")
        except BadPath as err:
            raise StoreError("bad_path", str(err)) from None
        if path in seen:
            raise StoreError("bad_value", f"manifest lists {path!r} twice")
        seen.add(path)
        sha, ref, size = e.get("sha256"), e.get("ref"), e.get("size")
        if ref is None and not is_sha256(sha):
            raise StoreError("bad_value", f"entry {path!r} needs a sha256 (64 lowercase hex) or a ref")
        if ref is not None and (not isinstance(ref, str) or not ref or sha is not None):
            raise StoreError("bad_value", f"reference entry {path!r} needs a ref URI and no sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise StoreError("bad_value", f"entry {path!r} needs a non-negative integer size")
        extra = e.get("extra") or {}
        if not isinstance(extra, dict):
            raise StoreError("wrong_type", f"entry {path!r}: extra must be an object")
        entries.append({"path": path, "sha256": sha, "size": size, "ref": ref, "extra": jsonable(extra)})
    digest = manifest_digest(entries)
    if doc.get("digest") not in (None, digest):
        raise StoreError("digest_mismatch", f"the manifest's digest is {digest}, not {doc.get('digest')!r}")
    aliases = doc.get("aliases") or []
    if not isinstance(aliases, list):
        raise StoreError("wrong_type", "aliases must be a list of strings")
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise StoreError("wrong_type", "metadata must be an object")
    desc = doc.get("description")
    return Commit(
        name=name,
        type=typ,
        digest=digest,
        entries=entries,
        description=None if desc is None else str(desc),
        metadata=jsonable(meta),
        aliases=list(dict.fromkeys(check_alias(a) for a in aliases if a != LATEST)),
    )


class Artifacts:
    def __init__(self, db: Database):
        self.db = db

    # -- writing ----------------------------------------------------------------------------------
    def commit(self, conn: Connection, project_id: int, c: Commit, user_id: int | None) -> tuple[int, bool]:
        """Create the version (or find it by digest) and assign aliases. Returns (version id, created).

        The caller has checked that every blob exists (`missing`)."""
        now = time.time()
        ins = self.db.insert(artifact_collections).values(
            project_id=project_id,
            name=c.name,
            type=c.type,
            description=c.description,
            next_version=0,
            created_at=now,
            updated_at=now,
        )
        conn.execute(ins.on_conflict_do_nothing(index_elements=["project_id", "name"]))
        q = sa.select(artifact_collections).where(
            artifact_collections.c.project_id == project_id, artifact_collections.c.name == c.name
        )
        col = conn.execute(self.db.for_update(q)).one()
        if col.type != c.type:
            live = conn.execute(
                sa.select(artifact_versions.c.id)
                .where(artifact_versions.c.collection_id == col.id, LIVE)
                .limit(1)
            ).first()
            why = "" if live else " (its versions were deleted; the runs that used them still name them so)"
            raise StoreError(
                "type_mismatch", f"artifact {c.name!r} has type {col.type!r}, not {c.type!r}{why}"
            )
        existing = conn.execute(
            sa.select(artifact_versions.c.id, artifact_versions.c.deleted_at).where(
                artifact_versions.c.collection_id == col.id, artifact_versions.c.digest == c.digest
            )
        ).first()
        if existing is not None and existing.deleted_at is None:
            if c.manifest_blob:  # a version committed without one (by runyard's SDK) gets the client's
                conn.execute(
                    sa.update(artifact_versions)
                    .where(artifact_versions.c.id == existing.id, artifact_versions.c.manifest_blob.is_(None))
                    .values(manifest_blob=c.manifest_blob)
                )
            for a in c.aliases:
                self.move_alias(conn, col.id, existing.id, a)
            return existing.id, False
        size = sum(e["size"] for e in c.entries if e["sha256"])
        if existing is not None:  # a tombstone of this content: it comes back under its index
            return self._revive(conn, col.id, existing.id, c, size, now, user_id), True
        vid = conn.execute(
            sa.insert(artifact_versions).values(
                collection_id=col.id,
                version_index=col.next_version,
                digest=c.digest,
                **_content(c, size, now, user_id),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        if c.entries:
            conn.execute(sa.insert(artifact_entries), [dict(e, version_id=vid) for e in c.entries])
        conn.execute(
            sa.update(artifact_collections)
            .where(artifact_collections.c.id == col.id)
            .values(
                next_version=col.next_version + 1,
                updated_at=now,
                description=c.description if c.description is not None else col.description,
            )
        )
        for a in (LATEST, *c.aliases):
            self.move_alias(conn, col.id, vid, a)
        return int(vid), True

    def _revive(
        self,
        conn: Connection,
        collection_id: int,
        vid: int,
        c: Commit,
        size: int,
        now: float,
        user_id: int | None,
    ) -> int:
        conn.execute(
            sa.update(artifact_versions)
            .where(artifact_versions.c.id == vid)
            .values(deleted_at=None, **_content(c, size, now, user_id))
        )
        if c.entries:
            conn.execute(sa.insert(artifact_entries), [dict(e, version_id=vid) for e in c.entries])
        newest = conn.execute(
            sa.select(sa.func.max(artifact_versions.c.version_index)).where(
                artifact_versions.c.collection_id == collection_id, LIVE
            )
        ).scalar()
        own = conn.execute(sa.select(artifact_versions.c.version_index).where(artifact_versions.c.id == vid))
        if own.scalar() == newest:
            self.move_alias(conn, collection_id, vid, LATEST)
        for a in c.aliases:
            self.move_alias(conn, collection_id, vid, a)
        return vid

    def move_alias(self, conn: Connection, collection_id: int, version_id: int, alias: str) -> None:
        aliases_of.move(conn, artifact_aliases, collection_id, version_id, alias)

    def update_version(self, conn: Connection, version_id: int, **values: Any) -> None:
        """Set a version's editable fields (`description`, `metadata`)."""
        conn.execute(
            sa.update(artifact_versions).where(artifact_versions.c.id == version_id).values(**values)
        )

    def set_aliases(self, conn: Connection, version_id: int, add: list[str], remove: list[str]) -> None:
        v = conn.execute(sa.select(artifact_versions).where(artifact_versions.c.id == version_id)).one()
        for a in add:
            self.move_alias(conn, v.collection_id, version_id, check_alias(a))
        for a in remove:
            aliases_of.remove(conn, artifact_aliases, version_id, a)

    def delete_version(self, conn: Connection, version_id: int) -> None:
        """Delete a version: its manifest rows and client manifest (blobs stay until `gc`), aliases and
        registry versions go, its row stays as a tombstone; `latest` moves to the newest version left."""
        v = conn.execute(sa.select(artifact_versions).where(artifact_versions.c.id == version_id)).one()
        conn.execute(sa.delete(artifact_aliases).where(artifact_aliases.c.version_id == version_id))
        conn.execute(sa.delete(artifact_entries).where(artifact_entries.c.version_id == version_id))
        conn.execute(
            sa.delete(registry_versions).where(registry_versions.c.artifact_version_id == version_id)
        )
        conn.execute(
            sa.update(artifact_versions)
            .where(artifact_versions.c.id == version_id)
            .values(deleted_at=time.time(), manifest_blob=None)
        )
        newest = conn.execute(
            sa.select(artifact_versions.c.id)
            .where(artifact_versions.c.collection_id == v.collection_id, LIVE)
            .order_by(artifact_versions.c.version_index.desc())
            .limit(1)
        ).scalar()
        has_latest = conn.execute(
            sa.select(artifact_aliases.c.id).where(
                artifact_aliases.c.collection_id == v.collection_id, artifact_aliases.c.alias == LATEST
            )
        ).first()
        if newest is not None and has_latest is None:
            self.move_alias(conn, v.collection_id, newest, LATEST)

    def link(
        self, conn: Connection, run_pk: int, kind: str, entity: str, project: str, name: str, digest: str
    ) -> None:
        ins = self.db.insert(artifact_links).values(
            run_pk=run_pk,
            kind=kind,
            entity=entity,
            project=project,
            name=name,
            digest=digest,
            created_at=time.time(),
        )
        conn.execute(
            ins.on_conflict_do_nothing(
                index_elements=["run_pk", "kind", "entity", "project", "name", "digest"]
            )
        )

    def created_by(self, conn: Connection, run_pk: int) -> list[tuple[str, str, str, str]]:
        """(entity, project, name, digest) of the versions `run_pk` logged first (wandb's createdBy:
        a version another run logged before it is that run's), in the order it logged them."""
        mine, other = artifact_links.alias("mine"), artifact_links.alias("other")
        earlier = (
            sa.select(other.c.id)
            .where(
                other.c.kind == "output",
                other.c.entity == mine.c.entity,
                other.c.project == mine.c.project,
                other.c.name == mine.c.name,
                other.c.digest == mine.c.digest,
                sa.or_(
                    other.c.created_at < mine.c.created_at,
                    sa.and_(other.c.created_at == mine.c.created_at, other.c.id < mine.c.id),
                ),
            )
            .exists()
        )
        q = (
            sa.select(mine.c.entity, mine.c.project, mine.c.name, mine.c.digest)
            .where(mine.c.run_pk == run_pk, mine.c.kind == "output", ~earlier)
            .order_by(mine.c.created_at, mine.c.id)
        )
        return [(r.entity, r.project, r.name, r.digest) for r in conn.execute(q)]

    # -- reading ----------------------------------------------------------------------------------
    def resolve(
        self, conn: Connection, project_id: int, name: str, ref: str, deleted: bool = False
    ) -> sa.Row | None:
        """The version of `name` called `ref`: "vN", an alias (e.g. "latest"), or a digest; with
        `deleted`, the tombstone of a deleted version called "vN" or by its digest (else None)."""
        base = (
            sa.select(
                artifact_versions,
                artifact_collections.c.name,
                artifact_collections.c.type,
            )
            .join(artifact_collections, artifact_collections.c.id == artifact_versions.c.collection_id)
            .where(
                artifact_collections.c.project_id == project_id,
                artifact_collections.c.name == name,
                artifact_versions.c.deleted_at.is_not(None) if deleted else LIVE,
            )
        )
        index = version_index(ref)
        if index is not None:
            return conn.execute(base.where(artifact_versions.c.version_index == index)).first()
        if is_sha256(ref):
            row = conn.execute(base.where(artifact_versions.c.digest == ref)).first()
            if row is not None or deleted:
                return row
        if deleted:
            return None
        return conn.execute(aliases_of.named(base, artifact_aliases, artifact_versions.c.id, ref)).first()

    def aliases(self, conn: Connection, version_ids: list[int]) -> dict[int, list[str]]:
        return aliases_of.of_versions(conn, artifact_aliases, version_ids)

    def entries(self, conn: Connection, version_id: int) -> list[dict]:
        q = (
            sa.select(
                artifact_entries.c.path,
                artifact_entries.c.sha256,
                artifact_entries.c.size,
                artifact_entries.c.ref,
                artifact_entries.c.extra,
            )
            .where(artifact_entries.c.version_id == version_id)
            .order_by(artifact_entries.c.path)
        )
        return [dict(r._mapping) for r in conn.execute(q)]

    def has_blob(self, conn: Connection, version_id: int, sha256: str) -> int | None:
        """Size of blob `sha256` when the version lists it, else None."""
        q = sa.select(artifact_entries.c.size).where(
            artifact_entries.c.version_id == version_id, artifact_entries.c.sha256 == sha256
        )
        return conn.execute(q.limit(1)).scalar()

    def blob_sizes(self, conn: Connection, version_id: int, shas: list[str]) -> dict[str, int]:
        """Sizes of those of `shas` that the version lists (one query per 500)."""
        out: dict[str, int] = {}
        for i in range(0, len(shas), 500):
            q = sa.select(artifact_entries.c.sha256, artifact_entries.c.size).where(
                artifact_entries.c.version_id == version_id, artifact_entries.c.sha256.in_(shas[i : i + 500])
            )
            out.update({r.sha256: r.size for r in conn.execute(q)})
        return out

    def doc(
        self,
        conn: Connection,
        v: sa.Row,
        entity: str,
        project: str,
        readable: Readable,
        manifest: bool = False,
    ) -> dict:
        aliases = self.aliases(conn, [v.id])[v.id]
        d = _version_doc(v, entity, project, aliases)
        d["logged_by"] = next(
            iter(self._linked_runs(conn, "output", entity, project, v.name, v.digest, readable)), None
        )
        if manifest:
            d["manifest"] = self.entries(conn, v.id)
        return d

    def collections(self, conn: Connection, project_id: int, type_: str | None = None) -> list[dict]:
        n = (
            sa.select(sa.func.count())
            .select_from(artifact_versions)
            .where(artifact_versions.c.collection_id == artifact_collections.c.id, LIVE)
            .scalar_subquery()
        )
        q = sa.select(artifact_collections, n.label("version_count")).where(
            artifact_collections.c.project_id == project_id,
            n > 0,  # not one of tombstones only
        )
        if type_:
            q = q.where(artifact_collections.c.type == type_)
        out = []
        for r in conn.execute(q.order_by(artifact_collections.c.updated_at.desc())):
            out.append(
                {
                    "name": r.name,
                    "type": r.type,
                    "description": r.description,
                    "version_count": r.version_count,
                    "created_at": r.created_at,
                    "updated_at": r.updated_at,
                }
            )
        return out

    def version_rows(self, conn: Connection, project_id: int, name: str) -> list[sa.Row]:
        """The versions of `name` (not the deleted ones), newest first."""
        q = (
            sa.select(artifact_versions, artifact_collections.c.name, artifact_collections.c.type)
            .join(artifact_collections, artifact_collections.c.id == artifact_versions.c.collection_id)
            .where(artifact_collections.c.project_id == project_id, artifact_collections.c.name == name, LIVE)
            .order_by(artifact_versions.c.version_index.desc())
        )
        return list(conn.execute(q).all())

    def versions(
        self, conn: Connection, project_id: int, name: str, entity: str, project: str, readable: Readable
    ) -> list[dict]:
        rows = self.version_rows(conn, project_id, name)
        al = self.aliases(conn, [r.id for r in rows])
        producers = self._producers(conn, entity, project, name, readable)
        out = []
        for r in rows:
            d = _version_doc(r, entity, project, al[r.id])
            d["logged_by"] = producers.get(r.digest)
            out.append(d)
        return out

    def _producers(
        self, conn: Connection, entity: str, project: str, name: str, readable: Readable
    ) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for d in self._linked_runs(conn, "output", entity, project, name, None, readable):
            out.setdefault(d.pop("digest"), d)
        return out

    def _linked_runs(
        self,
        conn: Connection,
        kind: str,
        entity: str,
        project: str,
        name: str,
        digest: str | None,
        readable: Readable,
    ) -> list[dict]:
        """The runs linked to a version (or all of a collection's), those of entities `readable` allows."""
        re_, rp = entities.alias("run_entity"), projects.alias("run_project")
        q = (
            sa.select(
                re_.c.name.label("entity"),
                rp.c.name.label("project"),
                runs.c.run_id,
                runs.c.name,
                runs.c.state,
                runs.c.created_at,
                artifact_links.c.digest,
                artifact_links.c.created_at.label("linked_at"),
            )
            .join(runs, runs.c.id == artifact_links.c.run_pk)
            .join(rp, rp.c.id == runs.c.project_id)
            .join(re_, re_.c.id == rp.c.entity_id)
            .where(
                artifact_links.c.kind == kind,
                artifact_links.c.entity == entity,
                artifact_links.c.project == project,
                artifact_links.c.name == name,
            )
            .order_by(artifact_links.c.created_at, artifact_links.c.id)
        )
        if digest is not None:
            q = q.where(artifact_links.c.digest == digest)
        out = []
        for r in conn.execute(q):
            if not readable(f"{r.entity}/{r.project}"):
                continue
            d = dict(r._mapping)
            d["id"] = d.pop("run_id")
            if digest is not None:
                d.pop("digest")
            out.append(d)
        return out

    def lineage(self, conn: Connection, v: sa.Row, entity: str, project: str, readable: Readable) -> dict:
        return {
            "artifact": f"{entity}/{project}/{v.name}:v{v.version_index}",
            "logged_by": self._linked_runs(conn, "output", entity, project, v.name, v.digest, readable),
            "used_by": self._linked_runs(conn, "input", entity, project, v.name, v.digest, readable),
        }

    def run_links(self, conn: Connection, run_pk: int, readable: Readable) -> dict[str, list[dict]]:
        """The artifacts a run logged and used, each resolved to its version when the server has it
        and `readable` allows its entity (else only the names the run log gave: state "hidden")."""
        out: dict[str, list[dict]] = {"logged": [], "used": []}
        q = (
            sa.select(artifact_links)
            .where(artifact_links.c.run_pk == run_pk)
            .order_by(artifact_links.c.created_at, artifact_links.c.id)
        )
        for link in conn.execute(q).all():
            d = {"entity": link.entity, "project": link.project, "name": link.name, "digest": link.digest}
            if not readable(f"{link.entity}/{link.project}"):
                out["logged" if link.kind == "output" else "used"].append(d | {"state": "hidden"})
                continue
            pid = conn.execute(
                sa.select(projects.c.id)
                .join(entities, entities.c.id == projects.c.entity_id)
                .where(entities.c.name == link.entity, projects.c.name == link.project)
            ).scalar()
            v = self.resolve(conn, pid, link.name, link.digest) if pid is not None else None
            gone = (
                None
                if v is not None or pid is None
                else self.resolve(conn, pid, link.name, link.digest, True)
            )
            if v is not None:
                d.update(_version_doc(v, link.entity, link.project, self.aliases(conn, [v.id])[v.id]))
            elif gone is not None:
                d.update(_version_doc(gone, link.entity, link.project, []))
            else:
                d["state"] = "pending"  # the run log names it; its upload has not been committed yet
            out["logged" if link.kind == "output" else "used"].append(d)
        return out

    # -- garbage collection -----------------------------------------------------------------------
    def referenced(self, conn: Connection, shas: Iterable[str] | None = None) -> set[str]:
        """Blobs gc must keep (of `shas`, or all of them): named by an artifact entry, a run file, a
        version's client manifest or an unexpired hold of a protocol document (protocol_state.py).
        One statement, so one snapshot on PostgreSQL too: a transaction that turns one kind of
        reference into another (a held file becoming a run file) never looks like neither."""

        def union(chunk: list[str] | None) -> Any:
            now = time.time()
            parts = []
            for col, *where in (
                (artifact_entries.c.sha256,),
                (run_files.c.sha256,),
                (artifact_versions.c.manifest_blob,),
                (
                    blob_holds.c.sha256,
                    sa.or_(blob_holds.c.expires_at.is_(None), blob_holds.c.expires_at > now),
                ),
            ):
                q = sa.select(col.label("sha256")).where(col.is_not(None), *where)
                parts.append(q if chunk is None else q.where(col.in_(chunk)))
            return sa.union(*parts)

        if shas is None:
            return set(conn.execute(union(None)).scalars())
        out: set[str] = set()
        todo = list(shas)
        for i in range(0, len(todo), 500):
            out.update(conn.execute(union(todo[i : i + 500])).scalars())
        return out


def _version_doc(v: sa.Row, entity: str, project: str, aliases: list[str]) -> dict:
    return {
        "entity": entity,
        "project": project,
        "name": v.name,
        "type": v.type,
        "version": f"v{v.version_index}",
        "version_index": v.version_index,
        "qualified_name": f"{entity}/{project}/{v.name}:v{v.version_index}",
        "digest": v.digest,
        "aliases": aliases,
        "description": v.description,
        "metadata": v.metadata,
        "size": v.size,
        "file_count": v.file_count,
        "created_at": v.created_at,
        "state": "committed" if v.deleted_at is None else "deleted",
    }


# -- gc -----------------------------------------------------------------------------------------------
def iter_blobs(blobs: Any) -> Iterator[tuple[str, int, float]]:
    """(sha256, size, mtime) of every blob of the store (BlobStore.iter_blobs)."""
    return blobs.iter_blobs()


def collect_garbage(
    read: Callable[[Callable[[Connection], Any]], Any],
    artifacts: Artifacts,
    blobs: Any,
    delete_unreferenced: Callable[[list[str], float], list[str]],
    delete: bool = False,
    grace_seconds: float = 3600.0,
) -> dict:
    """Blobs that no artifact entry and no run file references, older than `grace_seconds` (so an
    upload whose commit has not arrived yet is spared). Deleted only with `delete=True`, through
    `delete_unreferenced` (blob_deletions.py: it looks again under a lock, so a commit landing meanwhile
    keeps its blobs), as are partial uploads (of a killed server) untouched for `grace_seconds`."""
    now = time.time()
    found = list(iter_blobs(blobs))
    refs = read(lambda c: artifacts.referenced(c))
    orphans = {sha: size for sha, size, mtime in found if sha not in refs and now - mtime >= grace_seconds}
    if delete and orphans:
        deleted = delete_unreferenced(sorted(orphans), now - grace_seconds)
        orphans = {sha: orphans[sha] for sha in deleted}
    partial = blobs.sweep_tmp(now - grace_seconds) if delete else 0
    return {
        "dry_run": not delete,
        "blobs_total": len(found),
        "bytes_total": sum(n for _, n, _ in found),
        "blobs_unreferenced": len(orphans),
        "bytes_unreferenced": sum(orphans.values()),
        "deleted": len(orphans) if delete else 0,
        "partial_uploads_deleted": partial,
        "sha256": sorted(orphans),
        "grace_seconds": grace_seconds,
    }
