"""`wandb.sdk.lib.RunDisabled`: the run `init(mode="disabled")` returns."""

from runyard.sdk.noop import NoopRun as RunDisabled

__all__ = ["RunDisabled"]
