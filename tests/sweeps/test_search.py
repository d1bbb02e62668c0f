"""Search and early termination, as a sweep's user sees them: which configs the trials get."""

from __future__ import annotations

import math

from runyard.sweeps import Trial, grid_size, pareto_front, parse, suggest, to_stop


def test_grid_gives_every_combination_once_then_stops():
    cfg = parse(
        {
            "method": "grid",
            "parameters": {"a": {"values": [1, 2]}, "b": {"values": ["x", "y", "z"]}, "c": {"value": 0}},
        }
    )
    trials: list[Trial] = []
    while (c := suggest(cfg, trials)) is not None:
        trials.append(Trial(len(trials), c, "finished"))
    assert grid_size(cfg) == 6
    assert sorted((t.params["a"], t.params["b"]) for t in trials) == [
        (a, b) for a in (1, 2) for b in ("x", "y", "z")
    ]
    assert all(t.params["c"] == 0 for t in trials)


def test_the_server_knowing_only_the_trial_count_suggests_what_the_full_history_would():
    """The server's assignment reads only a sweep's unfinished trials and its trial count: grid and
    random search must suggest from the count exactly what they suggest from every trial."""
    for doc in (
        {
            "method": "grid",
            "parameters": {"a": {"values": [1, 2]}, "b": {"parameters": {"c": {"min": 1, "max": 3}}}},
        },
        {
            "method": "random",
            "seed": 5,
            "parameters": {"a": {"min": 0.0, "max": 1.0}, "b": {"values": [1, 2]}},
        },
    ):
        cfg = parse(doc)
        trials: list[Trial] = []
        while len(trials) < 10 and (c := suggest(cfg, trials)) is not None:
            assert suggest(cfg, [], count=len(trials)) == c
            trials.append(Trial(len(trials), c, "finished"))
        assert suggest(cfg, [], count=len(trials)) == suggest(cfg, trials)  # None after the grid's last


def test_grid_over_nested_int_and_quantised_parameters():
    cfg = parse(
        {
            "method": "grid",
            "parameters": {
                "opt": {"parameters": {"layers": {"min": 1, "max": 3}}},
                "drop": {"distribution": "q_uniform", "min": 0, "max": 0.5, "q": 0.25},
            },
        }
    )
    combos = []
    trials: list[Trial] = []
    while (c := suggest(cfg, trials)) is not None:
        trials.append(Trial(len(trials), c))
        combos.append((c["opt"]["layers"], c["drop"]))
    assert sorted(combos) == [(n, d) for n in (1, 2, 3) for d in (0, 0.25, 0.5)]


def test_random_search_is_reproducible_from_the_stored_seed():
    doc = {
        "method": "random",
        "seed": 7,
        "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1}},
    }
    cfg = parse(doc)
    first = [suggest(cfg, [Trial(i, {}) for i in range(n)]) for n in range(5)]
    again = [suggest(parse(doc), [Trial(i, {}) for i in range(n)]) for n in range(5)]
    assert first == again and len({c["lr"] for c in first}) == 5
    assert parse({**doc, "seed": 8}) and suggest(parse({**doc, "seed": 8}), []) != first[0]


def _objective(c: dict) -> float:
    return (
        (c["x"] - 0.3) ** 2
        + (c["y"] + 0.2) ** 2
        + (math.log10(c["lr"]) + 3) ** 2 / 10
        + (0 if c["opt"] == "adam" else 0.3)
    )


def _best(method: str, seed: int, budget: int = 40) -> float:
    cfg = parse(
        {
            "method": method,
            "seed": seed,
            "metric": {"name": "loss", "goal": "minimize"},
            "parameters": {
                "x": {"min": -1.0, "max": 1.0},
                "y": {"min": -1.0, "max": 1.0},
                "lr": {"distribution": "log_uniform_values", "min": 1e-6, "max": 1.0},
                "opt": {"values": ["sgd", "adam"]},
            },
        }
    )
    trials: list[Trial] = []
    for i in range(budget):
        c = suggest(cfg, trials)
        trials.append(Trial(i, c, "finished", {"loss": _objective(c)}))
    return min(t.summary["loss"] for t in trials)


def test_bayes_beats_random_at_an_equal_budget_over_five_seeds():
    seeds = range(1, 6)
    rand = [_best("random", s) for s in seeds]
    bayes = [_best("bayes", s) for s in seeds]
    assert sum(bayes) < 0.5 * sum(rand), (bayes, rand)
    assert sum(b < r for b, r in zip(bayes, rand)) >= 4, (bayes, rand)


def test_bayes_never_suggests_outside_the_space_and_keeps_constants():
    cfg = parse(
        {
            "method": "bayes",
            "seed": 3,
            "metric": {"name": "m", "goal": "maximize"},
            "parameters": {
                "n": {"min": 2, "max": 5},
                "act": {"values": [[1, 2], "relu"]},
                "fixed": {"value": "yes"},
                "w": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.1},
            },
        }
    )
    trials: list[Trial] = []
    for i in range(12):
        c = suggest(cfg, trials)
        assert 2 <= c["n"] <= 5 and c["act"] in ([1, 2], "relu") and c["fixed"] == "yes"
        assert 0 <= c["w"] <= 1 and math.isclose(c["w"] * 10, round(c["w"] * 10), abs_tol=1e-9)
        trials.append(Trial(i, c, "finished" if i % 3 else "crashed", {"m": c["n"] * c["w"]}))


def _curve(level: float, n: int) -> list[float]:
    return [level + 1.0 / (t + 1) for t in range(n)]


def test_hyperband_stops_the_bad_arms_once_enough_runs_reached_a_bracket():
    cfg = parse(
        {
            "method": "random",
            "metric": {"name": "loss"},
            "parameters": {"x": {"value": 1}},
            "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 3},
        }
    )
    levels = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6]
    trials = [Trial(i, {}, "running", history={"loss": _curve(lv, 3)}) for i, lv in enumerate(levels)]
    assert to_stop(cfg, trials[:2]) == []  # fewer runs than eta at the bracket: too early to judge
    stopped = to_stop(cfg, trials)
    best_three = sorted(range(9), key=lambda i: levels[i])[:3]
    assert stopped == sorted(set(range(9)) - set(best_three))
    trials[0].state = "finished"  # only running trials are stopped
    assert 0 not in to_stop(cfg, trials)


def test_pareto_front_of_a_two_metric_sweep():
    cfg = parse(
        {
            "method": "random",
            "metric": [{"name": "loss", "goal": "minimize"}, {"name": "speed", "goal": "maximize"}],
            "parameters": {"x": {"value": 1}},
        }
    )
    points = [(1.0, 10), (2.0, 20), (1.5, 5), (3.0, 19), (0.5, 1)]
    trials = [Trial(i, {}, "finished", {"loss": a, "speed": b}) for i, (a, b) in enumerate(points)]
    trials.append(Trial(5, {}, "running", {"loss": 0.1, "speed": 99}))
    assert pareto_front(cfg, trials) == [0, 1, 4]
