"""Copy a runyard database into another (`runyard db copy`), and its blobs into another blob store.

The destination is migrated to the head revision, then every table of `tables.py` is copied in
dependency order, rows in primary-key order, a batch at a time (memory is one batch, whatever the
size). Rows keep their ids, so every reference stays valid; PostgreSQL's id sequences are then moved
past the copied ids. A re-run is idempotent: rows the destination has are compared with the source
and skipped when equal; a row that differs means the destination holds other data, and the copy stops
(it only ever copies into an empty database or one it filled). At the end the row counts of every
table must match. Blobs are copied the same way: those the destination has are skipped. Derived
tables (`run_values`) are not copied but rebuilt from the copied rows by the destination's own JSON
functions, so they compare there exactly as if the runs had been written there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import run_values
from .blobs import BlobStore
from .db import Database, current_revision, head_revision, migrate
from .tables import metadata

BATCH = 500  # rows per read and per insert
DERIVED = {"run_values"}


class CopyError(Exception):
    pass


@dataclass
class CopyReport:
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (copied, already there)
    blobs_copied: int = 0
    blobs_present: int = 0
    blob_bytes: int = 0


def copy_database(
    src: Database, dst: Database, progress: Callable[[str], None] = lambda _m: None
) -> CopyReport:
    head = head_revision()
    if current_revision(src) != head:
        raise CopyError(
            f"the source database is at revision {current_revision(src)}, not {head}: "
            "upgrade it first with `runyard db migrate --db <source>`"
        )
    migrate(dst)
    report = CopyReport()
    with src.engine.connect() as sc, dst.engine.begin() as dc:
        for table in metadata.sorted_tables:
            if table.name in DERIVED:
                continue
            copied, present = _copy_table(table, sc, dc, dst)
            report.tables[table.name] = (copied, present)
            progress(f"{table.name}: {copied} row(s) copied, {present} already there")
        run_values.backfill(dc)
        progress("run_values: rebuilt from the runs")
        if not dst.is_sqlite:
            _advance_sequences(dc)
    with src.engine.connect() as sc, dst.engine.connect() as dc:
        for table in metadata.sorted_tables:
            if table.name in DERIVED:
                continue
            n_src = sc.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            n_dst = dc.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            if n_src != n_dst:
                raise CopyError(
                    f"table {table.name}: {n_src} row(s) in the source, {n_dst} in the destination"
                )
    return report


def _copy_table(table: sa.Table, sc: Connection, dc: Connection, dst: Database) -> tuple[int, int]:
    pk = list(table.primary_key.columns)
    names = [c.name for c in table.columns]
    copied = present = 0
    for batch in _batches(sc, table, pk):
        keys = [tuple(r[c.name] for c in pk) for r in batch]
        have: dict[tuple, dict] = {}
        cond = sa.tuple_(*pk).in_(keys) if len(pk) > 1 else pk[0].in_([k[0] for k in keys])
        for got in dc.execute(sa.select(table).where(cond)).mappings():
            have[tuple(got[c.name] for c in pk)] = dict(got)
        new = []
        for key, row in zip(keys, batch):
            if key in have:
                if _norm(have[key], names) != _norm(row, names):
                    raise CopyError(
                        f"the destination's {table.name} row {key} differs from the source's: "
                        "it holds other data (copy into an empty database)"
                    )
                present += 1
            else:
                new.append(row)
        if new:
            dc.execute(sa.insert(table), new)
            copied += len(new)
    return copied, present


def _batches(conn: Connection, table: sa.Table, pk: list[sa.Column]) -> Iterator[list[dict]]:
    """The table's rows in primary-key order, BATCH at a time (keyset pages: no open cursor held)."""
    last: tuple | None = None
    while True:
        q = sa.select(table).order_by(*pk).limit(BATCH)
        if last is not None:
            q = q.where(sa.tuple_(*pk) > sa.tuple_(*last) if len(pk) > 1 else pk[0] > last[0])
        rows = [dict(r) for r in conn.execute(q).mappings()]
        if not rows:
            return
        yield rows
        last = tuple(rows[-1][c.name] for c in pk)


def _norm(row: dict, names: list[str]) -> tuple:
    return tuple(bytes(row[n]) if isinstance(row[n], memoryview) else row[n] for n in names)


def _advance_sequences(conn: Connection) -> None:
    """Explicit ids do not move PostgreSQL's sequences: the next insert would reuse id 1."""
    for table in metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        seq = conn.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        )
        name = seq.scalar()
        if name:
            conn.execute(
                sa.text(
                    f"SELECT setval(:s, COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"s": name},
            )


def copy_blobs(
    src: BlobStore, dst: BlobStore, report: CopyReport, progress: Callable[[str], None] = lambda _m: None
) -> None:
    """Every blob of `src` into `dst` (those it has are skipped); then each must exist there."""
    shas: list[str] = []
    for sha, size, _mtime in src.iter_blobs():
        shas.append(sha)
        if dst.exists(sha):
            report.blobs_present += 1
            continue
        staged = dst.staging()
        try:
            with src.open(sha) as f:
                while block := f.read(4 << 20):
                    staged.write(block)
            got = staged.finish()
        except BaseException:
            staged.discard()
            raise
        if got != sha:
            staged.discard()
            raise CopyError(f"blob {sha} of the source is damaged: its content hashes to {got}")
        dst.put_file(staged.path, sha)
        report.blobs_copied += 1
        report.blob_bytes += size
        if report.blobs_copied % 100 == 0:
            progress(f"blobs: {report.blobs_copied} copied")
    missing = [s for s in shas if not dst.exists(s)]
    if missing:
        raise CopyError(
            f"{len(missing)} blob(s) are not in the destination after the copy, e.g. {missing[0]}"
        )
