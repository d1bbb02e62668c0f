"""PyTorch Lightning logger: `Trainer(logger=RunyardLogger(project="p", log_model=True))`.

The same surface as Lightning's `WandbLogger`: hyperparameters as the run config, metrics with
`trainer/global_step` as their step metric, `log_table`, `log_text`, `log_image`, `experiment` (the
runyard run, for `experiment.log(...)`), and checkpoints as "model" artifacts (`log_model=True`: at
the end of training, `"all"`: as each is saved).
"""

from __future__ import annotations

import os
from argparse import Namespace
from typing import Any

try:
    from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
    from lightning.pytorch.utilities import rank_zero_only
except ImportError:  # the standalone `pytorch_lightning` distribution
    from pytorch_lightning.loggers.logger import Logger, rank_zero_experiment  # type: ignore[assignment]
    from pytorch_lightning.utilities import rank_zero_only  # type: ignore[no-redef]

import runyard


class RunyardLogger(Logger):  # type: ignore[misc]
    """Reports a Lightning `Trainer` to runyard; extra keyword arguments go to `runyard.init`."""

    def __init__(
        self,
        name: str | None = None,
        save_dir: str = ".",
        version: str | None = None,
        offline: bool = False,
        id: str | None = None,
        project: str | None = None,
        log_model: bool | str = False,
        experiment: Any = None,
        prefix: str = "",
        checkpoint_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self._project = (
            project or os.environ.get("RUNYARD_PROJECT") or os.environ.get("WANDB_PROJECT") or "lightning"
        )
        self._save_dir = save_dir
        self._log_model = log_model
        self._prefix = prefix
        self._checkpoint_name = checkpoint_name
        self._experiment = experiment
        self._logged: dict[str, float] = {}  # checkpoint path -> mtime already logged
        self._checkpoint_callback: Any = None
        self._init_kwargs: dict[str, Any] = {
            "name": name,
            "project": self._project,
            "id": version or id,
            "dir": save_dir,
            **({"mode": "offline"} if offline else {}),
            **kwargs,
        }

    @property
    def name(self) -> str:
        return self._project

    @property
    def version(self) -> str | None:
        return self._experiment.id if self._experiment is not None else self._init_kwargs["id"]

    @property
    def save_dir(self) -> str:
        return self._save_dir

    @property
    @rank_zero_experiment
    def experiment(self) -> Any:
        """The runyard run (the current one if a run is already active)."""
        if self._experiment is None:
            self._experiment = runyard.run or runyard.init(**self._init_kwargs)
            self._experiment.define_metric("trainer/global_step")
            self._experiment.define_metric("*", step_metric="trainer/global_step", step_sync=True)
        return self._experiment

    @rank_zero_only
    def log_hyperparams(self, params: dict[str, Any] | Namespace, *args: Any, **kwargs: Any) -> None:
        params = vars(params) if isinstance(params, Namespace) else dict(params)
        clean = {k: (v.__name__ if callable(v) and hasattr(v, "__name__") else v) for k, v in params.items()}
        self.experiment.config.update(clean, allow_val_change=True)

    @rank_zero_only
    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        if self._prefix:
            metrics = {f"{self._prefix}-{k}": v for k, v in metrics.items()}
        if step is not None:
            self.experiment.log({**metrics, "trainer/global_step": step})
        else:
            self.experiment.log(metrics)

    @rank_zero_only
    def log_table(
        self,
        key: str,
        columns: list[str] | None = None,
        data: list[list[Any]] | None = None,
        dataframe: Any = None,
        step: int | None = None,
    ) -> None:
        self.log_metrics({key: runyard.Table(columns=columns, data=data, dataframe=dataframe)}, step)

    @rank_zero_only
    def log_text(
        self,
        key: str,
        columns: list[str] | None = None,
        data: Any = None,
        dataframe: Any = None,
        step: int | None = None,
    ) -> None:
        self.log_table(key, columns, data, dataframe, step)

    @rank_zero_only
    def log_image(self, key: str, images: list[Any], step: int | None = None, **kwargs: Any) -> None:
        """`kwargs`: per-image lists (`caption=[...]`), as `WandbLogger.log_image`."""
        if not isinstance(images, list):
            raise TypeError(f'Expected a list as "images", found {type(images)}')
        for k, v in kwargs.items():
            if len(v) != len(images):
                raise ValueError(f"Expected {len(images)} items but only found {len(v)} for {k}")
        per_image = [{k: kwargs[k][i] for k in kwargs} for i in range(len(images))]
        self.log_metrics({key: [runyard.Image(img, **kw) for img, kw in zip(images, per_image)]}, step)

    def after_save_checkpoint(self, checkpoint_callback: Any) -> None:
        self._checkpoint_callback = checkpoint_callback
        if self._log_model == "all" or (self._log_model is True and checkpoint_callback.save_top_k == -1):
            self._log_checkpoints(checkpoint_callback)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        if status == "success" and self._log_model and self._checkpoint_callback is not None:
            self._log_checkpoints(self._checkpoint_callback)

    def _log_checkpoints(self, cb: Any) -> None:
        paths = {
            p for p in [cb.last_model_path, cb.best_model_path, *cb.best_k_models] if p and os.path.isfile(p)
        }
        for path in sorted(paths, key=os.path.getmtime):
            mtime = os.path.getmtime(path)
            if self._logged.get(path) == mtime:
                continue
            self._logged[path] = mtime
            score = cb.best_k_models.get(path)
            metadata = {
                "score": score.item() if hasattr(score, "item") else score,
                "original_filename": os.path.basename(path),
                "ModelCheckpoint": {
                    k: getattr(cb, k)
                    for k in ("monitor", "mode", "save_last", "save_top_k", "save_weights_only")
                    if hasattr(cb, k)
                },
            }
            art = runyard.Artifact(
                self._checkpoint_name or f"model-{self.experiment.id}", "model", metadata=metadata
            )
            art.add_file(path, name="model.ckpt")
            aliases = ["latest", "best"] if path == cb.best_model_path else ["latest"]
            self.experiment.log_artifact(art, aliases=aliases)
