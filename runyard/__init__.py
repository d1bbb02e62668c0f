"""runyard: self-hosted, offline-first experiment tracking; `import runyard as wandb` works.

The module-level functions act on the current run (the one `init()` returned last) and raise
`runyard.Error("You must call runyard.init() before runyard.log()")` before init, as wandb does.
`runyard.run`, `runyard.config` and `runyard.summary` are rebound by init and reset by finish.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .errors import CommError, ConfigError, Error, RunStopped, UsageError  # noqa: E402
from .sdk import state as _state  # noqa: E402
from .sdk.init import init  # noqa: E402
from .sdk.login import login  # noqa: E402
from .sdk.media._unsupported import runyard_getattr as _media_getattr  # noqa: E402
from .sdk.output import termerror, termlog, termwarn  # noqa: E402
from .sdk.settings import Settings  # noqa: E402
from .sdk.setup import require, setup  # noqa: E402

if TYPE_CHECKING:
    from . import plot, runlog
    from .api import Api
    from .plot import plot_table
    from .sdk.artifacts.artifact import Artifact
    from .sdk.media import Audio, Histogram, Html, Image, Object3D, Plotly, Table, Video


def __getattr__(name: str) -> Any:
    """Lazy names: `Api` (the public API client, runyard.api), `runlog` (the run-log reader),
    `Artifact` and the media classes; imported at first use so `import runyard` stays light."""
    if name == "runlog":
        import importlib  # not `from . import runlog`: that asks this __getattr__ again

        return importlib.import_module(".runlog", __name__)  # the import binds runyard.runlog too
    if name == "Api":
        from .api import Api

        return Api
    if name == "Artifact":
        from .sdk.artifacts.artifact import Artifact

        return Artifact
    return _media_getattr(name)


run: Any = None
config: Any = _state.PreInit("config")
summary: Any = _state.PreInit("summary")


def log(data: dict, step: int | None = None, commit: bool | None = None, sync: bool | None = None) -> None:
    """Log a dict of values to the current run (see Run.log)."""
    run = _state._current
    if run is None:
        raise Error("You must call runyard.init() before runyard.log()")
    run.log(data, step, commit)


def finish(exit_code: int | None = None, quiet: bool | None = None) -> None:
    """Finish the current run; a no-op when there is none."""
    run = _state._current
    if run is not None:
        run.finish(exit_code=exit_code, quiet=quiet)


join = finish


def define_metric(
    name: str,
    step_metric: str | None = None,
    step_sync: bool | None = None,
    hidden: bool | None = None,
    summary: str | None = None,
    goal: str | None = None,
    overwrite: bool | None = None,
) -> Any:
    return _state.require("define_metric").define_metric(
        name, step_metric, step_sync, hidden, summary, goal, overwrite
    )


def save(glob_str: str, base_path: str | None = None, policy: str = "live") -> Any:
    return _state.require("save").save(glob_str, base_path, policy)


def restore(name: str, run_path: str | None = None, replace: bool = False, root: str | None = None) -> Any:
    """Fetch a file a run saved on the server (runyard/api/restore.py)."""
    from .api.restore import restore as _restore

    return _restore(name, run_path, replace, root)


def alert(title: str, text: str, level: Any = None, wait_duration: Any = None) -> None:
    _state.require("alert").alert(title, text, level, wait_duration)


def mark_preempting() -> None:
    _state.require("mark_preempting").mark_preempting()


def watch(models: Any = None, *args: Any, **kwargs: Any) -> None:
    _state.require("watch").watch(models, *args, **kwargs)


def unwatch(models: Any = None) -> None:
    _state.require("unwatch").unwatch(models)


def log_artifact(*args: Any, **kwargs: Any) -> Any:
    return _state.require("log_artifact").log_artifact(*args, **kwargs)


def use_artifact(*args: Any, **kwargs: Any) -> Any:
    return _state.require("use_artifact").use_artifact(*args, **kwargs)


def sweep(
    sweep: Any, entity: str | None = None, project: str | None = None, prior_runs: Any = None, **kw: Any
) -> str:
    """Create a hyperparameter sweep from a W&B sweep config; returns its id (runyard/sweeps/api.py)."""
    from .sweeps.api import sweep as _sweep

    return _sweep(sweep, entity=entity, project=project, prior_runs=prior_runs, **kw)


def agent(
    sweep_id: str,
    function: Any = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
    **kw: Any,
) -> int:
    """Run trials of a sweep: `function()` in this process, or the sweep's program per trial."""
    from .sweeps.api import agent as _agent

    return _agent(sweep_id, function=function, entity=entity, project=project, count=count, **kw)


class AlertLevel:
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"


__all__ = [
    "AlertLevel",
    "Api",
    "Artifact",
    "Audio",
    "CommError",
    "ConfigError",
    "Error",
    "Histogram",
    "Html",
    "Image",
    "Object3D",
    "Plotly",
    "RunStopped",
    "Settings",
    "Table",
    "UsageError",
    "Video",
    "__version__",
    "agent",
    "alert",
    "config",
    "define_metric",
    "finish",
    "init",
    "join",
    "log",
    "log_artifact",
    "login",
    "mark_preempting",
    "plot",
    "plot_table",
    "require",
    "restore",
    "run",
    "runlog",
    "save",
    "setup",
    "summary",
    "sweep",
    "termerror",
    "termlog",
    "termwarn",
    "unwatch",
    "use_artifact",
    "watch",
]
