"""A script written for wandb runs unchanged with `import runyard as wandb`."""

from __future__ import annotations

from runyard.runlog import read
from tests.conftest import only_run_dir, run_script

# The shape of wandb's own quickstart: init with entity/project/config, run.log in a loop, run.finish.
QUICKSTART = """
import random
import runyard as wandb

run = wandb.init(
    entity="my-awesome-team-name",
    project="my-awesome-project",
    config={
        "learning_rate": 0.02,
        "architecture": "CNN",
        "dataset": "CIFAR-100",
        "epochs": 10,
    },
)

epochs = 10
offset = random.random() / 5
for epoch in range(2, epochs):
    acc = 1 - 2**-epoch - random.random() / epoch - offset
    loss = 2**-epoch + random.random() / epoch + offset
    run.log({"acc": acc, "loss": loss})

run.finish()
"""

ISSUE_EXAMPLE = """
import runyard as wandb
loader = range(50)
run = wandb.init(project="cs336-a5-sft-v2", entity="me", name="wanda_sft", mode="offline",
                 settings=wandb.Settings(init_timeout=120),
                 config={"model": "Qwen2.5-Math-1.5B", "batch_size": 64, "learning_rate": 2e-5})
for step, batch in enumerate(loader):
    loss, lr = 1.0 / (step + 1), 2e-5
    wandb.log({"train/loss": loss, "train/lr": lr, "step": step})
wandb.finish()
"""


def test_wandb_quickstart_runs_unchanged(tmp_path):
    res = run_script(QUICKSTART, tmp_path, env={"WANDB_MODE": "offline"})
    assert res.returncode == 0, res.stderr
    rd = read(only_run_dir(tmp_path))
    assert rd.run["project"] == "my-awesome-project"
    assert rd.run["entity"] == "my-awesome-team-name"
    assert rd.config == {"learning_rate": 0.02, "architecture": "CNN", "dataset": "CIFAR-100", "epochs": 10}
    rows = rd.history()
    assert [r["_step"] for r in rows] == list(range(8))
    assert all({"acc", "loss", "_runtime", "_timestamp"} <= set(r) for r in rows)
    assert rd.summary["loss"] == rows[-1]["loss"]
    assert rd.state == "finished"


def test_issue_example_leaves_offline_run_dir(tmp_path):
    res = run_script(ISSUE_EXAMPLE, tmp_path)
    assert res.returncode == 0, res.stderr
    d = only_run_dir(tmp_path)
    assert d.name.startswith("offline-run-") and d.name.endswith("-" + read(d).run["run_id"])
    rd = read(d)
    assert rd.run["name"] == "wanda_sft"
    assert rd.series("train/loss")[1] == [1.0 / (s + 1) for s in range(50)]
    assert rd.series("step")[1] == list(range(50))
    assert "runyard sync" in res.stderr  # tells the user how to upload later
