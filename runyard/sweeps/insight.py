"""What a sweep page shows beside its trials: the Pareto front, and each parameter's importance and
correlation with each metric.

Importance is fANOVA as Optuna's importance module computes it (a random forest fitted on the finished
trials, scikit-learn's, then the share of the objective's variance each parameter explains on its
own). It was chosen over a random forest's permutation importance because it is defined on the
search space rather than on the sampled points (so a parameter the sampler rarely varied is not
over-credited), it treats categorical and log-scaled parameters as the sweep declares them, and it
comes from the optimiser library the sweep already uses, seeded for stable figures. Correlation is
Pearson's, over the finished trials, for numeric parameters (what W&B's importance panel shows
beside importance). Both need a few finished trials; below that they are empty.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .config import SweepConfig
from .params import flatten
from .search import FINISHED, Trial, frozen_trials, pareto_front

MIN_TRIALS = 3  # fewer finished trials say nothing about importance


def correlation(cfg: SweepConfig, trials: list[Trial]) -> dict[str, dict[str, float]]:
    """{metric: {parameter: Pearson r}} over finished trials with a numeric value of both."""
    out: dict[str, dict[str, float]] = {}
    for m in cfg.metrics:
        by_param: dict[str, float] = {}
        for p in cfg.params:
            xs, ys = [], []
            for t in trials:
                y = t.objective(m) if t.state == FINISHED else None
                try:
                    (x,) = flatten(t.params, [p])
                except (KeyError, TypeError):
                    continue
                if y is None or isinstance(x, bool) or not isinstance(x, (int, float)):
                    continue
                xs.append(float(x))
                ys.append(y)
            if len(xs) >= MIN_TRIALS and np.std(xs) > 0 and np.std(ys) > 0:
                r = float(np.corrcoef(xs, ys)[0, 1])
                if math.isfinite(r):
                    by_param[p.name] = r
        out[m.name] = by_param
    return out


def importance(cfg: SweepConfig, trials: list[Trial]) -> dict[str, dict[str, float]]:
    """{metric: {parameter: share of variance explained}} (fANOVA), for free parameters."""
    if not cfg.metrics:
        return {}
    try:
        import optuna
        from optuna.importance import FanovaImportanceEvaluator, get_param_importances
    except ImportError:  # optuna is in the server extra; a bare install shows no importance
        return {}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    _, frozen = frozen_trials(cfg, trials)
    done = [f for f in frozen if f.state == optuna.trial.TrialState.COMPLETE]
    if len(done) < MIN_TRIALS or not done[0].distributions:
        return {}
    directions: list[Any] = [m.goal for m in cfg.metrics]
    study = optuna.create_study(directions=directions)
    study.add_trials(done)
    out: dict[str, dict[str, float]] = {}
    for i, m in enumerate(cfg.metrics):
        try:
            imp = get_param_importances(
                study,
                evaluator=FanovaImportanceEvaluator(seed=0),
                target=lambda t, i=i: t.values[i],  # type: ignore[misc]
                normalize=True,
            )
        except (ImportError, RuntimeError, ValueError):  # scikit-learn missing, or no variance at all
            continue
        out[m.name] = {k: float(v) for k, v in imp.items() if math.isfinite(v)}
    return out


def insight(cfg: SweepConfig, trials: list[Trial]) -> dict[str, Any]:
    return {
        "pareto_front": pareto_front(cfg, trials) if len(cfg.metrics) > 1 else [],
        "importance": importance(cfg, trials),
        "correlation": correlation(cfg, trials),
    }
