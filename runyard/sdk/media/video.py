"""`runyard.Video`: a video file kept as it is, or frames encoded to GIF (Pillow) or MP4/WebM (imageio)."""

from __future__ import annotations

import hashlib
import io
import os
from typing import Any

from ._base import (
    MEDIA_HINT,
    VIDEO_HINT,
    LogContext,
    Media,
    MediaError,
    MissingDependency,
    existing_file,
    file_sha256,
    is_path,
    is_tensor_like,
    require_pillow,
    to_numpy,
)
from ._png import sniff_size
from .image import to_uint8

FORMATS = ("gif", "mp4", "webm", "ogg")
_CODECS = {"mp4": "libx264", "webm": "libvpx-vp9", "ogg": "libtheora"}


def _tile(v: Any) -> Any:
    """(B, T, C, H, W) -> (T, C, H', W'): the batch as a grid, as wandb does."""
    import numpy as np

    b, t, c, h, w = v.shape
    n = 1 << max(0, (b - 1).bit_length())  # pad to a power of two
    if n > b:
        v = np.concatenate([v, np.zeros((n - b, t, c, h, w), dtype=v.dtype)], axis=0)
    rows = 1 << ((n.bit_length() - 1) // 2)
    cols = n // rows
    v = v.reshape(rows, cols, t, c, h, w).transpose(2, 3, 0, 4, 1, 5)
    return v.reshape(t, c, rows * h, cols * w)


class Video(Media):
    """`Video(data_or_path, caption=None, fps=None, format=None)`, as wandb.Video.

    Arrays: (T, C, H, W) or (B, T, C, H, W) frames, C = 1, 3 or 4, uint8 (floats in [0, 1] are scaled).
    `format` "gif" (default, needs Pillow: `runyard[media]`) or "mp4"/"webm"/"ogg" (needs imageio with
    ffmpeg: `runyard[video]`). A file path needs nothing and is kept byte for byte.
    """

    _log_type = "video-file"
    EXTS = FORMATS
    MAX_BYTES = 2 << 30

    def __init__(
        self, data_or_path: Any, caption: str | None = None, fps: int | None = None, format: str | None = None
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._width: int | None = None
        self._height: int | None = None
        self._data: bytes | None = None
        self._src: str | None = None
        if is_path(data_or_path):
            self._src = existing_file(data_or_path, "Video")
            ext = os.path.splitext(self._src)[1][1:].lower()
            if ext not in FORMATS:
                raise MediaError(f"Video: unsupported file type {ext!r}; supported: {', '.join(FORMATS)}")
            self._ext = ext
            self._sha256, self._size = file_sha256(self._src)
            if ext == "gif":
                with open(self._src, "rb") as f:
                    size = sniff_size(f.read(16))
                if size:
                    self._width, self._height = size
            return
        fmt = (format or "gif").lower()
        if fmt not in FORMATS:
            raise MediaError(f"Video(format={format!r}): supported formats are {', '.join(FORMATS)}")
        if not (is_tensor_like(data_or_path) or isinstance(data_or_path, (list, tuple))):
            raise MediaError(
                f"Video takes frames (numpy array / tensor) or a file path, not {type(data_or_path).__name__}"
            )
        fps = 4 if fps is None else fps
        if isinstance(fps, bool) or not isinstance(fps, (int, float)) or fps <= 0:
            raise MediaError(f"Video(fps=...) must be a positive number, got {fps!r}")
        frames = self._frames(data_or_path)
        self._data = self._encode(frames, fmt, fps)
        self._ext = fmt
        self._sha256 = hashlib.sha256(self._data).hexdigest()
        self._size = len(self._data)

    def _frames(self, data: Any) -> Any:
        import numpy as np

        v = to_numpy(data)
        if v.nbytes > self.MAX_BYTES:
            raise MediaError(
                f"Video: the array is {v.nbytes / 2**30:.1f} GiB; runyard encodes videos up to 2 GiB"
            )
        if v.ndim == 5:
            v = _tile(v)
        if v.ndim != 4 or v.shape[1] not in (1, 3, 4) or 0 in v.shape:
            raise MediaError(
                f"Video: frames must be shaped (time, channels, height, width) or (batch, time, channels, height, "
                f"width) with 1, 3 or 4 channels, got {tuple(to_numpy(data).shape)}"
            )
        if v.dtype.kind == "f" and not np.isfinite(v).all():
            raise MediaError("Video: frames contain NaN or infinite values")
        v = to_uint8(v)
        if v.shape[1] == 1:
            v = np.repeat(v, 3, axis=1)
        v = v.transpose(0, 2, 3, 1)  # T, H, W, C
        self._height, self._width = int(v.shape[1]), int(v.shape[2])
        return np.ascontiguousarray(v)

    def _encode(self, frames: Any, fmt: str, fps: float) -> bytes:
        if fmt == "gif":
            pil = require_pillow("Video(frames, format='gif')")
            imgs = [pil.fromarray(f[:, :, :3]) for f in frames]
            buf = io.BytesIO()
            imgs[0].save(
                buf, format="GIF", save_all=True, append_images=imgs[1:], duration=int(1000 / fps), loop=0
            )
            return buf.getvalue()
        try:
            import imageio.v2 as _imageio
        except ImportError:
            raise MissingDependency(
                f"Video(frames, format={fmt!r}) needs imageio with ffmpeg. Install it with: {VIDEO_HINT} "
                f"(or use format='gif', which needs only Pillow: {MEDIA_HINT})"
            ) from None
        import tempfile

        import numpy as np

        imageio: Any = _imageio

        # imageio picks the container from the name and does not know .ogg: name it .mkv and force ogg
        fd, tmp = tempfile.mkstemp(suffix=".mkv" if fmt == "ogg" else "." + fmt)
        extra: dict[str, Any] = {"output_params": ["-f", "ogg"]} if fmt == "ogg" else {}
        os.close(fd)
        try:
            if frames.shape[1] % 2 or frames.shape[2] % 2:  # yuv420p needs even sides: pad by one pixel
                frames = np.pad(
                    frames, ((0, 0), (0, frames.shape[1] % 2), (0, frames.shape[2] % 2), (0, 0)), mode="edge"
                )
                self._height, self._width = int(frames.shape[1]), int(frames.shape[2])
            with imageio.get_writer(
                tmp,
                fps=fps,
                format="FFMPEG",
                codec=_CODECS[fmt],
                macro_block_size=1,
                pixelformat="yuv420p",
                ffmpeg_log_level="error",
                **extra,
            ) as w:
                for f in frames:
                    w.append_data(np.ascontiguousarray(f[:, :, :3]))
            with open(tmp, "rb") as fh:
                return fh.read()
        except Exception as e:
            raise MediaError(f"Video: could not encode {fmt} with imageio/ffmpeg: {e}") from None
        finally:
            os.unlink(tmp)

    def _to_json(self, ctx: LogContext) -> dict:
        if self._data is not None:
            d = ctx.put("videos", self._ext, self._data, self._sha256)
        else:
            d = ctx.put_file("videos", self._ext, self._src or "", self._sha256, self._size)
        d["_type"] = "video-file"
        if self._width is not None:
            d["width"] = self._width
            d["height"] = self._height
        return self._with_caption(d)
