"""A sweep configuration as W&B writes it (YAML or dict), validated into `SweepConfig`.

Every problem raises `SweepConfigError` naming the key and the allowed values. Beyond W&B:
`metric` may be a list of metrics (a multi-objective sweep: bayes optimises all of them, the sweep
page shows the Pareto front), and `seed` fixes the random streams of random and bayes search.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import SweepConfigError
from .params import Param, parse_parameters

METHODS = ("grid", "random", "bayes")
GOALS = ("minimize", "maximize")
TOP_KEYS = (
    "command",
    "controller",
    "description",
    "early_terminate",
    "entity",
    "method",
    "metric",
    "name",
    "parameters",
    "program",
    "project",
    "run_cap",
    "seed",
)
MACROS = (
    "${env}",
    "${interpreter}",
    "${program}",
    "${args}",
    "${args_no_hyphens}",
    "${args_json}",
    "${args_json_file}",
)
DEFAULT_COMMAND = ["${env}", "${interpreter}", "${program}", "${args}"]


@dataclass(frozen=True)
class Metric:
    name: str
    goal: str = "minimize"
    target: float | None = None

    def better(self, a: float, b: float) -> bool:
        return a < b if self.goal == "minimize" else a > b


@dataclass(frozen=True)
class Hyperband:
    """W&B's hyperband early termination: brackets at iteration counts `bands`, factor `eta`."""

    eta: int
    bands: tuple[int, ...]


@dataclass
class SweepConfig:
    method: str
    params: list[Param]
    metrics: list[Metric] = field(default_factory=list)
    early_terminate: Hyperband | None = None
    run_cap: int | None = None
    program: str | None = None
    command: list[str] = field(default_factory=lambda: list(DEFAULT_COMMAND))
    name: str | None = None
    description: str | None = None
    seed: int = 0
    raw: dict = field(default_factory=dict)

    @property
    def metric(self) -> Metric | None:
        return self.metrics[0] if self.metrics else None


class _NoAliases(yaml.SafeLoader):
    """YAML without aliases: `*a` repeated inside lists of `*a` grows exponentially once written out
    as JSON (a config is stored as JSON), and no sweep config needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed in a sweep config")
        return super().compose_node(parent, index)


def load(doc: dict | str | bytes) -> dict:
    """A config from a dict or YAML/JSON text (what `runyard sweep config.yaml` and wandb's client send)."""
    if isinstance(doc, (str, bytes)):
        try:
            doc = yaml.load(doc, Loader=_NoAliases)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as e:
            raise SweepConfigError("(document)", f"not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise SweepConfigError("(document)", "a sweep config is a mapping with method and parameters")
    return doc


def _metric(where: str, spec: Any) -> Metric:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise SweepConfigError(where, "needs name (the logged metric to optimise) and goal")
    extra = set(spec) - {"name", "goal", "target", "impute", "imputeWhileRunning"}
    if extra:
        raise SweepConfigError(f"{where}.{sorted(extra)[0]}", "unknown key; allowed: name, goal, target")
    goal = spec.get("goal", "minimize")
    if goal not in GOALS:
        raise SweepConfigError(f"{where}.goal", f"{goal!r} is not one of: {', '.join(GOALS)}")
    target = spec.get("target")
    if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float))):
        raise SweepConfigError(f"{where}.target", "must be a number")
    return Metric(spec["name"], goal, target)


def _positive_int(key: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise SweepConfigError(key, f"must be a positive integer, got {v!r}")
    return v


def _hyperband(spec: Any) -> Hyperband:
    if not isinstance(spec, dict) or spec.get("type") != "hyperband":
        raise SweepConfigError("early_terminate.type", "the only early termination is 'hyperband'")
    extra = set(spec) - {"type", "min_iter", "max_iter", "eta", "s", "strict"}
    if extra:
        raise SweepConfigError(
            f"early_terminate.{sorted(extra)[0]}", "unknown key; allowed: type, min_iter, max_iter, eta, s"
        )
    eta = _positive_int("early_terminate.eta", spec.get("eta", 3))
    if eta < 2:
        raise SweepConfigError("early_terminate.eta", "must be at least 2")
    if "min_iter" in spec:
        lo = _positive_int("early_terminate.min_iter", spec["min_iter"])
        s = _positive_int("early_terminate.s", spec.get("s", 3))
        bands = tuple(lo * eta**i for i in range(s))
    elif "max_iter" in spec:
        hi = _positive_int("early_terminate.max_iter", spec["max_iter"])
        s = _positive_int("early_terminate.s", spec.get("s", 3))
        bands = tuple(sorted({b for i in range(1, s + 1) if (b := hi // eta**i) >= 1}))
        if not bands:
            raise SweepConfigError(
                "early_terminate.max_iter", f"max_iter {hi} leaves no bracket with eta {eta}"
            )
    else:
        raise SweepConfigError("early_terminate", "hyperband needs min_iter or max_iter")
    return Hyperband(eta, bands)


def _command(v: Any) -> list[str]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        raise SweepConfigError("command", f"must be a list of strings (macros: {', '.join(MACROS)})")
    return list(v)


def with_seed(doc: dict) -> dict:
    """The config as stored at creation: a seed is fixed then, so every later suggestion reproduces."""
    return doc if "seed" in doc else {**doc, "seed": secrets.randbits(31) + 1}


def replacement(old: dict, new: dict, trials: int) -> dict:
    """The config to store when a sweep's config `old` is replaced by `new` (validated; the sweep's
    seed kept unless `new` sets its own). Only while the sweep has no trial: once one ran, its grid
    position, sample or model input would no longer match the config (W&B also refuses to change a
    started sweep), so `SweepStarted` names the count."""
    from .errors import SweepStarted

    parse(new)
    if trials:
        raise SweepStarted(trials)
    seed = old.get("seed")
    return with_seed(new if "seed" in new or seed is None else {**new, "seed": seed})


def parse(doc: dict | str | bytes, *, require_program: bool = False) -> SweepConfig:
    d = load(doc)
    unknown = set(d) - set(TOP_KEYS)
    if unknown:
        raise SweepConfigError(sorted(unknown)[0], f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    method = d.get("method")
    if method not in METHODS:
        raise SweepConfigError("method", f"{method!r} is not one of: {', '.join(METHODS)}")
    if "parameters" not in d:
        raise SweepConfigError("parameters", "is required")
    cfg = SweepConfig(method=method, params=parse_parameters(d["parameters"]), raw=d)
    m = d.get("metric")
    if isinstance(m, list):
        cfg.metrics = [_metric(f"metric[{i}]", x) for i, x in enumerate(m)]
        if not cfg.metrics:
            raise SweepConfigError("metric", "an empty list")
    elif m is not None:
        cfg.metrics = [_metric("metric", m)]
    if method == "bayes" and not cfg.metrics:
        raise SweepConfigError("metric", "bayes search needs a metric {name, goal} to optimise")
    if "early_terminate" in d:
        if not cfg.metrics:
            raise SweepConfigError("metric", "early_terminate needs a metric to compare runs by")
        cfg.early_terminate = _hyperband(d["early_terminate"])
    if d.get("run_cap") is not None:
        cfg.run_cap = _positive_int("run_cap", d["run_cap"])
    if d.get("program") is not None:
        if not isinstance(d["program"], str) or not d["program"]:
            raise SweepConfigError("program", "must be the path of the training script")
        cfg.program = d["program"]
    if "command" in d:
        cfg.command = _command(d["command"])
    if require_program and cfg.program is None and "${program}" in cfg.command:
        raise SweepConfigError("program", "is required to run the sweep with `runyard agent`")
    for key in ("name", "description"):
        if d.get(key) is not None:
            if not isinstance(d[key], str):
                raise SweepConfigError(key, "must be a string")
            setattr(cfg, key, d[key])
    if "seed" in d:
        cfg.seed = _positive_int("seed", d["seed"])
    if method == "grid":
        for p in cfg.params:
            p.grid_values()  # raises for continuous distributions, naming the parameter
    return cfg
