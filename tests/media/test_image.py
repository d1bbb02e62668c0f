"""runyard.Image: inputs, PNG round trip through Pillow, file layout, history values, masks/boxes, lists."""

from __future__ import annotations

import hashlib
import io
import os
import re

import numpy as np
import pytest

import runyard
from runyard.runlog import read
from runyard.sdk.media import Image, MediaError, MissingDependency, flush
from runyard.sdk.media._png import encode_png, sniff_size
from tests.media.conftest import decode_png, files_of

PIL = pytest.importorskip("PIL.Image")
rng = np.random.default_rng(7)
NAME = re.compile(r"^media/images/(?P<key>.+)_(?P<step>\w+)_(?P<h>[0-9a-f]{20})\.png$")


def _png(img: Image) -> bytes:
    assert img.format == "png"
    return img._data


@pytest.mark.parametrize(
    "shape,dtype",
    [
        ((5, 7), np.uint8),
        ((5, 7, 1), np.uint8),
        ((5, 7, 2), np.uint8),
        ((5, 7, 3), np.uint8),
        ((5, 7, 4), np.uint8),
    ],
)
def test_uint8_arrays_round_trip_pixel_for_pixel(shape, dtype):
    a = rng.integers(0, 256, shape, dtype=dtype)
    img = Image(a)
    assert (img.width, img.height) == (7, 5)
    back = decode_png(_png(img))
    assert np.array_equal(back, a.reshape(back.shape))


def test_uint16_is_kept_as_16_bit_png():
    a = rng.integers(0, 65536, (6, 9), dtype=np.uint16)
    back = decode_png(_png(Image(a)))
    assert back.dtype.itemsize >= 2 and np.array_equal(back.astype(np.uint16), a)


def test_float_and_bool_and_int_rules_follow_wandb():
    f = rng.random((4, 4, 3))
    assert np.array_equal(decode_png(_png(Image(f))), np.rint(f * 255).astype(np.uint8))
    neg = np.array([[-1.0, 0.0], [0.5, 1.0]])  # negatives: min-max scaled, then x255
    assert decode_png(_png(Image(neg))).tolist() == [[0, 128], [191, 255]]
    assert decode_png(_png(Image(np.array([[True, False]])))).tolist() == [[255, 0]]
    assert decode_png(_png(Image(np.array([[0, 300]], dtype=np.int64)))).tolist() == [[0, 255]]  # clipped


def test_channels_first_arrays_are_transposed():
    chw = rng.integers(0, 256, (3, 10, 12), dtype=np.uint8)
    assert np.array_equal(decode_png(_png(Image(chw))), chw.transpose(1, 2, 0))


def test_pil_images_and_mode():
    a = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    pil = PIL.fromarray(a)
    assert np.array_equal(decode_png(_png(Image(pil))), a)
    gray = Image(pil, mode="L")
    assert decode_png(_png(gray)).shape == (8, 8)
    assert decode_png(_png(Image(pil.convert("P")))).shape[:2] == (8, 8)  # other modes via Pillow
    with pytest.raises(MediaError, match="needs 4 channel"):
        Image(a, mode="RGBA")
    copy = Image(Image(a, caption="x"), caption="y")
    assert copy._caption == "y" and copy._sha256 == Image(a)._sha256


def test_files_are_kept_byte_for_byte_jpeg_is_not_reencoded(tmp_path):
    a = rng.integers(0, 256, (16, 20, 3), dtype=np.uint8)
    jpg = tmp_path / "photo.JPG"
    PIL.fromarray(a).save(jpg, format="JPEG", quality=70)
    img = Image(str(jpg))
    assert img.format == "jpg" and img._data == jpg.read_bytes() and (img.width, img.height) == (20, 16)
    png = tmp_path / "x.png"
    png.write_bytes(encode_png(a))
    assert Image(png)._data == png.read_bytes()
    tif = tmp_path / "x.tiff"
    PIL.fromarray(a).save(tif)
    assert np.array_equal(decode_png(_png(Image(tif))), a)  # converted losslessly


@pytest.mark.parametrize(
    "bad,match",
    [
        (np.full((4, 4), np.nan), "NaN"),
        (np.array([[np.inf, 0.0]]), "infinite"),
        (np.zeros((6, 4, 5), np.uint8), "unsupported image shape"),
        (np.zeros((2, 3, 4, 5), np.uint8), "unsupported image shape"),
        (np.zeros((0, 4), np.uint8), "empty"),
        (np.zeros((3,), np.uint8), "unsupported image shape"),
        (np.array([["a"]], dtype=object), "Python objects"),
        ({"not": "an image"}, "Image takes"),
    ],
)
def test_bad_input_is_refused_at_construction(bad, match):
    with pytest.raises(MediaError, match=match):
        Image(bad)


def test_huge_array_and_missing_file_are_clear_errors(tmp_path):
    huge = np.broadcast_to(np.uint8(0), (40_000, 20_000, 3))  # 2.2 GB, but no memory behind it
    with pytest.raises(MediaError, match=r"2\.2 GiB.*up to 1 GiB"):
        Image(huge)
    with pytest.raises(MediaError, match="file not found"):
        Image(str(tmp_path / "nope.png"))
    bad = tmp_path / "fake.png"
    bad.write_bytes(b"hello")
    with pytest.raises(MediaError, match="not a valid PNG"):
        Image(bad)
    assert issubclass(MediaError, ValueError) and issubclass(MediaError, runyard.Error)


def test_logged_image_file_layout_history_value_and_files_record(run):
    a = rng.integers(0, 256, (32, 48, 3), dtype=np.uint8)
    run.log({"samples/pic": Image(a, caption="cat"), "loss": 0.5})
    run.log({"samples/pic": Image(a)}, step=7)
    run.finish()
    rd = read(run.sync_dir)
    rows = rd.history()
    v0 = rows[0]["samples/pic"]
    assert v0["_type"] == "image-file" and v0["format"] == "png" and v0["caption"] == "cat"
    assert (v0["width"], v0["height"]) == (48, 32)
    m = NAME.match(v0["path"])
    assert m and m["key"] == "samples/pic" and m["step"] == "0"
    data = (files_of(run) / v0["path"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == v0["sha256"] and v0["sha256"][:20] == m["h"]
    assert len(data) == v0["size"]
    assert np.array_equal(decode_png(data), a)
    v1 = rows[1]["samples/pic"]
    assert NAME.match(v1["path"])["step"] == "7" and "caption" not in v1
    recorded = {f["path"]: f for f in rd.files}
    assert recorded[v0["path"]] == {"path": v0["path"], "policy": "now", "kind": "media"}
    assert v1["path"] in recorded
    assert rd.summary["samples/pic"]["path"] == v1["path"]


def test_log_raises_for_bad_input_and_the_run_continues(run):
    with pytest.raises(MediaError, match="NaN"):
        run.log({"img": Image(np.full((3, 3), np.nan))})
    run.log({"ok": 1})
    run.finish()
    assert [r.get("ok") for r in read(run.sync_dir).history()] == [1]


def test_summary_accepts_media(run):
    a = rng.integers(0, 256, (4, 4, 3), dtype=np.uint8)
    run.summary["best"] = Image(a)
    run.finish()
    v = read(run.sync_dir).summary["best"]
    assert v["_type"] == "image-file" and NAME.match(v["path"])["step"] == "summary"
    assert np.array_equal(decode_png((files_of(run) / v["path"]).read_bytes()), a)


def test_masks_and_boxes(run):
    a = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    mask = rng.integers(0, 4, (20, 30)).astype(np.int64)
    boxes = {
        "box_data": [
            {
                "position": {"minX": 0.1, "maxX": 0.5, "minY": 0.2, "maxY": 0.6},
                "class_id": 1,
                "box_caption": "cat",
            },
            {
                "position": {"middle": [10, 10], "width": 4, "height": 6},
                "domain": "pixel",
                "class_id": 2,
                "scores": {"acc": 0.9},
            },
        ],
        "class_labels": {1: "cat", 2: "dog"},
    }
    img = Image(
        a, masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "a"}}}, boxes={"gt": boxes}
    )
    run.log({"seg": img})
    run.finish()
    rd = read(run.sync_dir)
    v = rd.history()[0]["seg"]
    mv, bv = v["masks"]["pred"], v["boxes"]["gt"]
    assert mv["_type"] == "mask" and re.match(r"media/images/mask/seg_0_[0-9a-f]{20}\.mask\.png$", mv["path"])
    assert np.array_equal(decode_png((files_of(run) / mv["path"]).read_bytes()), mask)
    assert bv["_type"] == "boxes2D" and re.match(
        r"media/metadata/boxes2D/seg_0_[0-9a-f]{20}\.boxes2D\.json$", bv["path"]
    )
    import json

    payload = json.loads((files_of(run) / bv["path"]).read_text())
    assert payload["class_labels"] == {"1": "cat", "2": "dog"} and payload["box_data"][1]["class_id"] == 2
    w = rd.config["_wandb"]
    assert w["mask/class_labels"]["seg_wandb_delimeter_pred"] == {"0": "bg", "1": "a"}
    assert w["bounding_box/class_labels"]["seg_wandb_delimeter_gt"] == {"1": "cat", "2": "dog"}
    recorded = {f["path"] for f in rd.files}
    assert {mv["path"], bv["path"], v["path"]} <= recorded


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"masks": {"m": {"mask_data": np.zeros((2, 2, 2))}}}, "2-D array"),
        ({"masks": {"m": {"mask_data": np.full((2, 2), 300)}}}, "0..255"),
        ({"masks": {"m": {"class_labels": {}}}}, "needs"),
        ({"masks": [1]}, "must be a dict"),
        ({"boxes": {"b": {"box_data": [{"class_id": 1}]}}}, "position"),
        ({"boxes": {"b": {"box_data": [{"position": {"minX": 0}, "class_id": 1}]}}}, "minX, maxX"),
        (
            {"boxes": {"b": {"box_data": [{"position": {"middle": [0, 0], "width": 1, "height": 1}}]}}},
            "class_id",
        ),
        ({"boxes": {"b": {"box_data": [], "class_labels": {"x": "y"}}}}, "integer class ids"),
    ],
)
def test_bad_masks_and_boxes(kw, match):
    with pytest.raises(MediaError, match=match):
        Image(np.zeros((2, 2), np.uint8), **kw)


def test_list_of_images_as_wandb_separated_value_direct(run):
    imgs = [Image(rng.integers(0, 256, (8, 6, 3), dtype=np.uint8), caption=f"c{i}") for i in range(3)]
    v = Image._runyard_log_sequence(imgs, run, "gallery", 4)
    assert v["_type"] == "images/separated" and v["count"] == 3 and (v["width"], v["height"]) == (6, 8)
    assert v["format"] == "png" and v["captions"] == ["c0", "c1", "c2"]
    assert all(NAME.match(p)["step"] == "4" for p in v["filenames"])
    assert flush(run)
    for p, im in zip(v["filenames"], imgs):
        assert (files_of(run) / p).read_bytes() == im._data


def test_list_of_images_through_log(run):
    imgs = [Image(np.full((2, 2), i, np.uint8)) for i in range(2)]
    run.log({"gallery": imgs})
    run.finish()
    v = read(run.sync_dir).history()[0]["gallery"]
    assert v["_type"] == "images/separated" and v["count"] == 2


def test_same_image_twice_is_written_once(run):
    img = Image(np.zeros((2, 2), np.uint8))
    run.log({"a": img}, step=1, commit=False)
    run.log({"b": [1]}, step=1)
    v = img._runyard_log_value(run, "a", 1)
    assert flush(run)
    assert len(os.listdir(files_of(run) / "media" / "images")) == 1
    assert v["path"].startswith("media/images/a_1_")


def test_matplotlib_figure_becomes_a_png_image():
    plt = pytest.importorskip("matplotlib.pyplot")
    fig, ax = plt.subplots(figsize=(2, 1), dpi=50)
    ax.plot([1, 2, 3])
    img = Image(fig)
    plt.close(fig)
    assert img.format == "png" and (img.width, img.height) == (100, 50)
    assert sniff_size(img._data) == (100, 50)


def test_pillow_hint_is_exact_when_needed(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    with pytest.raises(MissingDependency, match=r'pip install "runyard\[media\]"'):
        Image(np.zeros((2, 2, 3), np.uint8), file_type="jpg")
    assert Image(np.zeros((2, 2, 3), np.uint8)).format == "png"  # arrays need no Pillow


def test_sniff_jpeg_and_gif_sizes():
    a = rng.integers(0, 256, (11, 13, 3), dtype=np.uint8)
    for fmt in ("JPEG", "GIF", "PNG"):
        buf = io.BytesIO()
        PIL.fromarray(a).save(buf, format=fmt)
        assert sniff_size(buf.getvalue()) == (13, 11), fmt
