"""`wandb.Api().run(path)` edited and `run.update()` (wandb's UpsertBucket of config and
summaryMetrics) as a user's script uses it, online against a real server (SQLite and PostgreSQL): the
edits persist, what was not edited stays. Run twice: `import runyard as wandb`, and the official client
(0.31.0) as the oracle: the same assertions hold for both."""

from __future__ import annotations

import textwrap

UPDATE = textwrap.dedent("""
    import wandb
    run = wandb.init(project="upd", config={"lr": 0.1, "layers": 2})
    run.log({"loss": 0.5})
    run.summary["best"] = 0.5
    run.finish()
    edited = wandb.Api().run(run.path)
    edited.config["lr"] = 0.01
    edited.config["opt"] = "adam"
    edited.summary["best"] = 0.4
    edited.summary["note"] = "edited"
    edited.update()
    again = wandb.Api().run(run.path)
    config = {k: again.config[k] for k in ("lr", "layers", "opt")}
    assert config == {"lr": 0.01, "layers": 2, "opt": "adam"}, again.config
    summary = {k: again.summary[k] for k in ("best", "note", "loss")}
    assert summary == {"best": 0.4, "note": "edited", "loss": 0.5}, dict(again.summary)
""")


def test_api_run_update_persists_config_and_summary_edits(user_script, tmp_path):
    user_script(UPDATE, tmp_path / "work")
