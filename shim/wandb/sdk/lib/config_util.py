"""`wandb.sdk.lib.config_util.ConfigError`: raised when a config value is changed without allow_val_change."""

from runyard.errors import ConfigError

__all__ = ["ConfigError"]
