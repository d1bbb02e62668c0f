"""The sweep agent: asks its controller for a trial, runs it, heart-beats, reports, repeats.

The same loop serves a server-backed sweep and a local one (`Backend` is the controller's door), and
both kinds of trial: a Python function called in this process (`runyard.agent(id, function=train)`)
or the sweep's `program` run as a subprocess per trial (`runyard agent ID`).

A trial learns its parameters as wandb's agent tells them: `RUNYARD_SWEEP_ID`, `RUNYARD_RUN_ID` and
`RUNYARD_SWEEP_PARAM_PATH` (a YAML file of `{name: {value: v}}`; the WANDB_ names are set too), so
`runyard.init()` in the trial picks up the sampled config. A stop request (hyperband, or a canceled
sweep) reaches the run through the file named by `RUNYARD_SWEEP_STOP_FILE`: the run's next `log()` ends it
`stopped`; a program that does not exit within `kill_grace` seconds is sent SIGTERM.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import yaml

from .config import SweepConfig
from .controller import Assignment

HEARTBEAT_INTERVAL = 5.0
WAIT_INTERVAL = 5.0
KILL_GRACE = 30.0


class Backend(Protocol):
    config: SweepConfig

    @property
    def id(self) -> str: ...

    def next(self, agent: str) -> Assignment: ...

    def heartbeat(self, agent: str, index: int, history: dict[str, list[float]] | None = None) -> bool: ...

    def report(self, agent: str, index: int, state: str, summary: dict | None = None) -> None: ...


def _flat(params: dict, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for k, v in params.items():
        if isinstance(v, dict):
            out.extend(_flat(v, f"{prefix}{k}."))
        else:
            out.append((prefix + k, v))
    return out


def _arg(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def command_line(cfg: SweepConfig, params: dict, args_json_file: str) -> list[str]:
    """The sweep's `command` with W&B's macros expanded for one trial."""
    flat = _flat(params)
    expand: dict[str, list[str]] = {
        "${env}": ["/usr/bin/env"] if os.path.exists("/usr/bin/env") else [],
        "${interpreter}": [sys.executable],
        "${program}": [cfg.program] if cfg.program else [],
        "${args}": [f"--{k}={_arg(v)}" for k, v in flat],
        "${args_no_hyphens}": [f"{k}={_arg(v)}" for k, v in flat],
        "${args_json}": [json.dumps(params)],
        "${args_json_file}": [args_json_file],
    }
    out: list[str] = []
    for part in cfg.command:
        out.extend(expand.get(part, [part]))
    return out


class Agent:
    def __init__(
        self,
        backend: Backend,
        *,
        function: Callable[[], Any] | None = None,
        env: dict[str, str] | None = None,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
        wait_interval: float = WAIT_INTERVAL,
        kill_grace: float = KILL_GRACE,
        history_of: Callable[[str], dict[str, list[float]] | None] | None = None,
        summary_of: Callable[[str], dict | None] | None = None,
    ):
        self.backend = backend
        self.function = function
        self.env = dict(env or {})
        self.heartbeat_interval = heartbeat_interval
        self.wait_interval = wait_interval
        self.kill_grace = kill_grace
        self.history_of = history_of or (lambda run_id: None)
        self.summary_of = summary_of or (lambda run_id: None)
        self.id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.workdir = Path(tempfile.mkdtemp(prefix=f"runyard-agent-{backend.id}-"))

    def run(self, count: int | None = None) -> int:
        """Run trials until the controller says exit or `count` trials ran; returns how many ran."""
        ran = 0
        while count is None or ran < count:
            a = self.backend.next(self.id)
            if a.kind == "exit":
                break
            if a.kind == "wait":
                time.sleep(self.wait_interval)
                continue
            state = self.run_trial(a)
            self.backend.report(self.id, a.index, state, self.summary_of(a.run_id))
            ran += 1
        return ran

    # -- one trial -----------------------------------------------------------------------------
    def trial_env(self, a: Assignment) -> tuple[dict[str, str], Path, Path]:
        param_path = self.workdir / f"config-{a.run_id}.yaml"
        param_path.write_text(yaml.safe_dump({k: {"value": v} for k, v in a.params.items()}))
        stop_file = self.workdir / f"stop-{a.run_id}"
        env = dict(self.env)
        for prefix in ("RUNYARD", "WANDB"):
            env[f"{prefix}_SWEEP_ID"] = self.backend.id
            env[f"{prefix}_RUN_ID"] = a.run_id
            env[f"{prefix}_SWEEP_PARAM_PATH"] = str(param_path)
        env["RUNYARD_SWEEP_STOP_FILE"] = str(stop_file)
        return env, param_path, stop_file

    def _beat(self, a: Assignment, stop_file: Path) -> bool:
        try:
            stop = self.backend.heartbeat(self.id, a.index, self.history_of(a.run_id))
        except Exception as e:  # a controller hiccup must not kill the trial; the next beat retries
            print(f"runyard agent: heartbeat failed ({e})", file=sys.stderr)
            return False
        if stop and not stop_file.exists():
            stop_file.touch()
        return stop

    def run_trial(self, a: Assignment) -> str:
        env, _param_path, stop_file = self.trial_env(a)
        if self.function is not None:
            return self._run_function(a, env, stop_file)
        return self._run_program(a, env, stop_file)

    def _run_function(self, a: Assignment, env: dict[str, str], stop_file: Path) -> str:
        from ..errors import RunStopped

        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        done = threading.Event()

        def beat() -> None:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
            while not done.wait(self.heartbeat_interval):
                self._beat(a, stop_file)

        t = threading.Thread(target=beat, name="runyard-agent-heartbeat", daemon=True)
        t.start()
        try:
            assert self.function is not None
            self.function()
            state = "finished"
        except RunStopped:
            state = "stopped"
        except Exception:
            traceback.print_exc()
            state = "failed"
        finally:
            done.set()
            t.join()
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            _finish_open_run()
        return state

    def _run_program(self, a: Assignment, env: dict[str, str], stop_file: Path) -> str:
        cfg = self.backend.config
        args_file = self.workdir / f"args-{a.run_id}.json"
        args_file.write_text(json.dumps(a.params))
        cmd = command_line(cfg, a.params, str(args_file))
        proc = subprocess.Popen(cmd, env={**os.environ, **env})
        stop_at: float | None = None
        try:
            while True:
                try:
                    code = proc.wait(timeout=self.heartbeat_interval)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if self._beat(a, stop_file) and stop_at is None:
                    stop_at = time.monotonic() + self.kill_grace
                if stop_at is not None and time.monotonic() > stop_at:
                    proc.terminate()
        except BaseException:
            proc.terminate()
            proc.wait()
            raise
        if stop_file.exists():
            return "stopped"
        return "finished" if code == 0 else "failed"


def _finish_open_run() -> None:
    """A trial function that returned without `finish()` gets its run finished, as wandb's agent does."""
    mod = sys.modules.get("runyard")
    run = getattr(mod, "run", None) if mod else None
    if run is not None and hasattr(run, "finish"):
        run.finish()
