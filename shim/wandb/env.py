"""`wandb.env`: the environment variables frameworks set before `wandb.init` (runyard reads WANDB_*)."""

import os


def set_entity(value: str) -> None:
    os.environ["WANDB_ENTITY"] = value


def set_project(value: str) -> None:
    os.environ["WANDB_PROJECT"] = value
