"""The `runyard` package's lazy names, and wandb names runyard does not implement.

`runyard/__init__.py` imports `runyard_getattr` from here as its `__getattr__` (PEP 562): `runyard.Image`, `runyard.Table`, ...
and `runyard.plot` load their modules on first use, so `import runyard` pays nothing for media; a
wandb name runyard does not implement (`runyard.Molecule`, ...) raises one error that names it and
says what to use instead.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from ...errors import UsageError

# name -> what to use instead
UNSUPPORTED: dict[str, str] = {
    "Molecule": "log the structure as an Html view or as a file with runyard.save()",
    "Graph": "log a rendered image (runyard.Image) or an Html view of the graph",
    "Node": "wandb.Graph is not supported either; log an image or Html view",
    "Edge": "wandb.Graph is not supported either; log an image or Html view",
    "Classes": "pass class_labels inside masks=/boxes= of runyard.Image",
    "JoinedTable": "log the joined rows as one runyard.Table",
    "PartitionedTable": "log the partitions as one runyard.Table",
    "EvalTable": "log a runyard.Table",
    "Bokeh": "export the figure to HTML and log runyard.Html(html)",
    "box3d": "use Object3D({'type': 'lidar/beta', 'points': ..., 'boxes': [...]})",
    "Trace": "log the trace as a runyard.Table",
}

MEDIA_NAMES = frozenset({"Audio", "Histogram", "Html", "Image", "Object3D", "Plotly", "Table", "Video"})


class UnsupportedFeature(UsageError, AttributeError):
    """A wandb name runyard does not implement. Also an AttributeError, so hasattr() stays False."""


def unsupported_attribute(module: str, name: str) -> AttributeError:
    """The error for `runyard.<name>`: UnsupportedFeature for known wandb names, else AttributeError."""
    hint = UNSUPPORTED.get(name)
    if hint is None:
        return AttributeError(f"module {module!r} has no attribute {name!r}")
    return UnsupportedFeature(f"runyard does not support wandb.{name} (yet); {hint}")


def runyard_getattr(name: str) -> Any:
    """Resolve a lazy `runyard.<name>`; raises AttributeError (or UnsupportedFeature) otherwise."""
    if name in MEDIA_NAMES:
        value = getattr(importlib.import_module("runyard.sdk.media"), name)
    elif name == "plot":
        value = importlib.import_module("runyard.plot")
    elif name == "plot_table":
        value = importlib.import_module("runyard.plot").plot_table
    else:
        raise unsupported_attribute("runyard", name)
    pkg = sys.modules.get("runyard")
    if pkg is not None:
        setattr(pkg, name, value)
    return value
