"""Columnar encoding of history fragments.

A fragment is what one `log()` call produced: (seq, step, timestamp, commit, keys, values). The writer
collects the fragments of one flush interval and stores them as columns: the row-level columns (seq,
step, timestamp, commit) once, then, for each distinct set of keys, one column per key. Floats and
ints become packed little-endian 8-byte arrays, so a typical scalar costs 8 bytes on disk and
nothing to parse; anything else (strings, bools, None, nested dicts, media references) is kept as a
list of msgpack values.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

_LITTLE = sys.byteorder == "little"
_FLOATS = frozenset({float})
_INTS = frozenset({int})

COL_F8 = "f8"
COL_I8 = "i8"
COL_ANY = "any"

# One fragment as the SDK enqueues it.
Fragment = tuple  # (kind, seq, step, ts, commit, keys, values)


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
    for keys, (rows, vals) in groups.items():
        cols = [_encode_column(c) for c in zip(*vals)] if keys else []
        out_groups.append([list(keys), None if len(rows) == n else pack_ints(rows), len(rows), cols])
    uniform = commits.count(commits[0]) == n if n else True
    return {
        "n": n,
        "seq": pack_ints(seqs),
        "step": pack_ints(steps),
        "ts": _arr_bytes(stamps),
        "commit": commits[0] if (uniform and n) else bytes(commits),
        "groups": out_groups,
    }


class HistoryBatch:
    """A decoded history record: row-level columns plus key groups with their value columns."""

    __slots__ = ("n", "seq", "step", "ts", "commit", "groups")

    def __init__(self, payload: dict):
        n = self.n = payload["n"]
        self.seq = unpack_ints(payload["seq"], n)
        self.step = unpack_ints(payload["step"], n)
        self.ts = _arr_from("d", payload["ts"])
        c = payload["commit"]
        self.commit = bytes([c]) * n if isinstance(c, int) else bytes(c)
        self.groups: list[tuple[list[str], Sequence[int], list[Sequence[Any]]]] = []
        for keys, rows, count, cols in payload["groups"]:
            rows_seq = range(n) if rows is None else unpack_ints(rows, count)
            self.groups.append((keys, rows_seq, [_decode_column(c) for c in cols]))

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


def _decode_column(col: list) -> Sequence[Any]:
    tag, data = col
    if tag == COL_F8:
        return _arr_from("d", data)
    if tag == COL_I8:
        return _arr_from("q", data).tolist()
    return data
