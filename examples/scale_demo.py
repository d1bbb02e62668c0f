"""Write a large offline project for the UI to chew on: N runs x 50 metrics x STEPS steps."""

import argparse
import math
import random

import runyard

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=20)
p.add_argument("--steps", type=int, default=100_000)
p.add_argument("--dir", default=".")
a = p.parse_args()
keys = [f"{section}/m{j:02d}" for section in ("train", "eval", "grad", "perf", "data") for j in range(10)]
for r in range(a.runs):
    rng = random.Random(r)
    run = runyard.init(
        project="scale",
        name=f"scale-{r:02d}",
        dir=a.dir,
        mode="offline",
        reinit="create_new",
        config={"lr": 10 ** rng.uniform(-5, -3), "seed": r, "width": rng.choice([256, 512, 1024])},
        settings=runyard.Settings(silent=True, x_disable_stats=True, console="off"),
    )
    phase = [rng.random() * 6 for _ in keys]
    for s in range(a.steps):
        decay = math.exp(-s / (a.steps / 4))
        runyard.log(
            {
                k: decay * (1 + 0.1 * math.sin(s / 500 + phase[j])) + 0.01 * rng.random()
                for j, k in enumerate(keys)
            },
            step=s,
        )
    run.finish()
