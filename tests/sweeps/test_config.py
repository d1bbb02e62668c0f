"""Sweep configs as W&B users write them: accepted as written, rejected with the key named."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runyard.sweeps import SweepConfigError, parse, with_seed
from runyard.sweeps.params import DISTRIBUTIONS

YAML = """
program: train.py
method: bayes
metric: {name: val/loss, goal: minimize}
run_cap: 12
early_terminate: {type: hyperband, min_iter: 3, eta: 2}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}
  batch: {values: [16, 32, 64]}
  dropout: {min: 0.0, max: 0.5}
  layers: {min: 1, max: 4}
  optimizer:
    parameters:
      name: {value: adam}
      beta1: {distribution: beta, a: 2, b: 5}
command:
  - ${env}
  - ${interpreter}
  - ${program}
  - ${args}
"""


def test_a_wandb_yaml_config_parses_with_inferred_distributions():
    cfg = parse(YAML)
    by_name = {p.name: p.distribution for p in cfg.params}
    assert by_name == {
        "lr": "log_uniform_values",
        "batch": "categorical",
        "dropout": "uniform",
        "layers": "int_uniform",
        "optimizer.name": "constant",
        "optimizer.beta1": "beta",
    }
    assert cfg.metric.name == "val/loss" and cfg.run_cap == 12
    assert cfg.early_terminate.bands == (3, 6, 12)


@pytest.mark.parametrize(
    "doc, key, words",
    [
        ({"method": "hill", "parameters": {"x": {"values": [1]}}}, "method", "grid, random, bayes"),
        ({"method": "grid"}, "parameters", "required"),
        (
            {"method": "random", "parameters": {"x": {"distribution": "gauss"}}},
            "parameters.x.distribution",
            "uniform",
        ),
        ({"method": "random", "parameters": {"x": {"min": 2, "max": 1}}}, "parameters.x.min", "greater"),
        (
            {"method": "random", "parameters": {"x": {"values": [1, 2], "probabilities": [0.5, 0.6]}}},
            "parameters.x.probabilities",
            "sum to 1",
        ),
        ({"method": "grid", "parameters": {"x": {"min": 0.0, "max": 1.0}}}, "parameters.x", "continuous"),
        ({"method": "bayes", "parameters": {"x": {"values": [1]}}}, "metric", "bayes"),
        (
            {"method": "random", "metric": {"name": "l", "goal": "lower"}, "parameters": {"x": {"value": 1}}},
            "metric.goal",
            "minimize, maximize",
        ),
        (
            {"method": "random", "parameters": {"x": {"value": 1, "colour": 2}}},
            "parameters.x.colour",
            "allowed",
        ),
        ({"method": "random", "paramters": {}}, "paramters", "allowed"),
        ({"method": "random", "run_cap": 0, "parameters": {"x": {"value": 1}}}, "run_cap", "positive"),
        (
            {
                "method": "random",
                "metric": {"name": "l"},
                "early_terminate": {"type": "hyperband"},
                "parameters": {"x": {"value": 1}},
            },
            "early_terminate",
            "min_iter or max_iter",
        ),
        (
            {
                "method": "random",
                "parameters": {"x": {"distribution": "log_uniform_values", "min": 0, "max": 1}},
            },
            "parameters.x.min",
            "min > 0",
        ),
    ],
)
def test_invalid_configs_name_the_key_and_what_is_allowed(doc, key, words):
    with pytest.raises(SweepConfigError) as e:
        parse(doc)
    assert e.value.key == key and words in str(e.value)


def test_a_stored_config_keeps_its_seed():
    doc = with_seed({"method": "random", "parameters": {"x": {"value": 1}}})
    assert parse(doc).seed == doc["seed"] == parse(with_seed(doc)).seed


numbers = st.floats(min_value=-50, max_value=50, allow_nan=False)


@st.composite
def spec(draw):
    d = draw(st.sampled_from(DISTRIBUTIONS))
    s: dict = {"distribution": d}
    if d == "constant":
        s["value"] = draw(st.integers())
    elif d.startswith("categorical"):
        n = draw(st.integers(1, 5))
        s["values"] = list(range(n))
        if d == "categorical_w_probabilities":
            w = [draw(st.integers(1, 9)) for _ in range(n)]
            s["probabilities"] = [x / sum(w) for x in w]
    elif d == "int_uniform":
        a, b = sorted([draw(st.integers(-100, 100)), draw(st.integers(-100, 100))])
        s.update(min=a, max=b)
    elif d.endswith("_values"):
        a, b = sorted([draw(st.floats(1e-6, 1e3)), draw(st.floats(1e-6, 1e3))])
        s.update(min=a, max=b)
    elif d in ("log_uniform", "q_log_uniform", "inv_log_uniform"):
        a, b = sorted([draw(st.floats(-8, 8)), draw(st.floats(-8, 8))])
        s.update(min=a, max=b)
    elif "uniform" in d:
        a, b = sorted([draw(numbers), draw(numbers)])
        s.update(min=a, max=b)
    elif "normal" in d:
        s.update(mu=draw(st.floats(-3, 3)), sigma=draw(st.floats(0.01, 2)))
    else:
        s.update(a=draw(st.floats(0.1, 10)), b=draw(st.floats(0.1, 10)))
    if d.startswith("q_"):
        s["q"] = draw(st.sampled_from([0.01, 0.1, 0.5, 1, 2, 5]))
    return s


@settings(max_examples=300, deadline=None, derandomize=True)
@given(s=spec(), seed=st.integers(0, 2**32))
def test_every_distribution_samples_within_its_bounds(s, seed):
    (p,) = parse({"method": "random", "parameters": {"x": s}}).params
    rng = random.Random(seed)
    lo, hi = p.bounds()
    for _ in range(20):
        v = p.sample(rng)
        if p.distribution == "constant":
            assert v == s["value"]
        elif p.distribution.startswith("categorical"):
            assert v in s["values"]
        else:
            assert lo - 1e-9 * max(1, abs(lo)) <= v <= hi + 1e-9 * max(1, abs(hi)), (p, v)
            if p.distribution == "int_uniform":
                assert isinstance(v, int)
            if p.distribution.startswith("q_") and lo + p.q <= hi:
                assert math.isclose(v / p.q, round(v / p.q), abs_tol=1e-6), (p, v)
