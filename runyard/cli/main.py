"""Entry point of the `runyard` command (click). Each command lives in its own module."""

from __future__ import annotations

import click

from .. import __version__
from . import artifact, gc, importer, login, runs, server, sweep, sync


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runyard")
def cli() -> None:
    """runyard: self-hosted, offline-first experiment tracking."""


cli.add_command(runs.runs)
cli.add_command(server.server)
cli.add_command(login.login)
cli.add_command(sync.sync)
cli.add_command(importer.import_)
cli.add_command(artifact.artifact)
cli.add_command(gc.gc)
cli.add_command(sweep.sweep)
cli.add_command(sweep.agent)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
