"""`runyard sync [PATH ...]`: upload offline run directories to the server, resumably and exactly once.

Each run log is sent as chunks of whole frames at byte offsets; the server acknowledges the offset it
has applied, so a second sync sends nothing and a killed sync resumes where the server stopped. Files
under files/ are compared by sha256 and only new or changed ones are sent. A run whose log and files
are all on the server gets `<run dir>/.synced`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from ..sdk.http_client import ApiError, Client, resolve_credentials
from ..sdk.sync_run import SYNCED, Stats, sync_run_dir
from ..wire.framing import RunLogError
from ..wire.rundir import find_run_dirs, find_sweep_dirs, is_live


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
    """Upload offline runs (PATH: a run directory or a folder of them; default ./runyard) and the
    local sweeps found there (./runyard/sweeps/sweep-*)."""
    dirs: list[Path] = []
    for p in paths or (".",):
        dirs.extend(d for d in find_run_dirs(p) if d.is_dir())
    dirs = list(dict.fromkeys(dirs))
    sweeps = list(dict.fromkeys(s for p in paths or (".",) for s in find_sweep_dirs(p)))
    if not dirs and not sweeps:
        raise click.ClickException(f"no run directories under {', '.join(paths or ('.',))}")
    todo = [d for d in dirs if include_synced or not (d / SYNCED).exists()]
    skipped = len(dirs) - len(todo)
    if not todo and not sweeps:
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
    for sd in sweeps:
        try:
            sid = sync_sweep_dir(client, sd, entity or default_entity, project)
            click.echo(f"sweep {sid} uploaded")
        except (ApiError, UsageError, OSError) as e:
            stats.failed.append(f"{sd}: {e}")
    total = sum(sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) for d in todo)
    with _progress(total=total, unit="B", unit_scale=True, desc="sync", disable=None, leave=False) as bar:
        for d in todo:
            try:
                sync_run_dir(
                    client, d, entity or default_entity, project, entity, chunk_size, bar.update, stats
                )
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


def sync_sweep_dir(client: Client, path: Path, default_entity: str, project: str | None) -> str:
    """Create (or bring up to date) a local sweep on the server with the same id, config, state and
    trials; its runs are ordinary offline runs, uploaded like any other."""
    # imported here: the sweep code (and YAML) cost a sync of runs alone ~30 ms of CPU per process
    from ..sweeps.local import LocalSweep
    from ..sweeps.remote import ServerSweep

    local = LocalSweep(path)
    entity = local.entity or default_entity
    ServerSweep.create(
        client,
        entity,
        project or local.project or "uncategorized",
        local.doc["config"],
        sweep_id=local.id,
        state=local.state(),
        trials=[t.as_dict() for t in local.trials()],
    )
    return f"{entity}/{project or local.project or 'uncategorized'}/{local.id}"


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _progress(**kw: Any) -> Any:
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
