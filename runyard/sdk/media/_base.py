"""What every media type shares: the log hook, file naming, errors, lazy optional imports."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
import warnings
from typing import Any

from ...errors import UsageError
from ...wire.hashing import sha256_file
from ._store import MediaStore, store_for

MEDIA_HINT = 'pip install "runyard[media]"'
VIDEO_HINT = 'pip install "runyard[video]"'


class MediaError(UsageError, ValueError):
    """Bad input for a media type (wrong shape, NaN pixels, missing file, ...).

    A `runyard.UsageError` and a `ValueError` (what wandb raises), so either `except` works.
    """


class MissingDependency(UsageError, ImportError):
    """An optional dependency (Pillow, imageio, pandas, ...) is needed for this input."""


def require_pillow(what: str) -> Any:
    try:
        from PIL import Image as PILImage
    except ImportError:
        raise MissingDependency(
            f"{what} needs Pillow, which is not installed. Install it with: {MEDIA_HINT}"
        ) from None
    return PILImage


def warn(msg: str) -> None:
    """A warning about user input, attributed to the first line outside runyard (the user's call)."""
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("runyard."):
        frame = frame.f_back
        level += 1
    warnings.warn(f"runyard: {msg}", UserWarning, stacklevel=level)


# -- input helpers --------------------------------------------------------------------------------
def type_module(v: Any) -> str:
    return type(v).__module__ or ""


def is_tensor_like(v: Any) -> bool:
    """numpy arrays, torch/jax/tensorflow tensors: detected by module name, nothing is imported."""
    return type_module(v).startswith(("numpy", "torch", "jax", "jaxlib", "tensorflow")) and hasattr(
        v, "shape"
    )


def to_numpy(v: Any) -> Any:
    """A numpy array from a numpy/torch/jax/tf array or a (nested) list. Imports numpy only."""
    import numpy as np

    mod = type_module(v)
    if mod.startswith("torch"):
        v = v.detach()
        if getattr(v, "device", None) is not None and str(v.device) != "cpu":
            v = v.cpu()
        if str(getattr(v, "dtype", "")) in ("torch.bfloat16", "torch.float16"):
            v = v.float()
        return v.numpy()
    if mod.startswith("tensorflow") and hasattr(v, "numpy"):
        return v.numpy()
    return np.asarray(v)


def check_finite(a: Any, what: str) -> None:
    import numpy as np

    if a.dtype.kind in "fc" and a.size and not np.isfinite(a).all():
        bad = "NaN" if np.isnan(a).any() else "infinite"
        raise MediaError(f"{what} contains {bad} values; replace them (e.g. np.nan_to_num) before logging")


def is_path(v: Any) -> bool:
    return isinstance(v, (str, os.PathLike))


def existing_file(path: Any, what: str) -> str:
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise MediaError(f"{what}: file not found: {p!r}")
    return p


def file_sha256(path: str) -> tuple[str, int]:
    return sha256_file(path), os.path.getsize(path)


def _clean_json(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _clean_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean_json(x) for x in v]
    return v


def json_bytes(obj: Any) -> bytes:
    """Standard JSON (NaN and infinities become null: browsers cannot parse them), UTF-8."""
    try:
        s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        s = json.dumps(_clean_json(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return s.encode("utf-8")


# -- file naming ----------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\\:*?"<>|\x00-\x1f]')
_key_cache: dict[str, str] = {}


def safe_key(key: str) -> str:
    """The key as a relative path: '/' makes folders (as in wandb); nothing can leave media/."""
    s = _key_cache.get(key)
    if s is None:
        parts = [_UNSAFE.sub("_", p) for p in str(key).split("/")]
        s = "/".join("_" if p in ("", ".", "..") else p for p in parts)
        if len(_key_cache) < 4096:
            _key_cache[key] = s
    return s


class LogContext:
    """Where one logged value's files go: `media/<kind>/<key>_<step>_<sha256[:20]>.<ext>`."""

    __slots__ = ("key", "run", "skey", "step", "store")

    def __init__(self, run: Any, key: str, step: Any):
        if run is None:  # run.summary[...] = media: the summary does not pass its run
            from .. import state

            run = state.current()
        self.run = run
        self.key = key
        self.step = "summary" if step is None else step
        self.skey = safe_key(key)
        self.store: MediaStore | None = store_for(run)

    def rel(self, kind: str, sha: str, ext: str) -> str:
        return f"media/{kind}/{self.skey}_{self.step}_{sha[:20]}.{ext}"

    def put(self, kind: str, ext: str, data: bytes, sha: str | None = None) -> dict:
        sha = sha or hashlib.sha256(data).hexdigest()
        rel = self.rel(kind, sha, ext)
        if self.store is not None:
            self.store.put_bytes(rel, data)
        return {"path": rel, "sha256": sha, "size": len(data)}

    def put_file(self, kind: str, ext: str, src: str, sha: str, size: int) -> dict:
        rel = self.rel(kind, sha, ext)
        if self.store is not None:
            self.store.put_copy(rel, src, size)
        return {"path": rel, "sha256": sha, "size": size}

    def set_singleton(self, group: str, name: str, value: Any) -> None:
        """wandb's `run._add_singleton`: `config._wandb[group][name] = value`, sent once per change."""
        run, store = self.run, self.store
        config = getattr(run, "config", None)
        if store is None or config is None or not hasattr(config, "_set_many"):
            return
        seen = store.singletons.setdefault(group, {})
        if seen.get(name) == value:
            return
        seen[name] = value
        cur = config.get("_wandb")
        merged = dict(cur) if isinstance(cur, dict) else {}
        sub = dict(merged.get(group) or {})
        sub[name] = value
        merged[group] = sub
        config._set_many({"_wandb": merged}, True)


class Media:
    """Base of the media types. `run.log` finds `_runyard_log_value` and calls it."""

    _log_type = "file"
    _caption: str | None = None

    def _runyard_log_value(self, run: Any, key: str, step: Any) -> Any:
        ctx = LogContext(run, key, step)
        try:
            return self._to_json(ctx)
        except MediaError as e:
            msg = str(e)
            if repr(key) not in msg:
                raise MediaError(f"runyard.log: key {key!r}: {msg}") from None
            raise

    def _to_json(self, ctx: LogContext) -> dict:
        raise NotImplementedError

    def _with_caption(self, d: dict) -> dict:
        if self._caption is not None:
            d["caption"] = self._caption
        return d

    @classmethod
    def _runyard_log_sequence(cls, seq: Any, run: Any, key: str, step: Any) -> Any:
        """A list of media under one key (needs the values.py hook; see docs/media.md)."""
        from ._sequence import log_sequence

        return log_sequence(seq, run, key, step)

    def __repr__(self) -> str:
        return f"<runyard.{type(self).__name__}>"
