"""`runyard.Object3D`: point clouds as `.pts.json`, 3-D model files copied as they are."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from typing import Any

from ._base import (
    LogContext,
    Media,
    MediaError,
    check_finite,
    existing_file,
    file_sha256,
    is_path,
    is_tensor_like,
    json_bytes,
    to_numpy,
)

SUPPORTED_FILES = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")


def _ext_of(name: str) -> str:
    low = name.lower()
    return "pts.json" if low.endswith(".pts.json") else os.path.splitext(low)[1][1:]


def _points(data: Any, what: str) -> list:
    a = to_numpy(data)
    if a.ndim != 2 or a.shape[1] not in (3, 4, 6) or a.shape[0] == 0:
        raise MediaError(
            f"{what}: a point cloud must be an array of shape (N, 3) [x y z], (N, 4) [x y z category] or "
            f"(N, 6) [x y z r g b], got {tuple(a.shape)}"
        )
    if a.dtype.kind not in "iuf":
        raise MediaError(f"{what}: point coordinates must be numbers, not {a.dtype}")
    check_finite(a, what)
    return a.tolist()


def _plain(v: Any) -> Any:
    if is_tensor_like(v):
        return to_numpy(v).tolist()
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    item = getattr(v, "item", None)
    return item() if callable(item) else v


class Object3D(Media):
    """`Object3D(data_or_path, caption=None, file_type=None)`, as wandb.Object3D.

    numpy (N, 3/4/6) point clouds, wandb's `{"type": "lidar/beta", "points": ..., "boxes": ..., "vectors": ...}`
    scenes, or a .obj/.gltf/.glb/.babylon/.stl/.pts.json file (path, or file object with `file_type`).
    """

    _log_type = "object3D-file"
    SUPPORTED_TYPES = SUPPORTED_FILES

    def __init__(
        self, data_or_path: Any, caption: str | None = None, file_type: str | None = None, **kwargs: Any
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._data: bytes | None = None
        self._src: str | None = None
        if is_path(data_or_path):
            self._src = existing_file(data_or_path, "Object3D")
            self._ext = _ext_of(self._src)
            if self._ext not in SUPPORTED_FILES:
                raise MediaError(
                    f"Object3D: unsupported file type {self._ext!r}; supported: {', '.join(SUPPORTED_FILES)}"
                )
            self._sha256, self._size = file_sha256(self._src)
            return
        if hasattr(data_or_path, "read"):
            ext = (file_type or "").lower().lstrip(".")
            if ext not in SUPPORTED_FILES:
                raise MediaError(
                    f"Object3D(file object) needs file_type= one of {', '.join(SUPPORTED_FILES)}"
                )
            raw = data_or_path.read()
            self._data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
            self._ext = ext
        elif isinstance(data_or_path, Mapping):
            scene = dict(data_or_path)
            if scene.get("type") != "lidar/beta" or "points" not in scene:
                raise MediaError(
                    'Object3D(dict) must be {"type": "lidar/beta", "points": array, "boxes": [...], "vectors": [...]}'
                )
            out = {"type": "lidar/beta", "points": _points(scene["points"], "Object3D points")}
            for k in ("boxes", "vectors"):
                if k in scene:
                    out[k] = _plain(scene[k])
            self._data = json_bytes(out)
            self._ext = "pts.json"
        elif is_tensor_like(data_or_path) or isinstance(data_or_path, (list, tuple)):
            self._data = json_bytes(_points(data_or_path, "Object3D"))
            self._ext = "pts.json"
        else:
            raise MediaError(
                f"Object3D takes a numpy point cloud, a lidar/beta dict or a 3-D file path, not {type(data_or_path).__name__}"
            )
        self._sha256 = hashlib.sha256(self._data).hexdigest()
        self._size = len(self._data)

    @classmethod
    def from_numpy(cls, data: Any) -> Object3D:
        return cls(data)

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        return cls(data_or_path, file_type=file_type)

    def _to_json(self, ctx: LogContext) -> dict:
        if self._data is not None:
            d = ctx.put("object3D", self._ext, self._data, self._sha256)
        else:
            d = ctx.put_file("object3D", self._ext, self._src or "", self._sha256, self._size)
        d["_type"] = "object3D-file"
        return self._with_caption(d)
