"""`runyard sweep CONFIG` / `runyard sweep --pause|--resume|--stop|--cancel ID` /
`runyard sweep --update ID CONFIG` (as `wandb sweep --update`) and `runyard agent ID`.

With `--local` the sweep lives in ./runyard/sweeps/ (no server; see runyard/sweeps/local.py) and its
trials are offline runs that `runyard sync` uploads later.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError

STATE_FLAGS = {"pause": "paused", "resume": "running", "stop": "stopped", "cancel": "canceled"}


@click.command("sweep")
@click.argument("target")
@click.option("--project", "-p", help="project of the sweep's runs")
@click.option("--entity", "-e", help="user or team of the sweep's runs")
@click.option("--name", help="display name of the sweep (overrides the config's name)")
@click.option("--local", is_flag=True, help="keep the sweep in ./runyard/sweeps (no server)")
@click.option(
    "--pause", "action", flag_value="pause", help="TARGET is a sweep id: no new trials until resumed"
)
@click.option("--resume", "action", flag_value="resume", help="TARGET is a sweep id: hand out trials again")
@click.option(
    "--stop", "action", flag_value="stop", help="TARGET is a sweep id: running trials finish, no new ones"
)
@click.option(
    "--cancel", "action", flag_value="cancel", help="TARGET is a sweep id: running trials are stopped too"
)
@click.option(
    "--update",
    metavar="SWEEP_ID",
    help="replace this sweep's config with the file TARGET (only while the sweep has no trial)",
)
def sweep(
    target: str,
    project: str | None,
    entity: str | None,
    name: str | None,
    local: bool,
    action: str | None,
    update: str | None,
) -> None:
    """Create a sweep from a W&B sweep config file (YAML), replace a sweep's config, or change its state."""
    from ..sweeps import api

    if action and update:
        raise UsageError(f"--update cannot be combined with --{action}")
    if action:
        s = api.open_sweep(target, entity, project, local or None)
        s.set_state(STATE_FLAGS[action])
        click.echo(f"sweep {s.id}: {s.state()}")
        return
    path = Path(target)
    if not path.is_file():
        raise UsageError(f"no sweep config file {target!r}")
    doc = api.load(path.read_text())
    if name:
        doc["name"] = name
    if update:
        s = api.open_sweep(update, entity, project, local or None)
        s.update_config(doc)
        click.echo(f"sweep {s.id}: config updated")
        return
    sweep_id = api.sweep(doc, entity=entity, project=project, local=local or None)
    click.echo(sweep_id)


@click.command("agent")
@click.argument("sweep_id")
@click.option("--count", type=click.IntRange(min=1), help="run at most this many trials")
@click.option("--project", "-p", help="project of the sweep's runs")
@click.option("--entity", "-e", help="user or team of the sweep's runs")
@click.option("--local", is_flag=True, help="the sweep is a local one (./runyard/sweeps)")
def agent(sweep_id: str, count: int | None, project: str | None, entity: str | None, local: bool) -> None:
    """Run trials of a sweep, each as a subprocess of the sweep's program, until the sweep is done."""
    from ..sweeps import api

    n = api.agent(sweep_id, entity=entity, project=project, count=count, local=local or None)
    click.echo(f"agent ran {n} trial(s)")
