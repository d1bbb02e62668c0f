"""A real transformers Trainer (tiny random GPT-2 from a config, 4 steps) with RunyardCallback."""

from __future__ import annotations

from pathlib import Path

import pytest

import runyard
from runyard.runlog import read

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

pytestmark = [
    # transformers and torch emit deprecation and user warnings of their own (not ours) while training
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]


def train(output_dir: Path, **callback_kw) -> None:
    from runyard.integration.huggingface import RunyardCallback

    torch.manual_seed(0)
    cfg = transformers.GPT2Config(
        n_layer=1, n_head=2, n_embd=32, n_positions=16, vocab_size=64, bos_token_id=0, eos_token_id=0
    )
    model = transformers.GPT2LMHeadModel(cfg)
    ids = torch.randint(0, 64, (8, 16))
    data = [{"input_ids": x, "labels": x} for x in ids]
    args = transformers.TrainingArguments(
        output_dir=str(output_dir),
        max_steps=4,
        per_device_train_batch_size=2,
        per_device_eval_batch_size=4,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=2,
        save_strategy="steps",
        save_steps=2,
        learning_rate=1e-3,
        report_to="none",
        use_cpu=True,
        run_name="tiny-gpt2",
        disable_tqdm=True,
    )
    trainer = transformers.Trainer(
        model=model,
        args=args,
        train_dataset=data,
        eval_dataset=data[:4],
        callbacks=[RunyardCallback(**callback_kw)],
    )
    trainer.train()


def test_native_callback_offline_config_metrics_checkpoints(offline):
    train(offline / "out", log_model="checkpoint", watch="gradients", watch_log_freq=2)
    run = runyard.run
    assert run is not None
    run.finish()
    rd = read(run.sync_dir)
    assert rd.config["n_embd"] == 32 and rd.config["max_steps"] == 4 and rd.config["learning_rate"] == 1e-3
    assert rd.config["model/num_parameters"] > 0
    rows = rd.history()
    train_steps = [r["train/global_step"] for r in rows if "train/loss" in r]
    eval_steps = [r["train/global_step"] for r in rows if "eval/loss" in r]
    assert train_steps == [1, 2, 3, 4] and eval_steps == [2, 4]
    assert "train_runtime" in rd.summary
    grads = [r for r in rows if "gradients/transformer.h.0.attn.c_attn.weight" in r]
    assert (
        len(grads) == 2 and grads[0]["gradients/transformer.h.0.attn.c_attn.weight"]["_type"] == "histogram"
    )
    staged = sorted(p.read_text() for p in (Path(run.sync_dir) / "artifacts").glob("*.json"))
    assert len(staged) == 2 and all(f"model-{run.id}" in s for s in staged)
    assert any("checkpoint_global_step_4" in s for s in staged)


def test_native_callback_online_model_at_end(online):
    train(online / "out", log_model="end", watch="gradients", watch_log_freq=2)
    run = runyard.run
    assert run is not None
    run.finish()
    api = runyard.Api()
    r = api.run(f"{api.default_entity}/huggingface/{run.id}")
    assert r.config["n_layer"] == 1 and r.config["per_device_train_batch_size"] == 2
    rows = [x for x in r.scan_history() if "train/loss" in x]
    assert [x["train/global_step"] for x in rows] == [1, 2, 3, 4]
    grads = [x for x in r.scan_history() if "gradients/transformer.h.0.attn.c_attn.weight" in x]
    assert (
        len(grads) == 2 and grads[0]["gradients/transformer.h.0.attn.c_attn.weight"]["_type"] == "histogram"
    )
    art = api.artifact(f"{api.default_entity}/huggingface/model-{run.id}:latest")
    assert art.type == "model"
    assert {"config.json", "model.safetensors"} <= {f.path for f in art.files()}
