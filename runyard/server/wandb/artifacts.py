"""wandb artifacts over runyard's artifact repository (store/artifacts.py), unchanged.

The client names content by MD5 (entry digest = base64 MD5 of the bytes; artifact digest = hex MD5 of
`"wandb-artifact-manifest-v1\\n"` + `"<path>:<entry digest>\\n"` per sorted entry), runyard by sha256.
What the client needs beside runyard's version lives in the database (`protocol_state`, shared by
every replica; each document is changed under its row lock):

- kind `artifact`, per token: an artifact between `CreateArtifact` and `CommitArtifact` (its
  collection, type, aliases, metadata, the files uploaded so far as sha256/size/md5, the manifest blob);
  its wandb id names the token, and after the commit the token resolves to the runyard version. The
  commit sets it in the transaction that commits the version, so a retried commit commits once.
  The document holds its blobs for gc from the moment each is accepted (`_accept`) until the commit
  makes them the version's (store/protocol_state.py: `hold`), so gc cannot take a file between its
  upload and the commit, which wandb's client could not recover from (it never uploads again after
  CommitArtifact fails). An artifact left uncommitted lets go of them after PENDING_HOLD_S.
- kind `index`, per collection: wandb digest -> runyard digest (whole-artifact dedup: `CreateArtifact`
  answers `COMMITTED`). The client's manifest blob is the version's `manifest_blob` (served back
  verbatim to `use_artifact`, kept by gc while the version lives).
- kinds `sha`/`md5` (md5.py): blob sha256 <-> MD5, so a file the server holds is not uploaded again.

A commit becomes a runyard commit document (entries: path, sha256, size, `extra.md5`; references:
`ref`, `extra.checksum`), validated by `parse_commit` and stored by `Artifacts.commit`, so digests,
versions `vN`, `latest` and alias moves are runyard's. Lineage goes through the run log (ARTIFACT /
USE_ARTIFACT records, runs.py). Uploads and downloads use signed URLs (the client sends no credentials
on them): `PUT /wandb/upload/<token>`, `GET /wandb/artifact/<token>`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store import Store, User
from ...store.artifacts import check_name, parse_commit
from ...store.blob_deletions import DELETING
from ...store.blobs import direct
from ...store.errors import StoreError
from ...store.jsonsafe import jsonable
from ...store.registries import check_aliases, registry_path
from ...store.tables import artifact_collections
from ...store.version_aliases import LATEST, VERSION_RE
from ...wire.names import registry_name
from .. import access, deletions
from ..errors import ApiError
from . import convert as cv
from .md5 import Md5Index, b64_of_hex, hex_of_b64
from .names import decode_id, encode_id
from .reads import iso
from .runs import WandbError, WandbRuns, project_obj
from .state import RunKey

MANIFEST_HEADER = "wandb-artifact-manifest-v1\n"
PENDING_HOLD_S = 7 * 86400.0  # how long an artifact's accepted files are held for a commit to come


def _staged(token: str, hexmd5: str) -> str:
    """The staging object of an artifact file PUT straight into the object store."""
    return f"wandb.{token}.{hexmd5}"


def _token_name(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:40]


def _index_name(entity: str, project: str, name: str) -> str:
    return hashlib.sha256("\0".join((entity, project, name)).encode()).hexdigest()[:40]


def wandb_digest(contents: dict[str, Any]) -> str:
    """wandb's MANIFEST_MD5 digest of a manifest's `contents`."""
    hasher = hashlib.md5(MANIFEST_HEADER.encode())
    for path in sorted(contents):
        hasher.update(f"{path}:{contents[path].get('digest')}\n".encode())
    return hasher.hexdigest()


def split_name(name: str) -> tuple[str, str]:
    """`ds:latest` -> ("ds", "latest"); `ds` -> ("ds", "latest")."""
    base, sep, ref = name.partition(":")
    return base, (ref if sep and ref else LATEST)


class WandbArtifacts:
    def __init__(self, runs: WandbRuns):
        self.runs = runs
        self.store: Store = runs.store
        self.md5: Md5Index = runs.md5

    # -- documents (store/protocol_state.py) -------------------------------------------------------
    def _read(self, token: str) -> dict[str, Any] | None:
        doc = self.store.db.read(lambda conn: self.store.protocol.get(conn, "artifact", _token_name(token)))
        return doc if isinstance(doc, dict) else None

    def _update(self, token: str, fn: Callable[[dict[str, Any]], None]) -> None:
        """Change the pending artifact's document under its row lock."""
        ps = self.store.protocol

        def in_txn(conn: Connection) -> None:
            doc = ps.lock(conn, "artifact", _token_name(token))
            if not isinstance(doc, dict):
                raise WandbError(f"no artifact {token!r} is being created", 404)
            fn(doc)
            ps.put(conn, "artifact", _token_name(token), doc)

        self.store.db.write(in_txn)

    def _accept(self, token: str, sha: str, fn: Callable[[dict[str, Any]], None]) -> bool:
        """Record the blob `sha` in the pending artifact's document (`fn`) and hold it for gc, unless gc
        took it or began to since the store was asked whether it has it: False then, nothing recorded.
        What gc last did to the blob is read here, before asking the store (store/blob_deletions.py)."""
        store, ps = self.store, self.store.protocol
        marks = store.db.read(lambda conn: store.blob_deletions.marks(conn, [sha]))
        if marks.get(sha, "").endswith(DELETING) or not store.blobs.exists(sha):
            return False

        def in_txn(conn: Connection) -> bool:
            if store.blob_deletions.moved(conn, [sha], marks):
                return False
            doc = ps.lock(conn, "artifact", _token_name(token))
            if not isinstance(doc, dict):
                raise WandbError(f"no artifact {token!r} is being created", 404)
            fn(doc)
            ps.put(conn, "artifact", _token_name(token), doc)
            ps.hold(conn, "artifact", _token_name(token), [sha], time.time() + PENDING_HOLD_S, replace=False)
            return True

        return bool(store.db.write(in_txn))

    def index(self, entity: str, project: str, name: str) -> dict[str, Any]:
        doc = self.store.db.read(
            lambda conn: self.store.protocol.get(conn, "index", _index_name(entity, project, name))
        )
        return doc if isinstance(doc, dict) else {"by_md5": {}, "by_digest": {}}

    def _index_add(
        self,
        conn: Connection,
        entity: str,
        project: str,
        name: str,
        md5_digest: str,
        digest: str,
    ) -> None:
        ps, key = self.store.protocol, _index_name(entity, project, name)
        idx = ps.lock(conn, "index", key)
        if not isinstance(idx, dict):
            idx = {"by_md5": {}, "by_digest": {}}
        idx["by_md5"][md5_digest] = digest
        idx["by_digest"][digest] = {"md5": md5_digest}
        ps.put(conn, "index", key, idx)

    # -- store lookups ----------------------------------------------------------------------------
    def _project_id(self, conn: Connection, user: User, entity: str, project: str) -> int | None:
        store = self.store
        ent = store.entities.get(conn, entity)
        row = store.projects.get(conn, ent.id, project) if ent is not None else None
        if row is None or not access.allows(conn, user, access.READ, row.entity_id, row.visibility):
            return None
        return int(row.id)

    def version_in(
        self, conn: Connection, user: User, entity: str, project: str, name: str, ref: str
    ) -> sa.Row | None:
        """The version, when `user` may read it."""
        pid = self._project_id(conn, user, entity, project)
        return None if pid is None else self.store.artifacts.resolve(conn, pid, name, ref)

    def tombstone(self, user: User, entity: str, project: str, name: str, ref: str) -> sa.Row | None:
        """The deleted version called `ref` ("vN" or its digest), when `user` may read its project."""

        def in_txn(conn: Connection) -> sa.Row | None:
            pid = self._project_id(conn, user, entity, project)
            return None if pid is None else self.store.artifacts.resolve(conn, pid, name, ref, deleted=True)

        return self.store.db.read(in_txn)

    def version(self, user: User, entity: str, project: str, name: str, ref: str) -> sa.Row | None:
        return self.store.db.read(lambda conn: self.version_in(conn, user, entity, project, name, ref))

    def _usable(self, user: User, shas: list[str]) -> set[str]:
        store = self.store
        return store.db.read(lambda conn: access.usable_blobs(conn, store, user, shas))

    def by_id(self, user: User, art_id: str) -> tuple[str, str, str, sa.Row | None, dict | None] | None:
        """(entity, project, name, version row or None, pending doc or None) of a wandb artifact id."""
        ref = decode_id(art_id, "Artifact")
        if not ref:
            return None
        if len(ref) == 2 and ref[0] == "pending":
            doc = self._read(str(ref[1]))
            if doc is None:
                return None
            entity, project, n = doc["entity"], doc["project"], doc["name"]
            if doc.get("digest_ry"):
                return entity, project, n, self.version(user, entity, project, n, doc["digest_ry"]), doc
            if not self.runs.check_read(user, entity):
                return None
            return entity, project, n, None, doc
        if len(ref) == 4:
            entity, project, n, d = (str(x) for x in ref)
            version = self.version(user, entity, project, n, d)
            return None if version is None else (entity, project, n, version, None)
        return None

    def collection(self, user: User, entity: str, project: str, typ: str, name: str) -> dict[str, Any] | None:
        """ProjectArtifactCollection (api.artifact_collection): a collection of that type, when
        `user` may read the project."""
        store = self.store

        def in_txn(conn: Connection) -> dict | None:
            pid = self._project_id(conn, user, entity, project)
            rows = [] if pid is None else store.artifacts.collections(conn, pid, typ)
            return next((r for r in rows if r["name"] == name), None)

        row = store.db.read(in_txn)
        if row is None:
            return None
        return collection_obj(entity, project, name) | {
            "description": row["description"],
            "createdAt": iso(row["created_at"]),
            "updatedAt": iso(row["updated_at"]),
            "defaultArtifactType": {"id": encode_id("ArtifactType", entity, project, typ), "name": typ},
            "tags": {"edges": []},
        }

    def collection_versions(
        self, user: User, entity: str, project: str, name: str
    ) -> list[tuple[str, str, str, sa.Row]]:
        """("vN", entity, project, version) of a project collection's versions, newest first, when
        `user` may read the project (ArtifactCollection.artifacts: api.artifacts(type, name))."""
        store = self.store

        def in_txn(conn: Connection) -> list[tuple[str, str, str, sa.Row]]:
            pid = self._project_id(conn, user, entity, project)
            rows = [] if pid is None else store.artifacts.version_rows(conn, pid, name)
            return [(f"v{r.version_index}", entity, project, r) for r in rows]

        return store.db.read(in_txn)

    def run_versions(self, user: User, run_pk: int, kind: str) -> list[tuple[str, str, sa.Row]]:
        """(entity, project, version) of the versions a run logged or used that `user` may read, in
        order (RunOutputArtifacts / RunInputArtifacts): committed ones and tombstones (DELETED)."""
        store = self.store

        def in_txn(conn: Connection) -> list[tuple[str, str, sa.Row]]:
            out = []
            for d in store.artifacts.run_links(conn, run_pk, access.readable(conn, store, user))[kind]:
                if d.get("state") in ("committed", "deleted"):
                    pid = self._project_id(conn, user, d["entity"], d["project"])
                    deleted = d["state"] == "deleted"
                    version = (
                        None
                        if pid is None
                        else store.artifacts.resolve(conn, pid, d["name"], d["version"], deleted)
                    )
                    if version is not None:
                        out.append((d["entity"], d["project"], version))
            return out

        return store.db.read(in_txn)

    def created_by(self, user: User, entity: str, project: str, version: sa.Row) -> dict[str, Any] | None:
        """The run that logged the version (ArtifactCreatedBy), when `user` may read it."""
        store = self.store

        def in_txn(conn: Connection) -> dict | None:
            d = store.artifacts.doc(conn, version, entity, project, access.readable(conn, store, user))
            return d["logged_by"]

        r = store.db.read(in_txn)
        if r is None:
            return None
        return {
            "__typename": "Run",
            "id": encode_id("Run", r["entity"], r["project"], r["id"]),
            "name": r["id"],
            "displayName": r["name"],
            "state": r["state"],
            "project": project_obj(r["entity"], r["project"])
            | {"internalId": encode_id("Project", r["entity"], r["project"])},
        }

    def change_aliases(
        self, user: User, entity: str, project: str, version: sa.Row, aliases: list[dict[str, Any]], add: bool
    ) -> None:
        """AddAliases / DeleteAliases: each alias names its collection; one in the version's own
        collection changes the artifact's aliases, one in a registry collection ("model-registry",
        "wandb-registry-*") moves the alias of the registered version linking to this one."""
        store = self.store

        def in_txn(conn: Connection) -> None:
            for a in aliases:
                ae, ap, name, alias = (
                    a["entityName"],
                    a["projectName"],
                    a["artifactCollectionName"],
                    a["alias"],
                )
                reg = registry_name(ap)
                if reg is not None:
                    r = access.registry(conn, store, user, ae, reg, access.WRITE)
                    col = store.registries.collection(conn, r.id, name)
                    membership = (
                        None if col is None else store.registries.membership(conn, col.id, version.id)
                    )
                    if col is None or membership is None:
                        raise WandbError(
                            f"{entity}/{project}/{version.name}:v{version.version_index} is not in {ae}/{ap}/{name}"
                        )
                    target = registry_path(ae, reg, name)
                    if add:
                        store.registries.move_alias(
                            conn,
                            col.id,
                            membership.id,
                            membership.version_index,
                            check_aliases([alias])[0],
                            user,
                            target,
                        )
                    else:
                        store.registries.remove_alias(
                            conn, membership.id, membership.version_index, alias, user, target
                        )
                    continue
                if (ae, ap, name) != (entity, project, version.name):
                    raise WandbError(
                        f"alias {alias!r}: {ae}/{ap}/{name} is not the collection of this artifact"
                    )
                access.project_id(conn, store, user, entity, project, access.WRITE)
                if alias == LATEST or VERSION_RE.match(alias):
                    continue  # "latest" and "vN" follow the versions; the client lists them among aliases
                store.artifacts.set_aliases(conn, version.id, [alias] if add else [], [] if add else [alias])
                store.audit.record(
                    conn,
                    user,
                    "artifact.aliases",
                    f"{entity}/{project}/{version.name}:v{version.version_index}",
                    **{"add" if add else "remove": [alias]},
                )

        try:
            store.db.write(in_txn)
        except (StoreError, ApiError) as err:
            raise WandbError.of(err) from None

    def delete(self, user: User, entity: str, project: str, version: sa.Row, delete_aliases: bool) -> None:
        """DeleteArtifact (artifact.delete()): the same rule as REST's DELETE (server/deletions.py)."""
        store = self.store

        def in_txn(conn: Connection) -> None:
            access.project_id(conn, store, user, entity, project, access.WRITE)
            deletions.delete_version(
                conn,
                store,
                user,
                entity,
                project,
                version,
                delete_aliases=delete_aliases,
                registered_ok=delete_aliases,
            )

        try:
            store.db.write(in_txn)
        except ApiError as err:
            raise WandbError.of(err) from None

    def update(self, user: User, entity: str, project: str, version: sa.Row, inp: dict[str, Any]) -> sa.Row:
        """UpdateArtifact: description and metadata of a version (audited); answers the version."""
        store = self.store
        values: dict[str, Any] = {}
        if "description" in inp:
            values["description"] = inp["description"]
        if inp.get("metadata") is not None:
            try:
                meta = json.loads(inp["metadata"])
            except ValueError:
                raise WandbError("metadata must be a JSON object") from None
            if not isinstance(meta, dict):
                raise WandbError("metadata must be a JSON object")
            values["metadata"] = jsonable(meta)

        def in_txn(conn: Connection) -> sa.Row:
            pid = access.project_id(conn, store, user, entity, project, access.WRITE)
            cur = {"description": version.description, "metadata": version.metadata}
            changed = {k: x for k, x in values.items() if cur.get(k) != x}
            if changed:
                store.artifacts.update_version(conn, version.id, **changed)
                store.audit.record(
                    conn,
                    user,
                    "artifact.update",
                    f"{entity}/{project}/{version.name}:v{version.version_index}",
                    fields=sorted(changed),
                )
            row = store.artifacts.resolve(conn, pid, version.name, f"v{version.version_index}")
            assert row is not None
            return row

        try:
            return store.db.write(in_txn)
        except ApiError as err:
            raise WandbError.of(err) from None

    # -- GraphQL objects --------------------------------------------------------------------------
    def artifact_obj(
        self, base_url: str, user: User, entity: str, project: str, version: sa.Row, sign: Any
    ) -> dict[str, Any]:
        store = self.store
        aliases = store.db.read(lambda conn: store.artifacts.aliases(conn, [version.id]))[version.id]
        info = self.index(entity, project, version.name)["by_digest"].get(version.digest) or {}
        art_id = encode_id("Artifact", entity, project, version.name, version.digest)
        coll = collection_obj(entity, project, version.name)
        alias_objs = [
            {
                "__typename": "ArtifactAlias",
                "id": encode_id("Alias", entity, project, version.name, a),
                "alias": a,
                "artifactCollection": coll,
            }
            for a in [*aliases, f"v{version.version_index}"]
        ]

        def digest(info_: Any = None) -> str:
            return info.get("md5") or wandb_digest(self.manifest(entity, project, version)["contents"])

        def current_manifest(info_: Any = None) -> dict[str, Any]:
            token = sign({"k": "amd", "e": entity, "p": project, "n": version.name, "d": version.digest})
            return {
                "id": encode_id("ArtifactManifest", entity, project, version.name, version.digest),
                "file": {"id": "", "directUrl": f"{base_url}/wandb/artifact/{token}"},
            }

        def files(
            info_: Any, after: str | None = None, first: int | None = None, names: Any = None
        ) -> dict[str, Any]:
            entries = store.db.read(lambda conn: store.artifacts.entries(conn, version.id))
            entries = [x for x in entries if x["sha256"]]
            if names:
                entries = [x for x in entries if x["path"] in set(names)]
            off = int(after) if after and after.isdigit() else 0
            n = max(1, min(int(first or 5000), 10_000))
            page = entries[off : off + n]
            edges = []
            for i, x in enumerate(page):
                token = sign(
                    {
                        "k": "ad",
                        "e": entity,
                        "p": project,
                        "n": version.name,
                        "d": version.digest,
                        "s": x["sha256"],
                    }
                )
                edges.append(
                    {
                        "node": {
                            "__typename": "File",
                            "id": encode_id("ArtifactFile", version.digest, x["path"]),
                            "name": x["path"],
                            "directUrl": f"{base_url}/wandb/artifact/{token}",
                            "url": lambda info_, upload=False, t=token: f"{base_url}/wandb/artifact/{t}",
                            "sizeBytes": int(x["size"]),
                            "md5": (x.get("extra") or {}).get("md5"),
                        },
                        "cursor": str(off + i + 1),
                    }
                )
            return {
                "edges": edges,
                "pageInfo": {
                    "__typename": "PageInfo",
                    "endCursor": edges[-1]["cursor"] if edges else None,
                    "hasNextPage": off + n < len(entries),
                },
            }

        return {
            "__typename": "Artifact",
            "id": art_id,
            "artifactSequence": {**coll, "__typename": "ArtifactSequence"},
            "versionIndex": int(version.version_index),
            "artifactType": {"name": version.type},
            "description": version.description,
            "metadata": json.dumps(version.metadata or {}),
            "ttlDurationSeconds": -1,
            "ttlIsInherited": True,
            "tags": [],
            "historyStep": None,
            "state": "COMMITTED" if version.deleted_at is None else "DELETED",
            "size": int(version.size or 0),
            "digest": digest,
            "digestAlgorithm": "MANIFEST_MD5",
            "commitHash": None,
            "fileCount": int(version.file_count or 0),
            "createdAt": iso(version.created_at),
            "updatedAt": iso(version.created_at),
            "aliases": alias_objs,
            "currentManifest": current_manifest,
            "files": files,
            "createdBy": lambda info_: self.created_by(user, entity, project, version),
        }

    def pending_obj(self, doc: dict[str, Any], token: str) -> dict[str, Any]:
        entity, project, n = doc["entity"], doc["project"], doc["name"]
        return {
            "__typename": "Artifact",
            "id": encode_id("Artifact", "pending", token),
            "artifactSequence": {**collection_obj(entity, project, n), "__typename": "ArtifactSequence"},
            "versionIndex": None,
            "artifactType": {"name": doc["type"]},
            "description": doc.get("description"),
            "metadata": json.dumps(doc.get("metadata") or {}),
            "ttlDurationSeconds": -1,
            "ttlIsInherited": True,
            "tags": [],
            "historyStep": None,
            "state": "PENDING",
            "size": 0,
            "digest": doc.get("digest") or "",
            "digestAlgorithm": "MANIFEST_MD5",
            "commitHash": None,
            "fileCount": 0,
            "createdAt": iso(doc.get("created_at")),
            "updatedAt": iso(doc.get("created_at")),
            "aliases": [],
            "currentManifest": None,
            "files": {
                "edges": [],
                "pageInfo": {"__typename": "PageInfo", "endCursor": None, "hasNextPage": False},
            },
        }

    def membership_obj(
        self, base_url: str, user: User, entity: str, project: str, version: sa.Row, sign: Any
    ) -> dict[str, Any]:
        art = self.artifact_obj(base_url, user, entity, project, version, sign)
        return {
            "__typename": "ArtifactCollectionMembership",
            "id": encode_id("Membership", entity, project, version.name, version.version_index),
            "versionIndex": int(version.version_index),
            "createdAt": art["createdAt"],
            "aliases": [{k: a[k] for k in ("__typename", "id", "alias")} for a in art["aliases"]],
            "artifactCollection": collection_obj(entity, project, version.name),
            "artifact": art,
            "files": art["files"],
        }

    # -- the manifest the client reads back -------------------------------------------------------
    def client_manifest(self, version: sa.Row) -> str | None:
        """The blob of the manifest the client sent when it logged this version, if the store has it
        (a version committed by runyard's SDK has none)."""
        sha = version.manifest_blob
        return str(sha) if sha and self.store.blobs.exists(sha) else None

    def manifest(self, entity: str, project: str, version: sa.Row) -> dict[str, Any]:
        """The client's own manifest when it logged this version, else one made from the entries."""
        own = self.client_manifest(version)
        if own is not None:
            with self.store.blobs.open(own) as f:
                doc = json.loads(f.read())
            if isinstance(doc, dict):
                return doc
        store = self.store
        contents: dict[str, Any] = {}
        for x in store.db.read(lambda conn: store.artifacts.entries(conn, version.id)):
            extra = x.get("extra") or {}
            if x["sha256"]:
                md5 = extra.get("md5") or self.md5.b64_of_blob(store, x["sha256"])
                contents[x["path"]] = {"digest": md5, "size": int(x["size"])}
            else:
                contents[x["path"]] = {
                    "digest": extra.get("checksum") or x["ref"],
                    "ref": x["ref"],
                    "size": int(x["size"]),
                }
        return {
            "version": 1,
            "storagePolicy": "wandb-storage-policy-v1",
            "storagePolicyConfig": {"storageLayout": "V2"},
            "contents": contents,
        }

    # -- write path -------------------------------------------------------------------------------
    def create(self, user: User, inp: dict[str, Any]) -> tuple[str, str, str | None]:
        """CreateArtifact: (artifact id, state, id of the collection's latest version or None)."""
        entity, project = (
            str(inp.get("entityName") or user.name),
            str(inp.get("projectName") or "uncategorized"),
        )
        try:
            name = check_name(inp.get("artifactCollectionName"))
        except StoreError as err:
            raise WandbError.of(err) from None
        typ = str(inp.get("artifactTypeName") or "unspecified")
        self.runs.check_write(user, entity)
        aliases = [
            str(a.get("alias"))
            for a in inp.get("aliases") or []
            if isinstance(a, dict) and a.get("alias") and a.get("artifactCollectionName") in (None, name)
        ]
        aliases = [a for a in dict.fromkeys(aliases) if a != LATEST and not VERSION_RE.match(a)]
        store = self.store

        def in_txn(conn: Connection) -> tuple[str | None, sa.Row | None]:
            pid = self._project_id(conn, user, entity, project)
            if pid is None:
                return None, None
            col = conn.execute(
                sa.select(artifact_collections.c.type).where(
                    artifact_collections.c.project_id == pid, artifact_collections.c.name == name
                )
            ).first()
            latest = store.artifacts.resolve(conn, pid, name, LATEST)
            return (col.type if col else None), latest

        col_type, latest = store.db.read(in_txn)
        if col_type is not None and col_type != typ:
            raise WandbError(f"artifact {name!r} has type {col_type!r}, not {typ!r}", 409)
        latest_id = (
            encode_id("Artifact", entity, project, name, latest.digest) if latest is not None else None
        )
        md5_digest = str(inp.get("digest") or "")
        run_name = inp.get("runName")
        known = self.index(entity, project, name)["by_md5"].get(md5_digest) if md5_digest else None
        if known:
            version = self.version(user, entity, project, name, known)
            if version is not None:  # same content as an existing version: no upload, move the user aliases
                if aliases:
                    vid, cid = version.id, version.collection_id

                    def move(conn: Connection) -> None:
                        for a in aliases:
                            store.artifacts.move_alias(conn, cid, vid, a)

                    store.db.write(move)
                if run_name:
                    self.runs.artifact_record(
                        user,
                        RunKey(entity, project, str(run_name)),
                        "output",
                        {"name": name, "type": typ, "digest": version.digest, "aliases": aliases},
                    )
                return encode_id("Artifact", entity, project, name, version.digest), "COMMITTED", latest_id
        token = secrets.token_hex(12)
        meta = cv.loads(inp["metadata"]) if isinstance(inp.get("metadata"), str) else inp.get("metadata")
        doc = {
            "entity": entity,
            "project": project,
            "name": name,
            "type": typ,
            "description": inp.get("description"),
            "metadata": meta if isinstance(meta, dict) else {},
            "aliases": aliases,
            "digest": md5_digest,
            "run": run_name,
            "user": user.name,
            "files": {},
            "manifest": None,
            "digest_ry": None,
            "created_at": time.time(),
        }
        store.db.write(lambda conn: store.protocol.put(conn, "artifact", _token_name(token), doc))
        return encode_id("Artifact", "pending", token), "PENDING", latest_id

    def pending_entity(self, token: str, user: User) -> str:
        """The entity an artifact being created by `user` goes to."""
        doc = self._read(token)
        if doc is None or doc.get("user") != user.name:
            raise WandbError("no such artifact is being created by this user", 404)
        return str(doc["entity"])

    def pending_token(self, user: User, art_id: str) -> str:
        ref = decode_id(art_id, "Artifact")
        if not ref or len(ref) != 2 or ref[0] != "pending":
            raise WandbError(f"artifact {art_id!r} is not being created", 404)
        token = str(ref[1])
        doc = self._read(token)
        if doc is None or doc.get("user") != user.name:
            raise WandbError(f"artifact {art_id!r} is not being created", 404)
        return token

    def file_grant(self, user: User, token: str, name: str, b64md5: str) -> dict[str, Any] | None:
        """CreateArtifactFiles, one file: None when the server holds the content already."""
        hexmd5 = hex_of_b64(b64md5)
        if hexmd5 is None:
            raise WandbError(f"file {name!r}: md5 must be a base64 MD5")
        sha = self.md5.sha_of(hexmd5)
        if sha and self.store.blobs.exists(sha) and self._usable(user, [sha]):
            size = self._blob_size(sha)
            if self._accept(token, sha, lambda doc: doc["files"].__setitem__(name, [sha, size, hexmd5])):
                return None  # held from now on; one gc is taking is asked for again, as a new file
        return {"k": "af", "a": token, "n": name, "m": hexmd5}

    def direct_put(self, grant: dict[str, Any], expires: float) -> tuple[str, list[str]] | None:
        """Where the blob store is an object store: for the artifact file of `grant`, a presigned PUT of
        a staging object straight into the store (its MD5 signed) and the headers the client must
        send, remembered in the pending document so the commit adopts it. None: through the API."""
        d = direct(self.store.blobs)
        if d is None:
            return None
        token, name, hexmd5 = str(grant["a"]), str(grant["n"]), str(grant["m"])
        url, headers = d.presign_put_staged(_staged(token, hexmd5), expires, hexmd5)
        self._update(token, lambda doc: doc.setdefault("staged", {}).__setitem__(name, hexmd5))
        return url, [f"{k}:{value}" for k, value in headers.items()]

    def _adopt_staged(self, user: User, token: str, doc: dict[str, Any]) -> None:
        """Adopt the files the client PUT into the object store (`direct_put`): the server reads each
        once to learn its sha256 (wandb names content by MD5 only), checks the MD5, and records it as
        if uploaded through the API. A file staged twice (the same content under two paths) is adopted
        once; the other path finds it by MD5."""
        d = direct(self.store.blobs)
        staged = {
            path: hexmd5 for path, hexmd5 in (doc.get("staged") or {}).items() if path not in doc["files"]
        }
        if d is None or not staged:
            return
        for path, hexmd5 in staged.items():
            known = self.md5.sha_of(hexmd5)
            if known and self.store.blobs.exists(known) and self._usable(user, [known]):
                continue  # adopted already (another path, or a retried commit): the commit finds it

            def accept(sha: str, size: int, md5: str, path: str = path) -> None:
                self._adopted(user, token, path, (sha, size, md5))

            got = d.adopt_hashing(_staged(token, hexmd5), self.runs.max_file_bytes, hexmd5, accept)
            if isinstance(got, str):
                raise WandbError(f"artifact file {path!r}: {got}", 400)

    def _adopted(self, user: User, token: str, path: str, blob: tuple[str, int, str]) -> None:
        """Record an adopted file; refused with a 503 when gc took a copy the store kept (before the
        hold): the staged object stays, and the client's retry of CommitArtifact adopts it anew."""
        sha, hexmd5 = blob[0], blob[2]
        self.store.db.write(lambda conn: self.store.blob_refs.add_owner(conn, [sha], user.id))
        self.md5.add(sha, hexmd5)
        if not self._accept(token, sha, lambda cur: cur["files"].__setitem__(path, list(blob))):
            raise WandbError(f"artifact file {path!r} was garbage-collected meanwhile: commit again", 503)

    def _blob_size(self, sha: str) -> int:
        with self.store.blobs.open(sha) as f:
            f.seek(0, os.SEEK_END)
            return int(f.tell())

    def uploaded(self, grant: dict[str, Any], sha: str, size: int, hexmd5: str) -> None:
        """A file or the manifest PUT to its signed URL, stored: recorded and held. The store may have
        kept a copy it already held, which gc may take meanwhile: then the PUT is answered 503, which
        wandb's uploader retries, and the bytes it sends again are stored anew."""
        token = str(grant["a"])
        if grant["k"] == "af":
            if hexmd5 != grant.get("m"):
                raise WandbError(f"file {grant['n']!r}: the content's MD5 is not the one announced", 400)
            what = f"file {grant['n']!r}"
            accepted = self._accept(
                token, sha, lambda doc: doc["files"].__setitem__(str(grant["n"]), [sha, size, hexmd5])
            )
        else:
            what = "manifest"
            accepted = self._accept(token, sha, lambda doc: doc.__setitem__("manifest", sha))
        if not accepted:
            raise WandbError(f"the artifact's {what} was garbage-collected meanwhile: upload it again", 503)

    def commit(self, user: User, token: str) -> str:
        """CommitArtifact: a runyard commit of the client's manifest; returns the runyard digest."""
        doc = self._read(token)
        if doc is None:
            raise WandbError(f"no artifact {token!r} is being created", 404)
        if doc.get("digest_ry"):
            return str(doc["digest_ry"])
        entity, project, name = doc["entity"], doc["project"], doc["name"]
        if doc.get("staged"):
            self._adopt_staged(user, token, doc)
            doc = self._read(token) or doc
        if not doc.get("manifest") or not self.store.blobs.exists(doc["manifest"]):
            raise WandbError("the artifact's manifest was not uploaded", 400)
        with self.store.blobs.open(doc["manifest"]) as f:
            manifest = json.loads(f.read())
        contents = manifest.get("contents") if isinstance(manifest, dict) else None
        if not isinstance(contents, dict):
            raise WandbError("the artifact manifest has no contents", 400)
        entries = []
        for path, ent in contents.items():
            if not isinstance(ent, dict):
                raise WandbError(f"manifest entry {path!r} is not an object", 400)
            if ent.get("ref"):
                extra = {"checksum": str(ent.get("digest"))} if ent.get("digest") else {}
                entries.append(
                    {
                        "path": path,
                        "ref": str(ent["ref"]),
                        "size": int(ent.get("size") or 0),
                        "extra": extra,
                    }
                )
                continue
            hexmd5 = hex_of_b64(str(ent.get("digest") or ""))
            got = doc["files"].get(path)
            if got and got[2] == hexmd5:
                sha, size = got[0], int(got[1])
            else:
                sha = self.md5.sha_of(hexmd5) if hexmd5 else None
                if not sha or not self.store.blobs.exists(sha) or not self._usable(user, [sha]):
                    raise WandbError(f"artifact file {path!r} was not uploaded", 400)
                size = self._blob_size(sha)
            entries.append(
                {"path": path, "sha256": sha, "size": size, "extra": {"md5": b64_of_hex(str(hexmd5))}}
            )
        try:
            cm = parse_commit(
                name,
                {
                    "type": doc["type"],
                    "manifest": entries,
                    "metadata": doc.get("metadata") or {},
                    "description": doc.get("description"),
                    "aliases": doc.get("aliases") or [],
                },
            )
        except StoreError as err:
            raise WandbError.of(err) from None
        cm.manifest_blob = str(doc["manifest"])
        store, md5_digest = self.store, wandb_digest(contents)
        # what gc last did to the files, read before asking the store whether they are all there (the
        # uploads may be old: store/blob_deletions.py); what it takes meanwhile is refused in `w`
        marks = store.db.read(lambda conn: store.blob_deletions.marks(conn, cm.blobs))
        deleting = {sha for sha, mark in marks.items() if mark.endswith(DELETING)}
        gone = cm.blobs - store.blobs.present(sorted(cm.blobs - deleting))

        def in_txn(conn: Connection) -> tuple[str, bool]:
            """The version, the index and the pending document in one transaction: a commit retried
            or sent twice (to two replicas) commits once."""
            cur = store.protocol.lock(conn, "artifact", _token_name(token))
            if not isinstance(cur, dict):
                raise WandbError(f"no artifact {token!r} is being created", 404)
            if cur.get("digest_ry"):
                return str(cur["digest_ry"]), False
            lost = gone | store.blob_deletions.moved(conn, cm.blobs, marks)
            if lost:
                paths = sorted(entry["path"] for entry in cm.entries if entry["sha256"] in lost)
                raise _collected(paths + (["the manifest"] if cm.manifest_blob in lost else []))
            pid = access.writable_project(conn, store, user, entity, project)
            if access.usable_blobs(conn, store, user, cm.blobs) != cm.blobs:
                raise WandbError("some files of the artifact were not uploaded by you", 400)
            store.artifacts.commit(conn, pid, cm, user.id)
            self._index_add(conn, entity, project, name, md5_digest, cm.digest)
            if doc.get("digest") and doc["digest"] != md5_digest:
                self._index_add(conn, entity, project, name, doc["digest"], cm.digest)
            cur["digest_ry"] = cm.digest
            store.protocol.put(conn, "artifact", _token_name(token), cur)
            store.protocol.hold(conn, "artifact", _token_name(token), [])  # the version names them now
            return cm.digest, True

        try:
            digest, fresh = store.db.write(in_txn)
        except (StoreError, ApiError) as err:
            raise WandbError.of(err) from None
        run_name = doc.get("run")
        if fresh and run_name:
            self.runs.artifact_record(
                user,
                RunKey(entity, project, str(run_name)),
                "output",
                {"name": name, "type": doc["type"], "digest": digest, "aliases": doc.get("aliases") or []},
            )
        return digest

    def use(self, user: User, key: RunKey, entity: str, project: str, version: sa.Row) -> None:
        self.runs.artifact_record(
            user,
            key,
            "input",
            {
                "name": version.name,
                "digest": version.digest,
                "version": f"v{version.version_index}",
                "entity": entity,
                "project": project,
            },
        )


def _collected(paths: list[str]) -> WandbError:
    """A commit naming blobs gc took before they were held (an upload older than the hold, or content
    the server found by MD5 without an upload). wandb's client never uploads again within one
    CommitArtifact, so the answer says what the user does: log the artifact again, and the server,
    which lacks those files now, asks the client for them (docs/wandb-server.md)."""
    return WandbError(
        f"artifact files {paths} were garbage-collected before the commit: nothing was committed;"
        " log the artifact again (run.log_artifact or artifact.save()) and the client uploads them again",
        409,
    )


def collection_obj(entity: str, project: str, name: str) -> dict[str, Any]:
    return {
        "__typename": "ArtifactSequence",
        "id": encode_id("ArtifactSequence", entity, project, name),
        "name": name,
        "project": {
            "id": encode_id("Project", entity, project),
            "internalId": encode_id("Project", entity, project),
            "name": project,
            "entityName": entity,
            "entity": {"id": encode_id("Entity", entity), "name": entity, "organization": None},
        },
    }
