"""`runyard.sweep(config)` and `runyard.agent(sweep_id, function=, count=)`, as wandb spells them.

A sweep lives on the server when one is configured (remote.py), or in a local sweep directory
(`./runyard/sweeps/sweep-<id>/`, see local.py) with `local=True`, in offline mode, or when no server is
configured; a local sweep's runs are ordinary offline runs that `runyard sync` uploads later, the
sweep included.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..wire.reader import read
from ..wire.rundir import find_run_dirs
from . import remote
from .agent import HEARTBEAT_INTERVAL, WAIT_INTERVAL, Agent
from .config import load

__all__ = ["agent", "load", "open_local", "open_sweep", "sweep"]
from .local import DEFAULT_HEARTBEAT_TIMEOUT, LocalSweep, find


def local_root(root: str | os.PathLike | None = None) -> Path:
    """Where local sweeps and their offline runs live: RUNYARD_DIR (or the working directory) + runyard/."""
    base = root or os.environ.get("RUNYARD_DIR") or os.environ.get("WANDB_DIR") or os.getcwd()
    return Path(base) / "runyard"


def _wants_local(local: bool | None) -> bool:
    if local is not None:
        return local
    mode = os.environ.get("RUNYARD_MODE") or os.environ.get("WANDB_MODE")
    if mode in ("offline", "dryrun"):
        return True
    from ..sdk.http_client import resolve_credentials

    return resolve_credentials().api_key is None


def sweep(
    sweep: dict | str | Any,
    entity: str | None = None,
    project: str | None = None,
    prior_runs: list[str] | None = None,
    *,
    local: bool | None = None,
) -> str:
    """Create a sweep from a config dict, YAML text or file path; returns its id."""
    if callable(sweep) and not isinstance(sweep, (dict, str)):
        sweep = sweep()
    if isinstance(sweep, (str, os.PathLike)) and Path(str(sweep)).is_file():
        sweep = Path(str(sweep)).read_text()
    doc = load(sweep)
    if _wants_local(local):
        s = LocalSweep.create(local_root() / "sweeps", doc, project=project, entity=entity)
        print(f"runyard: created local sweep {s.id} in {s.path}", file=sys.stderr)
        print(f"runyard: run agents with: runyard agent --local {s.id}", file=sys.stderr)
        return s.id
    client = remote.connect()
    e, p = remote.default_entity(client, entity, doc), remote.default_project(project, doc)
    srv = remote.ServerSweep.create(client, e, p, doc)
    print(f"runyard: created sweep {e}/{p}/{srv.id}", file=sys.stderr)
    print(f"runyard: run agents with: runyard agent {e}/{p}/{srv.id}", file=sys.stderr)
    return srv.id


def _run_dir(run_id: str) -> Path | None:
    root = local_root()
    matches = [d for d in find_run_dirs(root) if d.name.endswith("-" + run_id)] if root.is_dir() else []
    return matches[-1] if matches else None


def local_history(metric: str | None) -> Callable[[str], dict[str, list[float]] | None]:
    """What hyperband needs of a running trial: its metric's values in log order, from its run log."""

    def history_of(run_id: str) -> dict[str, list[float]] | None:
        d = _run_dir(run_id)
        if d is None or metric is None:
            return None
        try:
            _, values = read(d).series(metric)
        except Exception:
            return None
        vals = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return {metric: [v for v in vals if math.isfinite(v)]}

    return history_of


def local_summary(run_id: str) -> dict | None:
    d = _run_dir(run_id)
    if d is None:
        return None
    try:
        return read(d).summary
    except Exception:
        return None


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        raise UsageError(f"{name} must be a number of seconds, got {os.environ[name]!r}") from None


def open_local(sweep_id: str) -> LocalSweep:
    timeout = _env_float("RUNYARD_SWEEP_HEARTBEAT_TIMEOUT", DEFAULT_HEARTBEAT_TIMEOUT)
    return LocalSweep(find(local_root() / "sweeps", sweep_id), heartbeat_timeout=timeout)


def open_sweep(
    sweep_id: str, entity: str | None = None, project: str | None = None, local: bool | None = None
) -> LocalSweep | remote.ServerSweep:
    """A local sweep of that id (when `local` or one exists here), else the server's."""
    if local is not False:
        try:
            return open_local(sweep_id)
        except UsageError:
            if local:
                raise
    return remote.open_server(sweep_id, entity, project)


def agent(
    sweep_id: str,
    function: Any = None,
    entity: str | None = None,
    project: str | None = None,
    count: int | None = None,
    *,
    local: bool | None = None,
    **kw: Any,
) -> int:
    """Run trials of `sweep_id`: `function()` in this process, or the sweep's program as a subprocess."""
    backend = open_sweep(sweep_id, entity, project, local)
    metric = backend.config.metric.name if backend.config.metric else None
    kw.setdefault("heartbeat_interval", _env_float("RUNYARD_AGENT_HEARTBEAT_INTERVAL", HEARTBEAT_INTERVAL))
    kw.setdefault("wait_interval", _env_float("RUNYARD_AGENT_WAIT_INTERVAL", WAIT_INTERVAL))
    if isinstance(backend, remote.ServerSweep):  # online runs into the sweep's project; the server reads them
        env = {"RUNYARD_PROJECT": backend.project, "RUNYARD_ENTITY": backend.entity}
        return Agent(backend, function=function, env=env, **kw).run(count)
    env = {"RUNYARD_MODE": "offline"}
    if backend.project or project:
        env["RUNYARD_PROJECT"] = str(project or backend.project)
    if backend.entity or entity:
        env["RUNYARD_ENTITY"] = str(entity or backend.entity)
    a = Agent(
        backend, function=function, env=env, history_of=local_history(metric), summary_of=local_summary, **kw
    )
    return a.run(count)
