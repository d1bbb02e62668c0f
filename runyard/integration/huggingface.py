"""Hugging Face `Trainer` callback: `Trainer(..., callbacks=[RunyardCallback()], report_to="none")`.

Logs what wandb's `WandbCallback` logs: the training arguments and the model config as the run
config, `train/*` and `eval/*` metrics with `train/global_step` as their step metric, checkpoints as
"model" artifacts (`RUNYARD_LOG_MODEL` or `WANDB_LOG_MODEL` = "checkpoint" | "end"), and gradient
histograms through `runyard.watch` (`RUNYARD_WATCH` or `WANDB_WATCH` = "gradients" | "parameters" | "all").
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

import runyard


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"RUNYARD_{name}") or os.environ.get(f"WANDB_{name}") or default


def rewrite_logs(logs: dict[str, Any]) -> dict[str, Any]:
    """Trainer's flat log keys as wandb names them: `eval_loss` -> `eval/loss`, `loss` -> `train/loss`."""
    out = {}
    for k, v in logs.items():
        if k.startswith("eval_"):
            out["eval/" + k[len("eval_") :]] = v
        elif k.startswith("test_"):
            out["test/" + k[len("test_") :]] = v
        else:
            out["train/" + k] = v
    return out


class RunyardCallback(TrainerCallback):  # type: ignore[misc]
    """Reports a `transformers.Trainer` run to runyard (the current run, or one it starts)."""

    def __init__(
        self, log_model: str | None = None, watch: str | None = None, watch_log_freq: int | None = None
    ) -> None:
        self.log_model = (log_model if log_model is not None else _env("LOG_MODEL", "false")).lower()
        if self.log_model in ("true", "1"):  # wandb's older spelling of "end"
            self.log_model = "end"
        self.watch = (watch if watch is not None else _env("WATCH", "false")).lower()
        self.watch_log_freq = watch_log_freq  # default: every max(100, logging_steps) steps, as wandb
        self._run: Any = None

    def setup(self, args: Any, state: Any, model: Any, **kwargs: Any) -> None:
        if not state.is_world_process_zero:
            return
        run = runyard.run
        if run is None:
            name = args.run_name if args.run_name and args.run_name != args.output_dir else None
            run = runyard.init(project=_env("PROJECT", "huggingface"), name=name)
        self._run = run
        config = args.to_dict()
        model_config = getattr(model, "config", None)
        if model_config is not None and hasattr(model_config, "to_dict"):
            config = {**model_config.to_dict(), **config}
        if getattr(model, "peft_config", None) is not None:
            config["peft_config"] = {k: v.to_dict() for k, v in model.peft_config.items()}
        run.config.update(config, allow_val_change=True)
        if model is not None and hasattr(model, "num_parameters"):
            run.config.update({"model/num_parameters": model.num_parameters()}, allow_val_change=True)
        run.define_metric("train/global_step")
        run.define_metric("*", step_metric="train/global_step", step_sync=True)
        if self.watch in ("gradients", "parameters", "all") and model is not None:
            run.watch(model, log=self.watch, log_freq=self.watch_log_freq or max(100, args.logging_steps))

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if self._run is None or self._run._finished:
            self.setup(args, state, model, **kwargs)

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if self._run is None or not state.is_world_process_zero or not logs:
            return
        final = {
            "train_runtime",
            "train_samples_per_second",
            "train_steps_per_second",
            "total_flos",
            "train_loss",
        }
        if final & logs.keys() and "loss" not in logs:  # the end-of-training figures go to the summary
            for k, v in logs.items():
                self._run.summary[k if k in final else "train/" + k] = v
            return
        self._run.log({**rewrite_logs(logs), "train/global_step": state.global_step})

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._run is None or self.log_model != "checkpoint" or not state.is_world_process_zero:
            return
        ckpt = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        metadata = {k: v for k, v in self._run.summary.items() if isinstance(v, (int, float, str))}
        art = runyard.Artifact(f"model-{self._run.id}", "model", metadata=metadata)
        art.add_dir(str(ckpt))
        self._run.log_artifact(
            art,
            aliases=[f"epoch_{round(state.epoch or 0, 2)}", f"checkpoint_global_step_{state.global_step}"],
        )

    def on_train_end(
        self,
        args: Any,
        state: Any,
        control: Any,
        model: Any = None,
        processing_class: Any = None,
        **kwargs: Any,
    ) -> None:
        if self._run is None or self.log_model != "end" or not state.is_world_process_zero or model is None:
            return
        with tempfile.TemporaryDirectory() as tmp:
            model.save_pretrained(tmp)
            if processing_class is not None:
                processing_class.save_pretrained(tmp)
            art = runyard.Artifact(f"model-{self._run.id}", "model")
            art.add_dir(tmp)
            self._run.log_artifact(art)
            if art.state == "PENDING":  # online: finish the upload before the temporary folder goes
                art.wait()
