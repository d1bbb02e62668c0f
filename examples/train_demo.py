"""A small W&B-style training script: runs unchanged with `import wandb` or `import runyard as wandb`.

DEMO_LR sets the learning rate; DEMO_LIVE=1 makes it a slow run that keeps logging for ~10 minutes;
DEMO_STEPS sets the steps per epoch (400). DEMO_PREP=1 instead logs the dataset artifact the training
runs use. Each training run logs media (prediction images, a predictions table, weight histograms, an
audio sample), uses the dataset and logs its model as an artifact, so every page of the UI has something.
"""

import math
import os
import random
import time

import numpy as np

import runyard as wandb

PROJECT = os.environ.get("DEMO_PROJECT", "demo")
DATASET = "digits-tiny"


def digit_image(label: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """A 28x28 picture of a bar chart of the label's bits: recognisable, cheap, no download."""
    img = rng.normal(30, 25 * noise, (28, 28)).clip(0, 255)
    for bit in range(4):
        if label >> bit & 1:
            img[4:24, 3 + 6 * bit : 7 + 6 * bit] = 220
    return img.astype(np.uint8)


def prepare() -> None:
    with wandb.init(project=PROJECT, name="prepare-data", job_type="dataset", tags=["demo", "data"]) as run:
        rng = np.random.default_rng(0)
        data = wandb.Artifact(DATASET, type="dataset", description="16 synthetic digit images", metadata={"images": 16})
        with data.new_file("labels.csv") as f:
            f.write("file,label\n" + "".join(f"img_{i:02d}.npy,{i % 10}\n" for i in range(16)))
        table = wandb.Table(columns=["image", "label"])
        for i in range(16):
            table.add_data(wandb.Image(digit_image(i % 10, 0.5, rng)), i % 10)
        run.log_artifact(data)
        run.log({"dataset/samples": table})


def train() -> None:
    lr = float(os.environ.get("DEMO_LR", "3e-4"))
    live = os.environ.get("DEMO_LIVE") == "1"
    steps = int(os.environ.get("DEMO_STEPS", "400"))
    config = {
        "model": "tiny-mlp",
        "learning_rate": lr,
        "batch_size": 64,
        "epochs": 3 if not live else 60,
        "optimizer": {"name": "adamw", "betas": [0.9, 0.999]},
    }
    name = f"lr-{lr:g}" + ("-live" if live else "")
    tags = ["demo", "live" if live else "sweep", "fast" if lr >= 1e-3 else "slow"]
    rng = np.random.default_rng(int(lr * 1e6))
    with wandb.init(project=PROJECT, name=name, config=config, tags=tags, group="lr-sweep", job_type="train") as run:
        run.define_metric("eval/accuracy", summary="max")
        try:
            run.use_artifact(f"{DATASET}:latest")
        except Exception as e:  # the dataset run (DEMO_PREP=1) has not been logged to this server
            print(f"no dataset artifact to use: {e}")
        speed = lr / 3e-4
        step = 0
        weights = rng.normal(0, 1, 2000)
        for epoch in range(config["epochs"]):
            for _ in range(steps):
                loss = 2.0 * math.exp(-step * speed / 300) + random.random() * 0.05
                if random.random() < 0.002:
                    loss += 3.0  # the occasional spike a chart must not hide
                wandb.log(
                    {
                        "train/loss": loss,
                        "train/lr": lr * (1 - step / (steps * config["epochs"])),
                        "train/grad_norm": abs(random.gauss(1, 0.3)),
                        "epoch": epoch,
                    }
                )
                step += 1
                if live:
                    time.sleep(0.025)
            acc = 1 - 0.5 * math.exp(-epoch * speed) - random.random() * 0.02
            weights = weights * 0.8 + rng.normal(0, 0.2, weights.size)
            noise = max(0.1, 1 - acc)
            labels = [int(x) for x in rng.integers(0, 10, 8)]
            preds = [y if rng.random() < acc else int(rng.integers(0, 10)) for y in labels]
            images = [digit_image(y, noise, rng) for y in labels]
            table = wandb.Table(columns=["image", "label", "prediction", "confidence"])
            for img, y, p in zip(images, labels, preds):
                table.add_data(wandb.Image(img), y, p, round(float(acc - rng.random() * 0.1), 3))
            wandb.log(
                {
                    "eval/accuracy": acc,
                    "eval/loss": 1 - acc,
                    "eval/predictions": [wandb.Image(img, caption=f"label {y} / pred {p}") for img, y, p in zip(images[:4], labels, preds)],
                    "eval/table": table,
                    "weights/layer1": wandb.Histogram(weights),
                }
            )
            print(f"epoch {epoch}: eval accuracy {acc:.3f}")
        tone = np.sin(2 * np.pi * (220 + 2e5 * lr) * np.arange(8000) / 8000) * np.linspace(1, 0, 8000) * 0.5
        wandb.log({"samples/tone": wandb.Audio(tone.astype(np.float32), sample_rate=8000, caption=f"lr {lr:g}")})
        model = wandb.Artifact("tiny-mlp", type="model", description=f"tiny-mlp trained with lr {lr:g}", metadata={"accuracy": acc})
        with model.new_file("weights.txt") as f:
            f.write(" ".join(f"{w:.4f}" for w in weights[:200]))
        run.log_artifact(model, aliases=[name])


if __name__ == "__main__":
    prepare() if os.environ.get("DEMO_PREP") == "1" else train()
