"""`runyard ui [DIR]`: the web UI over the offline runs under DIR, with no server setup and no sign-in.
An embedded server keeps its home in DIR/.runyard-ui (SQLite); the run directories are uploaded to it
and re-read every second, so runs still writing show up live. The run directories are not marked as
synced: a later `runyard sync` to a real server still uploads them."""

from __future__ import annotations

import json
import time
import webbrowser
from pathlib import Path

import click

from .server import _check_port

HOME = ".runyard-ui"


@click.command("ui")
@click.argument("directory", default="runyard", type=click.Path(file_okay=False))
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="TCP port (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Print the link instead of opening a browser.")
def ui(directory: str, port: int, no_browser: bool) -> None:
    """Open the web UI over the offline runs under DIRECTORY (default ./runyard), live."""
    try:
        from ..sdk.http_client import ApiError, Client
        from ..sdk.sync_run import sync_run_dir
        from ..server import ServerConfig, ServerThread
        from ..wire.framing import RunLogError
        from ..wire.rundir import find_run_dirs
    except ImportError as e:
        raise click.ClickException(str(e)) from None
    root = Path(directory)
    if not root.is_dir():
        raise click.ClickException(f"no directory {root}: point `runyard ui` at where your runs are written")
    if port:
        _check_port("127.0.0.1", port)
    home = root / HOME
    cfg = ServerConfig.resolve(home=home, db_url=f"sqlite:///{home / 'runyard.db'}", port=port)
    srv = ServerThread(cfg).start()
    key = srv.api_key or json.loads((cfg.home / "credentials").read_text())["api_key"]
    client = Client(srv.url, key)
    entity = client.viewer()["default_entity"]
    # a one-time sign-in link: the browser gets a session cookie, never the key
    link = client.request("POST", "/api/v1/session/links", ok=(201,))[1]["url"]
    click.echo(f"runyard ui over {root}: {link}  (the link works once; Ctrl-C stops it)", err=True)
    if not no_browser:
        webbrowser.open(link)
    seen: dict[Path, int] = {}  # run dir -> bytes it held when last uploaded
    try:
        while True:
            for d in find_run_dirs(str(root)):
                size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
                if seen.get(d) == size:
                    continue
                try:
                    sync_run_dir(client, d, entity, None, None, mark=False)
                    seen[d] = size
                except (ApiError, RunLogError, OSError) as e:
                    click.echo(f"{d}: {e}", err=True)
            time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        client.close()
        srv.stop()
