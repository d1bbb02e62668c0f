"""Histogram, Audio, Video, Html, Object3D, Plotly: construction, bad input, files and history values."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import wave

import numpy as np
import pytest

from runyard.runlog import read
from runyard.sdk.media import (
    Audio,
    Histogram,
    Html,
    MediaError,
    MissingDependency,
    Object3D,
    Plotly,
    Video,
    flush,
)
from tests.media.conftest import files_of

rng = np.random.default_rng(3)


def _logged(run, key, obj, step=0):
    v = obj._runyard_log_value(run, key, step)
    assert flush(run)
    if "path" in v:
        data = (files_of(run) / v["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == v["sha256"] and len(data) == v["size"]
        return v, data
    return v, None


# -- Histogram -------------------------------------------------------------------------------------
def test_histogram_from_sequence_and_np_histogram():
    data = rng.normal(size=1000)
    h = Histogram(data, num_bins=10)
    counts, edges = np.histogram(data, bins=10)
    assert h.histogram == counts.tolist() and h.bins == pytest.approx(edges.tolist())
    v = Histogram(np_histogram=(counts, edges))._runyard_log_value(None, "h", 0)
    assert v == {"_type": "histogram", "values": counts.tolist(), "bins": pytest.approx(edges.tolist())}
    assert len(Histogram([1.0, 2.0]).histogram) == 64
    with pytest.warns(UserWarning, match="1 NaN/infinite values of 3 were left out"):
        assert sum(Histogram([1.0, np.nan, 2.0]).histogram) == 2


@pytest.mark.parametrize(
    "kw,match",
    [
        ({"np_histogram": ([1, 2], [0, 1])}, r"len\(bin_edges\) == len\(counts\) \+ 1"),
        ({"np_histogram": [1]}, "pair"),
        ({"sequence": [1], "num_bins": 0}, "positive integer"),
        ({"sequence": [1], "num_bins": 513}, "maximum is 512"),
        ({"sequence": ["a", "b"]}, "must hold numbers"),
        ({}, "needs a sequence"),
    ],
)
def test_histogram_bad_input(kw, match):
    with pytest.raises(MediaError, match=match):
        Histogram(**kw)


def test_histogram_logged_in_history(run):
    run.log({"w": Histogram([0, 1, 1, 2], num_bins=2)})
    run.finish()
    assert read(run.sync_dir).history()[0]["w"] == {
        "_type": "histogram",
        "values": [1, 3],
        "bins": [0.0, 1.0, 2.0],
    }


# -- Audio -----------------------------------------------------------------------------------------
def test_audio_float_array_becomes_16_bit_wav(run):
    t = np.linspace(0, 1, 800, endpoint=False)
    sig = 0.5 * np.sin(2 * np.pi * 440 * t)
    v, data = _logged(run, "speech", Audio(sig, sample_rate=8000, caption="la"))
    assert (
        v["_type"] == "audio-file"
        and v["caption"] == "la"
        and v["sample_rate"] == 8000
        and v["duration"] == 0.1
    )
    assert re.match(r"media/audio/speech_0_[0-9a-f]{20}\.wav$", v["path"])
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 8000, 800)
        frames = np.frombuffer(w.readframes(800), dtype="<i2")
    assert np.array_equal(frames, np.rint(sig * 32767).astype(np.int16))


def test_audio_int16_stereo_and_channels_first_are_kept_exactly(run):
    pcm = rng.integers(-32768, 32768, (300, 2), dtype=np.int16)
    for arr in (pcm, pcm.T):
        _, data = _logged(run, "st", Audio(arr, sample_rate=16000))
        with wave.open(io.BytesIO(data)) as w:
            assert w.getnchannels() == 2
            assert np.array_equal(np.frombuffer(w.readframes(300), dtype="<i2").reshape(300, 2), pcm)


def test_audio_file_is_copied(run, tmp_path):
    src = tmp_path / "clip.flac"
    src.write_bytes(b"fLaC-not-really")
    v, data = _logged(run, "clip", Audio(str(src)))
    assert data == src.read_bytes() and v["path"].endswith(".flac") and "sample_rate" not in v


@pytest.mark.parametrize(
    "args,kw,match",
    [
        ((np.zeros(10),), {}, "sample_rate.*required"),
        ((np.zeros(10),), {"sample_rate": 0}, "positive integer"),
        ((np.array([np.nan, 0.0]),), {"sample_rate": 10}, "NaN"),
        ((np.zeros((2, 2, 2)),), {"sample_rate": 10}, "expected shape"),
        ((np.array([10**6]),), {"sample_rate": 10}, "fit in int16"),
        (("/nonexistent/x.wav",), {}, "file not found"),
    ],
)
def test_audio_bad_input(args, kw, match):
    with pytest.raises(MediaError, match=match):
        Audio(*args, **kw)


def test_audio_loud_floats_are_clipped_with_a_warning():
    with pytest.warns(UserWarning, match="clipped"):
        Audio(np.array([2.0, -3.0]), sample_rate=10)


# -- Video -----------------------------------------------------------------------------------------
def test_video_frames_to_gif(run):
    pytest.importorskip("PIL")
    from PIL import Image as PILImage

    frames = rng.integers(0, 256, (5, 3, 16, 24), dtype=np.uint8)
    v, data = _logged(run, "rollout", Video(frames, fps=10, caption="ep1"))
    assert v["_type"] == "video-file" and (v["width"], v["height"]) == (24, 16) and v["caption"] == "ep1"
    assert re.match(r"media/videos/rollout_0_[0-9a-f]{20}\.gif$", v["path"])
    gif = PILImage.open(io.BytesIO(data))
    assert gif.n_frames == 5 and gif.size == (24, 16)


def test_video_batch_is_tiled_and_gray_is_expanded():
    pytest.importorskip("PIL")
    v = Video(rng.integers(0, 256, (3, 2, 1, 8, 8), dtype=np.uint8))  # 3 clips -> padded to a 2x2 grid
    assert (v._width, v._height) == (16, 16)


@pytest.mark.parametrize("fmt,magic", [("mp4", b"ftyp"), ("webm", b"\x1aE\xdf\xa3"), ("ogg", b"OggS")])
def test_video_frames_to_mp4_webm_ogg_with_imageio(run, fmt, magic):
    pytest.importorskip("imageio_ffmpeg")
    frames = rng.integers(0, 256, (4, 3, 15, 21), dtype=np.uint8)  # odd sides are padded to even
    v, data = _logged(run, "clip", Video(frames, fps=5, format=fmt))
    assert magic in data[:12] and v["path"].endswith("." + fmt) and (v["width"], v["height"]) == (22, 16)


def test_video_file_is_kept(run, tmp_path):
    src = tmp_path / "run.mp4"
    src.write_bytes(b"\x00\x00\x00\x18ftypmp42 not a real video")
    v, data = _logged(run, "vid", Video(str(src)))
    assert data == src.read_bytes() and v["path"].endswith(".mp4")


def test_video_bad_input_and_encoder_hint(monkeypatch):
    with pytest.raises(MediaError, match=r"\(time, channels, height, width\)"):
        Video(np.zeros((4, 5, 6)))
    with pytest.raises(MediaError, match="format"):
        Video(np.zeros((1, 3, 2, 2)), format="avi")
    with pytest.raises(MediaError, match="unsupported file type"):
        Video(__file__)
    with pytest.raises(MediaError, match="NaN"):
        Video(np.full((1, 3, 2, 2), np.nan))
    monkeypatch.setitem(sys.modules, "imageio", None)  # as if imageio were not installed
    with pytest.raises(MissingDependency, match=r'pip install "runyard\[video\]"'):
        Video(np.zeros((2, 3, 16, 16), np.uint8), format="mp4")


# -- Html ------------------------------------------------------------------------------------------
def test_html_string_and_injection(run):
    v, data = _logged(run, "report", Html("<html><body><b>hi</b></body></html>"))
    text = data.decode()
    assert v["_type"] == "html-file" and re.match(r"media/html/report_0_[0-9a-f]{20}\.html$", v["path"])
    assert text.startswith('<html><head><base target="_blank">') and text.endswith("<b>hi</b></body></html>")
    assert Html("<p>x</p>", inject=False).html == "<p>x</p>"
    assert Html("<head><title>t</title></head>").html.startswith('<head><base target="_blank">')


def test_html_file_and_errors(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("<p>file</p>")
    assert Html(str(p), inject=False).html == "<p>file</p>"
    assert Html(io.StringIO("<i>io</i>"), inject=False).html == "<i>io</i>"
    with pytest.raises(MediaError, match="file not found"):
        Html(str(tmp_path / "missing.html"))
    assert Html("missing.html", inject=False, data_is_not_path=True).html == "missing.html"
    with pytest.raises(MediaError, match="HTML string"):
        Html(42)


# -- Object3D --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cols", [3, 4, 6])
def test_point_clouds_become_pts_json(run, cols):
    pts = rng.random((50, cols))
    v, data = _logged(run, "cloud", Object3D(pts))
    assert v["_type"] == "object3D-file" and re.match(
        r"media/object3D/cloud_0_[0-9a-f]{20}\.pts\.json$", v["path"]
    )
    assert json.loads(data) == pts.tolist()


def test_lidar_scene_and_files(run, tmp_path):
    scene = {
        "type": "lidar/beta",
        "points": rng.random((4, 3)),
        "boxes": [{"corners": np.zeros((8, 3)), "label": "car", "color": [255, 0, 0]}],
    }
    v, data = _logged(run, "scene", Object3D(scene))
    doc = json.loads(data)
    assert (
        doc["type"] == "lidar/beta" and len(doc["points"]) == 4 and doc["boxes"][0]["corners"][0] == [0, 0, 0]
    )
    obj = tmp_path / "mesh.obj"
    obj.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    v, data = _logged(run, "mesh", Object3D(str(obj)))
    assert data == obj.read_bytes() and v["path"].endswith(".obj")
    v, data = _logged(run, "mesh2", Object3D(io.BytesIO(b"glTF"), file_type="glb"))
    assert data == b"glTF" and v["path"].endswith(".glb")


@pytest.mark.parametrize(
    "arg,match",
    [
        (np.zeros((5, 5)), r"\(N, 3\)"),
        (np.full((2, 3), np.nan), "NaN"),
        ({"type": "mesh"}, "lidar/beta"),
        (__file__, "unsupported file type"),
        ("/nonexistent.obj", "file not found"),
        (3.5, "Object3D takes"),
    ],
)
def test_object3d_bad_input(arg, match):
    with pytest.raises(MediaError, match=match):
        Object3D(arg)


# -- Plotly ----------------------------------------------------------------------------------------
def test_plotly_figure_json(run):
    go = pytest.importorskip("plotly.graph_objects")
    fig = go.Figure(go.Scatter(x=np.arange(3), y=[1, 3, 2]))
    v, data = _logged(run, "chart", Plotly(fig))
    assert v["_type"] == "plotly-file" and re.match(
        r"media/plotly/chart_0_[0-9a-f]{20}\.plotly\.json$", v["path"]
    )
    assert json.loads(data)["data"][0]["y"] == [1, 3, 2]
    assert Plotly({"data": [{"y": np.array([1, 2])}]})._data == b'{"data": [{"y": [1, 2]}]}'
    with pytest.raises(MediaError, match="plotly figure"):
        Plotly(object())
