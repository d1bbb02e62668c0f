"""`runyard.Artifact`: wandb's Artifact API over runyard's content-addressed artifact store.

art = runyard.Artifact("model", type="model", metadata={"acc": 0.9})
art.add_file("ckpt.pt"); art.add_dir("tokenizer/", name="tok")
run.log_artifact(art, aliases=["best"]).wait()
path = run.use_artifact("model:best").download()
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from ...errors import CommError, Error, UsageError
from ...wire import api_models as m
from ...wire.hashing import sha256_file
from ...wire.manifest import manifest_digest
from ...wire.names import ARTIFACT_RULE, registry_name, valid_artifact_name
from ...wire.paths import BadPath, clean_path
from ..http_client import ApiError
from ..run_view import RunView, run_api_path
from ..settings import env_value
from .cache import ArtifactCache
from .transfer import (
    SMALL_BLOB,
    ArtifactChecksumError,
    Stats,
    Transport,
    artifact_path,
    batches,
    fetch_blob,
    fetch_blobs,
    progress_bar,
    registry_api_path,
)


class ArtifactManifestEntry:
    """One file of an artifact: `path` (its name inside the artifact), `digest`/`sha256`, `size`, and
    `ref` for references (recorded, not copied; `extra["checksum"]` is their sha256 or ETag)."""

    def __init__(
        self,
        path: str,
        sha256: str | None,
        size: int,
        ref: str | None = None,
        extra: dict | None = None,
        local_path: str | None = None,
        artifact: Artifact | None = None,
    ):
        self.path, self.sha256, self.size, self.ref = path, sha256, int(size), ref
        self.extra = dict(extra or {})
        self.local_path = local_path
        self._artifact = artifact

    name = property(lambda self: self.path)

    @property
    def digest(self) -> str:
        return self.sha256 or self.extra.get("checksum") or ""

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "ref": self.ref,
            "extra": self.extra,
        }

    def download(self, root: str | os.PathLike | None = None, skip_cache: bool | None = None) -> str:
        """Download this one file (under `root`, default the artifact's directory); returns its path."""
        if self._artifact is None:
            raise UsageError("this manifest entry does not belong to a logged artifact")
        root = self._artifact._download(root, only={self.path})
        return str(Path(root) / self.path)

    def ref_url(self) -> str | None:
        return self.ref

    def __repr__(self) -> str:
        return (
            f"<ArtifactManifestEntry {self.path} {self.size} bytes{' ref=' + self.ref if self.ref else ''}>"
        )


class ArtifactManifest:
    def __init__(self, entries: dict[str, ArtifactManifestEntry]):
        self.entries = entries

    def to_manifest_json(self) -> dict:
        return {
            "version": 1,
            "digest_algorithm": "sha256",
            "contents": {p: e.to_dict() for p, e in self.entries.items()},
        }

    def __len__(self) -> int:
        return len(self.entries)


class Artifact:
    """A draft (add files, then `run.log_artifact`) or a logged version (`download`, `files`, ...)."""

    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict | None = None,
        incremental: bool = False,
        use_as: str | None = None,
        **_ignored: Any,
    ):
        if not valid_artifact_name(name):
            raise UsageError(f"artifact name {name!r} must be {ARTIFACT_RULE}")
        if not valid_artifact_name(type, max_len=64):
            raise UsageError(f"artifact type {type!r} must be 1-64 letters, digits, '.', '-', '_'")
        if metadata is not None and not isinstance(metadata, dict):
            raise UsageError("artifact metadata must be a dict")
        self._name, self._type = name, type
        self.description = description
        self.metadata: dict = dict(metadata or {})
        self._entries: dict[str, ArtifactManifestEntry] = {}
        self._state = "DRAFT"  # DRAFT -> PENDING (uploading) / STAGED (offline) -> COMMITTED | FAILED;
        # DELETED: a version a run logged or used, deleted since (api run.used_artifacts())
        self._version: str | None = None
        self._aliases: list[str] = []
        self._saved: tuple[list[str], dict, str | None] = ([], {}, None)  # as the server has them
        self._entity: str | None = None
        self._project: str | None = None
        self._digest: str | None = None
        self._size: int | None = None
        self._created_at: float | None = None
        self._transport: Transport | None = None
        self._link: tuple[str, str, str, str] | None = None  # fetched through a registry: where
        self._done = threading.Event()
        self._error: str | None = None
        self._tmpdir: str | None = None
        self._manifest_pending = False  # a version listed without its manifest: fetched on first use
        self.stats = Stats()

    # -- identity ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"{self._name}:{self._version}" if self._version else self._name

    source_name = name
    collection_name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    version = property(lambda self: self._version)
    entity = property(lambda self: self._entity)
    project = property(lambda self: self._project)
    state = property(lambda self: self._state)
    created_at = property(lambda self: self._created_at)

    @property
    def qualified_name(self) -> str:
        return f"{self._entity or ''}/{self._project or ''}/{self.name}"

    @property
    def id(self) -> str | None:
        return self._digest if self._state == "COMMITTED" else None

    @property
    def digest(self) -> str:
        return self._digest or manifest_digest(e.to_dict() for e in self._entries.values())

    @property
    def size(self) -> int:
        return (
            self._size if self._size is not None else sum(e.size for e in self._entries.values() if e.sha256)
        )

    @property
    def manifest(self) -> ArtifactManifest:
        return ArtifactManifest(dict(self._ents()))

    def _ents(self) -> dict[str, ArtifactManifestEntry]:
        if self._manifest_pending:
            doc = self._call("GET", self._path())
            for e in doc.get("manifest") or []:
                self._entries[e["path"]] = ArtifactManifestEntry(
                    e["path"], e.get("sha256"), e["size"], e.get("ref"), e.get("extra"), artifact=self
                )
            self._manifest_pending = False
        return self._entries

    def is_draft(self) -> bool:
        return self._state == "DRAFT"

    def __repr__(self) -> str:
        return f"<Artifact {self.qualified_name if self._version else self._name} type={self._type} {self._state}>"

    # -- building a draft -------------------------------------------------------------------------
    def _draft(self) -> None:
        if self._state != "DRAFT":
            raise UsageError(f"artifact {self.name} is logged already; create a new Artifact to change files")

    def _entry_name(self, name: str) -> str:
        try:
            return clean_path(name.replace(os.sep, "/") if os.sep != "/" else name, "artifact entry name")
        except BadPath as e:
            raise UsageError(str(e)) from None

    def add_file(
        self,
        local_path: str | os.PathLike,
        name: str | None = None,
        is_tmp: bool = False,
        skip_cache: bool = False,
        policy: str = "mutable",
        overwrite: bool = False,
    ) -> ArtifactManifestEntry:
        """Add a file as `name` (default: its file name). It is hashed now and uploaded (online) or
        copied into the run directory (offline) when the artifact is logged."""
        self._draft()
        path = os.fspath(local_path)
        if not os.path.isfile(path):
            raise UsageError(f"add_file: {path} is not a file")
        entry_name = self._entry_name(name or os.path.basename(path))
        sha = sha256_file(path)
        old = self._entries.get(entry_name)
        if old is not None and old.sha256 != sha and not overwrite:
            raise UsageError(f"artifact {self._name} already has a different file named {entry_name!r}")
        e = ArtifactManifestEntry(entry_name, sha, os.path.getsize(path), local_path=os.path.abspath(path))
        self._entries[entry_name] = e
        return e

    def add_dir(
        self,
        local_path: str | os.PathLike,
        name: str | None = None,
        skip_cache: bool = False,
        policy: str = "mutable",
        merge: bool = False,
    ) -> None:
        """Add every file under `local_path`, named by their path relative to it (under `name/`)."""
        self._draft()
        root = os.fspath(local_path)
        if not os.path.isdir(root):
            raise UsageError(f"add_dir: {root} is not a directory")
        prefix = self._entry_name(name).rstrip("/") + "/" if name else ""
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                self.add_file(full, prefix + rel, overwrite=merge)

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "x", encoding: str | None = None) -> Iterator[IO]:
        """`with art.new_file("labels.txt") as f: f.write(...)` adds the written file as `name`."""
        self._draft()
        entry_name = self._entry_name(name)
        if entry_name in self._entries and "x" in mode:
            raise UsageError(f"artifact {self._name} already has a file named {entry_name!r}")
        if self._tmpdir is None:
            self._tmpdir = tempfile.mkdtemp(prefix="runyard-artifact-")
        path = os.path.join(self._tmpdir, *entry_name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode.replace("x", "w"), encoding=encoding) as f:
            yield f
        self.add_file(path, entry_name, overwrite=True)

    def add_reference(
        self, uri: str, name: str | None = None, checksum: bool = True, max_objects: int | None = None
    ) -> list[ArtifactManifestEntry]:
        """Record `uri` (file://, http(s)://, s3://) with its size and checksum (sha256 for files, the ETag
        for HTTP and S3) without copying it; `download()` fetches it from there."""
        from .references import resolve_reference

        self._draft()
        out = []
        for rel, size, check, ref in resolve_reference(uri, checksum, max_objects):
            entry_name = self._entry_name(f"{name.rstrip('/')}/{rel}" if name and rel else (name or rel))
            e = ArtifactManifestEntry(
                entry_name, None, size, ref=ref, extra={"checksum": check} if check else {}
            )
            self._entries[entry_name] = e
            out.append(e)
        return out

    def remove(self, item: str | ArtifactManifestEntry) -> None:
        self._draft()
        path = item.path if isinstance(item, ArtifactManifestEntry) else str(item)
        gone = [p for p in self._entries if p == path or p.startswith(path.rstrip("/") + "/")]
        if not gone:
            raise FileNotFoundError(f"artifact {self._name} has no file or folder {path!r}")
        for p in gone:
            del self._entries[p]

    # -- reading ----------------------------------------------------------------------------------
    def get_entry(self, name: str) -> ArtifactManifestEntry:
        e = self._ents().get(name)
        if e is None:
            raise KeyError(f"artifact {self.name} has no file {name!r}")
        return e

    get_path = get_entry

    def files(self, names: list[str] | None = None, per_page: int = 50) -> list[ArtifactManifestEntry]:
        es = list(self._ents().values())
        return [e for e in es if e.path in set(names)] if names else es

    # -- logged state -----------------------------------------------------------------------------
    @classmethod
    def _from_doc(cls, doc: dict, transport: Transport | None) -> Artifact:
        a = cls(doc["name"], doc["type"], doc.get("description"), doc.get("metadata") or {})
        a._apply_doc(doc)
        a._transport = transport
        for e in doc.get("manifest") or []:
            a._entries[e["path"]] = ArtifactManifestEntry(
                e["path"], e.get("sha256"), e["size"], e.get("ref"), e.get("extra"), artifact=a
            )
        return a

    @property
    def aliases(self) -> list[str]:
        """The version's aliases: edit this list (or assign one), then `save()` a logged version."""
        return self._aliases

    @aliases.setter
    def aliases(self, value: list[str]) -> None:
        self._aliases = [str(a) for a in value]

    def _apply_doc(self, doc: dict) -> None:
        self._version = doc["version"]
        self._aliases = list(doc.get("aliases") or [])
        self._saved = (list(self._aliases), copy.deepcopy(doc.get("metadata") or {}), doc.get("description"))
        self._entity, self._project = doc["entity"], doc["project"]
        self._digest, self._size = doc["digest"], doc.get("size")
        self._created_at = doc.get("created_at")
        self.metadata = doc.get("metadata") or {}
        self.description = doc.get("description")
        self._state = "DELETED" if doc.get("state") == "deleted" else "COMMITTED"
        for e in self._entries.values():
            e._artifact = self
        self._done.set()

    def _failed(self, why: str) -> None:
        self._state, self._error = "FAILED", why
        self._done.set()

    def wait(self, timeout: float | None = None) -> Artifact:
        """Block until the upload is committed (online); raises if it failed or timed out."""
        if self._state == "DRAFT":
            raise UsageError("wait() is for a logged artifact; call run.log_artifact(artifact) first")
        if not self._done.wait(timeout):
            raise CommError(f"artifact {self._name} is not committed after {timeout} s")
        if self._state == "FAILED":
            raise CommError(f"artifact {self._name} was not uploaded: {self._error}")
        return self

    def _need_server(self) -> Transport:
        if self._transport is None:
            raise CommError(f"artifact {self.name} needs the server for this (offline, or not logged online)")
        return self._transport

    def _call(self, method: str, path: str) -> dict:
        try:
            return self._need_server().client().request(method, path)[1]
        except ApiError as e:
            raise CommError(f"artifact {self.name}: {e.status} {e.code}: {e.message}") from None

    def _path(self) -> str:
        if self._state == "DELETED":
            raise CommError(f"artifact {self.qualified_name} was deleted")
        if self._state != "COMMITTED" or self._entity is None or self._project is None:
            raise UsageError(f"artifact {self._name} is not a committed version (log it and wait() first)")
        return artifact_path(self._entity, self._project, self._name, self._version)

    def save(self) -> Artifact:
        """Save the edits of a logged version: aliases added to or removed from `aliases`,
        `metadata` and `description`."""
        if self._state == "DRAFT":
            raise UsageError(f"artifact {self._name} is a draft: log it with run.log_artifact(artifact)")
        path, client = self._path(), self._need_server().client()
        aliases, metadata, description = self._saved
        add = [a for a in self._aliases if a not in aliases]
        remove = [a for a in aliases if a not in self._aliases]
        edits: dict[str, Any] = {}
        if self.metadata != metadata:
            edits["metadata"] = self.metadata
        if self.description != description:
            edits["description"] = self.description
        try:
            if add or remove:
                self._apply_doc(client.post_json(path + "/aliases", {"add": add, "remove": remove}))
            if edits:
                body = json.dumps(edits).encode()
                self._apply_doc(client.request("PATCH", path, body=body, content_type="application/json")[1])
        except ApiError as e:
            raise CommError(f"artifact {self.name}: {e.status} {e.code}: {e.message}") from None
        return self

    def delete(self, delete_aliases: bool = False) -> None:
        """Delete this version on the server (its blobs are freed by `runyard gc`)."""
        params = "?delete_aliases=true" if delete_aliases else ""
        self._call("DELETE", self._path() + params)

    def link(self, target_path: str, aliases: list[str] | None = None) -> Artifact:
        """Register this version in a registry collection: "wandb-registry-model/classifier" (or
        "entity/wandb-registry-model/classifier"; the entity defaults to this artifact's). Returns the
        version; `aliases` (e.g. ["production"]) are moved onto it in the collection."""
        if self._state == "DRAFT":
            raise UsageError(
                f"artifact {self._name} is a draft: log it with run.log_artifact(artifact) first"
            )
        if self._state == "PENDING":
            self.wait()
        entity, project, collection, _ = parse_artifact_path(target_path, None, None)
        reg = registry_name(project)
        if reg is None or ":" in target_path:
            raise UsageError(
                f"link target {target_path!r} must name a registry collection: "
                "[entity/]wandb-registry-<registry>/<collection>"
            )
        body = {
            "artifact": f"{self._entity}/{self._project}/{self._name}:{self._version}",
            "aliases": [str(a) for a in aliases or []],
        }
        try:
            self._need_server().client().post_json(
                registry_api_path(entity or self._entity or "", reg, collection), body
            )
        except ApiError as e:
            raise CommError(
                f"cannot link {self.name} to {target_path}: {e.status} {e.code}: {e.message}"
            ) from None
        return self

    @property
    def is_link(self) -> bool:
        """True for a version fetched through a registry path ("wandb-registry-model/C:production"):
        `unlink()` takes that registered version out of its registry collection."""
        return self._link is not None

    def unlink(self) -> None:
        """Take the registered version this artifact was fetched as out of its registry collection
        (its aliases go with it; the artifact version stays)."""
        if self._link is None:
            raise UsageError(
                f"artifact {self.name} is not a registry link: fetch it through its registry path "
                "(e.g. api.artifact('wandb-registry-model/<collection>:production')) to unlink it"
            )
        self._call("DELETE", registry_api_path(*self._link))
        self._link = None

    def logged_by(self) -> RunView | None:
        """The run that logged this version (the first, if several logged the same content)."""
        runs = self._call("GET", self._path() + "/lineage")["logged_by"]
        return self._run_of(runs[0]) if runs else None

    def used_by(self) -> list[RunView]:
        """The runs that used this version."""
        return [self._run_of(d) for d in self._call("GET", self._path() + "/lineage")["used_by"]]

    def _run_of(self, linked: dict) -> RunView:
        """The run a lineage entry (`LinkedRun`) names, fetched from the server."""
        e, p = linked["entity"], linked["project"]
        client = self._need_server().client()
        try:
            doc = msgspec.convert(client.get_json(run_api_path(e, p, linked["id"])), m.RunDetail)
        except ApiError as err:
            raise CommError(f"run {e}/{p}/{linked['id']}: {err.status} {err.code}: {err.message}") from None
        return RunView(client.base_url, e, p, doc)

    # -- download ---------------------------------------------------------------------------------
    def download(
        self,
        root: str | os.PathLike | None = None,
        allow_missing_references: bool = False,
        skip_cache: bool | None = None,
        path_prefix: str | None = None,
        multipart: bool | None = None,
    ) -> str:
        """Materialise the files under `root` (default ./artifacts/<name>:<version>) and return it.

        Blobs come from the cache when there (no network), else are downloaded in parallel, resumed
        from a partial download, and verified against their sha256 before they enter the cache."""
        only = None
        if path_prefix:
            only = {p for p in self._ents() if p.startswith(path_prefix)}
        return self._download(root, only, allow_missing_references)

    def _download(
        self, root: str | os.PathLike | None, only: set[str] | None = None, allow_missing: bool = False
    ) -> str:
        self._path()
        base = Path(root) if root is not None else Path("artifacts") / f"{self._name}:{self._version}"
        base_abs = os.path.abspath(base)
        todo: list[tuple[ArtifactManifestEntry, Path]] = []
        for e in self._ents().values():
            if only is not None and e.path not in only:
                continue
            try:
                rel = clean_path(e.path, "artifact entry name")
            except BadPath as err:
                raise Error(f"refusing to download artifact {self.name}: {err}") from None
            dest = Path(base_abs, *rel.split("/"))
            if os.path.commonpath([base_abs, os.path.abspath(dest)]) != base_abs:
                raise Error(f"refusing to download artifact {self.name}: {e.path!r} leaves {base}")
            todo.append((e, dest))
        cache = ArtifactCache()
        need = {e.sha256: e.size for e, _ in todo if e.sha256 and not cache.has(e.sha256, e.size)}
        if need:
            transport = self._need_server()
            vpath = self._path()
            bar = progress_bar(sum(need.values()), f"download {self.name}")
            small = [s for s in need if need[s] <= SMALL_BLOB]
            jobs: list[Callable[[], Any]] = [
                functools.partial(fetch_blob, transport, vpath, s, n, cache, self.stats, bar.update)
                for s, n in need.items()
                if n > SMALL_BLOB or len(small) <= 1
            ]
            if len(small) > 1:
                jobs += [
                    functools.partial(
                        fetch_blobs, transport, vpath, {s: need[s] for s in g}, cache, self.stats, bar.update
                    )
                    for g in batches(small, need, transport.workers)
                ]
            try:
                transport.map(lambda job: job(), jobs)
            finally:
                bar.close()
        for e, dest in todo:
            dest.parent.mkdir(parents=True, exist_ok=True)
            if e.ref is not None:
                from .references import download_reference

                try:
                    download_reference(e, dest)
                except (OSError, Error) as err:
                    if not allow_missing:
                        raise
                    _ = err
                continue
            assert e.sha256 is not None
            if e.sha256 not in need:
                cache.touch(e.sha256)
                self.stats.add(cached_blobs=1)
            _materialize(cache.obj_path(e.sha256), dest)
        cache.enforce_limit(keep={e.sha256 for e, _ in todo if e.sha256})
        return str(base)

    def verify(self, root: str | os.PathLike | None = None) -> None:
        """Check that the files under `root` are exactly this version's (raises ValueError otherwise)."""
        base = Path(root) if root is not None else Path("artifacts") / f"{self._name}:{self._version}"
        for e in self._ents().values():
            p = base / e.path
            if e.sha256 is None:
                continue
            if not p.is_file() or sha256_file(p) != e.sha256:
                raise ValueError(f"{p} does not match artifact {self.name} (missing or changed)")

    def checkout(self, root: str | os.PathLike | None = None) -> str:
        """Like download, and remove files under root that the artifact does not have."""
        out = self.download(root)
        keep = {os.path.abspath(Path(out) / p) for p in self._ents()}
        for dirpath, _dirs, files in os.walk(out):
            for fn in files:
                full = os.path.abspath(os.path.join(dirpath, fn))
                if full not in keep:
                    os.unlink(full)
        return out

    # -- logging (run.log_artifact) ---------------------------------------------------------------
    def _commit_doc(self, aliases: list[str]) -> dict:
        return {
            "type": self._type,
            "description": self.description,
            "metadata": self.metadata,
            "aliases": aliases,
            "digest": self.digest,
            "manifest": [e.to_dict() for e in sorted(self._entries.values(), key=lambda e: e.path)],
        }


def _materialize(obj: Path, dest: Path) -> None:
    """Put a cached blob at `dest`: a hard link to it (read-only, no copy), or a copy where links are
    impossible (another filesystem, no link support) or turned off with RUNYARD_ARTIFACT_LINKS=0.
    Nothing is done when dest is that object or a copy of it already (same size and mtime)."""
    st = obj.stat()
    try:
        d = dest.stat()
        if (d.st_dev, d.st_ino) == (st.st_dev, st.st_ino) or (
            d.st_size == st.st_size and d.st_mtime_ns == st.st_mtime_ns
        ):
            return
    except OSError:
        pass
    tmp = dest.with_name(dest.name + ".runyard-tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    if _links_enabled():
        try:
            os.link(obj, tmp)
            os.replace(tmp, dest)
            return
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    shutil.copyfile(obj, tmp)
    os.chmod(tmp, 0o644)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, dest)


def _links_enabled() -> bool:
    return bool(env_value("artifact_links"))


def parse_artifact_path(
    path: str, entity: str | None, project: str | None
) -> tuple[str | None, str, str, str]:
    """ "entity/project/name:alias", "project/name:v3", "name:latest" or "name" -> (entity, project, name, ref)."""
    ref = "latest"
    if ":" in path:
        path, ref = path.rsplit(":", 1)
    parts = [p for p in path.split("/") if p]
    if len(parts) == 3:
        entity, project, name = parts
    elif len(parts) == 2:
        project, name = parts
    elif len(parts) == 1:
        name = parts[0]
    else:
        raise UsageError(f"artifact path {path!r} must look like entity/project/name:alias")
    if not project:
        raise UsageError(f"artifact path {path!r} needs a project")
    if not ref:
        raise UsageError(f"artifact path {path!r} has an empty version or alias")
    return entity, project, name, ref


def fetch_version(
    transport: Transport, entity: str, project: str, name: str, ref: str
) -> tuple[dict, tuple[str, str, str, str] | None]:
    """A version's document, and None; for a registry path ("wandb-registry-model/classifier:production")
    the document of the artifact version the registered version links to, and where that registered
    version is: (entity, registry, collection, "vN")."""
    reg = registry_name(project)
    try:
        if reg is not None:
            d = transport.client().get_json(registry_api_path(entity, reg, name, ref))
            return d["artifact"], (d["entity"], d["registry"], d["collection"], d["version"])
        return transport.client().get_json(artifact_path(entity, project, name, ref)), None
    except ApiError as e:
        if e.status == 404:
            raise CommError(f"artifact {entity}/{project}/{name}:{ref} not found: {e.message}") from None
        if e.status == 410:  # its tombstone: the message names the deleted version
            raise CommError(e.message) from None
        raise CommError(f"cannot fetch artifact {entity}/{project}/{name}:{ref}: {e.message}") from None


__all__ = [
    "Artifact",
    "ArtifactChecksumError",
    "ArtifactManifest",
    "ArtifactManifestEntry",
    "fetch_version",
    "parse_artifact_path",
    "sha256_file",
]
