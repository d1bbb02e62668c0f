"""Keras 3 callbacks: `model.fit(..., callbacks=[RunyardMetricsLogger(), RunyardModelCheckpoint("m.keras")])`.

As wandb's `WandbMetricsLogger` and `WandbModelCheckpoint`: epoch metrics as `epoch/<name>` with
`epoch/epoch` as their step metric (and, with `log_freq="batch"` or every N batches, `batch/<name>`
with `batch/batch_step`), the learning rate, and each saved model file as a "model" artifact.
"""

from __future__ import annotations

import os
from typing import Any

import keras

import runyard
from runyard.errors import Error, UsageError


def _run() -> Any:
    if runyard.run is None:
        raise Error("the runyard Keras callbacks log to the current run: call runyard.init() first")
    return runyard.run


def _learning_rate(model: Any) -> float | None:
    lr = getattr(getattr(model, "optimizer", None), "learning_rate", None)
    try:
        return float(keras.ops.convert_to_numpy(lr))
    except (TypeError, ValueError):
        return None


class RunyardMetricsLogger(keras.callbacks.Callback):  # type: ignore[misc]
    """Logs the metrics Keras computes: each epoch, and each `log_freq` batches if asked."""

    def __init__(self, log_freq: str | int = "epoch", initial_global_step: int = 0) -> None:
        super().__init__()
        if log_freq == "batch":
            log_freq = 1
        if log_freq != "epoch" and (
            isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1
        ):
            raise UsageError(f'log_freq is "epoch", "batch" or a positive integer, got {log_freq!r}')
        self.batch_freq = None if log_freq == "epoch" else int(log_freq)  # None: epochs only
        self.global_step = initial_global_step
        run = _run()
        run.define_metric("epoch/epoch")
        run.define_metric("epoch/*", step_metric="epoch/epoch")
        if self.batch_freq is not None:
            run.define_metric("batch/batch_step")
            run.define_metric("batch/*", step_metric="batch/batch_step")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        row: dict[str, Any] = {"epoch/epoch": epoch, **{f"epoch/{k}": v for k, v in (logs or {}).items()}}
        lr = _learning_rate(self.model)
        if lr is not None:
            row["epoch/learning_rate"] = lr
        _run().log(row)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.global_step += 1
        if self.batch_freq is not None and batch % self.batch_freq == 0:
            row = {"batch/batch_step": self.global_step, **{f"batch/{k}": v for k, v in (logs or {}).items()}}
            _run().log(row)


class RunyardModelCheckpoint(keras.callbacks.ModelCheckpoint):  # type: ignore[misc]
    """Keras' `ModelCheckpoint` (same arguments) that also logs each saved file as the artifact
    `run_<run id>_model`, aliases `latest` and `epoch_<n>`."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        before = self._mtime(epoch, logs)
        super().on_epoch_end(epoch, logs)
        path = self._get_file_path(epoch, None, logs)
        if os.path.isfile(path) and self._mtime(epoch, logs) != before:
            run = _run()
            art = runyard.Artifact(f"run_{run.id}_model", "model")
            art.add_file(path)
            run.log_artifact(art, aliases=["latest", f"epoch_{epoch}"])

    def _mtime(self, epoch: int, logs: dict | None) -> float | None:
        path = self._get_file_path(epoch, None, logs)
        return os.path.getmtime(path) if os.path.isfile(path) else None
