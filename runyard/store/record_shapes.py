"""The shape every run-log record must have before ingest applies it (docs/run-log-format.md).

Ingest trusts nothing a client uploads: each payload is checked here, once, before any of it reaches
the database, so a well-framed but malformed record is a 400 naming the field, never a 500 later.
Numbers are int64 integers or finite floats (`seq`, `step`, timestamps, exit codes), text is text,
lists and maps are what the format says, and no value nests deeper than `Limits.max_json_depth`.
Only the fields ingest stores or computes with are checked (an alert's or an artifact's free-form
fields are stored as JSON whatever they hold); unknown record types are skipped by the applier.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..wire.history_codec import COL_ANY, HistoryBatch
from ..wire.records import RT
from .limits import Limits, is_int64, json_depth_error
from .runs import STATES


class RecordError(ValueError):
    """A record whose fields do not have the format's types; the message names the field."""


Check = Callable[[Any], bool]


def _int(v: Any) -> bool:
    return is_int64(v)


def _num(v: Any) -> bool:
    return is_int64(v) or (type(v) is float and math.isfinite(v))


def _str(v: Any) -> bool:
    return isinstance(v, str)


def _list_of(check: Check) -> Check:
    return lambda v: isinstance(v, list) and all(check(x) for x in v)


def _tuple(*checks: Check) -> Check:
    return lambda v: isinstance(v, list) and len(v) == len(checks) and all(c(x) for c, x in zip(checks, v))


def _dict(v: Any) -> bool:
    return isinstance(v, dict)


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


_TEXT = ("a string", _str)
_NUMBER = ("a finite number", _num)
_INT = ("a 64-bit integer", _int)
_MAP = ("a map", _dict)
_TAGS = ("a list of strings", _list_of(_str))

# field -> (what it must be, check); None is allowed for every field (absent)
SHAPES: dict[int, dict[str, tuple[str, Check]]] = {
    RT.RUN: {
        "run_id": _TEXT,
        "segment": _TEXT,
        **dict.fromkeys(
            (
                "project",
                "entity",
                "name",
                "group",
                "job_type",
                "notes",
                "mode",
                "sweep_id",
                "sdk",
                "program",
                "host",
            ),
            _TEXT,
        ),
        "tags": _TAGS,
        "start_time": _NUMBER,
        "starting_step": _INT,
        "resumed": ("true or false", _bool),
    },
    RT.CONFIG: {"update": _MAP, "remove": _TAGS},
    RT.SUMMARY: {"update": _MAP, "remove": ("a list", lambda v: isinstance(v, list))},
    RT.SYSTEM: {"samples": ("a list of [seq, ts, {name: value}]", _list_of(_tuple(_int, _num, _dict)))},
    RT.CONSOLE: {"lines": ("a list of [seq, ts, stream, text]", _list_of(_tuple(_int, _num, _int, _str)))},
    RT.FILES: {"files": ("a list of {path, ...}", _list_of(lambda f: _dict(f) and _str(f.get("path"))))},
    RT.METRIC: {"name": _TEXT, "glob": _TEXT, "step_metric": _TEXT},
    RT.ENVIRONMENT: {"metadata": _MAP},
    RT.EXIT: {
        "exit_code": _INT,
        "state": (f"one of {', '.join(STATES)}", lambda v: v in STATES),
        "end_time": _NUMBER,
        "runtime": _NUMBER,
    },
    RT.RUN_UPDATE: {"name": _TEXT, "notes": _TEXT, "tags": _TAGS, "flags": _MAP},
}


def check_record(rtype: int, body: dict, limits: Limits) -> None:
    """Raise RecordError naming the first field of `body` (a decoded payload) that is malformed."""
    name = RT(rtype).name if rtype in RT._value2member_map_ else str(rtype)
    for part, depth in _nesting(rtype, body):
        err = json_depth_error(part, limits.max_json_depth + 1, depth)  # +1: the payload map itself
        if err:
            raise RecordError(f"{name} record: {err}")
    seq = body.get("seq")  # HISTORY's is a column, checked by HistoryBatch
    if rtype != RT.HISTORY and seq is not None and not is_int64(seq):
        raise RecordError(f"{name} record: seq must be a 64-bit integer, not {_show(seq)}")
    for field, (what, ok) in SHAPES.get(rtype, {}).items():
        v = body.get(field)
        if v is not None and not ok(v):
            raise RecordError(f"{name} record: {field} must be {what}, not {_show(v)}")


def _nesting(rtype: int, body: dict) -> list[tuple[object, int]]:
    """The parts of a record that may nest, with their level: a HISTORY batch shaped as HistoryBatch
    reads it has only its untyped columns' values (payload, groups, group, columns, column, values:
    level 6); everything else of it is checked flat there, and its typed columns are bytes. Walking
    every key and column of each batch was ~5 % of the server's ingest CPU. Any other record whole."""
    if rtype == RT.HISTORY:
        groups = body.get("groups")
        if isinstance(groups, list) and all(
            isinstance(g, list) and len(g) == 4 and isinstance(g[3], list) for g in groups
        ):
            parts: list[tuple[object, int]] = []
            for g in groups:
                for c in g[3]:
                    if not (isinstance(c, list) and len(c) == 2):
                        parts.append((c, 5))  # not a column: HistoryBatch refuses it, measured anyway
                    elif c[0] == COL_ANY:
                        parts.append((c[1], 6))
            return parts
    return [(body, 1)]


def check_history(batch: HistoryBatch) -> None:
    """Timestamps of a decoded HISTORY batch are finite (counts and ints were checked decoding it)."""
    if batch.n and not np.isfinite(np.frombuffer(batch.ts, dtype=np.float64)).all():
        raise RecordError("HISTORY record: timestamps must be finite numbers")


def _show(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."
