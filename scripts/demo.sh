#!/usr/bin/env bash
# Run the demo training script offline and show what it recorded (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DEMO=${RUNYARD_DEMO_DIR:-demo-runs}
mkdir -p "$DEMO"
(cd "$DEMO" && WANDB_MODE=offline ../$BIN/python ../examples/train_demo.py)
$BIN/runyard runs ls "$DEMO"
$BIN/runyard runs show "$DEMO/runyard/latest-run" --history 3
