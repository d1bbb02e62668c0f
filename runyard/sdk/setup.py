"""`setup()` and `require()`: process-wide calls wandb scripts make before `init()`."""

from __future__ import annotations

from typing import Any

from ..errors import UnsupportedError, UsageError
from . import state
from .settings import Settings

# Requirements wandb scripts name: runyard always behaves as they ask (one in-process writer).
_KNOWN = {"core", "service", "legacy-service"}


def setup(settings: Settings | dict | None = None) -> None:
    """Set process-wide default settings: every later `init()` starts from them (its own
    `settings=` and arguments still win); they override environment variables, as in wandb."""
    if isinstance(settings, dict):
        settings = Settings(**settings)
    elif settings is not None and not isinstance(settings, Settings):
        raise UsageError(
            f"setup(settings=...) takes runyard.Settings or a dict, not {type(settings).__name__}"
        )
    state.setup_settings = settings


def require(requirement: str | list[str] | None = None, experiment: Any = None) -> None:
    """Accept wandb's feature requirements ("core", "service"); anything else raises UnsupportedError."""
    names = [requirement] if isinstance(requirement, str) else list(requirement or [])
    for name in names:
        if name not in _KNOWN:
            raise UnsupportedError(f"require() unsupported requirement: {name}")
