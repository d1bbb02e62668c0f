"""The client's artifact cache: downloaded blobs by sha256, partial downloads, and version documents.

<cache dir>/artifacts/
    obj/sha256/ab/<62 hex>                 verified file contents (read-only copies), shared by every version
    tmp/<sha256>.part                      a download in progress (resumed from its length)
    index/<entity>/<project>/<name>/vN.json    version documents with their manifest (offline use_artifact)
    index/<entity>/<project>/<name>/aliases.json   alias -> vN as last seen from the server

Downloads hard-link these objects into the download root (see artifact._materialize), so a download
costs no second copy; the objects are read-only, and one written to anyway (by root, through a link)
loses its whole-second modification time and is downloaded again rather than trusted.

The cache directory is `RUNYARD_CACHE_DIR`, else `WANDB_CACHE_DIR`, else `~/.cache/runyard`, resolved at
call time. `RUNYARD_CACHE_MAX_SIZE` (e.g. "10GB") bounds it: after each download the least recently
used blobs are removed until it fits. Use times are kept in the files' access times, set explicitly.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from ..settings import env_value

UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2}
UNITS.update({"g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4})


def parse_size(text: str | int) -> int:
    """ "10GB" -> 10_000_000_000, "512MiB" -> 536_870_912, "1000" -> 1000."""
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).lower() not in UNITS:
        raise ValueError(f"not a size: {text!r} (examples: 500MB, 10GB, 1GiB)")
    return int(float(m.group(1)) * UNITS[m.group(2).lower()])


STAMP = 10**9  # cached objects get a whole-second modification time; any later write breaks it


def intact(st: os.stat_result) -> bool:
    """Whether a cached object still carries the stamp `adopt` gave it (no write since)."""
    return st.st_mtime_ns % STAMP == 0


def cache_dir() -> Path:
    d = env_value("cache_dir")
    return Path(d) if d else Path(os.path.expanduser("~")) / ".cache" / "runyard"


class ArtifactCache:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else cache_dir() / "artifacts"

    # -- blobs ------------------------------------------------------------------------------------
    def obj_path(self, sha256: str) -> Path:
        return self.root / "obj" / "sha256" / sha256[:2] / sha256[2:]

    def part_path(self, sha256: str) -> Path:
        return self.root / "tmp" / f"{sha256}.part"

    def has(self, sha256: str, size: int | None = None) -> bool:
        """Whether a verified copy of the blob is here, untouched since it was verified: an object
        whose modification time lost the cache's whole-second stamp was written to (through a hard
        link in a download root, by a user allowed to write a read-only file) and no longer counts."""
        try:
            st = self.obj_path(sha256).stat()
        except OSError:
            return False
        return (size is None or st.st_size == size) and intact(st)

    def touch(self, sha256: str) -> None:
        """Mark a blob used now (its access time); its modification time (the stamp) stays."""
        p = self.obj_path(sha256)
        try:
            os.utime(p, ns=(time.time_ns(), p.stat().st_mtime_ns))
        except OSError:
            pass

    def adopt(self, tmp: Path, sha256: str) -> Path:
        """Move a verified file into the cache: read-only, modification time stamped (`intact`)."""
        dest = self.obj_path(sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o444)
        now = time.time_ns()
        os.utime(tmp, ns=(now, now - now % STAMP))
        os.replace(tmp, dest)
        return dest

    def iter_objects(self) -> Iterator[tuple[Path, os.stat_result]]:
        base = self.root / "obj" / "sha256"
        if not base.is_dir():
            return
        for sub in os.scandir(base):
            if sub.is_dir():
                for f in os.scandir(sub.path):
                    yield Path(f.path), f.stat()

    def size(self) -> int:
        return sum(st.st_size for _, st in self.iter_objects())

    def cleanup(self, max_size: int | str, keep: set[str] | None = None) -> tuple[int, int]:
        """Remove least recently used blobs (and stale partial downloads) until the cache holds at most
        `max_size` bytes; blobs in `keep` stay. Returns (files removed, bytes freed)."""
        limit = parse_size(max_size)
        objs = sorted(self.iter_objects(), key=lambda x: x[1].st_atime)
        total = sum(st.st_size for _, st in objs)
        removed = freed = 0
        tmp = self.root / "tmp"
        if tmp.is_dir():
            for f in tmp.iterdir():
                try:
                    if time.time() - f.stat().st_mtime > 7 * 86400:
                        n = f.stat().st_size
                        f.unlink()
                        removed, freed = removed + 1, freed + n
                except OSError:
                    pass
        for path, st in objs:
            if total <= limit:
                break
            if keep and path.parent.name + path.name in keep:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            total -= st.st_size
            removed, freed = removed + 1, freed + st.st_size
        return removed, freed

    def enforce_limit(self, keep: set[str] | None = None) -> None:
        limit = env_value("cache_max_size")
        if limit:
            self.cleanup(limit, keep)

    # -- version documents ------------------------------------------------------------------------
    def _index(self, entity: str, project: str, name: str) -> Path:
        return self.root / "index" / entity / project / name

    def save_doc(self, doc: dict) -> None:
        """Remember a version (with its manifest) and its aliases, for use_artifact in offline mode."""
        if "manifest" not in doc:
            return
        d = self._index(doc["entity"], doc["project"], doc["name"])
        try:
            d.mkdir(parents=True, exist_ok=True)
            _write_json(d / f"{doc['version']}.json", doc)
            aliases = _read_json(d / "aliases.json")
            aliases = {a: v for a, v in aliases.items() if v != doc["version"]}
            aliases.update({a: doc["version"] for a in doc.get("aliases") or ()})
            _write_json(d / "aliases.json", aliases)
        except OSError:
            pass

    def find_doc(self, entity: str | None, project: str, name: str, ref: str) -> dict | None:
        """A remembered version: `ref` is vN, an alias or a digest; entity None searches every entity."""
        base = self.root / "index"
        ents = [entity] if entity else ([p.name for p in base.iterdir()] if base.is_dir() else [])
        for ent in ents:
            d = self._index(ent, project, name)
            if not d.is_dir():
                continue
            version = ref if re.fullmatch(r"v\d+", ref) else _read_json(d / "aliases.json").get(ref)
            if version is None and len(ref) == 64:
                for f in d.glob("v*.json"):
                    doc = _read_json(f)
                    if doc.get("digest") == ref:
                        return doc
            if version is not None:
                doc = _read_json(d / f"{version}.json")
                if doc:
                    return doc
        return None


def _write_json(path: Path, doc: dict) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, path)


def _read_json(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text())
        return doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        return {}
