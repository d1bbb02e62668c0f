"""`runyard login [--host URL] [KEY]`: store the server URL and API key for the SDK and `runyard sync`."""

from __future__ import annotations

import click

from ..sdk.http_client import ApiError, Client, resolve_credentials
from ..sdk.login import save_login


@click.command("login")
@click.argument("key", required=False)
@click.option(
    "--host",
    default=None,
    metavar="URL",
    help="Server URL (default: the configured one or http://127.0.0.1:8080).",
)
@click.option(
    "--verify/--no-verify", default=True, show_default=True, help="Check the key against the server."
)
def login(key: str | None, host: str | None, verify: bool) -> None:
    """Log in to a runyard server: KEY is saved with the host in RUNYARD_HOME/settings (mode 600).

    Without KEY, the key of a local server (RUNYARD_HOME/credentials) or RUNYARD_API_KEY/WANDB_API_KEY is
    used; failing that, the key is asked for. Env vars RUNYARD_API_KEY/RUNYARD_BASE_URL and
    WANDB_API_KEY/WANDB_BASE_URL still take precedence over the saved settings.
    """
    creds = resolve_credentials(base_url=host)
    url = (host or creds.base_url).rstrip("/")
    if not key:
        key = creds.api_key
        if key:
            click.echo(f"using the API key from {creds.source}", err=True)
        else:
            key = click.prompt(f"API key for {url}", hide_input=True).strip()
    if len(key) < 8:
        raise click.ClickException("that does not look like an API key")
    who = None
    if verify:
        client = Client(url, key, timeout=15, retries=1)
        try:
            who = client.viewer()
        except ApiError as e:
            raise click.ClickException(f"login failed: {e.message}") from None
        finally:
            client.close()
    path = save_login(url, key)
    click.echo(f"logged in to {url}" + (f" as {who['user']}" if who else "") + f"; saved to {path}")
