"""The `wandb` shim (shim/): unchanged scripts using `report_to="wandb"` and Lightning's WandbLogger
report to runyard. The shim is installed into a throwaway target directory put first on PYTHONPATH, so
the official wandb in the project environment stays as it is (and the shim must say it won)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import runyard
from runyard.runlog import find_run_dirs, read
from tests.compat.conftest import wandb_python  # noqa: F401  (fixture: the official client's venv)

pytest.importorskip("transformers")
pytest.importorskip("lightning")
pytest.importorskip("accelerate")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shim_dir(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("shim")
    src = tmp_path_factory.mktemp("shim-src") / "shim"  # built from a copy: the build leaves files behind
    shutil.copytree(REPO / "shim", src, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    return target


def run_script(
    script: str, shim_dir: Path, cwd: Path, path: str | None = None, **extra: str
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WANDB_", "RUNYARD_"))}
    # the shim first, then this repository's runyard (the shim's only dependency)
    env.update(
        PYTHONPATH=os.pathsep.join([path or str(shim_dir), str(REPO)]),
        RUNYARD_MODE="offline",
        RUNYARD_CONSOLE="off",
        HF_HUB_OFFLINE="1",
        RUNYARD_HOME=str(cwd / "home"),
        # the frameworks' own warnings are theirs, not what this test checks
        PYTHONWARNINGS="ignore",
    )
    env.update(extra)
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out


HF_SCRIPT = """
import torch, transformers
torch.manual_seed(0)
cfg = transformers.GPT2Config(n_layer=1, n_head=2, n_embd=32, n_positions=16, vocab_size=64, bos_token_id=0, eos_token_id=0)
ids = torch.randint(0, 64, (8, 16))
data = [{"input_ids": x, "labels": x} for x in ids]
args = transformers.TrainingArguments(output_dir="out", max_steps=4, per_device_train_batch_size=2, logging_steps=1,
    eval_strategy="steps", eval_steps=2, save_steps=4, report_to="wandb", use_cpu=True, run_name="shim-run",
    disable_tqdm=True)
transformers.Trainer(model=transformers.GPT2LMHeadModel(cfg), args=args, train_dataset=data, eval_dataset=data[:4]).train()
import wandb, runyard
assert wandb.run is runyard.run and wandb.run is not None
wandb.finish()
"""


def test_trainer_report_to_wandb_reaches_runyard(shim_dir, tmp_path):
    """WANDB_LOG_MODEL / WANDB_WATCH keep their meaning: transformers' WandbCallback logs the base model,
    the checkpoint and the final model as versions of one model artifact (the watch interval,
    max(100, logging_steps), is past these 4 steps: only that watch() is accepted)."""
    run_script(HF_SCRIPT, shim_dir, tmp_path, WANDB_LOG_MODEL="checkpoint", WANDB_WATCH="gradients")
    (run_dir,) = find_run_dirs(tmp_path)
    rd = read(run_dir)
    assert rd.config["n_embd"] == 32 and rd.config["max_steps"] == 4
    rows = rd.history()
    assert [r["train/global_step"] for r in rows if "train/loss" in r] == [1, 2, 3, 4]
    assert [r["train/global_step"] for r in rows if "eval/loss" in r] == [2, 4]
    staged = [json.loads(p.read_text()) for p in (run_dir / "artifacts").glob("*.json")]
    assert {(s["name"], s["type"]) for s in staged} == {("model-shim-run", "model")}
    aliases = sorted(a for s in staged for a in s["aliases"])
    assert aliases == ["base_model", "checkpoint_global_step_4", "epoch_1.0", "final_model"], aliases
    (ckpt,) = [s for s in staged if "checkpoint_global_step_4" in s["aliases"]]
    assert "model.safetensors" in {e["path"] for e in ckpt["manifest"]}


LIGHTNING_SCRIPT = """
import torch
import lightning.pytorch as pl
from lightning.pytorch.loggers import WandbLogger

class Tiny(pl.LightningModule):
    def __init__(self, lr=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Linear(3, 1)
    def training_step(self, batch, i):
        loss = torch.nn.functional.mse_loss(self.net(batch[0]), batch[1])
        self.log("train_loss", loss)
        return loss
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)

torch.manual_seed(0)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(8, 3), torch.randn(8, 1)), batch_size=4)
logger = WandbLogger(project="lit", log_model=True)
pl.Trainer(max_epochs=2, log_every_n_steps=1, logger=logger, accelerator="cpu", enable_progress_bar=False,
    enable_model_summary=False, default_root_dir="out").fit(Tiny(), loader)
logger.log_table("samples", columns=["a"], data=[[1]])
logger.experiment.log({"custom": 7})
import wandb
wandb.finish()
"""


def test_trainer_report_to_wandb_online(shim_dir, online, home):  # noqa: F811
    """The same unchanged script, online: the run, its config and metrics are on the server."""
    run_script(HF_SCRIPT, shim_dir, online, RUNYARD_MODE="online", RUNYARD_HOME=str(home), WANDB_PROJECT="hf")
    api = runyard.Api()
    (r,) = list(api.runs(f"{api.default_entity}/hf"))
    assert r.name == "shim-run" and r.config["n_embd"] == 32
    assert [x["train/global_step"] for x in r.scan_history() if "eval/loss" in x] == [2, 4]


def test_lightning_wandb_logger_reaches_runyard(shim_dir, tmp_path):
    run_script(LIGHTNING_SCRIPT, shim_dir, tmp_path)
    (run_dir,) = find_run_dirs(tmp_path)
    rd = read(run_dir)
    assert rd.config["lr"] == 0.05
    assert [r["trainer/global_step"] for r in rd.history() if "train_loss" in r] == [0, 1, 2, 3]
    assert rd.summary["custom"] == 7 and rd.summary["samples"]["_type"] == "table-file"
    assert list((run_dir / "artifacts").glob("*.json"))  # the checkpoint, as a model artifact


def test_lightning_wandb_logger_online(shim_dir, online, home):  # noqa: F811
    """Online: hyperparameters, the metrics at Lightning's global steps and the checkpoint as a model
    artifact (log_model=True: logged at the end of training) on the server."""
    run_script(LIGHTNING_SCRIPT, shim_dir, online, RUNYARD_MODE="online", RUNYARD_HOME=str(home))
    api = runyard.Api()
    (r,) = list(api.runs(f"{api.default_entity}/lit"))
    assert r.config["lr"] == 0.05 and r.summary["custom"] == 7
    assert [x["trainer/global_step"] for x in r.scan_history() if "train_loss" in x] == [0, 1, 2, 3]
    art = api.artifact(f"{api.default_entity}/lit/model-{r.id}:latest")
    assert art.type == "model" and [f.path for f in art.files()] == ["model.ckpt"]
    assert [a.name for a in r.logged_artifacts() if a.type == "model"] == [f"model-{r.id}:v0"]


DATASET_SCRIPT = """
import pathlib, wandb
pathlib.Path("rows.csv").write_text("x,y\\n1,2\\n")
run = wandb.init(project="lit-data", job_type="prep")
art = wandb.Artifact("rows", type="dataset")
art.add_file("rows.csv")
run.log_artifact(art)
wandb.finish()
"""

LIGHTNING_DATA_SCRIPT = (
    LIGHTNING_SCRIPT.replace('project="lit", log_model=True', 'project="lit-data"')
    .replace(
        "torch.manual_seed(0)",
        """path = WandbLogger.download_artifact("lit-data/rows:v0", save_dir="dl", artifact_type="dataset")
assert open(path + "/rows.csv").read() == "x,y\\n1,2\\n"
torch.manual_seed(0)""",
    )
    .replace(
        "logger.log_table(", 'logger.use_artifact("rows:latest", artifact_type="dataset")\nlogger.log_table('
    )
)


def test_lightning_dataset_tracking_online(shim_dir, online, home):  # noqa: F811
    """Dataset tracking through an unchanged Lightning script online: `WandbLogger.download_artifact`
    (no run yet: through the public API) and `logger.use_artifact` record the exact version the run
    used; the server's run lists it, and once deleted lists it as deleted."""
    run_script(DATASET_SCRIPT, shim_dir, online, RUNYARD_MODE="online", RUNYARD_HOME=str(home))
    run_script(LIGHTNING_DATA_SCRIPT, shim_dir, online, RUNYARD_MODE="online", RUNYARD_HOME=str(home))
    api = runyard.Api()
    (trained,) = [r for r in api.runs(f"{api.default_entity}/lit-data") if r.job_type != "prep"]
    assert [(a.name, a.state) for a in trained.used_artifacts()] == [("rows:v0", "COMMITTED")]
    assert [r.id for r in api.artifact(f"{api.default_entity}/lit-data/rows:v0").used_by()] == [trained.id]
    api.artifact(f"{api.default_entity}/lit-data/rows:v0").delete()
    assert [(a.name, a.state) for a in trained.used_artifacts()] == [("rows:v0", "DELETED")]


def test_the_shim_says_it_won_over_the_official_wandb(shim_dir, tmp_path, wandb_python):  # noqa: F811
    """Both importable (the official package right after the shim): one line names the winner and the way back."""
    where = subprocess.run(
        [str(wandb_python), "-c", "import os, wandb; print(os.path.dirname(wandb.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    official = tmp_path / "official"
    official.mkdir()
    (official / "wandb").symlink_to(where)  # only the wandb package: the rest of that venv stays out
    script = "import wandb, runyard; assert wandb.init is runyard.init; print(wandb.__version__)"
    out = run_script(script, shim_dir, tmp_path, path=f"{shim_dir}{os.pathsep}{official}")
    assert out.stdout.strip() == "0.19.0+runyard"
    lines = [x for x in out.stderr.splitlines() if x.startswith("wandb:")]
    assert len(lines) == 1 and "runyard's wandb shim" in lines[0] and str(official) in lines[0], out.stderr
    assert "pip uninstall wandb" in lines[0]
    alone = run_script(script, shim_dir, tmp_path)
    assert "wandb:" not in alone.stderr


ACCELERATE_SCRIPT = """
from accelerate import Accelerator
acc = Accelerator(log_with="wandb", cpu=True)
acc.init_trackers("acc", config={"lr": 0.1})
for step in range(3):
    acc.log({"loss": 1.0 / (step + 1)}, step=step)
acc.end_training()
"""


def test_accelerate_log_with_wandb_reaches_runyard(shim_dir, tmp_path):
    run_script(ACCELERATE_SCRIPT, shim_dir, tmp_path)
    (run_dir,) = find_run_dirs(tmp_path)
    rd = read(run_dir)
    assert rd.config["lr"] == 0.1 and rd.state == "finished"
    assert rd.series("loss") == ([0, 1, 2], [1.0, 0.5, 1 / 3])


def test_accelerate_log_with_wandb_online(shim_dir, online, home):  # noqa: F811
    run_script(ACCELERATE_SCRIPT, shim_dir, online, RUNYARD_MODE="online", RUNYARD_HOME=str(home))
    api = runyard.Api()
    (r,) = list(api.runs(f"{api.default_entity}/acc"))
    assert r.config["lr"] == 0.1 and r.state == "finished"
    assert [(x["_step"], x["loss"]) for x in r.scan_history()] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
