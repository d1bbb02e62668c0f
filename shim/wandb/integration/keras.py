"""`from wandb.integration.keras import WandbMetricsLogger, WandbModelCheckpoint`: runyard's Keras
callbacks (runyard/integration/keras.py) under wandb's names, so a Keras script reports to runyard
unchanged. wandb's `WandbEvalCallback` has no runyard counterpart: importing it fails by name."""

from runyard.integration.keras import RunyardMetricsLogger as WandbMetricsLogger
from runyard.integration.keras import RunyardModelCheckpoint as WandbModelCheckpoint

__all__ = ["WandbMetricsLogger", "WandbModelCheckpoint"]
