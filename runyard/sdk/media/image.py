"""`runyard.Image`, with wandb's masks and bounding boxes.

Arrays are encoded to PNG at construction (as wandb does) by runyard's own encoder (`_png.py`);
Pillow is needed only for PIL input, other file formats and `file_type="jpg"`/... . Files that are
already PNG, JPEG, GIF, BMP or WebP are kept byte for byte (a JPEG is never re-encoded).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping
from typing import Any

from ._base import (
    LogContext,
    Media,
    MediaError,
    check_finite,
    existing_file,
    is_path,
    is_tensor_like,
    json_bytes,
    require_pillow,
    to_numpy,
    type_module,
    warn,
)
from ._png import encode_png, sniff_size
from .plotly import _is_matplotlib, matplotlib_png

_KEPT_FORMATS = {"png", "jpg", "jpeg", "gif", "bmp", "webp"}
_MODE_CHANNELS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}
_SIGNATURES = {"png": (b"\x89PNG",), "jpg": (b"\xff\xd8",), "jpeg": (b"\xff\xd8",), "gif": (b"GIF8",)}


def to_uint8(a: Any) -> Any:
    """wandb's rule: data with negatives is min-max scaled to [0, 1]; data within [0, 1] is ×255; then
    rounded and clipped to 0..255. uint8 is kept as it is; bools become 0/255."""
    import numpy as np

    if a.dtype == np.uint8:
        return a
    if a.dtype.kind == "b":
        return a.astype(np.uint8) * np.uint8(255)
    if a.dtype.kind not in "iuf":
        raise MediaError(f"image data has dtype {a.dtype}; use uint8, bool, integer or float arrays")
    f = a.astype(np.float32 if a.dtype.itemsize <= 4 else np.float64)
    lo = f.min()
    if lo < 0:
        span = f.max() - lo
        f = (f - lo) / span if span > 0 else np.zeros_like(f)
    if f.max() <= 1.0:
        f = f * 255.0
    return np.clip(np.rint(f), 0, 255).astype(np.uint8)


def image_array(data: Any, what: str, max_bytes: int, max_dim: int, channels_first: bool = False) -> Any:
    """Validate and normalise an image array to (H, W) or (H, W, C) with C in 2..4 (no copy if possible)."""
    a = to_numpy(data)
    if a.dtype == object:
        raise MediaError(f"{what}: cannot make an image of an array of Python objects (shape {a.shape})")
    if a.nbytes > max_bytes:
        raise MediaError(
            f"{what}: the array is {a.nbytes / 2**30:.1f} GiB (shape {tuple(a.shape)}); runyard logs images up to "
            f"{max_bytes / 2**30:.0f} GiB. Downsample it, or log a crop"
        )
    while a.ndim > 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 3:
        if channels_first or (a.shape[0] in (1, 2, 3, 4) and a.shape[-1] not in (1, 2, 3, 4)):
            a = a.transpose(1, 2, 0)
        if a.shape[-1] == 1:
            a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (2, 3, 4)):
        raise MediaError(
            f"{what}: unsupported image shape {tuple(a.shape)}; expected (H, W), (H, W, C) or, for tensors, "
            "(C, H, W) with C = 1, 3 or 4. For a batch, log a list of images"
        )
    h, w = a.shape[:2]
    if h == 0 or w == 0:
        raise MediaError(f"{what}: the image is empty (shape {tuple(a.shape)})")
    if h > max_dim or w > max_dim:
        raise MediaError(f"{what}: {w}×{h} pixels is larger than the {max_dim} pixel limit per side")
    check_finite(a, what)
    return a


class Image(Media):
    """An image: numpy array, torch tensor, PIL image, matplotlib figure, file path, or another Image.

    `Image(data_or_path, mode=None, caption=None, grouping=None, classes=None, boxes=None, masks=None,
    file_type=None)`, as wandb.Image.
    """

    MAX_ITEMS = 108  # images per logged list, as wandb
    MAX_DIMENSION = 65500  # pixels per side (PIL's limit, as wandb)
    MAX_BYTES = 1 << 30  # bytes of the input array per image
    _log_type = "image-file"
    _data: bytes  # the encoded file
    _ext: str
    _sha256: str
    format: str

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: Mapping[str, Any] | None = None,
        masks: Mapping[str, Any] | None = None,
        file_type: str | None = None,
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._grouping = grouping
        self._classes = classes
        self._width: int | None = None
        self._height: int | None = None
        self._pil: Any = None
        if isinstance(data_or_path, Image):
            src = data_or_path
            self._data, self._ext, self.format = src._data, src._ext, src.format
            self._width, self._height, self._sha256 = src._width, src._height, src._sha256
            if caption is None:
                self._caption = src._caption
        else:
            if is_path(data_or_path):
                self._init_from_path(os.fspath(data_or_path))
            else:
                self._init_from_data(data_or_path, mode, file_type)
            self._sha256 = hashlib.sha256(self._data).hexdigest()
        self._boxes = _parse_group(boxes, "boxes", BoundingBoxes2D)
        self._masks = _parse_group(masks, "masks", ImageMask)

    # -- construction -------------------------------------------------------------------------
    def _init_from_path(self, path: str) -> None:
        existing_file(path, "Image")
        ext = os.path.splitext(path)[1][1:].lower()
        if ext in _KEPT_FORMATS:
            with open(path, "rb") as f:
                data = f.read()
            sigs = _SIGNATURES.get(ext)
            if sigs and not data.startswith(sigs):
                raise MediaError(f"Image: {path!r} is not a valid {ext.upper()} file")
            self._data, self._ext, self.format = data, ext, ext
            size = sniff_size(data)
            if size is None:
                try:
                    pil = require_pillow(f"reading the size of {ext} images").open(io.BytesIO(data))
                    size = pil.size
                except Exception:
                    size = None
            if size is not None:
                self._width, self._height = size
            return
        pil_mod = require_pillow(f"Image({ext or 'extension-less'} file)")
        try:
            pil = pil_mod.open(path)
            pil.load()
        except Exception as e:
            raise MediaError(f"Image: cannot read {path!r} as an image: {e}") from None
        self._init_from_pil(pil, None, None)

    def _init_from_data(self, data: Any, mode: str | None, file_type: str | None) -> None:
        mod = type_module(data)
        if mod.startswith("PIL."):
            self._init_from_pil(data, mode, file_type)
            return
        if _is_matplotlib(data):
            png = matplotlib_png(data)
            self._data, self._ext, self.format = png, "png", "png"
            self._width, self._height = sniff_size(png) or (None, None)
            return
        if hasattr(data, "numpy") and not is_tensor_like(data):
            data = data.numpy()
        if not (is_tensor_like(data) or isinstance(data, (list, tuple))):
            raise MediaError(
                f"Image takes a numpy array, a torch tensor, a PIL image, a matplotlib figure or a file path, "
                f"not {mod}.{type(data).__qualname__}"
            )
        a = image_array(
            data,
            "Image",
            self.MAX_BYTES,
            self.MAX_DIMENSION,
            channels_first=mod.startswith("torch") and data.ndim == 3,
        )
        self._encode_array(a, mode, file_type)

    def _encode_array(self, a: Any, mode: str | None, file_type: str | None) -> None:
        import numpy as np

        if mode in ("I;16", "I") or (a.dtype == np.uint16 and mode is None):
            if a.dtype.kind not in "iub" or (a.size and (a.min() < 0 or a.max() > 65535)):
                raise MediaError(f"Image(mode={mode!r}) needs integer data within 0..65535")
            a = a.astype(np.uint16, copy=False)
        else:
            a = to_uint8(a)
        channels = 1 if a.ndim == 2 else a.shape[2]
        self._height, self._width = int(a.shape[0]), int(a.shape[1])
        ft = (file_type or "png").lower()
        if mode is not None and mode not in ("I;16", "I") and _MODE_CHANNELS.get(mode) != channels:
            if mode in _MODE_CHANNELS:
                raise MediaError(
                    f"Image(mode={mode!r}) needs {_MODE_CHANNELS[mode]} channel(s); the data has {channels}"
                )
            pil = require_pillow(f"Image(mode={mode!r})").fromarray(np.ascontiguousarray(a)).convert(mode)
            self._init_from_pil(pil, None, ft)
            return
        if ft != "png":
            pil = require_pillow(f"Image(file_type={ft!r})").fromarray(np.ascontiguousarray(a))
            self._init_from_pil(pil, None, ft)
            return
        self._data, self._ext, self.format = encode_png(a), "png", "png"

    def _init_from_pil(self, pil: Any, mode: str | None, file_type: str | None) -> None:
        import numpy as np

        if mode is not None and pil.mode != mode:
            pil = pil.convert(mode)
        ft = (file_type or "png").lower()
        self._width, self._height = pil.size
        if ft == "png" and pil.mode in _MODE_CHANNELS:
            self._data, self._ext, self.format = encode_png(np.asarray(pil)), "png", "png"
            return
        fmt = {"jpg": "JPEG", "jpeg": "JPEG"}.get(ft, ft.upper())
        jpeg_cannot = fmt == "JPEG" and pil.mode not in ("L", "RGB", "CMYK")
        png_cannot = fmt == "PNG" and pil.mode in ("CMYK", "YCbCr", "LAB", "HSV")
        if jpeg_cannot or png_cannot:
            pil = pil.convert("RGB")
        buf = io.BytesIO()
        try:
            pil.save(buf, format=fmt)
        except (KeyError, OSError, ValueError) as e:
            raise MediaError(
                f"Image(file_type={ft!r}): Pillow cannot write this image as {fmt}: {e}"
            ) from None
        self._data, self._ext, self.format = buf.getvalue(), ft, ft

    # -- wandb-compatible accessors -------------------------------------------------------------
    @property
    def image(self) -> Any:
        """The image as a PIL image (decoded on demand; needs Pillow)."""
        if self._pil is None:
            self._pil = require_pillow("Image.image").open(io.BytesIO(self._data))
        return self._pil

    @property
    def width(self) -> int | None:
        return self._width

    @property
    def height(self) -> int | None:
        return self._height

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Image) and self._sha256 == other._sha256 and self._caption == other._caption

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<runyard.Image {self._width}x{self._height} {self.format} caption={self._caption!r}>"

    # -- serialisation ------------------------------------------------------------------------
    def _to_json(self, ctx: LogContext) -> dict:
        d = ctx.put("images", self._ext, self._data, self._sha256)
        d["_type"] = "image-file"
        d["format"] = self.format
        if self._width is not None:
            d["width"] = self._width
            d["height"] = self._height
        if self._grouping:
            d["grouping"] = self._grouping
        self._with_caption(d)
        if self._boxes:
            d["boxes"] = {k: b._to_json(ctx) for k, b in self._boxes.items()}
        if self._masks:
            d["masks"] = {k: m._to_json(ctx) for k, m in self._masks.items()}
        return d


def _labels(v: Any, what: str) -> dict[int, str]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise MediaError(
            f"{what}: class_labels must be a dict of int class id -> name, not {type(v).__name__}"
        )
    out = {}
    for k, name in v.items():
        try:
            ik = int(k)
        except (TypeError, ValueError):
            raise MediaError(f"{what}: class_labels keys must be integer class ids, got {k!r}") from None
        out[ik] = str(name)
    return out


def _parse_group(group: Any, arg: str, cls: type) -> dict[str, Any]:
    if not group:
        return {}
    if not isinstance(group, Mapping):
        raise MediaError(f'Image "{arg}" argument must be a dict such as {{"predictions": {{...}}}}')
    return {str(k): (v if isinstance(v, cls) else cls(v, str(k))) for k, v in group.items()}


class ImageMask(Media):
    """A segmentation mask of class ids (wandb's masks={"name": {"mask_data": 2-D array, "class_labels": {...}}})."""

    _log_type = "mask"

    def __init__(self, val: Mapping[str, Any], key: str = "mask") -> None:
        what = f"mask {key!r}"
        if not isinstance(val, Mapping):
            raise MediaError(f'{what}: expected a dict with "mask_data" (or "path") and "class_labels"')
        self._key = key
        self._class_labels = _labels(val.get("class_labels"), what)
        if "path" in val and "mask_data" not in val:
            path = existing_file(val["path"], what)
            with open(path, "rb") as f:
                self._data = f.read()
            if not self._data.startswith(b"\x89PNG"):
                raise MediaError(f"{what}: {path!r} must be a PNG file")
        elif "mask_data" in val:
            self._data = encode_png(self._mask_array(val["mask_data"], what))
        else:
            raise MediaError(f'{what}: needs "mask_data" (a 2-D array of class ids) or "path" (a PNG file)')
        self._sha256 = hashlib.sha256(self._data).hexdigest()

    @staticmethod
    def _mask_array(data: Any, what: str) -> Any:
        import numpy as np

        a = to_numpy(data)
        if a.ndim == 3 and a.shape[-1] == 1:
            a = a[:, :, 0]
        if a.ndim != 2 or 0 in a.shape:
            raise MediaError(
                f"{what}: mask_data must be a 2-D array of class ids, got shape {tuple(a.shape)}"
            )
        if a.dtype == np.uint8:
            return a
        check_finite(a, what)
        if a.dtype.kind not in "biuf" or (a.size and (a.min() < 0 or a.max() > 255)):
            raise MediaError(f"{what}: mask_data values must be class ids within 0..255")
        if a.dtype.kind == "f" and not np.array_equal(a, np.rint(a)):
            raise MediaError(f"{what}: mask_data must hold integer class ids, not fractions")
        return a.astype(np.uint8)

    def _to_json(self, ctx: LogContext) -> dict:
        d = ctx.put("images/mask", "mask.png", self._data, self._sha256)
        d["_type"] = "mask"
        if self._class_labels:
            ctx.set_singleton(
                "mask/class_labels",
                f"{ctx.key}_wandb_delimeter_{self._key}",
                {str(k): v for k, v in self._class_labels.items()},
            )
        return d


_POS_CORNERS = ("minX", "maxX", "minY", "maxY")


class BoundingBoxes2D(Media):
    """wandb's boxes={"name": {"box_data": [{"position": {...}, "class_id": 1, ...}], "class_labels": {...}}}."""

    _log_type = "boxes2D"

    def __init__(self, val: Mapping[str, Any], key: str = "boxes") -> None:
        what = f"boxes {key!r}"
        if not isinstance(val, Mapping) or "box_data" not in val:
            raise MediaError(f'{what}: expected a dict with "box_data" (a list of boxes) and "class_labels"')
        self._key = key
        self._class_labels = _labels(val.get("class_labels"), what)
        boxes = val["box_data"]
        if not isinstance(boxes, (list, tuple)):
            raise MediaError(f"{what}: box_data must be a list of dicts, not {type(boxes).__name__}")
        self._box_data = [self._check_box(b, i, what) for i, b in enumerate(boxes)]
        payload = {
            "box_data": self._box_data,
            "class_labels": {str(k): v for k, v in self._class_labels.items()},
        }
        self._data = json_bytes(payload)
        self._sha256 = hashlib.sha256(self._data).hexdigest()

    @staticmethod
    def _check_box(b: Any, i: int, what: str) -> dict:
        if not isinstance(b, Mapping):
            raise MediaError(f"{what}: box {i} must be a dict, not {type(b).__name__}")
        pos = b.get("position")
        if not isinstance(pos, Mapping):
            raise MediaError(
                f'{what}: box {i} needs "position": {{minX, maxX, minY, maxY}} or {{middle, width, height}}'
            )
        try:
            if all(k in pos for k in _POS_CORNERS):
                p: dict[str, Any] = {k: float(pos[k]) for k in _POS_CORNERS}
            elif "middle" in pos and "width" in pos and "height" in pos:
                mx, my = pos["middle"]
                p = {
                    "middle": [float(mx), float(my)],
                    "width": float(pos["width"]),
                    "height": float(pos["height"]),
                }
            else:
                raise KeyError
        except (KeyError, TypeError, ValueError):
            raise MediaError(
                f"{what}: box {i} position must have numbers minX, maxX, minY, maxY or middle [x, y], width, height"
            ) from None
        cid = b.get("class_id")
        if cid is None or isinstance(cid, bool) or not hasattr(cid, "__index__"):
            raise MediaError(f'{what}: box {i} needs an integer "class_id", got {cid!r}')
        out = dict(b)
        out["position"] = p
        out["class_id"] = int(cid.__index__())
        if "scores" in out:
            sc = out["scores"]
            if not isinstance(sc, Mapping):
                raise MediaError(f'{what}: box {i} "scores" must be a dict of name -> number')
            out["scores"] = {str(k): float(v) for k, v in sc.items()}
        if "box_caption" in out:
            out["box_caption"] = str(out["box_caption"])
        return out

    def _to_json(self, ctx: LogContext) -> dict:
        d = ctx.put("metadata/boxes2D", "boxes2D.json", self._data, self._sha256)
        d["_type"] = "boxes2D"
        if self._class_labels:
            ctx.set_singleton(
                "bounding_box/class_labels",
                f"{ctx.key}_wandb_delimeter_{self._key}",
                {str(k): v for k, v in self._class_labels.items()},
            )
        return d


def images_separated(images: list[Image], ctx: LogContext) -> dict:
    """wandb's value for a list of images under one key."""
    if len(images) > Image.MAX_ITEMS:
        warn(
            f"only the first {Image.MAX_ITEMS} of {len(images)} images logged under {ctx.key!r} are kept (as wandb)"
        )
        images = images[: Image.MAX_ITEMS]
    jsons = [im._to_json(ctx) for im in images]
    first = images[0]
    if any((im._width, im._height) != (first._width, first._height) for im in images):
        warn(
            f"the images logged under {ctx.key!r} differ in size; the media panel shows them at the first one's size"
        )
    meta: dict[str, Any] = {
        "_type": "images/separated",
        "width": first._width,
        "height": first._height,
        "format": jsons[0]["format"],
        "count": len(images),
        "filenames": [j["path"] for j in jsons],
    }
    if first._caption is not None:
        meta["captions"] = [im._caption for im in images]
    masks = [j.get("masks") for j in jsons]
    if any(m is not None for m in masks):
        meta["all_masks"] = masks
    boxes = [j.get("boxes") for j in jsons]
    if any(b is not None for b in boxes):
        meta["all_boxes"] = boxes
    return meta
