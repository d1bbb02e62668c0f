"""run.watch(): gradient / parameter histograms of a torch model, joined to the user's log steps."""

from __future__ import annotations

import subprocess
import sys

import pytest

import runyard
from runyard.errors import UsageError
from runyard.runlog import read

torch = pytest.importorskip("torch")


def _train(model, steps: int) -> None:
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    for i in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        runyard.log({"loss": loss.item(), "i": i})


def test_watch_logs_gradient_and_parameter_histograms_every_log_freq(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = runyard.init(mode="offline", project="w", settings=runyard.Settings(console="off", silent=True))
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    runyard.watch(model, log="all", log_freq=2)
    _train(model, 4)
    runyard.unwatch(model)
    _train(model, 2)  # no hooks any more: no histograms at steps 4 and 5
    run.finish()
    rows = read(run.sync_dir).history()
    with_grads = [r["_step"] for r in rows if "gradients/0.weight" in r]
    with_params = [r["_step"] for r in rows if "parameters/2.bias" in r]
    assert with_grads == [1, 3] and with_params == [1, 3]
    h = rows[1]["gradients/0.weight"]
    assert h["_type"] == "histogram" and sum(h["values"]) == 12  # the 4x3 weight's gradient


def test_watch_rejects_what_is_not_a_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = runyard.init(mode="offline", project="w", settings=runyard.Settings(console="off", silent=True))
    with pytest.raises(UsageError, match="torch.nn.Module"):
        run.watch(object())
    with pytest.raises(UsageError, match="log="):
        run.watch(torch.nn.Linear(1, 1), log="weights")
    run.finish()


def test_watch_does_not_import_torch():
    code = (
        "import sys, runyard; runyard.init(mode='disabled'); runyard.unwatch(); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
