"""A small W&B-style training script: runs unchanged with `import wandb` or `import runyard as wandb`."""

import math
import random

import runyard as wandb

config = {"model": "tiny-mlp", "learning_rate": 3e-4, "batch_size": 64, "epochs": 3}
with wandb.init(project="demo", name=f"lr-{config['learning_rate']}", config=config, tags=["demo"]) as run:
    run.define_metric("eval/accuracy", summary="max")
    step = 0
    for epoch in range(config["epochs"]):
        for _ in range(400):
            loss = 2.0 * math.exp(-step / 300) + random.random() * 0.05
            wandb.log({"train/loss": loss, "train/lr": config["learning_rate"], "epoch": epoch})
            step += 1
        acc = 1 - 0.5 * math.exp(-epoch) - random.random() * 0.02
        wandb.log({"eval/accuracy": acc, "eval/loss": 1 - acc})
        print(f"epoch {epoch}: eval accuracy {acc:.3f}")
