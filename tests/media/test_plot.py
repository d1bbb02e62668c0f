"""runyard.plot: each chart logs its table as the key's value and a `_wandb.visualize.<key>` panel."""

from __future__ import annotations

import json

import numpy as np
import pytest

import runyard
from runyard.runlog import read
from runyard.sdk.media import MediaError, Table
from tests.media.conftest import files_of


def _table_doc(run, value):
    return json.loads((files_of(run) / value["path"]).read_text())


def test_line_chart_logs_table_and_panel(run):
    t = Table(columns=["x", "y"], data=[[i, i * i] for i in range(5)])
    run.log({"curve": runyard.plot.line(t, "x", "y", title="Squares")})
    run.finish()
    rd = read(run.sync_dir)
    v = rd.history()[0]["curve"]
    assert v["_type"] == "table-file" and v["path"].startswith("media/table/curve_0_") and v["nrows"] == 5
    assert _table_doc(run, v) == {"columns": ["x", "y"], "data": [[i, i * i] for i in range(5)]}
    panel = rd.config["_wandb"]["visualize"]["curve"]
    assert panel["panel_type"] == "Vega2"
    cfg = panel["panel_config"]
    assert cfg["panelDefId"] == "wandb/line/v0"
    assert cfg["fieldSettings"] == {"x": "x", "y": "y"} and cfg["stringSettings"] == {"title": "Squares"}
    query = cfg["userQuery"]["queryFields"][0]["fields"]
    assert {"name": "summaryTable", "args": [{"name": "tableKey", "value": "curve"}], "fields": []} in query


@pytest.mark.parametrize(
    "make,spec,fields",
    [
        (lambda t: runyard.plot.scatter(t, "a", "b"), "wandb/scatter/v0", {"x": "a", "y": "b"}),
        (lambda t: runyard.plot.bar(t, "a", "b"), "wandb/bar/v0", {"label": "a", "value": "b"}),
        (lambda t: runyard.plot.histogram(t, "b"), "wandb/histogram/v0", {"value": "b"}),
        (
            lambda t: runyard.plot_table("my/spec", t, {"v": "a"}, {"title": "T"}),
            "my/spec",
            {"v": "a"},
        ),
    ],
)
def test_other_presets(make, spec, fields):
    chart = make(Table(columns=["a", "b"], data=[["p", 1], ["q", 2]]))
    cfg = chart.panel_config("k")["panel_config"]
    assert cfg["panelDefId"] == spec and cfg["fieldSettings"] == fields


def test_missing_column_and_non_table_are_errors():
    t = Table(columns=["a"], data=[[1]])
    with pytest.raises(MediaError, match="no column 'zz'"):
        runyard.plot.line(t, "a", "zz")
    with pytest.raises(MediaError, match="runyard.Table"):
        runyard.plot.scatter([[1, 2]], "a", "b")


def test_line_series(run):
    chart = runyard.plot.line_series(
        xs=[0, 1, 2], ys=[[1, 2, 3], [3, 2, 1]], keys=["up", "down"], xname="epoch"
    )
    assert chart.table.columns == ["step", "lineKey", "lineVal"]
    assert chart.table.data[:4] == [[0, "up", 1], [1, "up", 2], [2, "up", 3], [0, "down", 3]]
    assert chart.string_fields == {"title": "", "xname": "epoch"} and chart.spec == "wandb/lineseries/v0"
    per_line = runyard.plot.line_series(xs=[[0, 1], [5, 6]], ys=[[1, 2], [3, 4]])
    assert per_line.table.data[2] == [5, "key_1", 3]
    with pytest.raises(MediaError, match="2 x values and 3 y values"):
        runyard.plot.line_series(xs=[0, 1], ys=[[1, 2, 3]])
    with pytest.raises(MediaError, match="1 keys for 2 series"):
        runyard.plot.line_series(xs=[0], ys=[[1], [2]], keys=["a"])


def test_confusion_matrix_counts():
    y_true = [0, 1, 2, 2, 1]
    preds = [0, 2, 2, 2, 1]
    chart = runyard.plot.confusion_matrix(y_true=y_true, preds=preds, class_names=["a", "b", "c"])
    counts = {(r[0], r[1]): r[2] for r in chart.table.data}
    assert (
        len(counts) == 9 and counts[("c", "c")] == 2 and counts[("b", "c")] == 1 and counts[("a", "b")] == 0
    )
    assert chart.spec == "wandb/confusion_matrix/v1" and chart.table.columns == [
        "Actual",
        "Predicted",
        "nPredictions",
    ]
    probs = np.eye(3)[preds]
    same = runyard.plot.confusion_matrix(probs=probs, y_true=y_true, class_names=["a", "b", "c"])
    assert same.table.data == chart.table.data
    named = runyard.plot.confusion_matrix(y_true=["a", "c"], preds=["a", "a"], class_names=["a", "b", "c"])
    assert {(r[0], r[1]): r[2] for r in named.table.data}[("c", "a")] == 1
    with pytest.raises(MediaError, match="exactly one of"):
        runyard.plot.confusion_matrix(y_true=[0], preds=[0], probs=[[1.0]])
    with pytest.raises(MediaError, match="class indices"):
        runyard.plot.confusion_matrix(y_true=[-1], preds=[0])


def test_pr_and_roc_curves_without_sklearn():
    y = np.array([0, 0, 1, 1, 2, 2])
    probas = np.eye(3)[y] * 0.8 + 0.1  # a perfect classifier
    pr = runyard.plot.pr_curve(y, probas, labels=["a", "b", "c"], interp_size=5)
    assert pr.table.columns == ["class", "precision", "recall"] and len(pr.table.data) == 15
    assert all(row[1] == 1.0 for row in pr.table.data)  # perfect precision at every recall
    roc = runyard.plot.roc_curve(y, probas, classes_to_plot=[1])
    assert {r[0] for r in roc.table.data} == {"1"}
    pts = [(r[1], r[2]) for r in roc.table.data]
    assert (0.0, 1.0) in pts and pts[-1] == (1.0, 1.0)  # reaches TPR 1 at FPR 0
    assert roc.fields == {"x": "fpr", "y": "tpr", "class": "class"}
    binary = runyard.plot.roc_curve([0, 1, 1, 0], [0.1, 0.9, 0.4, 0.6])
    assert {r[0] for r in binary.table.data} == {"0", "1"}
    with pytest.raises(MediaError, match="shaped"):
        runyard.plot.pr_curve([0, 1], np.zeros((3, 2)))
    with pytest.raises(MediaError, match="NaN"):
        runyard.plot.roc_curve([0, 1], [[np.nan, 1], [0, 1]])
