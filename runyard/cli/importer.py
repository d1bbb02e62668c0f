"""`runyard import wandb PATH...`: convert wandb offline runs into runyard run directories.

No network and no wandb package: the `.wandb` record log is decoded by runyard.compat. With
`--sync` the imported runs are then uploaded exactly like `runyard sync` does (it is the same code).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..compat.wandb_import import ImportResult, describe, find_wandb_files, import_file


@click.group("import")
def import_() -> None:
    """Import runs written by other trackers."""


@import_.command("wandb")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Write run directories to OUT/runyard/ (default: next to each wandb/ folder).",
)
@click.option("--project", default=None, help="Put the runs in this project instead of their own.")
@click.option("--entity", default=None, help="Put the runs in this entity instead of their own.")
@click.option("--sync", "do_sync", is_flag=True, help="Upload the imported runs to the server afterwards.")
@click.option("--host", default=None, metavar="URL", help="Server URL for --sync (default: from login/env).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report per run instead of text.")
@click.pass_context
def wandb(
    ctx: click.Context,
    paths: tuple[str, ...],
    out: str | None,
    project: str | None,
    entity: str | None,
    do_sync: bool,
    host: str | None,
    as_json: bool,
) -> None:
    """Import wandb offline runs (PATH: a wandb/offline-run-* dir, a run-*.wandb file, or a wandb/ folder)."""
    files: list[Path] = []
    for p in paths:
        found = find_wandb_files(p)
        if not found:
            click.echo(f"warning: no .wandb file under {p}", err=True)
        files.extend(found)
    files = list(dict.fromkeys(f.resolve() for f in files))
    if not files:
        raise click.ClickException(f"no wandb runs (*.wandb) under {', '.join(paths)}")
    results = [import_file(f, Path(out) if out else None, project, entity) for f in files]
    for r in results:
        if as_json:
            click.echo(json.dumps(_as_dict(r)))
        else:
            for line in describe(r):
                click.echo(line, err=not r.ok)
    failed = [r for r in results if not r.ok]
    if not as_json:
        click.echo(f"{len(results) - len(failed)} run(s) imported, {len(failed)} failed")
    if do_sync:
        dirs = tuple(str(r.run_dir) for r in results if r.ok and r.run_dir is not None)
        if dirs:
            from .sync import sync

            ctx.invoke(
                sync,
                paths=dirs,
                project=None,
                entity=None,
                include_synced=False,
                clean=False,
                yes=False,
                host=host,
                chunk_size=4 * 1024 * 1024,
            )
    if failed:
        raise SystemExit(1)


def _as_dict(r: ImportResult) -> dict[str, Any]:
    conv = r.conversion
    doc: dict[str, Any] = {"source": str(r.source), "status": r.status, "error": r.error or None}
    if conv is not None:
        doc.update(
            run_dir=str(r.run_dir),
            run_id=conv.run["run_id"],
            segment=conv.run["segment"],
            producer=conv.producer,
            records=conv.records,
            converted=dict(conv.converted),
            ignored=dict(conv.ignored),
            finished=conv.finished,
            skipped_bytes=conv.tail.skipped_bytes,
            good_bytes=conv.tail.good_bytes,
            total_bytes=conv.total_bytes,
            skip_reason=conv.tail.reason or None,
            not_imported=conv.dropped,
            artifacts=conv.artifacts,
            files_copied=r.files_copied,
            files_skipped=r.files_skipped,
        )
    return doc
