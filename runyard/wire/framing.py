"""Framing of the run log: a versioned file header, then length-prefixed, checksummed records.

    file   := header record*
    header := b"RYRUNLOG" u16 version u16 flags u32 reserved        (16 bytes)
    record := u32 length  u32 crc32(body)  body                     (little-endian)
    body   := u8 type  payload (msgpack)

A crash can only tear the tail of an append-only file, so the reader walks records until the first
one that runs past the end of the file or fails its checksum, and reports what it skipped.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

MAGIC = b"RYRUNLOG"
FORMAT_VERSION = 1
HEADER = struct.Struct("<8sHHI")
RECORD_HEAD = struct.Struct("<II")
HEADER_SIZE = HEADER.size  # 16
MAX_RECORD = 256 * 1024 * 1024  # a length above this is corruption, not data


class RunLogError(Exception):
    """The file is not a run log at all (bad magic or an unknown future version)."""


def file_header() -> bytes:
    return HEADER.pack(MAGIC, FORMAT_VERSION, 0, 0)


_CRC_PIECE = 4096  # zlib.crc32 lets go of the interpreter above 5 KB


def frame(rtype: int, payload: bytes, keep_interpreter: bool = False) -> bytes:
    """One record. `keep_interpreter`: checksum in pieces that never release the GIL: a thread
    sharing it with a busy training thread (the SDK's writer) waits up to a switch interval to get
    it back after each release, which costs more than the checksum."""
    head = bytes((rtype,))
    if keep_interpreter and len(payload) > _CRC_PIECE:
        crc = zlib.crc32(head)
        with memoryview(payload) as m:
            for i in range(0, len(m), _CRC_PIECE):
                crc = zlib.crc32(m[i : i + _CRC_PIECE], crc)
    else:
        crc = zlib.crc32(payload, zlib.crc32(head))
    return b"".join((RECORD_HEAD.pack(len(payload) + 1, crc), head, payload))


@dataclass
class Tail:
    """Where reading stopped. `clean` is False when bytes after the last good record were skipped."""

    good_bytes: int = HEADER_SIZE
    skipped_bytes: int = 0
    reason: str = ""

    @property
    def clean(self) -> bool:
        return self.skipped_bytes == 0


def check_header(buf: bytes | memoryview) -> int:
    if len(buf) < HEADER_SIZE:
        raise RunLogError(f"file too short for a run log header ({len(buf)} bytes)")
    magic, version, _flags, _ = HEADER.unpack_from(buf, 0)
    if magic != MAGIC:
        raise RunLogError("not a runyard run log (bad magic)")
    if version > FORMAT_VERSION:
        raise RunLogError(f"run log format version {version} is newer than this runyard understands")
    return version


def iter_frames(
    buf: bytes | memoryview, tail: Tail, start: int = HEADER_SIZE
) -> Iterator[tuple[int, int, memoryview]]:
    """Yield (offset, type, payload) for each intact record; fill `tail` with where and why it stopped."""
    view = memoryview(buf)
    end = len(view)
    pos = start
    unpack = RECORD_HEAD.unpack_from
    crc = zlib.crc32
    while pos < end:
        if end - pos < RECORD_HEAD.size:
            tail.reason = "truncated record header"
            break
        length, checksum = unpack(view, pos)
        if length == 0 or length > MAX_RECORD:
            tail.reason = f"implausible record length {length}"
            break
        body_start = pos + RECORD_HEAD.size
        if body_start + length > end:
            tail.reason = "truncated record body"
            break
        body = view[body_start : body_start + length]
        if crc(body) != checksum:
            tail.reason = "checksum mismatch"
            break
        yield pos, body[0], body[1:]
        pos = body_start + length
    tail.good_bytes = pos
    tail.skipped_bytes = end - pos
