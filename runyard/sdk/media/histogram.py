"""`runyard.Histogram`: no file, the counts and bin edges go into the history value."""

from __future__ import annotations

from typing import Any

from ._base import Media, MediaError, is_tensor_like, to_numpy, warn


class Histogram(Media):
    """`Histogram(sequence=None, np_histogram=None, num_bins=64)`, as wandb.Histogram.

    `sequence`: numbers (list, numpy array, tensor); non-finite values are left out with a warning.
    `np_histogram`: a `(counts, bin_edges)` pair as `numpy.histogram` returns it.
    """

    MAX_LENGTH = 512
    _log_type = "histogram"

    def __init__(self, sequence: Any = None, np_histogram: Any = None, num_bins: int = 64) -> None:
        import numpy as np

        if np_histogram is not None:
            if not isinstance(np_histogram, (tuple, list)) or len(np_histogram) != 2:
                raise MediaError(
                    "Histogram(np_histogram=...) expects a (counts, bin_edges) pair as numpy.histogram returns"
                )
            counts, edges = (
                np.asarray(to_numpy(x) if is_tensor_like(x) else x, dtype=float) for x in np_histogram
            )
            if counts.ndim != 1 or edges.ndim != 1 or len(edges) != len(counts) + 1:
                raise MediaError(
                    f"Histogram(np_histogram=...): expected len(bin_edges) == len(counts) + 1, got {len(edges)} edges "
                    f"for {len(counts)} counts"
                )
            if not (np.isfinite(counts).all() and np.isfinite(edges).all()):
                raise MediaError("Histogram(np_histogram=...) contains NaN or infinite values")
        elif sequence is not None:
            if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1:
                raise MediaError(f"Histogram(num_bins=...) must be a positive integer, got {num_bins!r}")
            try:
                a = np.asarray(
                    to_numpy(sequence) if is_tensor_like(sequence) else sequence, dtype=float
                ).ravel()
            except (TypeError, ValueError):
                raise MediaError(
                    f"Histogram(sequence) must hold numbers, not {type(sequence).__name__} of non-numbers"
                ) from None
            finite = np.isfinite(a)
            if not finite.all():
                warn(f"Histogram: {int((~finite).sum())} NaN/infinite values of {a.size} were left out")
                a = a[finite]
            counts, edges = (
                np.histogram(a, bins=num_bins)
                if a.size
                else (np.zeros(num_bins), np.linspace(0, 1, num_bins + 1))
            )
        else:
            raise MediaError("Histogram needs a sequence of numbers or np_histogram=(counts, bin_edges)")
        if len(counts) > self.MAX_LENGTH:
            raise MediaError(f"Histogram has {len(counts)} bins; the maximum is {self.MAX_LENGTH} (as wandb)")
        self.histogram: list = [int(c) if float(c).is_integer() else float(c) for c in counts.tolist()]
        self.bins: list = [float(e) for e in edges.tolist()]

    def _to_json(self, ctx: Any = None) -> dict:
        return {"_type": "histogram", "values": self.histogram, "bins": self.bins}

    def _runyard_log_value(self, run: Any, key: str, step: Any) -> dict:
        return self._to_json()

    def __repr__(self) -> str:
        return f"<runyard.Histogram {len(self.histogram)} bins>"
