"""Hyperband early termination as W&B applies it: stop runs that fall behind at each bracket.

A bracket is an iteration count `b` (`min_iter * eta**k`, or `max_iter / eta**k`); a run's value at
`b` is the `b`-th value it logged of the sweep's metric. Once at least `eta` runs have reached `b`, a
running trial whose value there is worse than the best `ceil(n / eta)` of those `n` runs is told to
stop (its `runyard.log` sees the request and the run ends `stopped`). Requiring `eta` runs before
judging keeps the first trials of a sweep from being cut against too few peers.
"""

from __future__ import annotations

import math

from .config import SweepConfig
from .search import Trial


def to_stop(cfg: SweepConfig, trials: list[Trial]) -> list[int]:
    """Indices of running trials that hyperband stops now."""
    hb, metric = cfg.early_terminate, cfg.metric
    if hb is None or metric is None:
        return []
    stop: set[int] = set()
    for band in hb.bands:
        reached = [
            (t, t.history[metric.name][band - 1])
            for t in trials
            if len(t.history.get(metric.name, ())) >= band
        ]
        reached = [(t, v) for t, v in reached if math.isfinite(v)]
        if len(reached) < hb.eta:
            continue
        ordered = sorted(v for _, v in reached)
        if metric.goal == "maximize":
            ordered.reverse()
        threshold = ordered[math.ceil(len(ordered) / hb.eta) - 1]
        for t, v in reached:
            if t.state == "running" and metric.better(threshold, v):
                stop.add(t.index)
    return sorted(stop)
