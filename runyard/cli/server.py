"""`runyard server`: the tracking server under uvicorn."""

from __future__ import annotations

import errno
import socket

import click


@click.command("server")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to listen on (0.0.0.0 for all)."
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Database URL (default: SQLite in the home directory; postgresql://user@host/db works too). "
    "Env: RUNYARD_DB_URL.",
)
@click.option(
    "--home",
    default=None,
    type=click.Path(file_okay=False),
    help="Data directory: database, blobs, credentials (default: RUNYARD_HOME or ~/.runyard).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def server(host: str, port: int, db_url: str | None, home: str | None, log_level: str) -> None:
    """Start the tracking server (needs `pip install 'runyard[server]'`)."""
    try:
        import uvicorn

        from ..server import ServerConfig, create_app
    except ImportError as e:
        raise click.ClickException(str(e)) from None
    _check_port(host, port)
    cfg = ServerConfig.resolve(home=home, db_url=db_url, host=host, port=port)
    db_shown = cfg.db_url.split("@")[-1] if "@" in cfg.db_url else cfg.db_url
    click.echo(f"runyard server on {cfg.public_url} (home: {cfg.home}, db: {db_shown})", err=True)
    uvicorn.run(create_app(cfg), host=host, port=port, log_level=log_level, proxy_headers=True)


def _check_port(host: str, port: int) -> None:
    """One clear line when the port is taken, before anything is set up (uvicorn would only log it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
            raise click.ClickException(
                f"port {port} on {host} is already in use (another runyard server?): "
                f"stop it or pick another port with --port (`make demo`: RUNYARD_PORT=8090 make demo)"
            ) from None
