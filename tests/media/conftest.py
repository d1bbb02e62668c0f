"""Fixtures for media tests: a quiet offline run in a clean working directory."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import runyard


@pytest.fixture
def run(workdir, quiet_settings):
    r = runyard.init(project="media", mode="offline", settings=quiet_settings)
    yield r
    r.finish(quiet=True)


def files_of(run) -> Path:
    return Path(run.dir)


def decode_png(data: bytes):
    """Pixels of a PNG, decoded by Pillow (an independent decoder)."""
    import numpy as np
    from PIL import Image as PILImage

    return np.asarray(PILImage.open(io.BytesIO(data)))
