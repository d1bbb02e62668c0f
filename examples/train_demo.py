"""A small W&B-style training script: runs unchanged with `import wandb` or `import runyard as wandb`.

DEMO_LR sets the learning rate; DEMO_LIVE=1 makes it a slow run that keeps logging for ~10 minutes.
"""

import math
import os
import random
import time

import runyard as wandb

lr = float(os.environ.get("DEMO_LR", "3e-4"))
live = os.environ.get("DEMO_LIVE") == "1"
config = {
    "model": "tiny-mlp",
    "learning_rate": lr,
    "batch_size": 64,
    "epochs": 3 if not live else 60,
    "optimizer": {"name": "adamw", "betas": [0.9, 0.999]},
}
name = f"lr-{lr:g}" + ("-live" if live else "")
with wandb.init(project="demo", name=name, config=config, tags=["demo"] + (["live"] if live else [])) as run:
    run.define_metric("eval/accuracy", summary="max")
    speed = lr / 3e-4
    step = 0
    for epoch in range(config["epochs"]):
        for _ in range(400):
            loss = 2.0 * math.exp(-step * speed / 300) + random.random() * 0.05
            if random.random() < 0.002:
                loss += 3.0  # the occasional spike a chart must not hide
            wandb.log(
                {
                    "train/loss": loss,
                    "train/lr": lr * (1 - step / 1200 / config["epochs"] * 3),
                    "train/grad_norm": abs(random.gauss(1, 0.3)),
                    "epoch": epoch,
                }
            )
            step += 1
            if live:
                time.sleep(0.025)
        acc = 1 - 0.5 * math.exp(-epoch * speed) - random.random() * 0.02
        wandb.log({"eval/accuracy": acc, "eval/loss": 1 - acc})
        print(f"epoch {epoch}: eval accuracy {acc:.3f}")
