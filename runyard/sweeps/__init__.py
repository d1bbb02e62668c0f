"""Hyperparameter sweeps: W&B's sweep configuration, search (grid, random, bayes) and hyperband.

The pieces here are pure and storage-free, shared by the server's controller and the local one that
runs over a sweep directory with no server.
"""

from .config import Hyperband, Metric, SweepConfig, parse, with_seed
from .errors import SweepConfigError
from .hyperband import to_stop
from .search import Trial, grid_size, pareto_front, suggest

__all__ = [
    "Hyperband",
    "Metric",
    "SweepConfig",
    "SweepConfigError",
    "Trial",
    "grid_size",
    "pareto_front",
    "parse",
    "suggest",
    "to_stop",
    "with_seed",
]
