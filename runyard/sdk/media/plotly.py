"""`runyard.Plotly` and turning matplotlib / plotly figures into media.

A plotly figure is stored as its JSON (`media/plotly/...plotly.json`, wandb's `plotly-file`); a
matplotlib figure (or Axes) as a PNG image rendered by matplotlib itself. Neither library is a
dependency: they are imported only when the user passes one of their objects.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from ._base import LogContext, Media, MediaError, type_module


def _is_matplotlib(v: Any) -> bool:
    return type_module(v).startswith("matplotlib") or getattr(v, "__name__", None) == "matplotlib.pyplot"


def _is_plotly(v: Any) -> bool:
    return type_module(v).startswith("plotly")


def _mpl_figure(v: Any) -> Any:
    if hasattr(v, "savefig"):
        return v
    fig = getattr(v, "figure", None) or (v.get_figure() if hasattr(v, "get_figure") else None)
    if fig is None or not hasattr(fig, "savefig"):
        if type(v).__name__ == "module":  # `matplotlib.pyplot` itself: its current figure
            return v.gcf()
        raise MediaError(f"cannot find the matplotlib figure of {type(v).__name__}")
    return fig


def matplotlib_png(v: Any) -> bytes:
    """PNG bytes of a matplotlib Figure, Axes or `pyplot` (its current figure), rendered by matplotlib."""
    buf = io.BytesIO()
    _mpl_figure(v).savefig(buf, format="png")
    return buf.getvalue()


class Plotly(Media):
    """`Plotly(figure)`: a plotly figure (or a dict with "data"/"layout"), stored as plotly JSON."""

    _log_type = "plotly-file"

    def __init__(self, val: Any) -> None:
        if _is_matplotlib(val):
            raise MediaError(
                "Plotly(matplotlib figure): runyard stores matplotlib figures as images; log the figure directly "
                "or wrap it in runyard.Image(fig)"
            )
        if isinstance(val, dict):
            if "data" not in val:
                raise MediaError(
                    'Plotly(dict) needs a plotly figure dict with "data" (and optionally "layout")'
                )
            import json

            text = json.dumps(val, default=_json_default, allow_nan=False)
        elif _is_plotly(val) and hasattr(val, "to_plotly_json"):
            import plotly.io as pio

            text = pio.to_json(val, validate=False, engine="json")
        else:
            raise MediaError(f"Plotly takes a plotly figure, not {type(val).__name__}")
        self._data = text.encode("utf-8")
        self._sha256 = hashlib.sha256(self._data).hexdigest()

    def _to_json(self, ctx: LogContext) -> dict:
        d = ctx.put("plotly", "plotly.json", self._data, self._sha256)
        d["_type"] = "plotly-file"
        return d


def _json_default(o: Any) -> Any:
    tolist = getattr(o, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def figure_to_media(v: Any) -> Media | None:
    """The media object for a matplotlib or plotly figure passed to `log()`; None for anything else."""
    if _is_plotly(v) and hasattr(v, "to_plotly_json"):
        return Plotly(v)
    if _is_matplotlib(v) and (hasattr(v, "savefig") or hasattr(v, "get_figure") or hasattr(v, "gcf")):
        from .image import Image

        return Image(v)
    return None
