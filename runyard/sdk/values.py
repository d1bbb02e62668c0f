"""Turning what users pass to `log()` and `config` into plain values the run log can store.

The hot path of `log()` never comes here: dicts of plain floats and ints are stored as they are.
This module handles the rest (numpy/torch scalars and arrays, nested dicts, media objects) and
rejects what cannot be stored with an error that names the key and the type.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import math
import os
from argparse import Namespace
from collections.abc import Mapping
from typing import Any

RESERVED_KEYS = frozenset({"_step", "_runtime", "_timestamp"})
SMALL_ARRAY = 32  # arrays up to this many elements are stored as lists, larger as a histogram (as wandb)
HISTOGRAM_BINS = 64


class LogValueError(TypeError):
    """A value given to log() cannot be stored; the message names the key."""


def check_keys(keys: tuple) -> None:
    for k in keys:
        if type(k) is not str:
            raise LogValueError(f"runyard.log: keys must be strings, got {k!r} ({type(k).__name__})")
        if not k:
            raise LogValueError("runyard.log: an empty string is not a valid metric key")
        if k in RESERVED_KEYS:
            raise LogValueError(
                f"runyard.log: key {k!r} is reserved for runyard's own columns; use another name"
            )


def _array_like(v: Any) -> bool:
    mod = type(v).__module__ or ""
    return mod.startswith(("numpy", "torch", "jax", "tensorflow")) and hasattr(v, "shape")


def _to_numpy(v: Any) -> Any:
    import numpy as np

    if hasattr(v, "detach"):  # torch: leave the graph and the device without importing torch
        v = v.detach()
        if hasattr(v, "cpu"):
            v = v.cpu()
    return np.asarray(v)


def histogram_of(arr: Any, bins: int = HISTOGRAM_BINS) -> dict:
    import numpy as np

    a = np.asarray(arr, dtype="float64").ravel()
    a = a[np.isfinite(a)]
    counts, edges = (
        np.histogram(a, bins=bins) if a.size else (np.zeros(bins, dtype=int), np.linspace(0, 1, bins + 1))
    )
    return {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


NOT_SCALAR = object()
_SCALARS = (bool, int, float, str)  # bool before int: True is an int too


def plain_scalar(v: Any) -> Any:
    """A subclass of bool/int/float/str (numpy.float64, an IntEnum, ...) as the plain Python value, else NOT_SCALAR."""
    for t in _SCALARS:
        if isinstance(v, t):
            return t(v)
    return NOT_SCALAR


def normalize_log_value(key: str, v: Any, run: Any = None, step: int | None = None) -> Any:
    t = type(v)
    if t is float or t is int or t is str or t is bool or v is None:
        return v
    hook = getattr(v, "_runyard_log_value", None)
    if hook is not None:  # media objects (Image, Table, ...) serialise themselves
        return hook(run, key, step)
    plain = plain_scalar(v)
    if plain is not NOT_SCALAR:
        return plain
    if _array_like(v):
        a = _to_numpy(v)
        if a.ndim == 0:
            return a.item()
        if a.dtype.kind in "biuf" and a.size > SMALL_ARRAY:
            return histogram_of(a)
        return a.tolist()
    if isinstance(v, Mapping):
        return {str(k): normalize_log_value(f"{key}.{k}", x, run, step) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        seq_hook = getattr(v[0], "_runyard_log_sequence", None) if v else None
        if seq_hook is not None:  # a list of media under one key (wandb's images/separated, ...)
            return seq_hook(v, run, key, step)
        return [normalize_log_value(key, x, run, step) for x in v]
    item = getattr(v, "item", None)
    if callable(item) and type(v).__module__.startswith("numpy"):
        return item()
    mod = type(v).__module__ or ""
    if mod.startswith(("matplotlib", "plotly")) or getattr(v, "__name__", None) == "matplotlib.pyplot":
        from .media.plotly import figure_to_media

        media = figure_to_media(v)  # matplotlib -> Image (PNG), plotly -> Plotly (JSON)
        if media is not None:
            return media._runyard_log_value(run, key, step)
    raise LogValueError(
        f"runyard.log: value for key {key!r} has type {type(v).__module__}.{type(v).__qualname__}, which runyard "
        "cannot store; log numbers, strings, bools, None, lists, dicts, numpy/torch values or runyard media objects"
    )


def normalize_config_value(v: Any) -> Any:
    """Config values must survive a round trip through the run log and the server's JSON."""
    t = type(v)
    if t is float or t is int or t is str or t is bool or v is None:
        return v
    if isinstance(v, enum.Enum):
        return normalize_config_value(v.value)
    plain = plain_scalar(v)
    if plain is not NOT_SCALAR:
        return plain
    if isinstance(v, Namespace):
        return {k: normalize_config_value(x) for k, x in vars(v).items()}
    if isinstance(v, Mapping):
        return {str(k): normalize_config_value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [normalize_config_value(x) for x in v]
    if isinstance(v, (set, frozenset)):
        items = [normalize_config_value(x) for x in v]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return normalize_config_value(dataclasses.asdict(v))
    if _array_like(v):
        a = _to_numpy(v)
        return a.item() if a.size == 1 and a.ndim == 0 else a.tolist()
    item = getattr(v, "item", None)
    if callable(item):
        try:
            return normalize_config_value(item())
        except Exception:
            pass
    if isinstance(v, type):
        return f"{v.__module__}.{v.__qualname__}"
    return str(v)


def values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b
