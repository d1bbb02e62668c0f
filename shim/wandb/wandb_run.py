"""`wandb.wandb_run.Run`: runyard's run class (frameworks check `isinstance(run, Run)`)."""

from runyard.sdk.run import Run

__all__ = ["Run"]
