"""`runyard.login()`: wandb.login for scripts; the key is saved where `runyard login` saves it."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from ..errors import CommError, UsageError
from ..wire.home import runyard_home, write_private_json
from . import state
from .output import termwarn
from .settings import from_env, merged


def save_login(url: str, key: str) -> str:
    """Store the server URL and key in RUNYARD_HOME/settings (mode 600); returns the file's path."""
    from .http_client import SETTINGS_NAME

    path = runyard_home() / SETTINGS_NAME
    write_private_json(path, {"base_url": url.rstrip("/"), "api_key": key})
    return str(path)


def login(
    key: str | None = None,
    relogin: bool | None = None,
    host: str | None = None,
    force: bool | None = None,
    timeout: int | None = None,
    verify: bool = False,
    anonymous: str | None = None,
    **_ignored: Any,
) -> bool:
    """Make sure a server key is configured; returns True when one is.

    A key already configured (env vars, `runyard login`, a local server's credentials) is kept unless
    `relogin=True`. Without one, the key is asked for on a terminal; a script without a terminal
    gets UsageError. A given key is saved with `host` for later runs; `verify=True` checks it first
    (CommError when the server refuses it). As wandb 0.31: after `init()`, and in offline or
    disabled mode, it does nothing and returns False (offline with a warning), so a script that logs
    in first still trains offline; `anonymous` has no effect (runyard has no anonymous mode)."""
    if state.current() is not None:
        termwarn("Calling login() after init() has no effect.")
        return False
    mode = merged(from_env(), state.setup_settings).mode
    if mode == "disabled":
        return False
    if mode == "offline":
        termwarn("Unable to verify login in offline mode.")
        return False
    # the HTTP client (http.client, ssl: ~15 ms) is imported here, not by `import runyard`
    from .http_client import ApiError, Client, resolve_credentials

    creds = resolve_credentials(base_url=host)
    url = (host or creds.base_url).rstrip("/")
    if key is None:
        if creds.api_key and not relogin:
            return True
        if not sys.stdin or not sys.stdin.isatty():
            raise UsageError("No API key configured. Use `runyard login` to log in.")
        key = getpass.getpass(f"API key for {url}: ").strip()
    if len(key) < 8:
        raise UsageError("that does not look like an API key")
    if verify:
        client = Client(url, key, timeout=float(timeout or 15), retries=1)
        try:
            client.viewer()
        except ApiError as e:
            raise CommError(f"login to {url} failed: {e.message}") from None
        finally:
            client.close()
    save_login(url, key)
    return True
