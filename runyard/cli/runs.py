"""`runyard runs ls|show`: inspect local run directories with no server."""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

import click

from ..wire.framing import RunLogError
from ..wire.reader import read
from ..wire.rundir import find_run_dirs


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return str(v)
        return f"{v:.6g}"
    if isinstance(v, (dict, list)):
        s = json.dumps(v, default=str)
        return s if len(s) <= 80 else s[:77] + "..."
    return str(v)


@click.group()
def runs() -> None:
    """List and show local runs (offline or not yet synced)."""


@runs.command("ls")
@click.argument("directory", required=False, default=".", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per run.")
def ls(directory: str, as_json: bool) -> None:
    """List the runs under DIRECTORY (default: ./runyard)."""
    dirs = find_run_dirs(directory)
    if not dirs:
        click.echo(f"no runs under {os.path.abspath(directory)}", err=True)
        return
    rows: list[dict[str, Any]] = []
    for d in dirs:
        try:
            rd = read(d)
        except (RunLogError, OSError) as e:
            rows.append({"dir": str(d), "error": str(e)})
            continue
        steps = rd.summary.get("_step")
        rows.append(
            {
                "id": rd.run.get("run_id"),
                "name": rd.run.get("name") or "",
                "project": rd.run.get("project"),
                "state": rd.state,
                "steps": (steps + 1) if isinstance(steps, int) else 0,
                "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rd.run.get("start_time", 0))),
                "synced": (d / ".synced").exists() if d.is_dir() else False,
                "dir": str(d),
            }
        )
    if as_json:
        for r in rows:
            click.echo(json.dumps(r))
        return
    header = f"{'ID':<10} {'NAME':<20} {'PROJECT':<20} {'STATE':<9} {'STEPS':>8}  {'CREATED':<19}  SYNCED"
    click.echo(header)
    for r in rows:
        if "error" in r:
            click.echo(f"{'?':<10} {r['dir']}: {r['error']}")
            continue
        click.echo(
            f"{r['id']:<10} {r['name'][:20]:<20} {str(r['project'])[:20]:<20} {r['state']:<9} {r['steps']:>8}  "
            f"{r['created']:<19}  {'yes' if r['synced'] else 'no'}"
        )


@runs.command("show")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--history", "n_history", default=5, show_default=True, help="How many last history rows to print."
)
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON document.")
def show(path: str, n_history: int, as_json: bool) -> None:
    """Print a run's identity, config, summary and last metrics (PATH: run directory or .rylog file)."""
    try:
        rd = read(path)
    except (RunLogError, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from None
    run_dir = str(rd.path.parent)
    hist = rd.history()
    doc: dict[str, Any] = {
        "run": rd.run,
        "state": rd.state,
        "config": rd.config,
        "summary": rd.summary,
        "flags": rd.flags,
        "exit": rd.exit,
        "history_rows": len(hist),
        "last_rows": hist[-n_history:] if n_history else [],
        "console_lines": len(rd.console),
        "system_samples": len(rd.system),
        "files": rd.files,
        "environment": rd.environment,
        "tail": {"clean": rd.tail.clean, "skipped_bytes": rd.tail.skipped_bytes, "reason": rd.tail.reason},
    }
    if as_json:
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    r = rd.run
    click.echo(f"run      {r.get('run_id')}  {r.get('name') or ''}")
    click.echo(f"project  {r.get('entity') or '-'}/{r.get('project')}")
    click.echo(f"state    {doc['state']}" + (f" (exit code {rd.exit.get('exit_code')})" if rd.exit else ""))
    if rd.flags:
        click.echo(f"flags    {', '.join(k for k, v in rd.flags.items() if v)}")
    if r.get("tags"):
        click.echo(f"tags     {', '.join(r['tags'])}")
    click.echo(f"dir      {run_dir}")
    if not rd.tail.clean:
        click.echo(
            f"log tail {rd.tail.skipped_bytes} bytes skipped ({rd.tail.reason}); everything before is intact"
        )
    click.echo("\nconfig")
    for k, v in sorted(rd.config.items()):
        click.echo(f"  {k} = {_fmt(v)}")
    click.echo("\nsummary")
    for k, v in sorted(rd.summary.items()):
        click.echo(f"  {k} = {_fmt(v)}")
    click.echo(f"\nhistory: {len(hist)} rows; last {min(n_history, len(hist))}:")
    for row in doc["last_rows"]:
        items = ", ".join(f"{k}={_fmt(v)}" for k, v in row.items() if k not in ("_timestamp", "_runtime"))
        click.echo(f"  {items}")
    click.echo(
        f"\nconsole: {len(rd.console)} lines; system metrics: {len(rd.system)} samples; files: {len(rd.files)}"
    )
