"""A list of media under one key: wandb's `images/separated`, `audio`, `videos`, `html`, `object3D` values."""

from __future__ import annotations

from typing import Any

from ._base import LogContext, Media, MediaError


def log_sequence(seq: Any, run: Any, key: str, step: Any) -> Any:
    """The value of `log({key: [media, ...]})`. Mixed or non-media lists become a list of values."""
    from ..values import normalize_log_value
    from .audio import Audio
    from .html import Html
    from .image import Image, images_separated
    from .object3d import Object3D
    from .video import Video

    items = list(seq)
    kind = type(items[0]) if items else None
    if kind not in (Image, Audio, Video, Html, Object3D) or any(type(x) is not kind for x in items):
        return [normalize_log_value(key, x, run, step) for x in items]
    ctx = LogContext(run, key, step)
    try:
        if kind is Image:
            return images_separated(items, ctx)
        jsons = [m._to_json(ctx) for m in items]
    except MediaError as e:
        if repr(key) in str(e):
            raise
        raise MediaError(f"runyard.log: key {key!r}: {e}") from None
    captions = [m._caption for m in items] if items[0]._caption is not None else None
    out: dict[str, Any]
    if kind is Audio:
        out = {"_type": "audio", "count": len(jsons), "audio": jsons}
        rates = [getattr(m, "_sample_rate", None) for m in items]
        if all(r is not None for r in rates):
            out["sampleRates"] = rates
            out["durations"] = [getattr(m, "_duration", None) for m in items]
    elif kind is Video:
        out = {"_type": "videos", "count": len(jsons), "videos": jsons}
    elif kind is Html:
        out = {"_type": "html", "count": len(jsons), "html": jsons}
    else:
        prefix = "media/object3D/"
        out = {
            "_type": "object3D",
            "count": len(jsons),
            "filenames": [j["path"][len(prefix) :] for j in jsons],
            "objects": jsons,
        }
    if captions is not None:
        out["captions"] = captions
    return out


__all__ = ["Media", "log_sequence"]
