"""Pure conversions from what the wandb client sends to runyard record payloads.

The mapping follows the offline importer (`runyard/compat/wandb_convert.py`, sharing `runyard/compat/wandb_map.py`): nested dicts stay
values of their top-level key, wandb's `_wandb` config block is kept under the same reserved key,
system metrics become `system/<name>`, a console line redrawn with carriage returns keeps its last text.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import datetime
from typing import Any

from ...compat.wandb_map import METRIC_GOALS, RESERVED_CONFIG_KEY, SUMMARY_KINDS, cr_text, same

__all__ = [
    "RESERVED_CONFIG_KEY",
    "config_from_wandb",
    "config_to_wandb",
    "console_line",
    "events_sample",
    "file_kind",
    "history_fragment",
    "iso_time",
    "loads",
    "metric_specs",
    "same",
    "summary_diff",
]

INTERNAL = frozenset({"_step", "_timestamp", "_runtime", "_wandb"})
_TS_RE = re.compile(r"^(ERROR )?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) ?(.*)$", re.S)
_ENV_FILES = frozenset(
    {
        "wandb-metadata.json",
        "wandb-summary.json",
        "config.yaml",
        "requirements.txt",
        "output.log",
        "conda-environment.yaml",
        "diff.patch",
    }
)


def loads(text: Any) -> Any:
    """JSON (wandb writes NaN and Infinity as bare words, which json accepts); None for junk."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def config_from_wandb(doc: Any) -> dict[str, Any]:
    """`{"k": {"value": v, "desc": ...}}` -> `{"k": v}`; wandb's `_wandb` block kept as it is."""
    if not isinstance(doc, dict):
        return {}
    out: dict[str, Any] = {}
    for key, item in doc.items():
        out[str(key)] = item.get("value") if isinstance(item, dict) and "value" in item else item
    return out


def config_to_wandb(cfg: dict[str, Any]) -> dict[str, Any]:
    return {key: {"value": value} for key, value in cfg.items()}


def history_fragment(row: Any, fallback_ts: float) -> tuple[int, float, tuple, tuple] | None:
    """One `wandb-history.jsonl` row -> (step, ts, keys, values); None when it is not a row."""
    if not isinstance(row, dict):
        return None
    row = dict(row)
    step = row.pop("_step", None)
    ts = row.pop("_timestamp", None)
    row.pop("_runtime", None)
    if not isinstance(step, int) or isinstance(step, bool):
        return None
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        ts = fallback_ts
    keys = tuple(sorted(row))
    return step, float(ts), keys, tuple(row[key] for key in keys)


def events_sample(row: Any) -> tuple[float, dict[str, float]] | None:
    """One `wandb-events.jsonl` row (`system.cpu`, ...) -> (ts, {"system/cpu": ...})."""
    if not isinstance(row, dict):
        return None
    ts = row.get("_timestamp")
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return None
    sample: dict[str, float] = {}
    for key, value in row.items():
        if key.startswith("_") or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        name = key[len("system.") :] if key.startswith("system.") else key
        sample["system/" + name] = float(value)
    return float(ts), sample


def console_line(raw: Any) -> tuple[float, int, str]:
    """An `output.log` line: `"<ISO time> text"`, `"ERROR <ISO time> text"` (stderr), or the
    structured form `{"level", "ts", "content"}` -> (ts, stream, text)."""
    text = raw if isinstance(raw, str) else str(raw)
    if text.startswith("{"):
        doc = loads(text)
        if isinstance(doc, dict) and "content" in doc:
            stream = 2 if str(doc.get("level") or "").lower() == "error" else 1
            return iso_time(doc.get("ts")), stream, cr_text(str(doc.get("content") or ""))
    match = _TS_RE.match(text)
    if match is None:
        return time.time(), 1, cr_text(text)
    return iso_time(match.group(2)), 2 if match.group(1) else 1, cr_text(match.group(3))


def iso_time(value: Any) -> float:
    """Epoch seconds of an ISO-8601 time (now when it does not parse)."""
    if isinstance(value, str) and value:
        text = value.replace("Z", "+00:00")
        if "." in text:  # Python < 3.11 parses at most 6 fractional digits
            head, _, rest = text.partition(".")
            frac = re.match(r"\d+", rest)
            if frac:
                text = head + "." + frac.group(0)[:6].ljust(6, "0") + rest[frac.end() :]
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            pass
    return time.time()


def summary_diff(shown: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> tuple[dict, list[str]]:
    """The SUMMARY record for wandb's new whole summary `new` (previous one `old`), given what
    runyard's summary already shows (`shown`: last logged values and earlier explicit updates)."""
    update = {
        key: value
        for key, value in new.items()
        if key not in INTERNAL and (key not in shown or not same(shown[key], value))
    }
    remove = [key for key in old if key not in INTERNAL and key not in new and key in shown]
    return update, remove


def metric_specs(wandb_block: Any) -> list[tuple[str, dict[str, Any]]]:
    """`config._wandb.m` (define_metric, keyed by MetricRecord field numbers) -> [(digest, spec)]."""
    metrics = wandb_block.get("m") if isinstance(wandb_block, dict) else None
    if not isinstance(metrics, list):
        return []
    out = []
    for entry in metrics:
        if not isinstance(entry, dict):
            continue
        spec: dict[str, Any] = {}
        if entry.get("2"):
            spec["glob"] = str(entry["2"])
        elif entry.get("1"):
            spec["name"] = str(entry["1"])
        else:
            continue
        opts = entry.get("6") or []
        idx = entry.get("5")
        if (
            isinstance(idx, int)
            and 1 <= idx <= len(metrics)
            and isinstance(metrics[idx - 1], dict)
            and metrics[idx - 1].get("1")
        ):
            spec["step_metric"] = str(metrics[idx - 1]["1"])
            spec["step_sync"] = 1 in opts
        kinds = [
            SUMMARY_KINDS[key - 1]
            for key in entry.get("7") or []
            if isinstance(key, int) and 1 <= key <= len(SUMMARY_KINDS)
        ]
        if kinds:
            spec["summary"] = kinds
        if 2 in opts:
            spec["hidden"] = True
        goal = METRIC_GOALS.get(entry.get("8") or 0)
        if goal:
            spec["goal"] = goal
        digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
        out.append((digest, spec))
    return out


def file_kind(path: str) -> str:
    if path.startswith("media/"):
        return "media"
    if path.startswith("code/"):
        return "code"
    if path in _ENV_FILES:
        return "environment"
    return "user"
