"""Entry point of the `runyard` command (click). Each command lives in its own module.

Errors: every command's failure ends as one line on stderr naming the problem, with a hint where one
helps, and exit status 1 (click's usage errors: 2). `runyard --debug ...` shows the traceback instead.
"""

from __future__ import annotations

import http.client
from typing import Any

import click

from .. import __version__
from ..errors import Error
from ..sdk.http_client import ApiError
from . import artifact, db, gc, importer, login, registry, report, runs, server, sweep, sync, ui

UNREACHABLE_HINT = "is the server running? Check --host, RUNYARD_BASE_URL or `runyard login`"


def error_line(e: BaseException) -> str:
    """The one line a user sees for an error a command did not handle itself."""
    status = getattr(e, "status", None)
    if (isinstance(e, (Error, ApiError)) and status == 0) or isinstance(e, (ConnectionError, TimeoutError)):
        return f"{getattr(e, 'message', None) or e} ({UNREACHABLE_HINT})"
    if status == 401:
        return f"{e} (the server refused the API key: run `runyard login`)"
    if isinstance(e, (Error, ApiError, OSError, ValueError, http.client.HTTPException)):
        return str(e) or e.__class__.__name__
    return f"unexpected {e.__class__.__name__}: {e} (rerun with `runyard --debug ...` for the traceback)"


class _Cli(click.Group):
    """The command group, with the one place where errors become a line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as e:
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(error_line(e)) from None


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="runyard")
@click.option("--debug", is_flag=True, help="On an error, show the full traceback.")
def cli(debug: bool) -> None:
    """runyard: self-hosted, offline-first experiment tracking."""


cli.add_command(runs.runs)
cli.add_command(server.server)
cli.add_command(login.login)
cli.add_command(sync.sync)
cli.add_command(importer.import_)
cli.add_command(artifact.artifact)
cli.add_command(report.report)
cli.add_command(gc.gc)
cli.add_command(registry.registry)
cli.add_command(db.db)
cli.add_command(sweep.sweep)
cli.add_command(sweep.agent)
cli.add_command(ui.ui)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
