"""Columnar encoding of history fragments.

A fragment is what one `log()` call produced: (seq, step, timestamp, commit, keys, values). The writer
collects the fragments of one flush interval and stores them as columns: the row-level columns (seq,
step, timestamp, commit) once, then, for each distinct set of keys, one column per key. Floats and
ints become packed little-endian 8-byte arrays, so a typical scalar costs 8 bytes on disk and
nothing to parse; anything else (strings, bools, None, nested dicts, media references) is kept as a
list of msgpack values.

A fragment's values are a sequence, or a *float row* (`float_row`): the values of a call that logged
only floats, as packed little-endian doubles. The SDK queues rows in that form: a value costs 8
bytes instead of a tuple slot and a float object (32), and turning rows into columns takes a few C
calls per record instead of a Python step per value.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from .records import packb, packb_plain

_LITTLE = sys.byteorder == "little"
_FLOATS = frozenset({float})
_INTS = frozenset({int})

COL_F8 = "f8"
COL_I8 = "i8"
COL_ANY = "any"

# One fragment as the SDK enqueues it.
Fragment = tuple  # (kind, seq, step, ts, commit, keys, values or float row)

_FLOAT = frozenset({float})


@lru_cache(maxsize=256)
def _row_struct(n: int) -> struct.Struct:
    return struct.Struct(f"<{n}d")


def _exact_floats_by_type(vals: tuple) -> bool:
    return set(map(type, vals)) == _FLOAT


_exact_floats: Callable[[tuple], bool] = _exact_floats_by_type


def float_row(vals: tuple) -> bytes | None:
    """The values as a float row when every one is a float (not a subclass), else None; anything
    else (ints, strings, numpy scalars, media) is left to the caller's general path."""
    if vals and _exact_floats(vals):
        return _row_struct(len(vals)).pack(*vals)
    return None


def check_floats_with_msgspec() -> None:
    """Check rows for `float_row` with msgspec's C encoder, four times faster than looking at each
    value's type (3 instead of 13 us for 1,000 values). It writes exact floats, and only those, as
    9-byte float-64 cells, so a packed array whose every cell starts with the float-64 marker is a
    row of floats. Importing msgspec takes ~20 ms, so the SDK's writer thread calls this once it
    sees wide rows instead of every `import runyard` paying for it."""
    global _exact_floats
    import msgspec

    pack = msgspec.msgpack.Encoder().encode

    def exact_floats(vals: tuple) -> bool:
        n = len(vals)
        try:
            packed = pack(vals)
        except Exception:  # a type msgspec does not encode: not a row of floats
            return False
        h = len(packed) - 9 * n  # the array header: 1, 3 or 5 bytes
        return h == (1 if n < 16 else 3 if n < 65536 else 5) and packed[h::9].count(0xCB) == n

    _exact_floats = exact_floats


def value_count(values: Sequence[Any] | bytes) -> int:
    """How many values a fragment holds (a sequence, or a float row of 8-byte doubles)."""
    return len(values) >> 3 if type(values) is bytes else len(values)


def float_row_values(row: bytes) -> list[float]:
    """The floats of a float row."""
    return list(_row_struct(len(row) >> 3).unpack(row))


def _float_columns(rows: list[bytes], n: int, pause: Callable[[], None]) -> list:
    """Float rows of `n` values as `n` f8 columns in a few C calls: the rows-by-keys matrix of
    8-byte items is copied out key by key (Fortran order) and each column is a slice of that."""
    r = len(rows)
    with (
        memoryview(b"".join(rows)) as m,
        m.cast("Q", (r, n)) as matrix,
    ):  # 8-byte items, never read as numbers
        by_key = matrix.tobytes(order="F")
    pause()
    w = 8 * r
    cols: list = []
    for j0 in range(0, n, 256):
        cols += [[COL_F8, by_key[j * w : (j + 1) * w]] for j in range(j0, min(n, j0 + 256))]
        pause()
    return cols


def no_pause() -> None:
    pass


def _arr_bytes(a: array) -> bytes:
    if not _LITTLE:
        a.byteswap()
    return a.tobytes()


def _arr_from(code: str, data: bytes) -> array:
    a = array(code)
    a.frombytes(data)
    if not _LITTLE:
        a.byteswap()
    return a


def pack_ints(xs: list[int]) -> int | bytes | list:
    """A run of consecutive ints is stored as its first element; anything else as an int64 array."""
    n = len(xs)
    if n and xs[-1] - xs[0] == n - 1 and xs == list(range(xs[0], xs[0] + n)):
        return xs[0]
    try:
        return _arr_bytes(array("q", xs))
    except OverflowError:
        return list(xs)


def unpack_ints(v: int | bytes | list, n: int) -> Sequence[int]:
    if isinstance(v, int):
        return range(v, v + n)
    if isinstance(v, (bytes, bytearray)):
        return _arr_from("q", v)
    return v


def _encode_column(col: tuple) -> list:
    types = set(map(type, col))
    if types <= _FLOATS:
        return [COL_F8, _arr_bytes(array("d", col))]
    if types <= _INTS:
        try:
            return [COL_I8, _arr_bytes(array("q", col))]
        except OverflowError:
            pass
    return [COL_ANY, list(col)]


def encode_history(frags: Sequence[Fragment]) -> dict:
    """The HISTORY payload of `frags`."""
    return _encode(frags, no_pause)[0]


def pack_history(frags: Sequence[Fragment], pause: Callable[[], None] = no_pause) -> bytes:
    """The HISTORY payload of `frags`, packed; `pause` is called between steps of a few thousand
    values (the SDK's writer lets the training thread take the interpreter there)."""
    payload, plain = _encode(frags, pause)
    pause()
    return packb_plain(payload) if plain else packb(payload)


def _encode(frags: Sequence[Fragment], pause: Callable[[], None]) -> tuple[dict, bool]:
    """The payload, and whether it holds only f8/i8 columns (then packb_plain packs it)."""
    n = len(frags)
    seqs: list[int] = []
    steps: list[int] = []
    stamps = array("d")
    commits = bytearray()
    groups: dict[tuple, list] = {}
    for i, f in enumerate(frags):
        seqs.append(f[1])
        steps.append(f[2])
        stamps.append(f[3])
        commits.append(f[4])
        keys = f[5]
        g = groups.get(keys)
        if g is None:
            groups[keys] = g = [[], []]
        g[0].append(i)
        g[1].append(f[6])
    out_groups = []
    plain = True
    for keys, (rows, vals) in groups.items():
        if not keys:
            cols = []
        elif all(type(v) is bytes for v in vals):
            cols = _float_columns(vals, len(keys), pause)
        else:
            vals = [float_row_values(v) if type(v) is bytes else v for v in vals]
            cols = []
            for c in zip(*vals):
                col = _encode_column(c)
                plain = plain and col[0] != COL_ANY
                cols.append(col)
                if len(cols) & 63 == 0:
                    pause()
        out_groups.append([list(keys), None if len(rows) == n else pack_ints(rows), len(rows), cols])
    uniform = commits.count(commits[0]) == n if n else True
    payload = {
        "n": n,
        "seq": pack_ints(seqs),
        "step": pack_ints(steps),
        "ts": _arr_bytes(stamps),
        "commit": commits[0] if (uniform and n) else bytes(commits),
        "groups": out_groups,
    }
    return payload, plain


class HistoryBatch:
    """A decoded history record: row-level columns plus key groups with their value columns.

    Every count the payload declares is checked against the data it actually carries before
    anything is sized by it (ValueError naming the problem): `n` must match the 8-byte timestamps,
    each column its count, each row index the batch, so a few bytes cannot ask for gigabytes."""

    __slots__ = ("n", "seq", "step", "ts", "commit", "groups")

    def __init__(self, payload: dict):
        n = self.n = payload["n"]
        ts = payload["ts"]
        _require(type(n) is int and n >= 0, "n must be a non-negative int")
        _require(
            isinstance(ts, bytes) and len(ts) == 8 * n, "ts must hold 8 bytes for each of the %d fragments", n
        )
        self.seq = _int_column(payload["seq"], n, "seq")
        self.step = _int_column(payload["step"], n, "step")
        self.ts = _arr_from("d", ts)
        c = payload["commit"]
        if isinstance(c, int):
            _require(0 <= c <= 255, "commit must be a byte")
            self.commit = bytes([c]) * n
        else:
            _require(isinstance(c, bytes) and len(c) == n, "commit must hold one byte per fragment (%d)", n)
            self.commit = bytes(c)
        groups = payload["groups"]
        _require(isinstance(groups, list), "groups must be a list")
        self.groups: list[tuple[list[str], Sequence[int], list[Sequence[Any]]]] = []
        for g in groups:
            _require(isinstance(g, list) and len(g) == 4, "a group is [keys, rows, count, columns]")
            keys, rows, count, cols = g
            _require(isinstance(keys, list) and all(isinstance(k, str) for k in keys), "keys are strings")
            _require(type(count) is int and 0 <= count <= n, "a group's count must be 0..%d", n)
            _require(isinstance(cols, list) and len(cols) == len(keys), "one column per key")
            if rows is None:
                _require(count == n, "a group of every fragment counts them all")
                rows_seq: Sequence[int] = range(n)
            else:
                rows_seq = _int_column(rows, count, "rows")
                _require(not count or (min(rows_seq) >= 0 and max(rows_seq) < n), "row index out of range")
            self.groups.append((keys, rows_seq, [_decode_column(c, count) for c in cols]))

    def series(self, key: str) -> Iterator[tuple[int, int, float, Any]]:
        """(seq, step, ts, value) for each fragment of this batch that holds `key`."""
        for keys, rows, cols in self.groups:
            try:
                j = keys.index(key)
            except ValueError:
                continue
            col = cols[j]
            seq, step, ts = self.seq, self.step, self.ts
            for r, v in zip(rows, col):
                yield seq[r], step[r], ts[r], v

    def fragments(self) -> list[tuple[int, int, float, int, dict]]:
        """Every fragment as (seq, step, ts, commit, {key: value}), in log order."""
        data: list[dict] = [{} for _ in range(self.n)]
        for keys, rows, cols in self.groups:
            if cols:
                for r, vals in zip(rows, zip(*cols)):
                    data[r].update(zip(keys, vals))
        return [(self.seq[i], self.step[i], self.ts[i], self.commit[i], data[i]) for i in range(self.n)]


def _require(ok: bool, message: str, *args: object) -> None:
    """ValueError("HISTORY: message % args") unless `ok`; the message is formatted only then (these
    checks run for every column of every batch a server decodes)."""
    if not ok:
        raise ValueError("HISTORY: " + (message % args if args else message))


def _int_column(v: Any, n: int, name: str) -> Sequence[int]:
    """An int column of `n` int64 values, checked against what it holds before it is unpacked."""
    if type(v) is int:
        _require(v >= -(2**63) and v + n <= 2**63, "%s runs outside the 64-bit integer range", name)
    elif isinstance(v, bytes):
        _require(len(v) == 8 * n, "%s must hold 8 bytes for each of its %d values", name, n)
    elif isinstance(v, list):
        _require(len(v) == n, "%s must hold %d values", name, n)
        _require(all(type(x) is int and -(2**63) <= x < 2**63 for x in v), "%s must be 64-bit integers", name)
    else:
        raise ValueError(f"HISTORY: {name} must be an int, packed int64 bytes or a list of ints")
    return unpack_ints(v, n)


def _decode_column(col: Any, count: int) -> Sequence[Any]:
    _require(isinstance(col, list) and len(col) == 2, "a column is [tag, data]")
    tag, data = col
    if tag in (COL_F8, COL_I8):
        _require(
            isinstance(data, bytes) and len(data) == 8 * count, "a %s column holds 8 bytes per value", tag
        )
        return _arr_from("d", data) if tag == COL_F8 else _arr_from("q", data).tolist()
    _require(
        tag == COL_ANY and isinstance(data, list) and len(data) == count,
        "a column must hold %d values",
        count,
    )
    return data
