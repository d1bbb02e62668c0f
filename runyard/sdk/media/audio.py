"""`runyard.Audio`: arrays become WAV files through the standard library's `wave` module."""

from __future__ import annotations

import hashlib
import io
import os
import wave
from typing import Any

from ._base import (
    LogContext,
    Media,
    MediaError,
    check_finite,
    existing_file,
    file_sha256,
    is_path,
    to_numpy,
    warn,
)


class Audio(Media):
    """`Audio(data_or_path, sample_rate=None, caption=None)`, as wandb.Audio.

    Arrays: shape (samples,) or (samples, channels) (channels-first (channels, samples) with 1-2 channels
    is transposed). Floats are clipped to [-1, 1] and stored as 16-bit PCM; int16 as 16-bit, int32 as
    32-bit, uint8 as 8-bit PCM; other integer arrays as 16-bit when they fit. Files are kept as they are.
    """

    _log_type = "audio-file"
    MAX_BYTES = 1 << 30

    def __init__(self, data_or_path: Any, sample_rate: int | None = None, caption: str | None = None) -> None:
        self._caption = None if caption is None else str(caption)
        self._sample_rate: int | None = None
        self._duration: float | None = None
        self._data: bytes | None = None
        self._src: str | None = None
        if is_path(data_or_path):
            self._src = existing_file(data_or_path, "Audio")
            self._ext = os.path.splitext(self._src)[1][1:].lower() or "wav"
            self._sha256, self._size = file_sha256(self._src)
            return
        if sample_rate is None:
            raise MediaError('Audio: "sample_rate" is required when logging raw audio data (as in wandb)')
        if (
            isinstance(sample_rate, bool)
            or not isinstance(sample_rate, int)
            and not hasattr(sample_rate, "__index__")
        ):
            raise MediaError(f"Audio(sample_rate=...) must be a positive integer, got {sample_rate!r}")
        sr = int(sample_rate)
        if sr <= 0:
            raise MediaError(f"Audio(sample_rate=...) must be a positive integer, got {sample_rate!r}")
        self._sample_rate = sr
        self._data = self._wav(data_or_path, sr)
        self._ext = "wav"
        self._sha256 = hashlib.sha256(self._data).hexdigest()
        self._size = len(self._data)

    def _wav(self, data: Any, sr: int) -> bytes:
        import numpy as np

        a = to_numpy(data)
        if a.nbytes > self.MAX_BYTES:
            raise MediaError(
                f"Audio: the array is {a.nbytes / 2**30:.1f} GiB; runyard logs audio up to 1 GiB"
            )
        if a.ndim == 2 and a.shape[0] in (1, 2) and a.shape[1] > 2:
            a = a.T  # (channels, samples), torchaudio's layout
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2 or a.shape[0] == 0 or not 1 <= a.shape[1] <= 64:
            raise MediaError(
                f"Audio: expected shape (samples,) or (samples, channels), got {tuple(to_numpy(data).shape)}"
            )
        if a.dtype.kind == "f":
            check_finite(a, "Audio data")
            if a.size and float(np.abs(a).max()) > 1.0:
                warn("Audio: float samples outside [-1, 1] were clipped")
            pcm = np.rint(np.clip(a, -1.0, 1.0) * 32767).astype("<i2")
        elif a.dtype == np.uint8:
            pcm = a
        elif a.dtype.kind in "iu":
            if a.dtype == np.int32:
                pcm = a.astype("<i4")
            elif a.size == 0 or (a.min() >= -32768 and a.max() <= 32767):
                pcm = a.astype("<i2")
            else:
                raise MediaError(
                    "Audio: integer samples must fit in int16 or be int32; scale them or pass floats in [-1, 1]"
                )
        elif a.dtype.kind == "b":
            raise MediaError("Audio: boolean arrays are not audio")
        else:
            raise MediaError(f"Audio: unsupported sample type {a.dtype}")
        self._duration = a.shape[0] / sr
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(pcm.shape[1])
            w.setsampwidth(pcm.dtype.itemsize)
            w.setframerate(sr)
            w.writeframes(np.ascontiguousarray(pcm).tobytes())
        return buf.getvalue()

    def _to_json(self, ctx: LogContext) -> dict:
        if self._data is not None:
            d = ctx.put("audio", self._ext, self._data, self._sha256)
        else:
            d = ctx.put_file("audio", self._ext, self._src or "", self._sha256, self._size)
        d["_type"] = "audio-file"
        if self._sample_rate is not None:
            d["sample_rate"] = self._sample_rate
            d["duration"] = self._duration
        return self._with_caption(d)
