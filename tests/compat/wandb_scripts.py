"""Scripts run with the official wandb client (in its own venv) to produce real offline runs."""

GOOD = r"""
import sys
import numpy as np
import wandb

run = wandb.init(
    project="imp", entity="alice", name="good-run", group="grp", job_type="train",
    tags=["t1", "t2"], notes="some notes", mode="offline",
    config={"lr": 0.01, "batch": 32, "opt": {"name": "adam", "betas": [0.9, 0.999]}},
)
run.config.update({"dropout": 0.1, "big": "x" * 70000})  # > 2 blocks: FIRST/MIDDLE/LAST chunks
run.define_metric("val/loss", summary="min")
print("hello from the run")
print("second line", flush=True)
for i in range(50):
    if i % 10 == 0:
        wandb.log({"extra/x": i * 10}, commit=False)
    wandb.log({"train/loss": 1.0 / (i + 1), "train/acc": i / 50, "val/loss": 2.0 - i * 0.01, "epoch": i // 10})
wandb.log({"nested": {"a": 1, "b": {"c": 2.5, "d": "text"}}, "flag": True, "none": None})
wandb.log({"explicit": 7}, step=60)
img = wandb.Image(np.arange(16 * 16 * 3, dtype=np.uint8).reshape(16, 16, 3), caption="ramp")
tbl = wandb.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"], [3, "z"]])
hist = wandb.Histogram([1, 2, 2, 3, 3, 3, 4, 4, 5], num_bins=4)
wandb.log({"img": img, "tbl": tbl, "hist": hist}, step=61)
run.summary["best"] = 0.99
print("done", file=sys.stderr)
wandb.finish()
"""

FAIL = r"""
import wandb

run = wandb.init(project="imp", entity="alice", name="bad-run", mode="offline", config={"k": 1})
for i in range(5):
    wandb.log({"loss": float(i)})
print("about to fail")
raise RuntimeError("boom")
"""

# Decodes a .wandb file with wandb's own protobuf classes (run in the wandb venv): an independent
# check of runyard's hand-written decoder. Prints {"rows": [...], "summary": {...}, "config": {...}}.
DECODE = r"""
import json, struct, sys, zlib
from wandb.proto import wandb_internal_pb2 as pb

data = open(sys.argv[1], "rb").read()
pos, buf, records = 7, b"", []
while pos < len(data):
    room = 32768 - pos % 32768
    if room < 7:
        pos += room
        continue
    crc, n, t = struct.unpack_from("<IHB", data, pos)
    payload = data[pos + 7 : pos + 7 + n]
    assert zlib.crc32(bytes([t]) + payload) == crc
    pos += 7 + n
    buf += payload
    if t in (1, 4):
        r = pb.Record()
        r.ParseFromString(buf)
        records.append(r)
        buf = b""

def put(d, path, v):
    for p in path[:-1]:
        d = d.setdefault(p, {})
    d[path[-1]] = v

rows, summary, config = [], {}, {}
for r in records:
    kind = r.WhichOneof("record_type")
    if kind == "history":
        row = {}
        for it in r.history.item:
            put(row, list(it.nested_key) or [it.key], json.loads(it.value_json))
        rows.append(row)
    elif kind == "summary":
        for it in r.summary.update:
            put(summary, list(it.nested_key) or [it.key], json.loads(it.value_json))
    elif kind in ("config", "run"):
        cfg = r.config if kind == "config" else r.run.config
        for it in cfg.update:
            put(config, list(it.nested_key) or [it.key], json.loads(it.value_json))
print(json.dumps({"rows": rows, "summary": summary, "config": config}))
"""
