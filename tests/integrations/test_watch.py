"""`watch()` as a user's script uses it (`import runyard as wandb`), online against a real server (SQLite
and PostgreSQL): the gradient and parameter histograms every `log_freq` steps reach the run's history.
The offline behaviour (hooks, unwatch, the run log) is in tests/sdk/test_watch.py."""

from __future__ import annotations

import pytest

import runyard as wandb

torch = pytest.importorskip("torch")


def test_watch_online_histograms_reach_the_server(online):
    run = wandb.init(project="w", config={"lr": 0.1})
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    wandb.watch(model, log="all", log_freq=2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    for _ in range(4):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        wandb.log({"loss": loss.item()})
    run.finish()
    api = wandb.Api()
    rows = list(api.run(f"{api.default_entity}/w/{run.id}").scan_history())
    assert [r["_step"] for r in rows if "gradients/0.weight" in r] == [1, 3]
    assert [r["_step"] for r in rows if "parameters/2.bias" in r] == [1, 3]
    h = next(r["gradients/0.weight"] for r in rows if "gradients/0.weight" in r)
    assert h["_type"] == "histogram" and sum(h["values"]) == 12  # the 4x3 weight's gradient
