"""Encoding of metric chunks: up to CHUNK_POINTS points of one (run, key), sorted by (step, seq).

    steps  b""                             when the steps are consecutive (the usual case), else
           zlib(int64 deltas)              first delta 0; step = step_min + cumsum
    vals   float64 little-endian           numeric chunks, as they are; or, on PostgreSQL where byte
                                           planes pay (`planes_pay`), each full block of BLOCK_POINTS
                                           values as its 8 byte planes, a last partial block as it
                                           is, then the byte 0x01 (`encode_floats`; 8 n + 1 bytes)
           msgpack list                    non-numeric chunks (strings, bools, media references)
    aux    0x02, first seq, first microsecond timestamp (int64 each), a 16-bit mask of the constant
           byte planes, their bytes, then zlib(the other planes): the 16 byte planes of the int64
           seq deltas and microsecond timestamp deltas after the first point (`encode_aux`);
           rows of earlier versions: 0x01 + zlib(all 16 planes, first deltas included), or the
           deltas zlib'd as they are (zlib's first byte is 0x78); all three read (`decode_aux`)
    blocks numeric chunks: statistics per block of BLOCK_POINTS consecutive points (BLOCK_DTYPE
           records, `block_stats`), the summary level that zoomed-out chart queries read instead of
           the points: not a column, a full chunk's are level-0 records of its series (summaries.py)

`vals` stays uncompressed in the server because float noise does not compress much (zlib saved under
10 % on real-ish series) while decompressing it would dominate chart queries. PostgreSQL compresses
it anyway (TOAST, lz4 where the server has it), and byte planes (every value's first byte, then every
second, ...) put what changes little in runs it finds: the sign and exponent, the top of the
mantissa of slowly changing values, a float32's zero low bytes. 4,096 values of a float32 training
loss: 50 % of their bytes with lz4 as planes against 70 % as they are (57 % with pglz); a linear
schedule 11 % against 52 %. A block's planes start where its values would, so a range of whole
blocks is still one byte range of the column. SQLite compresses nothing: its values stay as they are.

Steps, seqs and timestamps are nearly arithmetic sequences, which delta + zlib shrinks to a fraction
of a byte per point. The deltas are
stored as byte planes (every delta's lowest byte, then every second byte, ...): their high bytes are
zero runs, which zlib stores in ~60 % of the bytes of the deltas as they are, in less time both ways
(a synced run of 1M points: 339-370 against 569-622 KB; zlib's run-length strategy made 240-289 KB
but inflated 3x slower, which raw history reads of ten keys felt: +6 ms). Most planes are constant
(a key logged at every step has seq deltas all equal; timestamp deltas under 16 s leave their top
five bytes zero): those are stored as one byte each and kept out of zlib, the largest part of the
ingest's encoding time (a 4,096-point chunk logged at every step 1-300 ms apart: 130-145 against
195-215 us to encode, 78 against 108-118 us to decode, 10.4 against 10.9 KB).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlalchemy.engine import Row

from ..wire.records import packb, unpackb
from . import kernels

CHUNK_POINTS = 4096
# 128 points per block: a 1,000-bucket query of a 1M-step series reads ~8k block records and ~128k
# raw points at bucket edges (instead of 1M points); the level costs 56 B per 128 points (0.44 B/point).
BLOCK_POINTS = 128
BLOCK_DTYPE = np.dtype(
    [
        ("lo", "<i8"),  # step of the block's first point
        ("hi", "<i8"),  # step of its last point
        ("n", "<i4"),  # points
        ("count", "<i4"),  # non-NaN points
        ("min", "<f8"),  # over non-NaN values (NaN when none)
        ("max", "<f8"),
        ("sum", "<f8"),  # over non-NaN values (NaN for inf + -inf)
        ("last", "<f8"),  # value of the last point in (step, seq) order
    ]
)
_I8 = np.dtype("<i8")
_PLANES = b"\x01"  # first byte of an `aux` stored as byte planes (all of them zlib'd)
_SPARSE_PLANES = b"\x02"  # first byte of an `aux` whose constant planes are left out of zlib
_PLANAR = b"\x01"  # last byte of numeric `vals` stored as byte planes (8 n + 1 bytes, not 8 n)
_BLOCK_BYTES = BLOCK_POINTS * 8
_AUX_HEAD = struct.Struct("<qqH")  # first seq, first microsecond timestamp, mask of constant planes
_F8 = np.dtype("<f8")


@dataclass
class Points:
    """Columns of some points of one key. `val` is float64 for numeric points, a list otherwise."""

    gseq: np.ndarray  # int64: segment ordinal << 40 | seq, orders points across resumed segments
    step: np.ndarray  # int64
    ts: np.ndarray  # float64 epoch seconds
    val: np.ndarray | list

    def __len__(self) -> int:
        return len(self.step)

    def take(self, idx: np.ndarray | slice) -> Points:
        v = (
            self.val[idx]
            if isinstance(self.val, np.ndarray)
            else [self.val[i] for i in np.arange(len(self))[idx]]
        )
        return Points(self.gseq[idx], self.step[idx], self.ts[idx], v)

    def sorted(self) -> Points:
        if len(self) > 1:
            d = np.diff(self.step)
            if (d > 0).all() or ((d >= 0).all() and (np.diff(self.gseq)[d == 0] > 0).all()):
                return self
        return self.take(np.lexsort((self.gseq, self.step)))

    @staticmethod
    def concat(parts: list[Points]) -> Points:
        if len(parts) == 1:
            return parts[0]
        numeric = isinstance(parts[0].val, np.ndarray)
        val = np.concatenate([p.val for p in parts]) if numeric else [v for p in parts for v in p.val]  # type: ignore[misc]
        return Points(
            np.concatenate([p.gseq for p in parts]),
            np.concatenate([p.step for p in parts]),
            np.concatenate([p.ts for p in parts]),
            val,
        )


def encode(p: Points, numeric: bool, planar: bool = False) -> dict:
    """Column values of a metric_chunks row for sorted points `p` (stats included; `blocks` is left
    None: the writer computes the block statistics of a whole append at once, `block_stats`);
    `planar`: numeric values as byte planes (`encode_floats`)."""
    n = len(p)
    step = p.step.astype(_I8, copy=False)
    smin, smax = int(step[0]), int(step[-1])
    if smax - smin == n - 1 and (n < 2 or bool((np.diff(step) == 1).all())):
        steps_blob = b""
    else:
        steps_blob = zlib.compress(np.diff(step, prepend=step[0]).astype(_I8).tobytes(), 1)
    aux = encode_aux(p.gseq, np.rint(p.ts * 1e6).astype(_I8))
    row = {
        "numeric": numeric,
        "n": n,
        "step_min": smin,
        "step_max": smax,
        "ts_min": float(p.ts.min()),
        "ts_max": float(p.ts.max()),
        "steps": steps_blob,
        "aux": aux,
        "v_min": None,
        "v_max": None,
        "v_sum": None,
        "v_count": 0,
        "v_last": None,
        "blocks": None,
    }
    if numeric:
        v = np.ascontiguousarray(p.val, dtype=_F8)
        row["vals"] = encode_floats(v) if planar and planes_pay(v) else v.tobytes()
        ok = ~np.isnan(v)
        cnt = int(ok.sum())
        row["v_count"] = cnt
        if cnt:
            vv = v[ok] if cnt < n else v
            with np.errstate(invalid="ignore"):  # inf + -inf: the sum is NaN, stored as None
                total = float(vv.sum())
            row["v_min"], row["v_max"] = float(vv.min()), float(vv.max())
            row["v_sum"] = None if total != total else total
        last = float(v[-1])
        row["v_last"] = None if last != last else last
    else:
        row["vals"] = zlib.compress(packb(list(p.val)), 1)
    return row


def block_stats(step: np.ndarray, v: np.ndarray, sizes: np.ndarray | None = None) -> bytes:
    """The block statistics of a numeric chunk with sorted steps `step` and values `v`: BLOCK_DTYPE
    records. Of several chunks at once: with `sizes`, the points of each in turn (blocks start anew
    at each chunk); without, chunk i's blocks are the records i * CHUNK_POINTS // BLOCK_POINTS onwards
    (CHUNK_POINTS is a multiple of BLOCK_POINTS)."""
    n = len(v)
    if sizes is None:
        starts = np.arange(0, n, BLOCK_POINTS)
        ends = np.minimum(starts + BLOCK_POINTS, n)
    else:
        first = np.cumsum(sizes) - sizes
        per = -(-sizes // BLOCK_POINTS)
        within = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        starts = np.repeat(first, per) + within * BLOCK_POINTS
        ends = np.minimum(starts + BLOCK_POINTS, np.repeat(first + sizes, per))
    out = np.empty(len(starts), BLOCK_DTYPE)
    out["lo"], out["hi"] = step[starts], step[ends - 1]
    out["n"] = ends - starts
    out["min"], out["max"], out["sum"], out["count"], out["last"] = kernels.segments(v, starts, ends)
    return out.tobytes()


def decode_steps(blob: bytes, step_min: int, n: int) -> np.ndarray:
    if not blob:
        return np.arange(step_min, step_min + n, dtype=np.int64)
    return step_min + np.cumsum(np.frombuffer(zlib.decompress(blob), dtype=_I8))


def encode_floats(v: np.ndarray) -> bytes:
    """Contiguous float64 values as byte planes: each full block's 8 planes of BLOCK_POINTS bytes, the
    values of a last partial block as they are, then _PLANAR."""
    k = len(v) // BLOCK_POINTS * _BLOCK_BYTES
    b = v.view(np.uint8)
    return b[:k].reshape(-1, BLOCK_POINTS, 8).transpose(0, 2, 1).tobytes() + b[k:].tobytes() + _PLANAR


def planes_pay(v: np.ndarray) -> bool:
    """Whether byte planes give the compressor more than the top byte (sign and exponent, constant in
    most blocks of most series): more than one plane per full block, on average, holds one byte
    throughout. Values that went through float32 or float16, integers and slowly changing values pass;
    doubles with a mantissa of noise do not, and would be stored ~15 % smaller at the price of
    decompressing them at every read (a full-resolution chart of 10M such points: +50 %)."""
    k = len(v) // BLOCK_POINTS
    if not k:
        return False
    u = v[: k * BLOCK_POINTS].view(np.uint64).reshape(k, BLOCK_POINTS)
    varies = np.bitwise_or.reduce(u ^ u[:, :1], axis=1)
    return int(np.count_nonzero(varies.view(np.uint8) == 0)) > k


def is_planar(vals: bytes | memoryview) -> bool:
    """Whether a numeric chunk's whole `vals` are byte planes: told by their length (8 n + 1, the
    last byte _PLANAR), so that SQL can tell it too (`planar_sql`)."""
    return len(vals) % 8 == 1


def decode_floats(blob: bytes) -> np.ndarray:
    """Values of a numeric chunk's whole `vals` (as they are: a read-only view of the blob, no copy)."""
    if is_planar(blob):
        return range_floats(memoryview(blob)[:-1], True)
    return np.frombuffer(blob, dtype=_F8)


def planar_sql(vals: Any) -> Any:
    """SQL: whether a numeric row's `vals` are byte planes, told by their length as `is_planar`
    does; neither database reads the value for it."""
    return func.length(vals) % 8 == 1


def range_floats(buf: bytes | memoryview, planar: bool) -> np.ndarray:
    """Values of a byte range of a numeric chunk's `vals` that starts at a block and ends at a block
    or at the chunk's last value; `planar`: the row's values are byte planes (`planar_sql`)."""
    if not planar:
        return np.frombuffer(buf, dtype=_F8)
    out = np.empty(len(buf) // 8, _F8)
    kernels.gather([(buf, True, 0, len(out))], out, BLOCK_POINTS)
    return out


def gather_floats(sources: list[tuple[bytes, bool | None, int, int]], out: np.ndarray) -> None:
    """Values first .. first + count - 1 of each source (vals, planar, first, count) written to `out`
    one after another: a numeric chunk's whole `vals` (planar None: `is_planar`) or a byte range of
    them as `range_floats` reads it."""
    kernels.gather([(b, is_planar(b) if p is None else p, f, n) for b, p, f, n in sources], out, BLOCK_POINTS)


def decode_vals(blob: bytes, numeric: bool) -> np.ndarray | list:
    if numeric:
        return decode_floats(blob)
    return unpackb(zlib.decompress(blob))


def encode_aux(gseq: np.ndarray, ts_us: np.ndarray) -> bytes:
    """The `aux` of points with these seqs and microsecond timestamps (n >= 1)."""
    n = len(gseq)
    d = np.empty((2, n - 1), _I8)
    np.subtract(gseq[1:], gseq[:-1], out=d[0], dtype=_I8, casting="unsafe")
    np.subtract(ts_us[1:], ts_us[:-1], out=d[1], dtype=_I8, casting="unsafe")
    # plane i < 8: byte i of the seq deltas; plane 8 + i: byte i of the timestamp deltas. A plane is
    # constant where no delta differs from the first in that byte (found without building planes).
    varies = np.bitwise_or.reduce(d ^ d[:, :1], axis=1) if n > 1 else np.zeros(2, _I8)
    const = (varies.view(np.uint8) == 0).reshape(16)
    mask = int(np.packbits(const, bitorder="little").view("<u2")[0])
    head = _SPARSE_PLANES + _AUX_HEAD.pack(int(gseq[0]), int(ts_us[0]), mask)
    if n == 1:
        return head
    first = np.ascontiguousarray(d[:, 0]).view(np.uint8)  # the constant planes' bytes
    var = np.flatnonzero(~const)
    # the varying planes, byte i % 8 of the deltas of row i // 8, gathered in one call
    rest = d.view(np.uint8).reshape(2, n - 1, 8)[var // 8, :, var % 8]
    body = zlib.compress(rest.tobytes(), 1) if len(var) else b""
    return head + first[const].tobytes() + body


def decode_aux(blob: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(seqs, timestamps in seconds) of a chunk's n points."""
    if blob[:1] == _SPARSE_PLANES:
        return _decode_sparse_planes(blob, n)
    if blob[:1] == _PLANES:
        planes = np.frombuffer(zlib.decompress(blob[1:]), np.uint8).reshape(8, -1)
        raw = np.ascontiguousarray(planes.T).view(_I8).ravel()
    else:
        raw = np.frombuffer(zlib.decompress(blob), dtype=_I8)
    gseq = np.cumsum(raw[:n])
    ts = np.cumsum(raw[n:]).astype(np.float64) / 1e6
    return gseq, ts


def _decode_sparse_planes(blob: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    g0, t0, mask = _AUX_HEAD.unpack_from(blob, 1)
    const = np.unpackbits(np.array([mask & 0xFF, mask >> 8], np.uint8), bitorder="little").astype(bool)
    k, at = int(const.sum()), 1 + _AUX_HEAD.size
    out = np.empty((2, n), _I8)
    out[:, 0] = g0, t0
    if n > 1:
        base = np.zeros(16, np.uint8)  # the constant planes' bytes, the others' zero
        base[const] = np.frombuffer(blob, np.uint8, k, at)
        d = out[:, 1:]
        d[:] = base.view(_I8)[:, None]
        if k < 16:  # the varying planes' bytes (zero so far) put in place in one call
            rest = np.frombuffer(zlib.decompress(blob[at + k :]), np.uint8).reshape(16 - k, n - 1)
            var = np.flatnonzero(~const)
            out.view(np.uint8).reshape(2, n, 8)[var // 8, 1:, var % 8] = rest
        np.cumsum(out, axis=1, out=out)
    return out[0], out[1].astype(np.float64) / 1e6


def decode(row: Row[Any]) -> Points:
    """Points of a whole `metric_chunks` row (it needs n, step_min, numeric, steps, vals, aux)."""
    n = row.n
    gseq, ts = decode_aux(row.aux, n)
    return Points(gseq, decode_steps(row.steps, row.step_min, n), ts, decode_vals(row.vals, row.numeric))
