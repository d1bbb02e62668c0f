"""The public API client, `runyard.Api()` (wandb's `wandb.Api()`), over the server's HTTP API.

See docs/api.md. Needs no extra package; `history(pandas=True)` needs pandas.
"""

from __future__ import annotations

from ..errors import ApiError
from .api import Api
from .files import File, Files
from .history import HistoryScan
from .runs import Run, Runs

__all__ = ["Api", "ApiError", "File", "Files", "HistoryScan", "Run", "Runs"]
