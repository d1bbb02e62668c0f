"""The summary levels of numeric series, per series rather than per chunk: what a zoomed-out chart reads.

Level 0 holds one record per block of BLOCK_POINTS points (the blocks of `metric_blocks`), level 1 one
per LEVEL1_BLOCKS blocks of a chunk (1,024 points). Records never span chunks; each carries its chunk id
and first block so that a query can descend from a record that straddles a bucket edge to the blocks
beneath it (`metric_blocks`) and from a block to its raw values.

Why per series: the block level stored per chunk row made a 100-run x 1M-step chart read 24,500 rows
(one database page each: ~10 µs a row in SQLite before any arithmetic) and 781k block records to
answer 977 buckets. Here the records of SEGMENT_CHUNKS[level] consecutive chunks (by chunk number)
share one row of ~8.7 KB, so that chart reads 1,600 rows and 98k level-1 records
(docs/architecture.md, "Summary levels").

Rows are rewritten when a chunk of theirs changes: at ingest only the tail rows (the open chunk's and
new chunks'), so an append rewrites at most two rows of each level per key.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from .chunks import BLOCK_DTYPE, BLOCK_POINTS
from .db import Database
from .tables import metric_summaries

LEVEL1_BLOCKS = 8
LEVEL_POINTS = (BLOCK_POINTS, BLOCK_POINTS * LEVEL1_BLOCKS)  # points per record, by level
SEGMENT_CHUNKS = (4, 32)  # chunks per row, by level: 128 records (~8.7 KB) per row of full chunks
SUMMARY_DTYPE = np.dtype([*BLOCK_DTYPE.descr, ("chunk", "<i8"), ("block", "<i4")])


def level_for(width: float) -> int:
    """The coarsest level whose records are not wider than buckets of `width` steps."""
    return 1 if width >= LEVEL_POINTS[1] else 0


def records(chunk_id: int, blocks: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(level 0, level 1) records of a numeric chunk from its `metric_blocks` row."""
    b = np.frombuffer(blocks, BLOCK_DTYPE)
    r0 = np.empty(len(b), SUMMARY_DTYPE)
    for f in BLOCK_DTYPE.names or ():
        r0[f] = b[f]
    r0["chunk"], r0["block"] = chunk_id, np.arange(len(b))
    s = np.arange(0, len(b), LEVEL1_BLOCKS)
    e = np.minimum(s + LEVEL1_BLOCKS, len(b)) - 1
    r1 = np.empty(len(s), SUMMARY_DTYPE)
    r1["lo"], r1["hi"], r1["last"] = b["lo"][s], b["hi"][e], b["last"][e]
    r1["n"], r1["count"] = np.add.reduceat(b["n"], s), np.add.reduceat(b["count"], s)
    r1["min"], r1["max"] = np.fmin.reduceat(b["min"], s), np.fmax.reduceat(b["max"], s)
    with np.errstate(invalid="ignore"):  # inf + -inf
        r1["sum"] = np.add.reduceat(b["sum"], s)
    r1["chunk"], r1["block"] = chunk_id, s
    return r0, r1


def write(conn: Connection, changed: Iterable[tuple[int, int, int, bytes]]) -> None:
    """Bring the rows of the chunks `changed` ((key id, chunk no, chunk id, blocks), new or
    rewritten numeric chunks) up to date: their old records are replaced, the others kept."""
    new: dict[tuple[int, int, int], list[np.ndarray]] = {}
    ids: set[int] = set()
    for key_id, chunk_no, chunk_id, blocks in changed:
        ids.add(chunk_id)
        for level, recs in enumerate(records(chunk_id, blocks)):
            new.setdefault((key_id, level, chunk_no // SEGMENT_CHUNKS[level]), []).append(recs)
    if not new:
        return
    sqlite = conn.dialect.name == "sqlite"
    old = _rows(conn, sqlite, list(new))
    out = []
    for (key_id, level, seg), parts in new.items():
        prev = old.get((key_id, level, seg))
        if prev is not None:
            parts = [prev[~np.isin(prev["chunk"], list(ids))], *parts]
        r = np.concatenate(parts)
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
    ins = (sqlite_dialect if sqlite else pg_dialect).insert(metric_summaries)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["key_id", "level", "seg_no"],
            set_={c: ins.excluded[c] for c in ("step_min", "step_max", "recs")},
        ),
        out,
    )


def _rows(conn: Connection, sqlite: bool, keys: list[tuple[int, int, int]]) -> dict[tuple, np.ndarray]:
    """The records of existing rows (key id, level, segment): the tail rows of an append (small)."""
    s = metric_summaries.c
    out = {}
    for i in range(0, len(keys), 300):
        batch = keys[i : i + 300]
        if sqlite:
            q = sa.select(s.key_id, s.level, s.seg_no, s.recs).where(
                sa.tuple_(s.key_id, s.level, s.seg_no).in_(batch)
            )
            rows = conn.execute(q)
        else:  # one array parameter per column instead of three placeholders per row
            k, lv, sg = (",".join(str(t[j]) for t in batch) for j in range(3))
            rows = conn.execute(_ROWS_PG, {"k": "{" + k + "}", "l": "{" + lv + "}", "s": "{" + sg + "}"})
        out.update({(r.key_id, r.level, r.seg_no): np.frombuffer(r.recs, SUMMARY_DTYPE) for r in rows})
    return out


_ROWS_PG = sa.text(
    "SELECT m.key_id, m.level, m.seg_no, m.recs FROM metric_summaries AS m JOIN unnest("
    "CAST(:k AS BIGINT[]), CAST(:l AS INT[]), CAST(:s AS INT[])) AS t(k, l, s) "
    "ON m.key_id = t.k AND m.level = t.l AND m.seg_no = t.s"
)


def read(
    conn: Connection, db: Database, key_ids: list[int], level: int, lo: int, hi: int
) -> dict[int, np.ndarray]:
    """Records of a level for series `key_ids` in the rows that meet steps [lo, hi], per key id, in
    chunk order (series without a row in the window are absent)."""
    s = metric_summaries.c
    q = (
        sa.select(s.key_id, s.recs)
        .where(
            db.id_in(s.key_id, key_ids),
            s.level == level,
            s.step_max >= lo,
            s.step_min <= hi,
        )
        .order_by(s.key_id, s.seg_no)
    )
    parts: dict[int, list[bytes]] = {}
    for r in db.fetch_binary(conn, q):
        parts.setdefault(r.key_id, []).append(r.recs)
    return {k: np.frombuffer(b"".join(v), SUMMARY_DTYPE) for k, v in parts.items()}
