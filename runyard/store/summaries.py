"""The summary levels of numeric series, per series rather than per chunk: what a zoomed-out chart reads.

Level 0 holds one record per block of BLOCK_POINTS points (`chunks.block_stats`), level 1 one per
LEVEL1_BLOCKS blocks of a chunk (1,024 points). Records never span chunks; each carries its chunk id
and first block so that a query can descend from a record that straddles a bucket edge to the blocks
beneath it (`blocks`) and from a block to its raw values.

Why per series: the block level stored per chunk row made a 100-run x 1M-step chart read 24,500 rows
(one database page each: ~10 µs a row in SQLite before any arithmetic) and 781k block records to
answer 977 buckets. Here the records of SEGMENT_CHUNKS[level] consecutive chunks (by chunk number)
share one row of ~8.7 KB, so that chart reads 1,600 rows and 98k level-1 records
(docs/architecture.md, "Summary levels").

Only full chunks have their records in rows (full chunks are never rewritten): an append that fills a
chunk adds its records to the last row of each level, other appends write no row. The records of each
series' open chunk are computed from its values when a query reads them (`_open_blocks`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .chunks import BLOCK_DTYPE, BLOCK_POINTS, block_stats, decode_floats, decode_steps
from .db import Database, dialect_insert
from .tables import metric_chunks, metric_keys, metric_summaries

LEVEL1_BLOCKS = 8
LEVEL_POINTS = (BLOCK_POINTS, BLOCK_POINTS * LEVEL1_BLOCKS)  # points per record, by level
SEGMENT_CHUNKS = (4, 32)  # chunks per row, by level: 128 records (~8.7 KB) per row of full chunks
SUMMARY_DTYPE = np.dtype([*BLOCK_DTYPE.descr, ("chunk", "<i8"), ("block", "<i4")])


def level_for(width: float) -> int:
    """The coarsest level whose records are not wider than buckets of `width` steps."""
    return 1 if width >= LEVEL_POINTS[1] else 0


def level_records(chunk_ids: list[int], blobs: list[bytes], level: int) -> np.ndarray:
    """The records of a level of numeric chunks from their block statistics (`chunks.block_stats`), in
    the order given."""
    b = np.frombuffer(b"".join(blobs), BLOCK_DTYPE)
    if not len(b):  # e.g. no series of a query has an open chunk (each holds whole chunks)
        return np.zeros(0, SUMMARY_DTYPE)
    per = np.array([len(x) // BLOCK_DTYPE.itemsize for x in blobs], np.int64)
    chunk = np.repeat(np.array(chunk_ids, np.int64), per)
    block = np.arange(len(b)) - np.repeat(np.cumsum(per) - per, per)
    if level == 0:
        r = np.empty(len(b), SUMMARY_DTYPE)
        for f in BLOCK_DTYPE.names or ():
            r[f] = b[f]
        r["chunk"], r["block"] = chunk, block
        return r
    s = np.flatnonzero(block % LEVEL1_BLOCKS == 0)  # every chunk starts a record at its block 0
    e = np.append(s[1:], len(b)) - 1
    r = np.empty(len(s), SUMMARY_DTYPE)
    r["lo"], r["hi"], r["last"] = b["lo"][s], b["hi"][e], b["last"][e]
    r["n"], r["count"] = np.add.reduceat(b["n"], s), np.add.reduceat(b["count"], s)
    r["min"], r["max"] = np.fmin.reduceat(b["min"], s), np.fmax.reduceat(b["max"], s)
    with np.errstate(invalid="ignore"):  # inf + -inf
        r["sum"] = np.add.reduceat(b["sum"], s)
    r["chunk"], r["block"] = chunk[s], block[s]
    return r


def write(conn: Connection, sealed: Iterable[tuple[int, int, int, bytes]]) -> None:
    """Add the records of chunks `sealed` ((key id, chunk no, chunk id, blocks): numeric chunks that
    are full, which are never rewritten) to their rows. A chunk's records already there are
    replaced, so writing a chunk twice is harmless."""
    chunks = sorted(sealed, key=lambda c: (c[0], c[1]))  # by series, then chunk number
    if not chunks:
        return
    ids = [c[2] for c in chunks]
    blocks = [len(c[3]) // BLOCK_DTYPE.itemsize for c in chunks]
    new: dict[tuple[int, int, int], np.ndarray] = {}
    for level, per_row in enumerate(SEGMENT_CHUNKS):  # every chunk's records at once, then by row
        recs = level_records(ids, [c[3] for c in chunks], level)
        per = blocks if level == 0 else [-(-b // LEVEL1_BLOCKS) for b in blocks]
        start = 0
        rows = [(c[0], c[1] // per_row) for c in chunks]  # (series, row) of each chunk
        for (key_id, seg), group in itertools.groupby(zip(rows, per), key=lambda t: t[0]):
            end = start + sum(n for _, n in group)
            new[(key_id, level, seg)] = recs[start:end]
            start = end
    sqlite = conn.dialect.name == "sqlite"
    old = _rows(conn, sqlite, list(new))
    out = []
    for (key_id, level, seg), r in new.items():
        prev = old.get((key_id, level, seg))
        if prev is not None:  # the row's records of other chunks, then these
            if len(prev) and prev["chunk"][-1] >= r["chunk"][0]:  # maybe a chunk written again
                prev = prev[~np.isin(prev["chunk"], r["chunk"])]
            r = np.concatenate([prev, r])
        if (np.diff(r["chunk"]) < 0).any():  # a row's records are in chunk order
            r = r[np.lexsort((r["block"], r["chunk"]))]
        out.append(
            {
                "key_id": key_id,
                "level": level,
                "seg_no": seg,
                "step_min": int(r["lo"].min()),
                "step_max": int(r["hi"].max()),
                "recs": r.tobytes(),
            }
        )
    ins = dialect_insert(conn.dialect.name, metric_summaries)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["key_id", "level", "seg_no"],
            set_={c: ins.excluded[c] for c in ("step_min", "step_max", "recs")},
        ),
        out,
    )


def _rows(conn: Connection, sqlite: bool, keys: list[tuple[int, int, int]]) -> dict[tuple, np.ndarray]:
    """The records of existing rows (key id, level, segment): the tail rows of an append (small)."""
    out = {}
    for i in range(0, len(keys), 300):
        batch = keys[i : i + 300]
        # the rows' keys as one parameter, so the statement is compiled once (three placeholders per
        # row made a new statement for every count of rows, ~3 ms each to compile on SQLite)
        if sqlite:
            rows = conn.execute(_ROWS_SQLITE, {"t": json.dumps(batch)})
        else:
            k, lv, sg = (",".join(str(t[j]) for t in batch) for j in range(3))
            rows = conn.execute(_ROWS_PG, {"k": "{" + k + "}", "l": "{" + lv + "}", "s": "{" + sg + "}"})
        out.update({(r.key_id, r.level, r.seg_no): np.frombuffer(r.recs, SUMMARY_DTYPE) for r in rows})
    return out


_ROWS_SQLITE = sa.text(  # a primary-key lookup per (key, level, segment) triple of the JSON array
    "SELECT m.key_id, m.level, m.seg_no, m.recs FROM json_each(:t) AS t JOIN metric_summaries AS m "
    "ON m.key_id = json_extract(t.value, '$[0]') AND m.level = json_extract(t.value, '$[1]') "
    "AND m.seg_no = json_extract(t.value, '$[2]')"
)
_ROWS_PG = sa.text(  # a primary-key lookup per triple (a plain join may hash the whole table)
    "SELECT m.key_id, m.level, m.seg_no, m.recs FROM unnest("
    "CAST(:k AS BIGINT[]), CAST(:l AS INT[]), CAST(:s AS INT[])) AS t(k, l, s) CROSS JOIN LATERAL "
    "(SELECT * FROM metric_summaries WHERE key_id = t.k AND level = t.l AND seg_no = t.s LIMIT 1) AS m"
)


def read(
    conn: Connection, db: Database, key_ids: list[int], level: int, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """Records of a level of series `key_ids` (ascending, distinct) in the rows that meet steps
    [lo, hi] and in their open chunks, and the index in `key_ids` of each record's series; ordered
    by series, then chunk order within each (rows first, the open chunk last)."""
    ids, ids_arg = np.asarray(key_ids, np.int64), db.ids_arg(key_ids)
    rows = db.fetch_binary(conn, _read_query(db), {"ids": ids_arg, "level": level, "lo": lo, "hi": hi})
    recs = np.frombuffer(b"".join(r.recs for r in rows), SUMMARY_DTYPE)
    per_row = [len(r.recs) // SUMMARY_DTYPE.itemsize for r in rows]
    row_series = np.repeat(np.searchsorted(ids, [r.key_id for r in rows]).astype(np.int64), per_row)
    keys, chunk_ids, blobs = _open_blocks(conn, db, ids_arg)
    op = level_records(chunk_ids, blobs, level)
    blocks = [len(b) // BLOCK_DTYPE.itemsize for b in blobs]
    per_open = blocks if level == 0 else [-(-n // LEVEL1_BLOCKS) for n in blocks]
    op_series = np.repeat(np.searchsorted(ids, keys).astype(np.int64), per_open)
    # both come ordered by key id: interleave them per series with slices (no sort of the records)
    rb = np.searchsorted(row_series, np.arange(len(ids) + 1))
    ob = np.searchsorted(op_series, np.arange(len(ids) + 1))
    pieces = [p for i in range(len(ids)) for p in (recs[rb[i] : rb[i + 1]], op[ob[i] : ob[i + 1]])]
    n = np.diff(rb) + np.diff(ob)
    return np.concatenate([np.zeros(0, SUMMARY_DTYPE), *pieces]), np.repeat(np.arange(len(ids)), n)


def blocks(conn: Connection, db: Database, key_id: int, lo: int, hi: int) -> np.ndarray:
    """The level-0 records of series `key_id` in its rows that meet steps [lo, hi] and in its open
    chunk: every block of each chunk there, a chunk's records together and in block order."""
    rows = db.fetch_binary(conn, _BLOCKS, {"key": key_id, "lo": lo, "hi": hi})
    _, chunk_ids, stats = _open_blocks(conn, db, db.ids_arg([key_id]))
    opened = level_records(chunk_ids, stats, 0).tobytes()
    return np.frombuffer(b"".join([*(r.recs for r in rows), opened]), SUMMARY_DTYPE)


# one statement for every dialect: its compiled form is kept (`Database.fetch_binary`)
_BLOCKS = sa.select(metric_summaries.c.recs).where(
    metric_summaries.c.key_id == sa.bindparam("key"),
    metric_summaries.c.level == 0,
    metric_summaries.c.step_max >= sa.bindparam("lo"),
    metric_summaries.c.step_min <= sa.bindparam("hi"),
)


def _read_query(db: Database) -> sa.Select:
    q = _READ.get(db.is_sqlite)
    if q is None:  # built once per dialect: its compiled form is kept (`Database.fetch_binary`)
        s = metric_summaries.c
        q = _READ[db.is_sqlite] = (
            sa.select(s.key_id, s.recs)
            .where(
                db.ids_param(s.key_id),
                s.level == sa.bindparam("level"),
                s.step_max >= sa.bindparam("lo"),
                s.step_min <= sa.bindparam("hi"),
            )
            .order_by(s.key_id, s.seg_no)
        )
    return q


_READ: dict[bool, sa.Select] = {}


def _open_blocks(conn: Connection, db: Database, ids: str) -> tuple[list[int], list[int], list[bytes]]:
    """(series, chunk id, block statistics) of the open (not yet full) numeric chunk of each series of
    `ids` (`Database.ids_arg`), by series. The statistics are computed from its values here: storing
    them meant rewriting them with the chunk at every append, for ~0.1 B a point (an open chunk's
    values are at most 32 KB, and a query reads the values of a few of its blocks anyway)."""
    rows = db.fetch_binary(conn, _open_query(db), {"ids": ids})
    sizes = np.array([r.n for r in rows], np.int64)
    step = np.concatenate(
        [np.zeros(0, np.int64), *(decode_steps(bytes(r.steps), r.step_min, r.n) for r in rows)]
    )
    vals = np.concatenate([np.zeros(0), *(decode_floats(bytes(r.vals)) for r in rows)])
    stats = block_stats(step, vals, sizes)
    cut = np.cumsum(-(-sizes // BLOCK_POINTS)) * BLOCK_DTYPE.itemsize
    blobs = [stats[a:b] for a, b in zip([0, *cut[:-1].tolist()], cut.tolist())]
    return [r.key_id for r in rows], [r.chunk_id for r in rows], blobs


def _open_query(db: Database) -> sa.Select:
    q = _OPEN.get(db.is_sqlite)
    if q is None:
        k, c = metric_keys.c, metric_chunks.c
        q = _OPEN[db.is_sqlite] = (
            sa.select(k.id.label("key_id"), c.id.label("chunk_id"), c.step_min, c.n, c.steps, c.vals)
            .select_from(metric_keys.join(metric_chunks, c.id == k.open_chunk_id))
            .where(db.ids_param(k.id))
            .order_by(k.id)
        )
    return q


_OPEN: dict[bool, sa.Select] = {}


def extent(conn: Connection, db: Database, key_ids: list[int]) -> tuple[int, int] | None:
    """(first, last) step of the numeric points of some series, from their level-1 rows and open
    chunks (a few small rows per series, where the chunks' own ranges are a database page each)."""
    s, k, c = metric_summaries.c, metric_keys.c, metric_chunks.c
    rows = sa.select(s.step_min, s.step_max).where(db.id_in(s.key_id, key_ids), s.level == 1)
    opened = (
        sa.select(c.step_min, c.step_max)
        .select_from(metric_keys.join(metric_chunks, c.id == k.open_chunk_id))
        .where(db.id_in(k.id, key_ids))
    )
    both = sa.union_all(rows, opened).subquery()
    lo, hi = conn.execute(sa.select(sa.func.min(both.c.step_min), sa.func.max(both.c.step_max))).one()
    return None if lo is None else (int(lo), int(hi))
