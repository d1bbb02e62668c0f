"""A minimal protobuf wire-format decoder, driven by small field tables (no generated code).

Only what reading wandb's `.wandb` record log needs: varint, 64-bit, length-delimited and 32-bit
fields; strings, bytes, ints (zigzag for sint), bools, enums, doubles/floats and nested messages;
packed repeated scalars. Unknown fields are skipped, as protobuf requires, so newer wandb files
with extra fields still decode.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

# wire types
VARINT, I64, LEN, I32 = 0, 1, 2, 5

# field kinds used in the tables
STR, BYTES, INT, SINT, UINT, BOOL, ENUM, DOUBLE, FLOAT, MSG = (
    "str",
    "bytes",
    "int",
    "sint",
    "uint",
    "bool",
    "enum",
    "double",
    "float",
    "msg",
)

# A schema maps a field number to (name, kind, repeated, sub-schema or None).
Field = tuple[str, str, bool, "Schema | None"]
Schema = dict[int, Field]


class DecodeError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    end = len(buf)
    while True:
        if pos >= end:
            raise DecodeError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint too long")


def iter_fields(buf: bytes | memoryview) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, raw value) for each field of one message."""
    pos = 0
    end = len(buf)
    while pos < end:
        # one-byte varints (field keys < 16, small values and lengths) are by far the most common:
        # decode them inline and call read_varint only for longer ones
        key = buf[pos]
        if key < 0x80:
            pos += 1
        else:
            key, pos = read_varint(buf, pos)
        num, wt = key >> 3, key & 7
        val: Any
        if num == 0:
            raise DecodeError("field number 0")
        if wt == VARINT:
            if pos < end and buf[pos] < 0x80:
                val = buf[pos]
                pos += 1
            else:
                val, pos = read_varint(buf, pos)
        elif wt == I64:
            if pos + 8 > end:
                raise DecodeError("truncated 64-bit field")
            val = bytes(buf[pos : pos + 8])
            pos += 8
        elif wt == LEN:
            if pos < end and buf[pos] < 0x80:
                n = buf[pos]
                pos += 1
            else:
                n, pos = read_varint(buf, pos)
            if pos + n > end:
                raise DecodeError("truncated length-delimited field")
            val = buf[pos : pos + n]
            pos += n
        elif wt == I32:
            if pos + 4 > end:
                raise DecodeError("truncated 32-bit field")
            val = bytes(buf[pos : pos + 4])
            pos += 4
        else:  # groups (3, 4) are not used by proto3 messages
            raise DecodeError(f"unsupported wire type {wt}")
        yield num, wt, val


def _signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _scalar(kind: str, wt: int, raw: Any) -> Any:
    if kind == STR:
        return bytes(raw).decode("utf-8", "replace")
    if kind == BYTES:
        return bytes(raw)
    if kind == DOUBLE:
        return struct.unpack("<d", raw)[0] if wt == I64 else float(raw)
    if kind == FLOAT:
        return struct.unpack("<f", raw)[0] if wt == I32 else float(raw)
    if wt != VARINT:
        if wt == I64:
            return struct.unpack("<q", raw)[0]
        if wt == I32:
            return struct.unpack("<i", raw)[0]
        raise DecodeError(f"wire type {wt} for a {kind} field")
    if kind == BOOL:
        return raw != 0
    if kind == SINT:
        return (raw >> 1) ^ -(raw & 1)
    if kind == UINT:
        return raw
    return _signed64(raw)  # int32/int64/enum: negative values are sign-extended to 64 bits


def _packed(kind: str, raw: memoryview) -> list[Any]:
    out: list[Any] = []
    if kind == DOUBLE:
        return list(struct.unpack(f"<{len(raw) // 8}d", raw))
    if kind == FLOAT:
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    pos = 0
    while pos < len(raw):
        v, pos = read_varint(raw, pos)
        out.append(_scalar(kind, VARINT, v))
    return out


def decode(buf: bytes | memoryview, schema: Schema) -> dict[str, Any]:
    """Decode a message into a dict of the fields named in `schema` (repeated fields as lists)."""
    out: dict[str, Any] = {}
    for num, wt, raw in iter_fields(memoryview(buf)):
        spec = schema.get(num)
        if spec is None:
            continue
        name, kind, repeated, sub = spec
        if kind == MSG:
            if wt != LEN:
                raise DecodeError(f"field {name} should be a message")
            val: Any = decode(raw, sub or {})
        elif wt == LEN and kind not in (STR, BYTES):
            vals = _packed(kind, raw)
            if repeated:
                out.setdefault(name, []).extend(vals)
            elif vals:
                out[name] = vals[-1]
            continue
        else:
            val = _scalar(kind, wt, raw)
        if repeated:
            out.setdefault(name, []).append(val)
        elif kind == MSG and name in out:  # a message field seen twice is merged, per the spec
            out[name].update(val)
        else:
            out[name] = val
    return out
