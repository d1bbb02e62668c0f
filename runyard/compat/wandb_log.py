"""Reading wandb's `.wandb` record log without the wandb package.

Layout: a 7-byte file header (`:W&B`, u16 0xBEE1, u8 version 0), then
LevelDB-log framing in 32 KiB blocks counted from offset 0. Each chunk is a 7-byte header (u32 CRC-32
IEEE over type byte + payload, u16 length, u8 type FULL/FIRST/MIDDLE/LAST) and its payload; a record
that does not fit the rest of a block is split into FIRST, MIDDLE..., LAST; fewer than 7 bytes left in
a block are zero padding. Each reassembled record is one protobuf `wandb_internal.Record`.

Like runyard's own reader, this one never fails on a valid prefix: it yields every intact record and
fills a `Tail` with where and why it stopped.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from . import wandb_record_fields as fields
from .protowire import LEN, VARINT, DecodeError, decode, iter_fields

MAGIC = b":W&B"
HEADER = struct.Struct("<4sHB")  # magic, u16 0xBEE1, u8 version
HEADER_SIZE = HEADER.size  # 7
HEADER_IDENT = 0xBEE1
BLOCK = 32 * 1024
CHUNK_HEAD = struct.Struct("<IHB")  # crc32, length, type
CHUNK_HEAD_SIZE = CHUNK_HEAD.size  # 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


class WandbLogError(Exception):
    """Not a wandb record log (bad header, unknown version)."""


@dataclass
class WandbTail:
    """Where reading stopped. `skipped_bytes` > 0 means bytes after the last good record were ignored."""

    good_bytes: int = HEADER_SIZE
    skipped_bytes: int = 0
    reason: str = ""

    @property
    def clean(self) -> bool:
        return self.skipped_bytes == 0


@dataclass
class WandbRecord:
    offset: int  # file offset of the record's first chunk header
    num: int  # wandb's own record number
    kind: str  # the `record_type` oneof member ("history", "run", ...) or "unknown:<field>"
    body: dict[str, Any]
    raw: bytes  # the serialized protobuf record


def check_header(data: bytes) -> None:
    if len(data) < HEADER_SIZE:
        raise WandbLogError(f"file too short for a .wandb header ({len(data)} bytes)")
    magic, ident, version = HEADER.unpack_from(data, 0)
    if magic != MAGIC or ident != HEADER_IDENT:
        raise WandbLogError("not a wandb record log (bad header)")
    if version != 0:
        raise WandbLogError(f".wandb format version {version} is not supported (only 0)")


def iter_payloads(data: bytes, tail: WandbTail) -> Generator[tuple[int, bytes], None, None]:
    """Yield (offset, payload) for each complete, checksummed record; fill `tail`."""
    end = len(data)
    pos = HEADER_SIZE
    good = pos
    parts: list[bytes] = []
    rec_start = pos
    reason = ""
    while pos < end:
        left_in_block = BLOCK - pos % BLOCK
        if left_in_block < CHUNK_HEAD_SIZE:
            pos += left_in_block  # zero padding at the end of a block
            continue
        if end - pos < CHUNK_HEAD_SIZE:
            reason = "truncated chunk header"
            break
        crc, length, ctype = CHUNK_HEAD.unpack_from(data, pos)
        if crc == 0 and length == 0 and ctype == 0:
            reason = "zero bytes where a chunk was expected (file not fully written)"
            break
        body_start = pos + CHUNK_HEAD_SIZE
        if length > left_in_block - CHUNK_HEAD_SIZE:
            reason = f"chunk length {length} crosses a block boundary"
            break
        if body_start + length > end:
            reason = "truncated chunk"
            break
        payload = data[body_start : body_start + length]
        if zlib.crc32(bytes((ctype,)) + payload) != crc:
            reason = "checksum mismatch"
            break
        if ctype in (FULL, FIRST):
            if parts:
                reason = "record started before the previous one ended"
                break
            rec_start = pos
            parts = [payload]
        elif ctype in (MIDDLE, LAST):
            if not parts:
                reason = "continuation chunk without a first chunk"
                break
            parts.append(payload)
        else:
            reason = f"unknown chunk type {ctype}"
            break
        pos = body_start + length
        if ctype in (FULL, LAST):
            yield rec_start, b"".join(parts)
            parts = []
            good = pos
    if not reason and parts:
        reason = "record split across chunks is missing its last chunk"
    if reason:
        tail.reason = f"{reason} at byte {pos}"
    tail.good_bytes = good
    # padding after the last record (end of a block) is not data that was skipped
    rest = data[good:end]
    tail.skipped_bytes = 0 if (not reason and not rest.strip(b"\0")) else end - good


def decode_record(payload: bytes) -> tuple[int, str, dict[str, Any]]:
    """(Record.num, record type name, decoded body) of one serialized `wandb_internal.Record`."""
    num = 0
    kind = "empty"
    body: dict[str, Any] = {}
    for field, wt, raw in iter_fields(payload):
        if field == fields.RECORD_NUM and wt == VARINT:
            num = raw
            continue
        spec = fields.RECORD_TYPES.get(field)
        if spec is None:
            if wt == LEN and field not in (16, 19, 200):  # control, uuid, _info are not record types
                kind = f"unknown:{field}"
            continue
        kind, schema = spec
        body = decode(raw, schema) if schema is not None and wt == LEN else {}
    return num, kind, body


def iter_records(data: bytes, tail: WandbTail | None = None) -> Iterator[WandbRecord]:
    """Decode every record of a `.wandb` file's bytes; stops (and reports) at the first bad one."""
    check_header(data)
    tail = tail if tail is not None else WandbTail()
    gen = iter_payloads(data, tail)
    for offset, payload in gen:
        try:
            num, kind, body = decode_record(payload)
        except (DecodeError, struct.error, UnicodeDecodeError) as e:
            gen.close()
            tail.reason = f"record at byte {offset} does not decode as a wandb record: {e}"
            tail.good_bytes = offset
            tail.skipped_bytes = len(data) - offset
            return
        yield WandbRecord(offset, num, kind, body, payload)
