"""TRL's SFTTrainer and DPOTrainer with report_to="wandb" through the shim (route 2): an unchanged TRL
script reaches runyard (offline, and online against a real server on SQLite and PostgreSQL), with the
trainer's config and its loss at each step. A tiny GPT-2 built from a
config, a word-level tokenizer built in the script, a synthetic dataset: nothing is downloaded."""

from __future__ import annotations

import pytest

import runyard
from runyard.runlog import find_run_dirs, read

from .test_wandb_shim import run_script, shim_dir  # noqa: F401  (fixture)

pytest.importorskip("trl")
pytest.importorskip("datasets")

TINY = """
import torch, transformers, datasets, trl
from tokenizers import Tokenizer, models, pre_tokenizers
torch.manual_seed(0)
vocab = {w: i for i, w in enumerate(["[PAD]", "[EOS]", "a", "b", "c", "d"])}
tok = Tokenizer(models.WordLevel(vocab, unk_token="[PAD]"))
tok.pre_tokenizer = pre_tokenizers.Whitespace()
ptok = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", eos_token="[EOS]")
cfg = transformers.GPT2Config(n_layer=1, n_head=2, n_embd=32, n_positions=32, vocab_size=6,
    bos_token_id=1, eos_token_id=1, pad_token_id=0)
"""

SFT_SCRIPT = (
    TINY
    + """
data = datasets.Dataset.from_dict({"text": ["a b c d", "d c b a", "a a b b"] * 4})
args = trl.SFTConfig(output_dir="out", max_steps=3, per_device_train_batch_size=2, logging_steps=1,
    report_to="wandb", use_cpu=True, run_name="trl-sft", disable_tqdm=True, max_length=16, save_strategy="no")
trl.SFTTrainer(model=transformers.GPT2LMHeadModel(cfg), args=args, train_dataset=data, processing_class=ptok).train()
import wandb, runyard
assert wandb.run is runyard.run and wandb.run is not None
wandb.finish()
"""
)


def test_trl_sft_trainer_report_to_wandb_reaches_runyard(shim_dir, tmp_path):  # noqa: F811
    run_script(SFT_SCRIPT, shim_dir, tmp_path)
    (run_dir,) = find_run_dirs(tmp_path)
    rd = read(run_dir)
    assert rd.config["max_steps"] == 3 and rd.config["n_embd"] == 32 and rd.config["max_length"] == 16
    rows = rd.history()
    assert [r["train/global_step"] for r in rows if "train/loss" in r] == [1, 2, 3]


def test_trl_sft_trainer_online_with_checkpoint(shim_dir, online, home):  # noqa: F811
    """Online, with WANDB_LOG_MODEL=checkpoint: the config, the loss at each step and the step-3
    checkpoint as a version of the run's model artifact, on the server."""
    script = SFT_SCRIPT.replace('save_strategy="no"', 'save_strategy="steps", save_steps=3')
    run_script(
        script,
        shim_dir,
        online,
        RUNYARD_MODE="online",
        RUNYARD_HOME=str(home),
        WANDB_PROJECT="trl",
        WANDB_LOG_MODEL="checkpoint",
    )
    api = runyard.Api()
    (r,) = list(api.runs(f"{api.default_entity}/trl"))
    assert r.name == "trl-sft" and r.config["max_length"] == 16 and r.config["n_embd"] == 32
    assert [x["train/global_step"] for x in r.scan_history() if "train/loss" in x] == [1, 2, 3]
    art = api.artifact(f"{api.default_entity}/trl/model-trl-sft:checkpoint_global_step_3")
    assert art.type == "model" and "model.safetensors" in {f.path for f in art.files()}


DPO_SCRIPT = (
    TINY
    + """
data = datasets.Dataset.from_dict({"prompt": ["a b", "c d", "a c"] * 4, "chosen": [" c d", " a b", " b d"] * 4,
    "rejected": [" d d", " c c", " a a"] * 4})
args = trl.DPOConfig(output_dir="out", max_steps=3, per_device_train_batch_size=2, logging_steps=1, beta=0.25,
    report_to="wandb", use_cpu=True, run_name="trl-dpo", disable_tqdm=True, max_length=16, save_strategy="no")
trl.DPOTrainer(model=transformers.GPT2LMHeadModel(cfg), ref_model=transformers.GPT2LMHeadModel(cfg), args=args,
    train_dataset=data, processing_class=ptok).train()
import wandb, runyard
assert wandb.run is runyard.run and wandb.run is not None
wandb.finish()
"""
)


def test_trl_dpo_trainer_report_to_wandb_reaches_runyard(shim_dir, tmp_path):  # noqa: F811
    """DPO's own metrics (rewards, log-probabilities) are logged with the loss, at each step."""
    run_script(DPO_SCRIPT, shim_dir, tmp_path)
    (run_dir,) = find_run_dirs(tmp_path)
    rd = read(run_dir)
    assert rd.config["beta"] == 0.25 and rd.config["max_steps"] == 3 and rd.config["n_embd"] == 32
    rows = [r for r in rd.history() if "train/loss" in r]
    assert [r["train/global_step"] for r in rows] == [1, 2, 3]
    assert all("train/rewards/chosen" in r and "train/rewards/margins" in r for r in rows), rows[0]


def test_trl_dpo_trainer_online(shim_dir, online, home):  # noqa: F811
    """The same DPO script online: its config and DPO's metrics at each step are on the server."""
    run_script(
        DPO_SCRIPT, shim_dir, online, RUNYARD_MODE="online", RUNYARD_HOME=str(home), WANDB_PROJECT="dpo"
    )
    api = runyard.Api()
    (r,) = list(api.runs(f"{api.default_entity}/dpo"))
    assert r.name == "trl-dpo" and r.config["beta"] == 0.25 and r.config["n_embd"] == 32
    rows = [x for x in r.scan_history() if "train/loss" in x]
    assert [x["train/global_step"] for x in rows] == [1, 2, 3]
    assert all("train/rewards/chosen" in x and "train/rewards/margins" in x for x in rows), rows[0]
    assert "train/rewards/margins" in r.summary
