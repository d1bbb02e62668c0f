"""What the offline importer and the server's wandb protocol layer both need to map wandb's data.

Kept free of SDK and server imports so both sides can use it without depending on each other.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any

# wandb keeps its own block in the run config under this key; runyard stores it unchanged.
RESERVED_CONFIG_KEY = "_wandb"


def same(a: Any, b: Any) -> bool:
    """Equal as wandb would show them (1 == 1.0, but True != 1; NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def cr_text(line: str) -> str:
    """What a terminal shows for a line redrawn with carriage returns: the text after the last one."""
    if "\r" not in line:
        return line
    parts = [p for p in line.split("\r") if p]
    return parts[-1] if parts else ""


def timestamp_seconds(t: dict | None) -> float | None:
    """A protobuf Timestamp (`{"seconds", "nanos"}`) as epoch seconds; None when absent."""
    if not t:
        return None
    return int(t.get("seconds") or 0) + int(t.get("nanos") or 0) / 1e9


# define_metric: wandb's summary options in the order of their enum numbers (1 = min, ...), and goals.
SUMMARY_KINDS = ("min", "max", "mean", "best", "last", "none", "copy", "first")
METRIC_GOALS = {1: "minimize", 2: "maximize"}


# The run's environment as runyard's ENVIRONMENT keys (docs/run-log-format.md). wandb sends it in two
# forms with different spellings: the EnvironmentRecord of a `.wandb` file ("record") and the
# `wandb-metadata.json` file the online client uploads ("metadata").
# runyard key: (EnvironmentRecord field, wandb-metadata.json key)
_ENVIRONMENT_FIELDS = {
    "program": ("program", "program"),
    "os": ("os", "os"),
    "host": ("host", "host"),
    "username": ("username", "username"),
    "executable": ("executable", "executable"),
    "root": ("root", "root"),
    "code_path": ("code_path", "codePath"),
    "program_relpath": ("code_path_local", "codePathLocal"),
    "docker": ("docker", "docker"),
    "colab": ("colab", "colab"),
    "gpu_type": ("gpu_type", "gpu"),
    "gpu_count": ("gpu_count", "gpu_count"),
    "cuda_version": ("cuda_version", "cudaVersion"),
    "cpu_count": ("cpu_count", "cpu_count"),
    "cpu_count_logical": ("cpu_count_logical", "cpu_count_logical"),
}
_GPU_FIELDS = {
    "name": ("name", "name"),
    "uuid": ("uuid", "uuid"),
    "memory_total_bytes": ("memory_total", "memoryTotal"),
    "cuda_cores": ("cuda_cores", "cudaCores"),
    "architecture": ("architecture", "architecture"),
}
_GIT_REMOTE = ("remote_url", "remote")
_STARTED_AT = ("started_at", "startedAt")
_PYTHON_RE = re.compile(r"^(\w+) (\d+\.\d+\S*)$")  # "CPython 3.11.4"


def environment_from_wandb(doc: Any, form: str) -> dict[str, Any]:
    """wandb's environment (`form` "record" or "metadata", see above) in runyard's ENVIRONMENT keys."""
    if not isinstance(doc, dict):
        return {}
    col = 0 if form == "record" else 1
    meta: dict[str, Any] = {}
    for dst, names in _ENVIRONMENT_FIELDS.items():
        if doc.get(names[col]) not in (None, ""):
            meta[dst] = doc[names[col]]
    if isinstance(doc.get("args"), (list, tuple)) and doc["args"]:
        meta["args"] = [str(a) for a in doc["args"]]
    py = doc.get("python")
    if isinstance(py, str) and py:
        m = _PYTHON_RE.match(py)
        if m:
            meta["python_implementation"], meta["python"] = m.group(1), m.group(2)
        else:
            meta["python"] = py
    started = doc.get(_STARTED_AT[col])
    if isinstance(started, dict):  # a protobuf Timestamp
        secs = timestamp_seconds(started)
        if secs is not None:
            started = datetime.fromtimestamp(secs, timezone.utc).isoformat(timespec="milliseconds")
    if started not in (None, "", {}):
        meta["started_at"] = started
    git = doc.get("git")
    if isinstance(git, dict) and (git.get("commit") or git.get(_GIT_REMOTE[col])):
        meta["git"] = {"commit": git.get("commit") or None, "remote": git.get(_GIT_REMOTE[col]) or None}
    cpu = doc.get("cpu")
    if isinstance(cpu, dict) and cpu.get("model"):
        meta["cpu_model"] = cpu["model"]
    memory = doc.get("memory")
    if isinstance(memory, dict) and memory.get("total"):
        meta["memory_total_bytes"] = _int(memory["total"])
    disk = doc.get("disk")
    if isinstance(disk, list):  # the record: [{"key": "/", "value": {"total": ...}}]
        disk = {d.get("key"): d.get("value") for d in disk if isinstance(d, dict)}
    root_disk = disk.get("/") if isinstance(disk, dict) else None
    if isinstance(root_disk, dict) and root_disk.get("total"):
        meta["disk_total_bytes"] = _int(root_disk["total"])
    gpus = doc.get("gpu_nvidia")
    if isinstance(gpus, list) and gpus:
        meta["gpu"] = [
            {
                dst: _int(g[names[col]]) if dst == "memory_total_bytes" else g[names[col]]
                for dst, names in _GPU_FIELDS.items()
                if names[col] in g
            }
            for g in gpus
            if isinstance(g, dict)
        ]
    return meta


def _int(v: Any) -> Any:
    try:
        return int(v)
    except (TypeError, ValueError):
        return v
