"""`runyard sync [PATH ...]`: upload offline run directories to the server, resumably and exactly once.

Each run log is sent as chunks of whole frames at byte offsets; the server acknowledges the offset it
has applied, so a second sync sends nothing and a killed sync resumes where the server stopped. Files
under files/ are compared by sha256 and only new or changed ones are sent. A run whose log and files
are all on the server gets `<run dir>/.synced`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

from ..sdk.sync_client import ApiError, Client, resolve_credentials
from ..wire.framing import HEADER_SIZE, RunLogError, Tail, check_header, iter_frames
from ..wire.records import RT, unpackb
from ..wire.rundir import find_run_dirs, is_live

SYNCED = ".synced"


@dataclass
class LogInfo:
    path: Path
    data: bytes
    frames: list[int]  # start offsets of whole valid frames, plus the end of the last one
    run: dict
    finished: bool


@dataclass
class Stats:
    runs: int = 0
    uptodate: int = 0
    bytes: int = 0
    files: int = 0
    failed: list[str] = field(default_factory=list)


def scan_log(path: Path) -> LogInfo:
    data = path.read_bytes()
    check_header(data)
    tail = Tail()
    starts, run, finished = [], {}, False
    for off, rtype, payload in iter_frames(data, tail, HEADER_SIZE):
        starts.append(off)
        if rtype == RT.RUN and not run:
            run = unpackb(payload)
        elif rtype == RT.EXIT:
            finished = True
    starts.append(tail.good_bytes)
    if not run:
        raise RunLogError(f"{path} has no RUN record")
    return LogInfo(path, data[: tail.good_bytes], starts, run, finished)


def chunks_from(info: LogInfo, offset: int, size: int) -> list[tuple[int, int]]:
    """(start, end) byte ranges of whole frames from `offset`, each about `size` bytes (a big frame alone)."""
    if offset == 0:
        bounds = [0] + info.frames[1:]
    else:
        try:
            i = info.frames.index(offset)
        except ValueError:
            raise click.ClickException(
                f"{info.path}: the server's offset {offset} is not a frame boundary of "
                "this run log (was the file replaced?)"
            ) from None
        bounds = info.frames[i:]
    out, start = [], bounds[0]
    for prev, b in zip(bounds, bounds[1:]):
        if b - start > size and prev > start:
            out.append((start, prev))
            start = prev
    if bounds[-1] > start:
        out.append((start, bounds[-1]))
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@click.command("sync")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--project", default=None, help="Upload into this project instead of the run's own.")
@click.option(
    "--entity", default=None, help="Upload into this entity (user or team) instead of the run's own."
)
@click.option("--include-synced", is_flag=True, help="Also check runs already marked as synced.")
@click.option("--clean", is_flag=True, help="Delete local run directories that are fully synced.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before --clean deletes.")
@click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")
@click.option(
    "--chunk-size",
    default=4 * 1024 * 1024,
    show_default=True,
    type=click.IntRange(1024),
    help="Bytes of run log per request.",
)
def sync(
    paths: tuple[str, ...],
    project: str | None,
    entity: str | None,
    include_synced: bool,
    clean: bool,
    yes: bool,
    host: str | None,
    chunk_size: int,
) -> None:
    """Upload offline runs (PATH: a run directory or a folder of them; default ./runyard)."""
    dirs: list[Path] = []
    for p in paths or (".",):
        dirs.extend(d for d in find_run_dirs(p) if d.is_dir())
    dirs = list(dict.fromkeys(dirs))
    if not dirs:
        raise click.ClickException(f"no run directories under {', '.join(paths or ('.',))}")
    todo = [d for d in dirs if include_synced or not (d / SYNCED).exists()]
    skipped = len(dirs) - len(todo)
    if not todo:
        click.echo(
            f"nothing to sync: {skipped} run(s) already synced (use --include-synced to check them again)"
        )
        if clean:
            _clean(dirs, yes)
        return
    creds = resolve_credentials(base_url=host)
    if not creds.api_key:
        raise click.ClickException("no API key: run `runyard login`, or set RUNYARD_API_KEY")
    client = Client(creds.base_url, creds.api_key)
    try:
        default_entity = entity or client.viewer()["default_entity"]
    except ApiError as e:
        raise click.ClickException(f"cannot use {creds.base_url}: {e.message}") from None
    stats = Stats()
    total = sum(sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) for d in todo)
    with _progress(total=total, unit="B", unit_scale=True, desc="sync", disable=None, leave=False) as bar:
        for d in todo:
            try:
                sync_run_dir(client, d, entity or default_entity, project, entity, chunk_size, bar, stats)
            except (ApiError, RunLogError, OSError) as e:
                stats.failed.append(f"{d}: {e}")
    client.close()
    for msg in stats.failed:
        click.echo(f"failed: {msg}", err=True)
    parts = [f"{stats.runs} run(s) uploaded ({stats.bytes} bytes of run log, {stats.files} file(s))"]
    if stats.uptodate:
        parts.append(f"{stats.uptodate} already up to date on the server")
    if skipped:
        parts.append(f"{skipped} already marked synced")
    click.echo("; ".join(parts))
    if clean:
        _clean(dirs, yes)
    if stats.failed:
        raise SystemExit(1)


def sync_run_dir(
    client: Client,
    d: Path,
    default_entity: str,
    project_override: str | None,
    entity_override: str | None,
    chunk_size: int,
    bar: object | None,
    stats: Stats,
) -> None:
    """Upload one run directory (its run logs, then its files); write .synced when the server has all."""
    if bar is None:
        bar = _NoBar()
    logs = sorted(d.glob("*.rylog"))
    sent_any = False
    complete = True
    target = None
    for log_path in logs:
        info = scan_log(log_path)
        run = info.run
        ent = entity_override or run.get("entity") or default_entity
        proj = project_override or run.get("project") or "uncategorized"
        rid, seg = run["run_id"], run["segment"]
        target = (ent, proj, rid)
        acked = client.acked_offset(ent, proj, rid, seg)
        end = len(info.data)
        bar.update(min(acked, end))  # type: ignore[attr-defined]
        while acked < end:
            for start, stop in chunks_from(info, acked, chunk_size):
                resp = client.ingest(ent, proj, rid, seg, start, info.data[start:stop])
                if resp.get("conflict"):  # the server has a different prefix than we assumed: resume there
                    acked = int(resp["acked_offset"])
                    break
                bar.update(stop - start)  # type: ignore[attr-defined]
                stats.bytes += stop - start
                acked = int(resp["acked_offset"])
                sent_any = True
        live = is_live(d)
        complete = complete and (info.finished or not live)
        if not info.finished and not live:  # the writing process died without finishing: say so
            client.update_run(ent, proj, rid, state="crashed")
    if target is None:
        return
    files_dir = d / "files"
    if files_dir.is_dir():
        remote = {f["path"]: f["sha256"] for f in client.list_files(*target)}
        for f in sorted(p for p in files_dir.rglob("*") if p.is_file()):
            rel = f.relative_to(files_dir).as_posix()
            size = f.stat().st_size
            if remote.get(rel) != _sha256(f):
                client.put_file(*target, rel, f.read_bytes())
                stats.files += 1
                sent_any = True
            bar.update(size)  # type: ignore[attr-defined]
    if sent_any:
        stats.runs += 1
    else:
        stats.uptodate += 1
    if complete:
        doc = {
            "server": client.scheme + "://" + client.host + (f":{client.port}" if client.port else ""),
            "path": "/".join(target),
            "synced_at": time.time(),
        }
        (d / SYNCED).write_text(json.dumps(doc) + "\n")


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress(**kw: object) -> object:
    """A tqdm bar (the `server` extra installs tqdm); without tqdm, no bar and no failure."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(**kw)


def _clean(dirs: list[Path], yes: bool) -> None:
    done = [d for d in dirs if (d / SYNCED).exists() and not is_live(d)]
    if not done:
        click.echo("--clean: no fully synced run directories to delete")
        return
    if not yes and not click.confirm(
        f"delete {len(done)} synced run director{'y' if len(done) == 1 else 'ies'}?"
    ):
        return
    for d in done:
        shutil.rmtree(d)
        click.echo(f"deleted {d}")
    for parent in {d.parent for d in done}:
        link = parent / "latest-run"
        if link.is_symlink() and not link.exists():
            os.unlink(link)
