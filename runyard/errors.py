"""Exceptions users catch, named as wandb names them so `except wandb.Error` keeps working."""


class Error(Exception):
    """Base class of every error runyard raises on purpose."""


class UsageError(Error):
    """The caller used the API wrongly (bad argument, wrong order of calls)."""


class CommError(Error):
    """The server could not be reached or answered with an error."""


class ConfigError(UsageError):
    """A config value was changed without allow_val_change=True."""


class RunStopped(BaseException):
    """A sweep controller stopped this run (hyperband, or a canceled sweep); raised by `log()`.

    Like KeyboardInterrupt it is not an `Exception`, so a training loop's `except Exception` does not
    swallow it and keep training a finished run; the sweep agent catches it.
    """
