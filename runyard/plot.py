"""`runyard.plot`: wandb's preset charts (line, scatter, bar, histogram, line_series, confusion_matrix,
pr_curve, roc_curve) and `plot_table` for custom ones.

Each function returns a `CustomChart`: a `runyard.Table` of the chart's data plus a panel spec. Logged
under a key K, the table is stored as K's history value (a normal `table-file`) and the panel goes to
the config at `_wandb.visualize.K` (see docs/media.md for the shape). pr_curve and roc_curve are
computed with numpy; scikit-learn is not needed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .sdk.media._base import LogContext, MediaError, is_tensor_like, to_numpy
from .sdk.media.table import Table

__all__ = [
    "CustomChart",
    "bar",
    "confusion_matrix",
    "histogram",
    "line",
    "line_series",
    "plot_table",
    "pr_curve",
    "roc_curve",
    "scatter",
]

MAX_CURVE_POINTS = 1000  # ROC points per class at most (evenly subsampled beyond)


class CustomChart:
    """A chart: `table` (runyard.Table), `spec` (Vega panel id), `fields`, `string_fields`."""

    def __init__(
        self,
        table: Table,
        spec: str,
        fields: Mapping[str, Any],
        string_fields: Mapping[str, Any] | None = None,
        split_table: bool = False,
    ) -> None:
        if not isinstance(table, Table):
            raise MediaError(f"a chart needs a runyard.Table, not {type(table).__name__}")
        self.table = table
        self.spec = str(spec)
        self.fields = {str(k): v for k, v in fields.items() if v is not None}
        self.string_fields = {str(k): v for k, v in (string_fields or {}).items() if v is not None}
        self.split_table = bool(split_table)

    def panel_config(self, table_key: str) -> dict:
        """The `_wandb.visualize.<key>` entry (wandb's Vega2 panel, reading the table at `table_key`)."""
        return {
            "panel_type": "Vega2",
            "panel_config": {
                "panelDefId": self.spec,
                "fieldSettings": dict(self.fields),
                "stringSettings": dict(self.string_fields),
                "transform": {"name": "tableWithLeafColNames"},
                "userQuery": {
                    "queryFields": [
                        {
                            "name": "runSets",
                            "args": [{"name": "runSets", "value": "${runSets}"}],
                            "fields": [
                                {"name": "id", "fields": []},
                                {"name": "name", "fields": []},
                                {"name": "_defaultColorIndex", "fields": []},
                                {
                                    "name": "summaryTable",
                                    "args": [{"name": "tableKey", "value": table_key}],
                                    "fields": [],
                                },
                            ],
                        }
                    ]
                },
                "split_table": self.split_table,
            },
        }

    def _runyard_log_value(self, run: Any, key: str, step: Any) -> Any:
        value = self.table._runyard_log_value(run, key, step)
        LogContext(run, key, step).set_singleton("visualize", key, self.panel_config(key))
        return value

    def __repr__(self) -> str:
        return f"<runyard.plot.CustomChart {self.spec} {len(self.table.data)} rows>"


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: Mapping[str, Any],
    string_fields: Mapping[str, Any] | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A custom chart: `vega_spec_name` panel drawing `data_table`, with `fields` mapping spec fields to columns."""
    if not isinstance(fields, Mapping):
        raise MediaError("plot_table(fields=...) must be a dict of chart field -> table column")
    return CustomChart(data_table, vega_spec_name, fields, string_fields, split_table)


def _require_columns(table: Any, fn: str, *cols: Any) -> None:
    if not isinstance(table, Table):
        raise MediaError(
            f"runyard.plot.{fn} needs a runyard.Table as its first argument, not {type(table).__name__}"
        )
    for c in cols:
        if c is not None and c not in table.columns:
            raise MediaError(f"runyard.plot.{fn}: the table has no column {c!r}; columns: {table.columns}")


def line(
    table: Table, x: str, y: str, stroke: str | None = None, title: str = "", split_table: bool = False
) -> CustomChart:
    _require_columns(table, "line", x, y, stroke)
    return CustomChart(
        table, "wandb/line/v0", {"x": x, "y": y, "stroke": stroke}, {"title": title}, split_table
    )


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> CustomChart:
    _require_columns(table, "scatter", x, y)
    return CustomChart(table, "wandb/scatter/v0", {"x": x, "y": y}, {"title": title}, split_table)


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    _require_columns(table, "bar", label, value)
    return CustomChart(table, "wandb/bar/v0", {"label": label, "value": value}, {"title": title}, split_table)


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    _require_columns(table, "histogram", value)
    return CustomChart(table, "wandb/histogram/v0", {"value": value}, {"title": title}, split_table)


def _list(v: Any, what: str) -> list:
    if is_tensor_like(v):
        return to_numpy(v).tolist()
    if isinstance(v, (str, bytes)) or not isinstance(v, Sequence):
        raise MediaError(f"{what} must be a list or an array, not {type(v).__name__}")
    return list(v)


def line_series(
    xs: Any,
    ys: Any,
    keys: Sequence[str] | None = None,
    title: str = "",
    xname: str = "x",
    split_table: bool = False,
) -> CustomChart:
    """Several lines on one chart: `ys` is a list of series; `xs` one shared list or one list per series."""
    ys_l = [_list(y, "line_series: each ys entry") for y in _list(ys, "line_series(ys)")]
    xs_l = _list(xs, "line_series(xs)")
    if xs_l and not isinstance(xs_l[0], (list, tuple)) and not is_tensor_like(xs_l[0]):
        xs_l = [xs_l] * len(ys_l)
    else:
        xs_l = [_list(x, "line_series: each xs entry") for x in xs_l]
    if len(xs_l) != len(ys_l):
        raise MediaError(f"line_series: {len(xs_l)} xs lists for {len(ys_l)} ys series")
    names = [f"key_{i}" for i in range(len(ys_l))] if keys is None else [str(k) for k in keys]
    if len(names) != len(ys_l):
        raise MediaError(f"line_series: {len(names)} keys for {len(ys_l)} series")
    rows: list[list[Any]] = []
    for name, x, y in zip(names, xs_l, ys_l):
        if len(x) != len(y):
            raise MediaError(f"line_series: series {name!r} has {len(x)} x values and {len(y)} y values")
        rows.extend([xv, name, yv] for xv, yv in zip(x, y))
    table = Table(columns=["step", "lineKey", "lineVal"], data=rows, allow_mixed_types=True)
    return CustomChart(
        table,
        "wandb/lineseries/v0",
        {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"},
        {"title": title, "xname": xname},
        split_table,
    )


def _label_indices(values: list, names: list | None, what: str) -> list[int]:
    out = []
    for v in values:
        if names is not None and not isinstance(v, (int, float)) and v in names:
            out.append(names.index(v))
            continue
        if isinstance(v, bool) or not float(v).is_integer() or v < 0:
            raise MediaError(
                f"confusion_matrix: {what} must be class indices (ints >= 0) or class names, got {v!r}"
            )
        out.append(int(v))
    return out


def confusion_matrix(
    probs: Any = None,
    y_true: Any = None,
    preds: Any = None,
    class_names: Sequence[str] | None = None,
    title: str = "Confusion Matrix Curve",
    split_table: bool = False,
) -> CustomChart:
    """Counts of (actual, predicted) class pairs; give `preds` (class ids) or `probs` (one row per sample)."""
    import numpy as np

    if y_true is None:
        raise MediaError("confusion_matrix needs y_true")
    if (probs is None) == (preds is None):
        raise MediaError("confusion_matrix needs exactly one of probs= and preds=")
    names = None if class_names is None else [str(c) for c in class_names]
    truth = _label_indices(_list(y_true, "y_true"), names, "y_true")
    if probs is not None:
        p = to_numpy(probs) if is_tensor_like(probs) else np.asarray(probs, dtype=float)
        if p.ndim != 2 or p.shape[0] != len(truth):
            raise MediaError(
                f"confusion_matrix: probs must be shaped (samples, classes) with {len(truth)} rows, got {p.shape}"
            )
        pred = p.argmax(axis=1).tolist()
    else:
        pred = _label_indices(_list(preds, "preds"), names, "preds")
    if len(pred) != len(truth):
        raise MediaError(f"confusion_matrix: {len(truth)} y_true values but {len(pred)} predictions")
    n = len(names) if names is not None else max([*truth, *pred], default=-1) + 1
    if names is not None and max([*truth, *pred], default=-1) >= n:
        raise MediaError(f"confusion_matrix: a class index is >= the {n} class_names")
    names = names or [f"Class_{i + 1}" for i in range(n)]
    counts = np.zeros((n, n), dtype=np.int64)
    np.add.at(counts, (np.asarray(truth, dtype=np.int64), np.asarray(pred, dtype=np.int64)), 1)
    rows = [[names[i], names[j], int(counts[i, j])] for i in range(n) for j in range(n)]
    table = Table(columns=["Actual", "Predicted", "nPredictions"], data=rows)
    return CustomChart(
        table,
        "wandb/confusion_matrix/v1",
        {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "nPredictions"},
        {"title": title},
        split_table,
    )


def _curve_inputs(
    y_true: Any, y_probas: Any, labels: Any, classes_to_plot: Any, fn: str
) -> list[tuple[str, Any, Any]]:
    """[(class name, binary truth, scores)] for each class to plot."""
    import numpy as np

    y = np.asarray(to_numpy(y_true) if is_tensor_like(y_true) else y_true)
    p = np.asarray(to_numpy(y_probas) if is_tensor_like(y_probas) else y_probas, dtype=float)
    if y.ndim != 1:
        raise MediaError(f"{fn}: y_true must be 1-D (one label per sample), got shape {y.shape}")
    if p.ndim == 1:
        p = np.stack([1.0 - p, p], axis=1)
    if p.ndim != 2 or p.shape[0] != y.shape[0]:
        raise MediaError(f"{fn}: y_probas must be shaped ({y.shape[0]}, classes), got {p.shape}")
    if not np.isfinite(p).all():
        raise MediaError(f"{fn}: y_probas contains NaN or infinite values")
    k = p.shape[1]
    if y.dtype.kind in "iub" and (y.size == 0 or (y.min() >= 0 and y.max() < k)):
        classes = list(range(k))
    else:
        classes = np.unique(y).tolist()
        if len(classes) != k:
            raise MediaError(f"{fn}: y_true has {len(classes)} distinct labels but y_probas has {k} columns")
    names = [str(c) for c in classes] if labels is None else [str(x) for x in labels]
    if len(names) < k:
        raise MediaError(f"{fn}: {len(names)} labels for {k} classes")
    wanted = classes if classes_to_plot is None else list(classes_to_plot)
    out = []
    for i, c in enumerate(classes):
        if c in wanted:
            out.append((names[i], y == c, p[:, i]))
    return out


def _binary_counts(truth: Any, scores: Any) -> tuple[Any, Any]:
    """Cumulative false and true positives at each distinct score threshold, highest first."""
    import numpy as np

    order = np.argsort(-scores, kind="mergesort")
    s, t = scores[order], truth[order]
    last = np.r_[np.nonzero(np.diff(s))[0], s.size - 1]
    tps = np.cumsum(t)[last]
    fps = last + 1 - tps
    return fps, tps


def pr_curve(
    y_true: Any,
    y_probas: Any,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    interp_size: int = 21,
    title: str = "Precision-Recall Curve",
    split_table: bool = False,
) -> CustomChart:
    """Precision against recall per class (one-vs-rest), interpolated at `interp_size` recall points."""
    import numpy as np

    if isinstance(interp_size, bool) or not isinstance(interp_size, int) or interp_size < 2:
        raise MediaError(f"pr_curve(interp_size=...) must be an integer >= 2, got {interp_size!r}")
    rows: list[list[Any]] = []
    grid = np.linspace(0.0, 1.0, interp_size)
    for name, truth, scores in _curve_inputs(y_true, y_probas, labels, classes_to_plot, "pr_curve"):
        fps, tps = _binary_counts(truth, scores)
        if tps.size == 0 or tps[-1] == 0:
            continue  # no positives of this class: no curve
        precision = np.r_[1.0, tps / (tps + fps)]
        recall = np.r_[0.0, tps / tps[-1]]
        envelope = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at recall >= r
        idx = np.minimum(np.searchsorted(recall, grid, side="left"), recall.size - 1)
        rows.extend([name, round(float(pv), 3), round(float(r), 3)] for r, pv in zip(grid, envelope[idx]))
    table = Table(columns=["class", "precision", "recall"], data=rows)
    return CustomChart(
        table,
        "wandb/area-under-curve/v0",
        {"x": "recall", "y": "precision", "class": "class"},
        {"title": title, "x-axis-title": "Recall", "y-axis-title": "Precision"},
        split_table,
    )


def roc_curve(
    y_true: Any,
    y_probas: Any,
    labels: Sequence[str] | None = None,
    classes_to_plot: Sequence[Any] | None = None,
    title: str = "ROC Curve",
    split_table: bool = False,
) -> CustomChart:
    """True against false positive rate per class (one-vs-rest)."""
    import numpy as np

    rows: list[list[Any]] = []
    for name, truth, scores in _curve_inputs(y_true, y_probas, labels, classes_to_plot, "roc_curve"):
        fps, tps = _binary_counts(truth, scores)
        if tps.size == 0 or tps[-1] == 0 or fps[-1] == 0:
            continue  # a class with no positives or no negatives has no ROC curve
        fpr = np.r_[0.0, fps / fps[-1]]
        tpr = np.r_[0.0, tps / tps[-1]]
        if fpr.size > MAX_CURVE_POINTS:
            keep = np.unique(np.linspace(0, fpr.size - 1, MAX_CURVE_POINTS).astype(int))
            fpr, tpr = fpr[keep], tpr[keep]
        rows.extend([name, round(float(f), 3), round(float(t), 3)] for f, t in zip(fpr, tpr))
    table = Table(columns=["class", "fpr", "tpr"], data=rows)
    return CustomChart(
        table,
        "wandb/area-under-curve/v0",
        {"x": "fpr", "y": "tpr", "class": "class"},
        {"title": title, "x-axis-title": "False positive rate", "y-axis-title": "True positive rate"},
        split_table,
    )
