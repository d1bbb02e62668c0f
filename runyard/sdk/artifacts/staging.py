"""Artifacts inside the run directory, so a copied run directory carries them to `runyard sync`.

<run dir>/artifacts/
    <client id>.json        the commit document (manifest, aliases, ...) and where each blob is
    <client id>.committed   written once the server committed it (the version document)
    blobs/<sha256>          offline mode: copies of the files (an online run points at the originals)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .transfer import BLOCK, Stats, Transport, commit

STAGED = "artifacts"


def copy_hashing(src: str, dest: Path) -> str:
    """Copy `src` to `dest` (tmp + rename) and return the sha256 of what was copied."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    h = hashlib.sha256()
    with open(src, "rb") as fi, open(tmp, "wb") as fo:
        while block := fi.read(BLOCK):
            h.update(block)
            fo.write(block)
    os.replace(tmp, dest)
    return h.hexdigest()


def write_staged(run_dir: str, client_id: str, doc: dict) -> Path:
    d = Path(run_dir) / STAGED
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{client_id}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, path)
    return path


def mark_committed(staged: Path, version_doc: dict) -> None:
    staged.with_suffix(".committed").write_text(json.dumps(version_doc) + "\n")


def pending(run_dir: str | os.PathLike) -> list[Path]:
    d = Path(run_dir) / STAGED
    if not d.is_dir():
        return []
    return [p for p in sorted(d.glob("*.json")) if not p.with_suffix(".committed").exists()]


def commit_staged(
    transport: Transport, staged: Path, entity: str, project: str, stats: Stats | None = None
) -> dict:
    """Upload one staged artifact (what the server lacks) and commit it; marks it committed."""
    doc = json.loads(staged.read_text())
    sources: dict[str, str] = doc.pop("sources", {})
    base = staged.parent

    def source(sha: str) -> str | None:
        p = sources.get(sha)
        return None if p is None else str(base / p) if not os.path.isabs(p) else p

    entity = doc.pop("entity", None) or entity
    project = doc.pop("project", None) or project
    body = {
        k: doc[k] for k in ("type", "description", "metadata", "aliases", "digest", "manifest") if k in doc
    }
    out = commit(transport, entity, project, doc["name"], body, source, stats or Stats(), quiet=True)
    mark_committed(staged, out)
    return out


def sync_staged(transport: Transport, run_dir: str | os.PathLike, entity: str, project: str) -> int:
    """Commit every staged artifact of a run directory not committed yet; returns how many."""
    n = 0
    for staged in pending(run_dir):
        commit_staged(transport, staged, entity, project)
        n += 1
    return n
