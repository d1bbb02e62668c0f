"""Exceptions users catch, named as wandb names them so `except wandb.Error` keeps working."""

from __future__ import annotations


class Error(Exception):
    """Base class of every error runyard raises on purpose."""


class UsageError(Error):
    """The caller used the API wrongly (bad argument, wrong order of calls)."""


class CommError(Error):
    """The server could not be reached or answered with an error."""


class ApiError(CommError):
    """The server refused a request (`status`, and `code` and `message` from its error envelope, whose
    other fields are in `body`), or could not be reached (`status` 0)."""

    def __init__(self, status: int, code: str, message: str, body: dict | None = None):
        super().__init__(f"{status} {code}: {message}" if status else message)
        self.status, self.code, self.message, self.body = status, code, message, body or {}


class ConfigError(UsageError):
    """A config value was changed without allow_val_change=True."""


class RunStopped(BaseException):
    """A sweep controller stopped this run (hyperband, or a canceled sweep); raised by `log()`.

    Like KeyboardInterrupt it is not an `Exception`, so a training loop's `except Exception` does not
    swallow it and keep training a finished run; the sweep agent catches it.
    """
