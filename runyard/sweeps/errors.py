"""The one error a sweep configuration raises: where in the config, and what is wrong there (and its
one case the server answers apart: a started sweep's config cannot change)."""

from __future__ import annotations

from ..errors import UsageError


class SweepConfigError(UsageError):
    """An invalid sweep configuration; `key` is the dotted path of the offending entry."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.problem = message
        super().__init__(f"sweep config: {key}: {message}")


class SweepStarted(SweepConfigError):
    """A sweep's configuration cannot change once it has trials (their grid position, sample or model
    input would no longer match it)."""

    def __init__(self, trials: int):
        self.trials = trials
        super().__init__(
            "config",
            f"the sweep already has {trials} trial(s), so it can no longer change: create a new sweep",
        )
