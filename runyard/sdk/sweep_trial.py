"""What a run does when a sweep agent started it: take the sampled config, and stop when asked.

The agent (runyard/sweeps/agent.py) passes the trial's parameters as a YAML file of
`{name: {value: v}}` (`RUNYARD_SWEEP_PARAM_PATH`, wandb's format and name) and asks the run to stop by
creating the file named by `RUNYARD_SWEEP_STOP_FILE`. A small thread notices that file; the run's
next `log()` then finishes it `stopped` and raises `runyard.RunStopped`.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import yaml

POLL_INTERVAL = 0.5


def sweep_params(path: str) -> dict:
    """The sampled parameters of this trial, as config values (the sweep's values win over init's)."""
    with open(path) as f:
        doc = yaml.safe_load(f) or {}
    return {k: (v["value"] if isinstance(v, dict) and "value" in v else v) for k, v in doc.items()}


class StopWatcher:
    def __init__(self, path: str, run: Any, interval: float = POLL_INTERVAL):
        self.path, self.run, self.interval = path, run, interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="runyard-sweep-stop", daemon=True)

    def start(self) -> StopWatcher:
        self._thread.start()
        return self

    def _watch(self) -> None:
        # the user's main thread must receive Ctrl-C and SIGTERM, never this one
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
        while not self._done.wait(self.interval):
            if os.path.exists(self.path):
                self.run._stop_requested = True
                return

    def stop(self) -> None:
        self._done.set()
        if self._thread is not threading.current_thread():
            self._thread.join(2.0)
