"""Media types for `run.log`: Image, Table, Histogram, Audio, Video, Html, Object3D, Plotly.

Each type turns user data into a file under `<run.dir>/media/<kind>/` and a small JSON value in the
history, in wandb's shapes (docs/media.md). The submodules load on first use (`import runyard`
stays fast), and numpy, Pillow, pandas, matplotlib, plotly, imageio and torch are imported only
when the user hands over one of their objects.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Audio": "audio",
    "BoundingBoxes2D": "image",
    "Histogram": "histogram",
    "Html": "html",
    "Image": "image",
    "ImageMask": "image",
    "LogContext": "_base",
    "Media": "_base",
    "MediaError": "_base",
    "MissingDependency": "_base",
    "Object3D": "object3d",
    "Plotly": "plotly",
    "Table": "table",
    "UNSUPPORTED": "_unsupported",
    "UnsupportedFeature": "_unsupported",
    "Video": "video",
    "figure_to_media": "plotly",
    "flush": "_store",
    "log_sequence": "_sequence",
    "unsupported_attribute": "_unsupported",
}

__all__ = [
    "UNSUPPORTED",
    "Audio",
    "BoundingBoxes2D",
    "Histogram",
    "Html",
    "Image",
    "ImageMask",
    "LogContext",
    "Media",
    "MediaError",
    "MissingDependency",
    "Object3D",
    "Plotly",
    "Table",
    "UnsupportedFeature",
    "Video",
    "figure_to_media",
    "flush",
    "log_sequence",
    "unsupported_attribute",
]

if TYPE_CHECKING:
    from ._base import LogContext, Media, MediaError, MissingDependency
    from ._sequence import log_sequence
    from ._store import flush
    from ._unsupported import UNSUPPORTED, UnsupportedFeature, unsupported_attribute
    from .audio import Audio
    from .histogram import Histogram
    from .html import Html
    from .image import BoundingBoxes2D, Image, ImageMask
    from .object3d import Object3D
    from .plotly import Plotly, figure_to_media
    from .table import Table
    from .video import Video


def __getattr__(name: str) -> Any:
    sub = _EXPORTS.get(name)
    if sub is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{sub}"), name)
    globals()[name] = value
    return value
