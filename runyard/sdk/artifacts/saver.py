"""The run side of artifacts: `run.log_artifact` / `use_artifact` / `log_model` / `use_model`.

log_artifact hashes the files (already done by add_file), stages the commit document inside the run
directory (offline: with copies of the files), writes an ARTIFACT record to the run log (lineage),
and, online, hands the upload to a background thread; `artifact.wait()` blocks until committed.
An upload that fails (server down) stays staged: `finish()` and `runyard sync` complete it.
"""

from __future__ import annotations

import os
import queue
import threading
import uuid
from pathlib import Path
from typing import Any

from ...errors import CommError, UsageError
from ...wire.records import RT
from ..http_client import ApiError
from ..services import RunServices
from ..threads import start as start_thread
from .artifact import Artifact, fetch_version, parse_artifact_path
from .cache import ArtifactCache
from .staging import STAGED, commit_staged, copy_hashing, write_staged
from .transfer import Transport

_STOP = object()


class ArtifactSaver(threading.Thread):
    """Commits a run's artifacts one after another (each with parallel blob uploads)."""

    def __init__(self, services: RunServices, transport: Transport):
        super().__init__(name="runyard-artifacts", daemon=True)
        self.services, self.transport = services, transport
        self.q: queue.Queue = queue.Queue()

    def submit(self, art: Artifact, staged: Path | None, doc: dict, sources: dict[str, str]) -> None:
        self.q.put((art, staged, doc, sources))

    def run(self) -> None:
        while True:
            job = self.q.get()
            if job is _STOP:
                return
            art, staged, doc, sources = job
            try:
                entity = art._entity or self.transport.client().viewer()["default_entity"]
                if staged is not None:
                    out = commit_staged(self.transport, staged, entity, art._project or "", art.stats)
                else:
                    from .transfer import commit

                    out = commit(
                        self.transport, entity, art._project or "", art._name, doc, sources.get, art.stats
                    )
                art._apply_doc(out)
                ArtifactCache().save_doc(dict(out, manifest=doc["manifest"]))
            except Exception as e:  # never raise into training: say so, keep it staged for `runyard sync`
                why = getattr(e, "message", None) or str(e)
                art._failed(why)
                where = self.services.run_dir
                self.services.printer.warn(
                    f"artifact {art._name} was not uploaded ({why}); it stays staged in {where}, "
                    f"`runyard sync {where}` uploads it"
                )

    def finish(self, timeout: float) -> None:
        self.q.put(_STOP)
        self.join(timeout)


def _transport(services: RunServices) -> Transport | None:
    """Online runs: one transport for the run's artifact uploads and downloads, made at first use."""
    if services.uploader is None:
        return None
    if services.artifact_transport is None:
        services.artifact_transport = Transport.like(services.uploader.client)
    return services.artifact_transport


def log_artifact(
    run: Any,
    artifact_or_path: Any,
    name: str | None = None,
    type: str | None = None,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
) -> Artifact:
    services: RunServices = run._services
    if services.finished():
        raise UsageError("log_artifact() after finish(): the run is finished")
    if isinstance(artifact_or_path, Artifact):
        art = artifact_or_path
    else:
        path = os.fspath(artifact_or_path)
        if "://" in path:
            art = Artifact(name or _default_name(run, path), type or "unspecified")
            art.add_reference(path)
        else:
            art = Artifact(name or _default_name(run, path), type or "unspecified")
            art.add_dir(path) if os.path.isdir(path) else art.add_file(path)
    if not art.is_draft():
        raise UsageError(f"artifact {art.name} is logged already; log a new Artifact for new content")
    if isinstance(aliases, str):
        aliases = [aliases]
    aliases = [str(a) for a in (aliases or []) if a != "latest"]
    for a in aliases:
        if not a or any(c in a for c in "/\\:#?%") or (a[0] == "v" and a[1:].isdigit()):
            raise UsageError(f"alias {a!r} must not be empty, look like vN, or contain / \\ : # ? %")
    art._entity, art._project = run.entity, run.project
    offline = run.offline
    run_dir = services.run_dir
    sources: dict[str, str] = {}
    if offline:
        if run_dir is None:
            raise UsageError(
                "log_artifact() in offline mode needs the run directory, which could not be created"
            )
        if not services.settings.allow_offline_artifacts:
            raise UsageError("log_artifact() in offline mode is disabled (allow_offline_artifacts=False)")
        blobs = Path(run_dir) / STAGED / "blobs"
        for e in list(art._entries.values()):
            if e.sha256 is None or e.local_path is None:
                continue
            dest = blobs / e.sha256
            if not dest.exists():
                got = copy_hashing(e.local_path, dest)
                if got != e.sha256:  # changed since add_file: the copy is what gets logged
                    os.replace(dest, blobs / got)
                    e.sha256, e.size = got, (blobs / got).stat().st_size
            sources[e.sha256] = f"blobs/{e.sha256}"
    else:
        sources = {e.sha256: e.local_path for e in art._entries.values() if e.sha256 and e.local_path}
    doc = art._commit_doc(aliases)
    client_id = uuid.uuid4().hex
    staged = None
    if run_dir is not None:
        staged = write_staged(
            run_dir,
            client_id,
            dict(doc, name=art._name, entity=art._entity, project=art._project, sources=sources),
        )
    art._digest = doc["digest"]
    art._aliases = ["latest", *aliases]
    services.record(
        RT.ARTIFACT,
        {
            "name": art._name,
            "type": art._type,
            "digest": doc["digest"],
            "entity": art._entity,
            "project": art._project,
            "aliases": aliases,
            "client_id": client_id,
            "files": len(doc["manifest"]),
            "size": art.size,
        },
    )
    transport = _transport(services)
    if offline or transport is None:
        art._state = "STAGED"
        return art
    art._state = "PENDING"
    art._transport = transport
    saver = services.artifact_saver
    if saver is None:
        saver = services.artifact_saver = ArtifactSaver(services, transport)
        start_thread(saver)
    saver.submit(art, staged, doc, sources)
    return art


def _default_name(run: Any, path: str) -> str:
    base = os.path.basename(path.rstrip("/")) or "artifact"
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in base)
    return f"run-{run.id}-{safe}"[:128]


def use_artifact(
    run: Any, artifact_or_name: Any, type: str | None = None, aliases: Any = None, use_as: Any = None
) -> Artifact:
    services: RunServices = run._services
    if isinstance(artifact_or_name, Artifact):
        art = artifact_or_name
        if art.is_draft():
            raise UsageError("use_artifact() takes a logged artifact or a name such as 'model:latest'")
        if art._state == "PENDING":
            art.wait()
    else:
        entity, project, name, ref = parse_artifact_path(str(artifact_or_name), run.entity, run.project)
        transport = _transport(services)
        doc, link = None, None
        if transport is not None:
            try:
                doc, link = fetch_version(
                    transport, entity or _default_entity(run, transport), project, name, ref
                )
                ArtifactCache().save_doc(doc)
            except CommError as e:
                if "not found" in str(e):
                    raise
                services.printer.warn(f"{e}; looking in the local artifact cache")
        if doc is None:
            doc = ArtifactCache().find_doc(entity, project, name, ref)
            if doc is None:
                raise UsageError(
                    f"artifact {artifact_or_name!r} is not in the local cache"
                    + (" and the run is offline" if transport is None else " and the server is unreachable")
                    + f" (cache: {ArtifactCache().root}); download it once online, or run online"
                )
        art = Artifact._from_doc(doc, transport)
        art._link = link
    if type is not None and art.type != type:
        raise UsageError(f"artifact {art.name} has type {art.type!r}, not {type!r}")
    services.record(
        RT.USE_ARTIFACT,
        {
            "name": art._name,
            "digest": art.digest,
            "version": art.version,
            "entity": art._entity,
            "project": art._project,
        },
    )
    return art


def _default_entity(run: Any, transport: Transport) -> str:
    if run.entity:
        return run.entity
    try:
        return transport.client().viewer()["default_entity"]
    except ApiError as e:
        raise CommError(f"cannot reach the server: {e.message}") from None


def finish(services: RunServices, timeout: float) -> None:
    if services.artifact_saver is not None:
        services.artifact_saver.finish(timeout)
    if services.artifact_transport is not None:
        services.artifact_transport.close()
