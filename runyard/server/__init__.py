"""The tracking server (needs the `server` extra: pip install 'runyard[server]')."""

from __future__ import annotations

try:
    import sqlalchemy  # noqa: F401
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the installation
    raise ImportError(
        f"the runyard server needs extra packages ({e.name} is missing): pip install 'runyard[server]'"
    ) from e

from .app import create_app
from .config import ServerConfig
from .launcher import ServerThread

__all__ = ["create_app", "ServerConfig", "ServerThread"]
