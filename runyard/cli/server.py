"""`runyard server`: the tracking server under uvicorn."""

from __future__ import annotations

import errno
import os
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
    "--bus",
    default=None,
    metavar="BUS",
    help="Live updates across processes and replicas: memory (default, one process), postgres "
    "(LISTEN/NOTIFY on the database) or redis://host:port/db. Env: RUNYARD_BUS.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes on this host (more than one needs a shared --bus).",
)
@click.option(
    "--metrics",
    "metrics_mode",
    default=None,
    type=click.Choice(["admin", "open", "off"]),
    help="Who may read Prometheus metrics at /metrics (default admin). Env: RUNYARD_METRICS.",
)
@click.option(
    "--json-logs", is_flag=True, default=None, help="One JSON object per log line. Env: RUNYARD_JSON_LOGS."
)
@click.option(
    "--blob-url",
    default=None,
    metavar="URL",
    help="Where blobs live: s3://bucket/prefix for an S3-compatible object store (default: the home "
    "directory's blobs/). Env: RUNYARD_BLOB_URL; endpoint and credentials in docs/storage.md.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
def server(
    host: str,
    port: int,
    db_url: str | None,
    home: str | None,
    blob_url: str | None,
    bus: str | None,
    workers: int,
    metrics_mode: str | None,
    json_logs: bool | None,
    log_level: str,
) -> None:
    """Start the tracking server (needs `pip install 'runyard[server]'`)."""
    try:
        import uvicorn

        from ..server import ServerConfig, create_app
        from ..server.app import bootstrap, freeze_loaded
        from ..server.pubsub import make_broker
        from ..store import Store
        from ..store.db import SchemaTooNew, check_schema
    except ImportError as e:
        raise click.ClickException(str(e)) from None
    _check_port(host, port)
    try:
        cfg = ServerConfig.resolve(
            home=home,
            db_url=db_url,
            host=host,
            port=port,
            bus=bus,
            metrics=metrics_mode,
            json_logs=json_logs,
            blob_url=blob_url,
        )
        make_broker(cfg.bus, cfg.db_url, cfg.bus_channel)
        cfg.open_blobs()  # a malformed blob URL or a missing boto3: one line now, not a traceback later
    except (ValueError, RuntimeError) as e:
        raise click.ClickException(str(e)) from None
    if workers > 1 and cfg.bus == "memory":
        raise click.ClickException(
            "--workers N needs a shared bus for live updates: --bus postgres or --bus redis://host:port/0"
        )
    db_shown = cfg.db_url.split("@")[-1] if "@" in cfg.db_url else cfg.db_url
    click.echo(
        f"runyard server on {cfg.public_url} (home: {cfg.home}, db: {db_shown}, bus: {cfg.bus}"
        f"{f', blobs: {cfg.blob_url}' if cfg.blob_url else ''}"
        f"{f', {workers} workers' if workers > 1 else ''})",
        err=True,
    )
    # uvicorn's own logging setup would replace the JSON handler (server/logs.py)
    log_kw: dict = {"log_config": None} if cfg.json_logs else {}
    try:
        check_schema(cfg.db_url)
    except SchemaTooNew as e:
        raise click.ClickException(str(e)) from None
    if workers == 1:
        app = create_app(cfg)
        freeze_loaded()
        uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True, **log_kw)
        return
    # migrate and create the admin once, here, then let uvicorn start the worker processes; each
    # builds its app from the environment (server/app.py: app_from_env)
    store = Store.open(cfg.db_url, cfg.blob_dir, cfg.limits)
    try:
        bootstrap(store, cfg)
    finally:
        store.close()
    os.environ.update(
        RUNYARD_HOME=str(cfg.home),
        RUNYARD_DB_URL=cfg.db_url,
        RUNYARD_BUS=cfg.bus,
        RUNYARD_METRICS=cfg.metrics,
        RUNYARD_HOST=host,
        RUNYARD_PORT=str(port),
    )
    if cfg.json_logs:
        os.environ["RUNYARD_JSON_LOGS"] = "1"
    if cfg.blob_url:
        os.environ["RUNYARD_BLOB_URL"] = cfg.blob_url
    uvicorn.run(
        "runyard.server.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=True,
        **log_kw,
    )


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
