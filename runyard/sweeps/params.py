"""Sweep parameters: W&B's distributions, how each is sampled, and which values a grid walks.

A parameter spec is W&B's: `value`, `values` (+ `probabilities`), or `distribution` with `min`/`max`,
`mu`/`sigma`, `q`, `a`/`b`; nested `parameters` make a nested config. When `distribution` is left out
it is inferred as W&B does: `value` → constant, `values` → categorical (with `probabilities` →
categorical_w_probabilities), int `min`/`max` → int_uniform, float `min`/`max` → uniform.

Quantised distributions (`q_*`) round to a multiple of `q` (default 1) and are then kept inside
`[min, max]` where the distribution has bounds, so a sampled value never leaves the declared range.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from .errors import SweepConfigError

BOUNDED = {
    "int_uniform",
    "uniform",
    "q_uniform",
    "log_uniform",
    "log_uniform_values",
    "inv_log_uniform",
    "inv_log_uniform_values",
    "q_log_uniform",
    "q_log_uniform_values",
}
NORMAL = {"normal", "q_normal", "log_normal", "q_log_normal"}
BETA = {"beta", "q_beta"}
DISTRIBUTIONS = sorted({"constant", "categorical", "categorical_w_probabilities"} | BOUNDED | NORMAL | BETA)
SPEC_KEYS = {"value", "values", "probabilities", "distribution", "min", "max", "mu", "sigma", "q", "a", "b"}


@dataclass
class Param:
    """One leaf parameter; `path` is its place in the nested config."""

    path: tuple[str, ...]
    distribution: str
    value: Any = None
    values: list = field(default_factory=list)
    probabilities: list[float] | None = None
    min: float = 0.0
    max: float = 1.0
    mu: float = 0.0
    sigma: float = 1.0
    q: float = 1.0
    a: float = 1.0
    b: float = 1.0

    @property
    def name(self) -> str:
        return ".".join(self.path)

    # -- sampling ---------------------------------------------------------------------------
    def sample(self, rng: random.Random) -> Any:
        d = self.distribution
        if d == "constant":
            return self.value
        if d == "categorical":
            return self.values[rng.randrange(len(self.values))]
        if d == "categorical_w_probabilities":
            return rng.choices(self.values, weights=self.probabilities, k=1)[0]
        if d == "int_uniform":
            return rng.randint(int(self.min), int(self.max))
        return self.from_unit(d, rng)

    def from_unit(self, d: str, rng: random.Random) -> float:
        lo, hi = self.min, self.max
        if d in ("uniform", "q_uniform"):
            x = rng.uniform(lo, hi)
        elif d in ("log_uniform", "q_log_uniform"):  # min/max are natural logs
            x = math.exp(rng.uniform(lo, hi))
        elif d in ("log_uniform_values", "q_log_uniform_values"):
            x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        elif d == "inv_log_uniform":  # -log(x) uniform in [min, max]
            x = math.exp(-rng.uniform(lo, hi))
        elif d == "inv_log_uniform_values":  # 1/x log-uniform between 1/max and 1/min
            x = 1.0 / math.exp(rng.uniform(math.log(1.0 / hi), math.log(1.0 / lo)))
        elif d in ("normal", "q_normal"):
            x = rng.gauss(self.mu, self.sigma)
        elif d in ("log_normal", "q_log_normal"):
            x = math.exp(rng.gauss(self.mu, self.sigma))
        else:  # beta, q_beta
            x = rng.betavariate(self.a, self.b)
        return self.quantise(x) if d.startswith("q_") else x

    def quantise(self, x: float) -> float:
        y = round(x / self.q) * self.q
        lo, hi = self.bounds()
        if y < lo:
            y += self.q * math.ceil((lo - y) / self.q - 1e-12)
        if y > hi:
            y -= self.q * math.ceil((y - hi) / self.q - 1e-12)
        y = min(max(y, lo), hi)  # a range narrower than q: the bound itself
        return float(int(y)) if float(self.q).is_integer() and float(y).is_integer() else y

    def bounds(self) -> tuple[float, float]:
        """The interval every sample lies in (infinite for the normal family)."""
        d = self.distribution
        if d in ("log_uniform", "q_log_uniform"):
            return math.exp(self.min), math.exp(self.max)
        if d == "inv_log_uniform":
            return math.exp(-self.max), math.exp(-self.min)
        if d in BOUNDED:
            return self.min, self.max
        if d in ("log_normal", "q_log_normal"):
            return 0.0, math.inf
        if d in BETA:
            return 0.0, 1.0
        return -math.inf, math.inf

    # -- grid -------------------------------------------------------------------------------
    def grid_values(self) -> list:
        d = self.distribution
        if d == "constant":
            return [self.value]
        if d in ("categorical", "categorical_w_probabilities"):
            return list(self.values)
        if d == "int_uniform":
            return list(range(int(self.min), int(self.max) + 1))
        if d == "q_uniform":
            n = math.floor((self.max - self.min) / self.q + 1e-9)
            return [self.quantise(self.min + i * self.q) for i in range(n + 1)]
        raise SweepConfigError(
            f"parameters.{self.name}",
            f"grid search needs a finite set of values; distribution {d!r} is continuous "
            "(use values, value, int_uniform or q_uniform)",
        )


def _number(path: str, key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise SweepConfigError(f"{path}.{key}", f"must be a finite number, got {v!r}")
    return v


def parse_param(path: tuple[str, ...], spec: Any) -> Param:
    where = "parameters." + ".".join(path)
    if not isinstance(spec, dict):
        raise SweepConfigError(where, "must be a mapping such as {values: [...]} or {min: 0, max: 1}")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise SweepConfigError(
            f"{where}.{sorted(unknown)[0]}", f"unknown key; allowed: {', '.join(sorted(SPEC_KEYS))}"
        )
    d = spec.get("distribution")
    if d is None:
        if "value" in spec:
            d = "constant"
        elif "values" in spec:
            d = "categorical_w_probabilities" if "probabilities" in spec else "categorical"
        elif "min" in spec and "max" in spec:
            ints = all(isinstance(spec[k], int) and not isinstance(spec[k], bool) for k in ("min", "max"))
            d = "int_uniform" if ints else "uniform"
        elif "mu" in spec or "sigma" in spec:
            d = "normal"
        else:
            raise SweepConfigError(where, "needs value, values, min/max or a distribution")
    if d not in DISTRIBUTIONS:
        raise SweepConfigError(f"{where}.distribution", f"{d!r} is not one of: {', '.join(DISTRIBUTIONS)}")
    p = Param(path, d)
    if d == "constant":
        if "value" not in spec:
            raise SweepConfigError(where, "distribution constant needs value")
        p.value = spec["value"]
        return p
    if d.startswith("categorical"):
        vals = spec.get("values")
        if not isinstance(vals, list) or not vals:
            raise SweepConfigError(f"{where}.values", "must be a non-empty list")
        p.values = vals
        if d == "categorical_w_probabilities" or "probabilities" in spec:
            probs = spec.get("probabilities")
            if not isinstance(probs, list) or len(probs) != len(vals):
                raise SweepConfigError(f"{where}.probabilities", "must be a list as long as values")
            probs = [_number(where, "probabilities", x) for x in probs]
            if any(x < 0 for x in probs) or abs(sum(probs) - 1.0) > 1e-6:
                raise SweepConfigError(f"{where}.probabilities", "must be non-negative and sum to 1")
            p.distribution, p.probabilities = "categorical_w_probabilities", probs
        return p
    for key in ("min", "max", "mu", "sigma", "q", "a", "b"):
        if key in spec:
            setattr(p, key, _number(where, key, spec[key]))
    if d in BOUNDED:
        if "min" not in spec or "max" not in spec:
            raise SweepConfigError(where, f"distribution {d} needs min and max")
        if p.min > p.max:
            raise SweepConfigError(f"{where}.min", f"min ({p.min}) is greater than max ({p.max})")
        if d == "int_uniform" and not all(float(spec[k]).is_integer() for k in ("min", "max")):
            raise SweepConfigError(where, "int_uniform needs integer min and max")
        if d.endswith("_values") and p.min <= 0:
            raise SweepConfigError(f"{where}.min", f"distribution {d} needs min > 0")
    if p.sigma <= 0 and d in NORMAL:
        raise SweepConfigError(f"{where}.sigma", "must be > 0")
    if d in BETA and (p.a <= 0 or p.b <= 0):
        raise SweepConfigError(where, "beta needs a > 0 and b > 0")
    if p.q <= 0:
        raise SweepConfigError(f"{where}.q", "must be > 0")
    return p


def parse_parameters(spec: Any, prefix: tuple[str, ...] = ()) -> list[Param]:
    """The leaf parameters of W&B's (possibly nested) `parameters` block, in declaration order."""
    where = "parameters" + ("." + ".".join(prefix) if prefix else "")
    if not isinstance(spec, dict) or not spec:
        raise SweepConfigError(where, "must be a non-empty mapping of parameter names to specs")
    out: list[Param] = []
    for name, sub in spec.items():
        if not isinstance(name, str) or not name:
            raise SweepConfigError(where, f"parameter names must be non-empty strings, got {name!r}")
        if isinstance(sub, dict) and "parameters" in sub:
            extra = set(sub) - {"parameters"}
            if extra:
                raise SweepConfigError(f"{where}.{name}", "a nested block holds only `parameters`")
            out.extend(parse_parameters(sub["parameters"], (*prefix, name)))
        else:
            out.append(parse_param((*prefix, name), sub))
    return out


def nest(params: list[Param], values: list[Any]) -> dict:
    """Sampled leaf values as the nested config a trial's `wandb.config` holds."""
    out: dict = {}
    for p, v in zip(params, values):
        d = out
        for k in p.path[:-1]:
            d = d.setdefault(k, {})
        d[p.path[-1]] = v
    return out


def flatten(config: dict, params: list[Param]) -> list[Any]:
    """The inverse of `nest` for these parameters."""
    out = []
    for p in params:
        v: Any = config
        for k in p.path:
            v = v[k]
        out.append(v)
    return out
