"""A real Lightning Trainer (a tiny regression model, 2 epochs) with RunyardLogger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runyard
from runyard.runlog import read

pl = pytest.importorskip("lightning.pytorch")
torch = pytest.importorskip("torch")

pytestmark = [
    # Lightning warns about its own choices on a CPU box (few workers, tiny batches, no GPU found)
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


class Tiny(pl.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 4) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(
            torch.nn.Linear(3, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
        )

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def fit(root: Path, **logger_kw):
    from runyard.integration.lightning import RunyardLogger

    torch.manual_seed(0)
    x, y = torch.randn(16, 3), torch.randn(16, 1)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4)
    logger = RunyardLogger(project="lit", log_model=True, **logger_kw)
    trainer = pl.Trainer(
        default_root_dir=str(root),
        max_epochs=2,
        log_every_n_steps=1,
        logger=logger,
        accelerator="cpu",
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(Tiny(), loader, loader)
    logger.log_table("samples", columns=["x", "y"], data=[[1, 2], [3, 4]])
    logger.log_image("pics", images=[torch.zeros(3, 4, 4).numpy().transpose(1, 2, 0)], caption=["zeros"])
    logger.experiment.log({"custom": 7})
    return logger


def test_logger_offline_hparams_metrics_table_image_checkpoint(offline):
    logger = fit(offline)
    run = logger.experiment
    assert run is runyard.run
    run.finish()
    rd = read(run.sync_dir)
    assert rd.config["lr"] == 0.05 and rd.config["hidden"] == 4
    rows = rd.history()
    train = [r["trainer/global_step"] for r in rows if "train_loss" in r]
    assert train == list(range(8))  # 4 batches x 2 epochs, logged at each step
    assert [r["trainer/global_step"] for r in rows if "val_loss" in r] == [3, 7]
    assert rd.summary["custom"] == 7
    assert (
        rd.summary["samples"]["_type"] == "table-file" and rd.summary["pics"]["_type"] == "images/separated"
    )
    staged = [json.loads(p.read_text()) for p in (Path(run.sync_dir) / "artifacts").glob("*.json")]
    assert len(staged) == 1 and staged[0]["name"] == f"model-{run.id}" and staged[0]["type"] == "model"


def test_logger_online_checkpoint_artifact(online):
    logger = fit(online)
    run = logger.experiment
    run.finish()
    api = runyard.Api()
    r = api.run(f"{api.default_entity}/lit/{run.id}")
    assert r.config["lr"] == 0.05
    assert [x["trainer/global_step"] for x in r.scan_history() if "val_loss" in x] == [3, 7]
    art = api.artifact(f"{api.default_entity}/lit/model-{run.id}:best")
    assert art.type == "model" and [f.path for f in art.files()] == ["model.ckpt"]
    assert art.metadata["original_filename"].endswith(".ckpt")
