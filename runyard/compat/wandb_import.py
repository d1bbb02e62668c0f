"""Importing wandb offline runs: finding `.wandb` files, writing runyard run directories, reporting.

    <root>/wandb/offline-run-<ts>-<id>/run-<id>.wandb  +  files/...
      -> <out>/runyard/offline-run-<ts>-<id>/run-<id>.rylog  +  files/... (copied)
                                                          +  artifacts/<id>.json, artifacts/blobs/<sha256>

`<out>` defaults to the folder that holds the `wandb/` folder, so the runs land in a `runyard/`
folder next to it and `runyard sync <out>` finds them. No network, no wandb package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..sdk.artifacts.staging import STAGED, copy_hashing, write_staged
from ..wire.rundir import RUNS_FOLDER, log_name, run_dir_name
from .wandb_convert import Conversion, StagedArtifact, convert, inside
from .wandb_log import WandbLogError

WANDB_SUFFIX = ".wandb"
SYNCED = ".synced"  # same marker as runyard.sdk.sync_run.SYNCED
_WANDB_DIR_RE = re.compile(r"^(?:offline-run|run)-(\d{8}_\d{6})-([A-Za-z0-9_-]+)$")


@dataclass
class ImportResult:
    source: Path  # the .wandb file
    run_dir: Path | None = None  # the runyard run directory written
    status: str = ""  # imported | updated | unchanged | replaced | failed
    error: str = ""
    conversion: Conversion | None = None
    files_copied: int = 0
    files_unchanged: int = 0
    files_skipped: list[str] = field(default_factory=list)
    artifacts_staged: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def find_wandb_files(path: str | os.PathLike) -> list[Path]:
    """A `.wandb` file, a wandb run directory, or a folder of them (e.g. `wandb/`), oldest first."""
    p = Path(path)
    if p.is_file():
        return [p] if p.name.endswith(WANDB_SUFFIX) else []
    if not p.is_dir():
        return []
    own = sorted(p.glob("*" + WANDB_SUFFIX))
    if own:
        return own
    found: list[Path] = []
    for base in (p, p / "wandb"):
        if not base.is_dir():
            continue
        for d in base.iterdir():
            if d.is_dir() and not d.is_symlink() and _WANDB_DIR_RE.match(d.name):
                found.extend(sorted(d.glob("*" + WANDB_SUFFIX)))
    return sorted(set(found), key=lambda f: (f.parent.name.split("-")[-2], f.parent.name, f.name))


def default_out(wandb_file: Path) -> Path:
    """The folder holding the `wandb/` folder (or, without one, the folder holding the run dir)."""
    run_dir = wandb_file.resolve().parent
    for parent in run_dir.parents:
        if parent.name == "wandb":
            return parent.parent
    return run_dir.parent


def wandb_staging_dir() -> Path:
    """Where wandb keeps its copies of logged artifact files: `$WANDB_DATA_DIR/artifacts/staging`,
    WANDB_DATA_DIR defaulting as in wandb to the platform's user data folder."""
    data = os.environ.get("WANDB_DATA_DIR")
    if not data:
        home = Path.home()
        if sys.platform == "darwin":
            data = str(home / "Library" / "Application Support" / "wandb")
        elif os.name == "nt":
            data = os.path.join(
                os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local", "wandb", "wandb"
            )
        else:
            data = os.path.join(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share", "wandb")
    return Path(data) / "artifacts" / "staging"


def _stamp(wandb_file: Path, start_time: float) -> str:
    m = _WANDB_DIR_RE.match(wandb_file.parent.name)
    if m:
        return m.group(1)
    return time.strftime("%Y%m%d_%H%M%S", time.gmtime(start_time))


def import_file(
    wandb_file: Path,
    out: Path | None = None,
    project: str | None = None,
    entity: str | None = None,
    copy_files: bool = True,
) -> ImportResult:
    """Convert one `.wandb` file into a runyard run directory; never raises for a bad input file.

    Artifact files are read only from wandb's staging folder and the run's own folder."""
    res = ImportResult(source=wandb_file)
    roots = [str(wandb_staging_dir()), str(wandb_file.parent)]
    try:
        data = wandb_file.read_bytes()
        conv = convert(data, project, entity, artifact_roots=roots)
    except (OSError, WandbLogError, ValueError) as e:
        res.status, res.error = "failed", str(e)
        return res
    except Exception as e:  # a converter bug must not stop the other runs of a folder
        res.status, res.error = "failed", f"internal error while converting: {e!r}"
        return res
    res.conversion = conv
    run = conv.run
    root = (out if out is not None else default_out(wandb_file)) / RUNS_FOLDER
    dest = root / run_dir_name(True, _stamp(wandb_file, run["start_time"]), run["run_id"])
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for art in conv.staged:  # before the log that names them: a sync never sees a dangling one
            _stage_artifact(dest, art)
            res.artifacts_staged += 1
        res.status = _write_log(dest / log_name(run["run_id"]), conv.data)
        if res.status != "unchanged":
            (dest / SYNCED).unlink(missing_ok=True)  # there is something new to upload
        if copy_files:
            _copy_files(wandb_file.parent / "files", dest / "files", res, default_out(wandb_file))
    except OSError as e:
        res.status, res.error = "failed", f"cannot write {dest}: {e}"
    res.run_dir = dest
    return res


def _stage_artifact(run_dir: Path, art: StagedArtifact) -> None:
    """Stage like an offline `log_artifact`: blobs copied into `artifacts/blobs/<sha256>` and the
    commit document in `artifacts/<client id>.json` (rewritten only when it changed)."""
    blobs = run_dir / STAGED / "blobs"
    sources = {}
    for sha, src in sorted(art.files.items()):
        dest = blobs / sha
        if not dest.exists():
            got = copy_hashing(src, dest)
            if got != sha:
                dest.unlink()
                raise OSError(f"{src} changed while it was imported")
        sources[sha] = f"blobs/{sha}"
    doc = dict(art.doc, sources=sources)
    staged = run_dir / STAGED / f"{art.client_id}.json"
    try:
        if json.loads(staged.read_text()) == doc:
            return
    except (OSError, ValueError):
        pass
    write_staged(str(run_dir), art.client_id, doc)


def _write_log(path: Path, data: bytes) -> str:
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == data:
        return "unchanged"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    if old is None:
        return "imported"
    return "updated" if data.startswith(old) else "replaced"


def _copy_files(src: Path, dst: Path, res: ImportResult, project_dir: Path) -> None:
    """Copy the run's files; a link (wandb.save() leaves links to the user's files) is followed only
    into the folder the run was started in, so a crafted run cannot make sync upload other files."""
    if not src.is_dir():
        return
    for dirpath, _dirs, names in os.walk(src):
        for name in sorted(names):
            f = Path(dirpath) / name
            rel = f.relative_to(src)
            target = dst / rel
            if not inside(str(f), [str(project_dir)]):
                res.files_skipped.append(f"{rel.as_posix()} (a link to a file outside {project_dir})")
                continue
            try:
                st = f.stat()  # follows symlinks: wandb.save() leaves links to the user's files
            except OSError:
                res.files_skipped.append(f"{rel.as_posix()} (broken link)")
                continue
            try:
                tst = target.stat()
                if tst.st_size == st.st_size and int(tst.st_mtime) == int(st.st_mtime):
                    res.files_unchanged += 1
                    continue
            except OSError:
                pass
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, target)
                res.files_copied += 1
            except OSError as e:
                res.files_skipped.append(f"{rel.as_posix()} ({e.strerror or e})")


def describe(res: ImportResult) -> list[str]:
    """Human-readable report lines for one import."""
    if not res.ok:
        return [f"failed: {res.source}: {res.error}"]
    conv = res.conversion
    assert conv is not None
    c = conv.converted
    lines = [
        f"{res.status}: {res.source} -> {res.run_dir}",
        f"  run {conv.run['run_id']} ({conv.run.get('name') or '-'}), wandb {conv.producer or '?'}, "
        f"{conv.records} wandb records; {c['HISTORY']} history rows, {c['CONSOLE']} console records, "
        f"{c['SYSTEM']} system samples, {c['CONFIG']} config, {c['SUMMARY']} summary, {c['METRIC']} metric, "
        f"{c['FILES']} files records, {c['ARTIFACT']} artifact(s) staged; {res.files_copied} file(s) copied"
        + (f", {res.files_unchanged} unchanged" if res.files_unchanged else ""),
    ]
    t = conv.tail
    if not t.clean:
        lines.append(
            f"  skipped {t.skipped_bytes} of {conv.total_bytes} bytes from byte {t.good_bytes}: {t.reason}"
        )
    if not conv.finished:
        lines.append("  no exit record: the run will show as crashed (or it was still running)")
    for d in conv.dropped:
        lines.append(f"  not imported (unfinished run): {d}")
    for a in conv.artifacts:
        lines.append(f"  {a}")
    for s in res.files_skipped:
        lines.append(f"  file not copied: {s}")
    if res.status == "replaced":
        lines.append(
            "  warning: the previous import of this run was not a prefix of this one; if it was synced, "
            "`runyard sync` will refuse this run (delete it on the server, or import to a new --out)"
        )
    return lines


__all__ = ["ImportResult", "default_out", "describe", "find_wandb_files", "import_file", "wandb_staging_dir"]
