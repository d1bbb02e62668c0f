"""Bounds the store enforces on client input; the server fills them from its settings (server/config.py).

Each one stops a request from costing the server more than its size suggests: a deep JSON document
(recursion), a long or pathological regex, a query that runs for minutes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Limits:
    max_json_depth: int = 64  # nesting of JSON values: request bodies, filters, config, summary, records
    max_regex_length: int = 512  # characters of a `$regex` pattern in a run filter
    query_timeout_s: float = 30.0  # one read statement; 0 turns the limit off


def is_int64(v: object) -> bool:
    return type(v) is int and INT64_MIN <= v <= INT64_MAX  # type: ignore[operator]


def json_depth_error(obj: object, max_depth: int, depth: int = 1) -> str | None:
    """Why `obj`, itself at nesting level `depth`, nests deeper than `max_depth` containers (None when
    it does not). Iterative, so a document that would overflow Python's stack is measured without
    recursing."""
    stack = [(obj, depth)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            children: Iterable[object] = v.values()
        elif isinstance(v, (list, tuple)):
            children = v
        else:
            continue
        if d > max_depth:
            return f"a value nests deeper than {max_depth} levels of objects and arrays"
        stack.extend((c, d + 1) for c in children)
    return None


def _int64(text: str) -> int:
    v = int(text)
    if not INT64_MIN <= v <= INT64_MAX:
        raise ValueError(
            f"the integer {text[:30]}{'...' if len(text) > 30 else ''} is outside the 64-bit range"
        )
    return v


def load_json(raw: str | bytes | bytearray, max_depth: int) -> object:
    """`json.loads` for what a client sends: a ValueError naming the problem for documents nested
    deeper than `max_depth` (the standard parser would raise RecursionError, or build them) and for
    integers no database column holds (beyond 64 bits)."""
    try:
        doc = json.loads(raw, parse_int=_int64)
    except RecursionError:
        raise ValueError(f"a value nests deeper than {max_depth} levels of objects and arrays") from None
    err = json_depth_error(doc, max_depth)
    if err:
        raise ValueError(err)
    return doc
