"""`wandb.integration`: the framework modules scripts import by wandb's names, over runyard's."""
