"""The `wandb` module, provided by runyard: every attribute is runyard's (read when asked, so
`wandb.run` is always the current run)."""

from __future__ import annotations

import importlib.machinery
import os
import sys
from typing import Any

import runyard

from . import env, sdk, wandb_run

__version__ = "0.19.0+runyard"
__all__ = ["env", "sdk", "wandb_run"]


def __getattr__(name: str) -> Any:
    return getattr(runyard, name)


def _say_which_won() -> None:
    """One line when the official wandb is importable too, so data never goes one way unnoticed."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for entry in sys.path:
        if os.path.abspath(entry or ".") == here:
            continue
        spec = importlib.machinery.PathFinder.find_spec("wandb", [entry])
        if spec is not None and spec.origin and os.path.dirname(os.path.dirname(spec.origin)) != here:
            print(
                f"wandb: runyard's wandb shim ({here}) is in use and reports to runyard; the official wandb "
                f"in {os.path.dirname(os.path.dirname(spec.origin))} is shadowed (to use it: pip uninstall wandb, "
                "then reinstall wandb)",
                file=sys.stderr,
            )
            return


_say_which_won()
