"""Compatibility with other trackers: wandb protocol pieces and importers (see docs/wandb-import.md)."""
