"""runyard.Table: wandb's API, media cells, one file per logged version, row limit."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

from runyard.runlog import read
from runyard.sdk.media import Histogram, Image, MediaError, Table
from tests.media.conftest import decode_png, files_of


def test_construction_and_api():
    t = Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
    t.add_data(3, "z")
    assert t.get_column("a") == [1, 2, 3] and t.get_column("b", convert_to="numpy").tolist() == [
        "x",
        "y",
        "z",
    ]
    t.add_column("c", [0.1, 0.2, 0.3])
    assert t.columns == ["a", "b", "c"] and t.data[2] == [3, "z", 0.3] and t.get_index() == [0, 1, 2]
    assert Table().columns == ["Input", "Output", "Expected"]  # wandb's legacy default
    assert Table(columns=["x"], rows=[[1]]).data == [[1]]
    assert Table(columns=["x", "y"], data=np.arange(6).reshape(3, 2)).data == [[0, 1], [2, 3], [4, 5]]
    first = Table(columns=[])
    first.add_column("only", [1, 2])
    assert first.data == [[1], [2]]
    assert list(t.iterrows())[0] == (0, [1, "x", 0.1])
    assert Table.MAX_ROWS == 10000 and Table.MAX_ARTIFACT_ROWS == 200000


def test_dataframe_round_trip():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"n": [1, 2], "s": ["a", "b"]})
    t = Table(dataframe=df)
    assert t.columns == ["n", "s"] and [[int(r[0]), r[1]] for r in t.data] == [[1, "a"], [2, "b"]]
    back = t.get_dataframe()
    assert back.equals(pd.DataFrame({"n": [1, 2], "s": ["a", "b"]})) or back.values.tolist() == [
        [1, "a"],
        [2, "b"],
    ]
    assert Table(data=df).columns == ["n", "s"]


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: Table(columns=["a"], data=[[1, 2]]), "expects 1 columns"),
        (lambda: Table(columns=["a"], data=[[1], ["x"]]), "holds number values"),
        (lambda: Table(columns=["a", "a"]), "unique"),
        (lambda: Table(columns="abc"), "list of column names"),
        (lambda: Table(columns=[1.5]), "strings or ints"),
        (lambda: Table(columns=["a"], data=[1, 2]), "not a list of cells"),
        (lambda: Table(columns=["a"], optional=False, data=[[None]]), "not optional"),
        (lambda: Table(log_mode="SOMETIMES"), "log_mode"),
        (lambda: Table(columns=["a"], data=[[1]]).add_column("b", [1, 2]), "expected 1 values"),
        (lambda: Table(columns=["a"], data=[[1]]).add_column("a", [1]), "already exists"),
        (lambda: Table(columns=["a"]).get_column("zz"), "no column"),
    ],
)
def test_bad_input(make, match):
    with pytest.raises(MediaError, match=match):
        make()


def test_mixed_types_allowed_on_request():
    t = Table(columns=["a"], data=[[1], ["x"], [None]], allow_mixed_types=True)
    assert len(t) == 3


def test_table_with_image_cells_and_versions(run):
    rng = np.random.default_rng(1)
    pixels = [rng.integers(0, 256, (6, 5, 3), dtype=np.uint8) for _ in range(2)]
    t = Table(columns=["id", "img", "score", "hist"])
    t.add_data(0, Image(pixels[0]), np.float32(0.5), Histogram([1, 2, 3], num_bins=3))
    t.add_data(1, Image(pixels[1]), float("nan"), None)
    run.log({"preds": t})
    t.add_data(2, None, 1.0, None)
    run.log({"preds": t})
    run.finish()
    rd = read(run.sync_dir)
    v0, v1 = (row["preds"] for row in rd.history())
    assert (
        v0["_type"] == "table-file" and (v0["ncols"], v0["nrows"]) == (4, 2) and v0["log_mode"] == "IMMUTABLE"
    )
    assert re.match(r"media/table/preds_0_[0-9a-f]{20}\.table\.json$", v0["path"])
    assert v1["nrows"] == 3 and v1["path"] != v0["path"] and v1["path"].startswith("media/table/preds_1_")
    raw = (files_of(run) / v0["path"]).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == v0["sha256"] and len(raw) == v0["size"]
    doc = json.loads(raw)
    assert doc["columns"] == ["id", "img", "score", "hist"]
    cell = doc["data"][0][1]
    assert cell["_type"] == "image-file" and cell["path"].startswith("media/images/preds_0_")
    assert np.array_equal(decode_png((files_of(run) / cell["path"]).read_bytes()), pixels[0])
    assert doc["data"][0][2] == 0.5 and doc["data"][1][2] is None  # NaN is stored as null (standard JSON)
    assert doc["data"][0][3] == {
        "_type": "histogram",
        "values": [1, 1, 1],
        "bins": [1.0, 1 + 2 / 3, 1 + 4 / 3, 3.0],
    }
    recorded = {f["path"] for f in rd.files}
    assert {v0["path"], v1["path"], cell["path"]} <= recorded


def test_row_limit_truncates_with_a_warning(run, monkeypatch):
    monkeypatch.setattr(Table, "MAX_ROWS", 3)
    t = Table(columns=["i"], data=[[i] for i in range(5)])
    with pytest.warns(UserWarning, match="first 3 are kept"):
        v = t._runyard_log_value(run, "big", 0)
    assert v["nrows"] == 3


def test_incremental_tables_log_only_new_rows(run):
    t = Table(columns=["i"], log_mode="INCREMENTAL")
    t.add_data(1)
    a = t._runyard_log_value(run, "inc", 0)
    t.add_data(2)
    t.add_data(3)
    b = t._runyard_log_value(run, "inc", 1)
    assert a["_type"] == "incremental-table-file" and (a["nrows"], a["_increment_num"]) == (1, 0)
    assert (b["nrows"], b["_increment_num"]) == (2, 1)


def test_unstorable_cell_names_key_and_column(run):
    t = Table(columns=["obj"], data=[[object()]])
    with pytest.raises(MediaError, match=r"key 'bad'.*column 'obj'"):
        run.log({"bad": t})
