"""`run.watch(model)`: gradient and parameter histograms of a torch model, through torch hooks.

torch is never imported here: the hooks are methods of the model and tensors the caller passes.
Histograms are logged with `commit=False`, so they join the user's next `log` step, as in wandb.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from .media.histogram import Histogram

LOG_KINDS = ("gradients", "parameters", "all")


class Watcher:
    """The hooks of every watched model of one run; `remove` undoes them."""

    def __init__(self, run: Any) -> None:
        self._run = run
        self._hooks: dict[int, list[Any]] = {}  # id(model) -> hook handles
        self._count = 0  # models watched so far: the prefix of the next one's names, as wandb's idx

    def watch(
        self, models: Any, criterion: Any = None, log: str | None = "gradients", log_freq: int = 1000
    ) -> None:
        if models is None:
            raise UsageError("watch(models) needs a torch model (or a list of them)")
        if log is not None and log not in LOG_KINDS:
            raise UsageError(f"watch(log=...) is one of {', '.join(LOG_KINDS)} or None, got {log!r}")
        if isinstance(log_freq, bool) or not isinstance(log_freq, int) or log_freq < 1:
            raise UsageError(f"watch(log_freq=...) must be a positive integer, got {log_freq!r}")
        for model in models if isinstance(models, (list, tuple)) else [models]:
            if not hasattr(model, "named_parameters") or not hasattr(model, "register_forward_hook"):
                raise UsageError(f"watch() expects a torch.nn.Module, got {type(model).__name__}")
            prefix = f"graph_{self._count}" if self._count else ""
            self._count += 1
            handles = self._hooks.setdefault(id(model), [])
            if log in ("parameters", "all"):
                handles.append(model.register_forward_hook(self._parameters_hook(model, prefix, log_freq)))
            if log in ("gradients", "all"):
                for name, p in model.named_parameters():
                    if p.requires_grad:
                        handles.append(
                            p.register_hook(self._gradient_hook(_key("gradients", prefix, name), log_freq))
                        )

    def unwatch(self, models: Any = None) -> None:
        if models is None:
            targets = list(self._hooks)
        else:
            targets = [id(m) for m in (models if isinstance(models, (list, tuple)) else [models])]
        for key in targets:
            for h in self._hooks.pop(key, []):
                h.remove()

    def _gradient_hook(self, key: str, log_freq: int) -> Any:
        calls = [0]

        def hook(grad: Any) -> None:
            calls[0] += 1
            if calls[0] % log_freq == 0:
                self._log(key, grad)

        return hook

    def _parameters_hook(self, model: Any, prefix: str, log_freq: int) -> Any:
        calls = [0]

        def hook(module: Any, inputs: Any, output: Any) -> None:
            calls[0] += 1
            if calls[0] % log_freq == 0 and module.training:
                for name, p in model.named_parameters():
                    self._log(_key("parameters", prefix, name), p)

        return hook

    def _log(self, key: str, tensor: Any) -> None:
        flat = tensor.detach().float().reshape(-1).cpu().numpy()
        self._run.log({key: Histogram(flat)}, commit=False)


def _key(kind: str, prefix: str, name: str) -> str:
    return f"{kind}/{prefix}.{name}" if prefix else f"{kind}/{name}"
