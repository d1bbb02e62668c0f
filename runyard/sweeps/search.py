"""The next trial's parameters for grid, random and bayes search, and the Pareto front.

Suggestions are pure functions of the sweep config (with its stored seed) and the trials so far, so a
controller on the server and one over a local sweep directory suggest the same thing, and a restarted
controller carries on where it stopped:

- grid walks the combinations in declaration order and returns the first one no trial holds yet;
- random seeds its stream with (seed, number of trials);
- bayes fits Optuna's TPE sampler on the finished trials (running ones are told to it as "lies" so
  parallel agents spread out). TPE was chosen because it is Optuna's well-tested default, handles
  categorical, integer, log-scaled and conditional spaces, needs no numerical tuning, and supports
  several objectives; W&B's own bayes is a Gaussian process, which scales worse with trial count.
  The normal family is unbounded, so bayes searches it within mu ± 4 sigma.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from dataclasses import dataclass, field
from typing import Any

from .config import Metric, SweepConfig
from .params import Param, flatten, nest

FINISHED = "finished"


@dataclass
class Trial:
    """What search and early termination need to know of one trial (a run of the sweep)."""

    index: int
    params: dict
    state: str = "pending"  # pending | running | finished | failed | crashed | stopped
    summary: dict = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)  # metric values in log order

    def objective(self, metric: Metric) -> float | None:
        v = self.summary.get(metric.name)
        if isinstance(v, dict):  # a define_metric aggregate the SDK wrote as {"min": ...}
            v = v.get("min" if metric.goal == "minimize" else "max")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return None
        return float(v)


def _key(config: dict) -> str:
    return json.dumps(config, sort_keys=True, default=repr)


def suggest(cfg: SweepConfig, trials: list[Trial], count: int | None = None) -> dict | None:
    """The parameters of the next trial, or None when the search space is exhausted (grid only).

    `count` is the number of trials so far when `trials` holds only some of them (the server passes
    only the unfinished ones, so an assignment does not read every trial): random search needs only
    that number, and grid then takes the `count`-th combination, since trials are numbered densely
    and each took the first combination free at its time. Bayes needs every trial."""
    n = len(trials) if count is None else count
    if cfg.method == "grid":
        return next_grid(cfg, trials) if count is None else grid_at(cfg, n)
    if cfg.method == "random":
        rng = random.Random(f"runyard-sweep/{cfg.seed}/{n}")
        return nest(cfg.params, [p.sample(rng) for p in cfg.params])
    if count is not None and count != len(trials):
        raise ValueError("bayes search needs every trial")
    return next_bayes(cfg, trials)


def grid_size(cfg: SweepConfig) -> int:
    return math.prod(len(p.grid_values()) for p in cfg.params)


def grid_at(cfg: SweepConfig, n: int) -> dict | None:
    """The `n`-th combination of the grid in declaration order (None past the last)."""
    combo = next(itertools.islice(itertools.product(*(p.grid_values() for p in cfg.params)), n, None), None)
    return None if combo is None else nest(cfg.params, list(combo))


def next_grid(cfg: SweepConfig, trials: list[Trial]) -> dict | None:
    taken = {_key(t.params) for t in trials}
    for combo in itertools.product(*(p.grid_values() for p in cfg.params)):
        config = nest(cfg.params, list(combo))
        if _key(config) not in taken:
            return config
    return None


# -- bayes -----------------------------------------------------------------------------------------
def _distribution(p: Param) -> Any:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    d = p.distribution
    if d in ("categorical", "categorical_w_probabilities"):
        return CategoricalDistribution(list(range(len(p.values))))  # indices: values may be lists
    if d == "int_uniform":
        return IntDistribution(int(p.min), int(p.max))
    if d in ("normal", "q_normal"):
        return FloatDistribution(p.mu - 4 * p.sigma, p.mu + 4 * p.sigma)
    if d in ("log_normal", "q_log_normal"):
        return FloatDistribution(math.exp(p.mu - 4 * p.sigma), math.exp(p.mu + 4 * p.sigma), log=True)
    lo, hi = p.bounds()
    log = d not in ("uniform", "q_uniform", "beta", "q_beta") and lo > 0
    return FloatDistribution(lo, hi, log=log)


def _to_internal(p: Param, v: Any) -> Any:
    if p.distribution.startswith("categorical"):
        for i, x in enumerate(p.values):
            if x == v and type(x) is type(v):
                return i
        return None
    return v


def _from_internal(p: Param, v: Any) -> Any:
    if p.distribution.startswith("categorical"):
        return p.values[v]
    if p.distribution.startswith("q_"):
        return p.quantise(v)
    return v


def frozen_trials(cfg: SweepConfig, trials: list[Trial]) -> tuple[dict[str, Any], list[Any]]:
    """The search space as Optuna distributions (free parameters only) and the trials as Optuna's
    frozen trials: finished ones with their objectives, running ones as RUNNING, the rest FAIL."""
    import optuna

    free = [p for p in cfg.params if p.distribution != "constant"]
    dists = {p.name: _distribution(p) for p in free}
    out = []
    for t in trials:
        try:
            values = flatten(t.params, free)
        except (KeyError, TypeError):
            continue  # a trial of an older config shape
        params = {p.name: _to_internal(p, v) for p, v in zip(free, values)}
        if any(v is None for v in params.values()):
            continue
        objectives = [o for m in cfg.metrics if (o := t.objective(m)) is not None]
        vals: list[float] | None = None
        if t.state == FINISHED and len(objectives) == len(cfg.metrics):
            state, vals = optuna.trial.TrialState.COMPLETE, objectives
        elif t.state in ("pending", "running"):
            state = optuna.trial.TrialState.RUNNING
        else:
            state = optuna.trial.TrialState.FAIL
        try:
            frozen = optuna.trial.create_trial(state=state, params=params, distributions=dists, values=vals)
        except ValueError:
            continue  # a value outside today's space (the config was edited): not evidence for TPE
        out.append(frozen)
    return dists, out


def next_bayes(cfg: SweepConfig, trials: list[Trial]) -> dict:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directions: list[Any] = [m.goal for m in cfg.metrics]
    sampler = optuna.samplers.TPESampler(
        seed=(cfg.seed * 1_000_003 + len(trials)) % 2**32,
        n_startup_trials=5,
        constant_liar=True,
        multivariate=True,
    )
    study = optuna.create_study(directions=directions, sampler=sampler)
    dists, frozen = frozen_trials(cfg, trials)
    study.add_trials(frozen)
    ask = study.ask(dists)
    free = {p.name for p in cfg.params if p.distribution != "constant"}
    leaf = {
        p.name: (_from_internal(p, ask.params[p.name]) if p.name in free else p.value) for p in cfg.params
    }
    return nest(cfg.params, [leaf[p.name] for p in cfg.params])


# -- multi-objective -------------------------------------------------------------------------------
def scores(cfg: SweepConfig, t: Trial) -> list[float] | None:
    """The trial's metric values, all to be minimised (maximised ones negated); None if unfinished."""
    out = []
    for m in cfg.metrics:
        o = t.objective(m)
        if o is None:
            return None
        out.append(o if m.goal == "minimize" else -o)
    return out if t.state == FINISHED and out else None


def pareto_front(cfg: SweepConfig, trials: list[Trial]) -> list[int]:
    """Indices of the finished trials no other finished trial beats on every metric."""
    scored = [(t.index, s) for t in trials if (s := scores(cfg, t)) is not None]
    front = []
    for i, a in scored:
        dominated = any(
            all(x <= y for x, y in zip(b, a)) and any(x < y for x, y in zip(b, a))
            for j, b in scored
            if j != i
        )
        if not dominated:
            front.append(i)
    return front
