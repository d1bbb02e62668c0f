"""Make run-log values storable as JSON on both databases.

JSON has no NaN/Infinity (SQLite's json functions and PostgreSQL's JSONB reject them) and
PostgreSQL text cannot hold NUL, so non-finite floats become the strings "NaN", "Infinity",
"-Infinity" (what JavaScript's Number() parses), NUL becomes U+FFFD, bytes become a short marker.
"""

from __future__ import annotations

import math
from typing import Any

NONFINITE = {"NaN", "Infinity", "-Infinity"}


def safe_float(v: float) -> float | str:
    if math.isfinite(v):
        return v
    return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")


def safe_str(s: str) -> str:
    return s.replace("\x00", "\ufffd") if "\x00" in s else s


def jsonable(obj: Any) -> Any:
    t = type(obj)
    if t is float:
        return safe_float(obj)
    if t is str:
        return safe_str(obj)
    if obj is None or t is bool or t is int:
        return obj
    if isinstance(obj, dict):
        return {safe_str(str(k)): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return f"<{len(obj)} bytes>"
    if isinstance(obj, float):
        return safe_float(float(obj))
    if isinstance(obj, int):
        return int(obj)
    return safe_str(str(obj))
