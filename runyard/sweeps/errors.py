"""The one error a sweep configuration raises: where in the config, and what is wrong there."""

from __future__ import annotations

from ..errors import UsageError


class SweepConfigError(UsageError):
    """An invalid sweep configuration; `key` is the dotted path of the offending entry."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.problem = message
        super().__init__(f"sweep config: {key}: {message}")
