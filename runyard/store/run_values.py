"""The runs' config and summary values, one row per scalar leaf, so that a runs list sorted by a
config or summary value reads an index instead of extracting the value from every run's JSON.

`run_values` holds (run, project, field, num, str): `field` is the dotted path the filters use
(`config.opt`, `summary.train/loss`, `summary.eval.acc`), `num` the value when it is a number, `str`
when it is a string. Both databases extract the values with their own JSON functions, so a value
compares exactly as the unindexed expression over the JSON (run_filters.Compiler.json_num/json_str)
compares it. Booleans, nulls, objects and arrays have no row (the sort puts them with the runs that
lack the key); leaves under arrays are not indexed (a path never reaches into an array).

A leaf that no path can name or that an index cannot hold has no row or an "opaque" row (num and
str both NULL): keys holding "." or "" (a path splits on dots), paths longer than MAX_FIELD
characters or deeper than MAX_DEPTH keys (no row: `indexable()` sends such sorts to the JSON
expression), strings over MAX_STR characters and, on PostgreSQL, numbers beyond a double (opaque:
present, but the listing falls back to the JSON expression for a field that has one).

The rows are rewritten in the transaction that writes the run's config or summary (`Runs.update`),
only where they changed; the runs' primary key cascades deletes, and a move updates `project_id`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .db import dialect_insert
from .tables import run_values, runs

ROOTS = ("config", "summary")
MAX_DEPTH = 8
MAX_FIELD = 300  # characters of a field path (a PostgreSQL index entry holds at most ~2.7 kB)
MAX_STR = 200  # characters of an indexed string
_BATCH = 500  # runs per backfill read

Row = tuple[int, int, str, Any, Any]  # run pk, project id, field, num, str


def indexable(field: str) -> bool:
    """Whether a sort field `config.a.b` / `summary.x` is served by `run_values`: its path is one the
    rows can hold. All-digit keys are left to the JSON expression: PostgreSQL reads them as an index
    into an array there, and arrays have no rows."""
    root, _, rest = field.partition(".")
    keys = rest.split(".")
    return (
        root in ROOTS
        and len(field) <= MAX_FIELD
        and len(keys) <= MAX_DEPTH
        and all(k and not k.isdigit() for k in keys)
    )


def reindex(conn: Connection, run_pks: Iterable[int], roots: Iterable[str] = ROOTS) -> None:
    """Bring the rows of these runs' `roots` in line with their JSON (after it was written): rows that
    changed are replaced, vanished ones deleted, the rest left alone (a summary rewritten at every
    flush changes a few values, not all). Ingest calls it at every request that moves a summary, so
    its statements are built once (`_statements`)."""
    pks = list(run_pks)
    have_q, delete, upsert = _statements(conn.dialect.name)
    for root in roots:
        for i in range(0, len(pks), _BATCH):
            batch = pks[i : i + _BATCH]
            want = {(r[0], r[2]): r for r in extract(conn, batch, root)}
            # the fields of one root: a range of the primary key
            have = {
                (r[0], r[2]): tuple(r)
                for r in conn.execute(have_q, {"pks": batch, "lo": root + ".", "hi": root + "/"})
            }
            gone = [{"pk": pk, "f": f} for pk, f in have.keys() - want.keys()]
            new = [dict(zip(_COLS, row)) for k, row in want.items() if have.get(k) != row]
            if gone:
                conn.execute(delete, gone)
            if new:
                conn.execute(upsert, new)


_COLS = ("run_pk", "project_id", "field", "num", "str")


@functools.cache
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """(the rows of some runs in a field range, the delete of one row, the upsert of rows)."""
    have = sa.select(*(run_values.c[c] for c in _COLS)).where(
        run_values.c.run_pk.in_(sa.bindparam("pks", expanding=True)),
        run_values.c.field >= sa.bindparam("lo"),
        run_values.c.field < sa.bindparam("hi"),
    )
    delete = sa.delete(run_values).where(
        run_values.c.run_pk == sa.bindparam("pk"), run_values.c.field == sa.bindparam("f")
    )
    ins = dialect_insert(dialect, run_values)
    upsert = ins.on_conflict_do_update(
        index_elements=["run_pk", "field"], set_={c: ins.excluded[c] for c in ("project_id", "num", "str")}
    )
    return have, delete, upsert


def move(conn: Connection, run_pk: int, project_id: int) -> None:
    conn.execute(sa.update(run_values).where(run_values.c.run_pk == run_pk).values(project_id=project_id))


def backfill(conn: Connection) -> None:
    """Index every run (the migration that adds the table), a batch of runs at a time."""
    last = 0
    while True:
        pks = list(
            conn.execute(sa.select(runs.c.id).where(runs.c.id > last).order_by(runs.c.id).limit(_BATCH))
            .scalars()
            .all()
        )
        if not pks:
            return
        reindex(conn, pks)
        last = pks[-1]


def extract(conn: Connection, pks: list[int], root: str) -> list[Row]:
    """The rows of `root` (config or summary) of runs `pks`, as the database reads the stored JSON."""
    if conn.dialect.name == "postgresql":
        return _extract_pg(conn, pks, root)
    return _extract_sqlite(conn, pks, root)


@functools.cache
def _sqlite_leaves(root: str) -> Any:
    tree = sa.func.json_tree(runs.c[root]).table_valued("fullkey", "type", "atom").alias("t")
    return (
        sa.select(runs.c.id, runs.c.project_id, tree.c.fullkey, tree.c.type, tree.c.atom)
        .select_from(runs)
        .join(tree, sa.true())
        .where(
            runs.c.id.in_(sa.bindparam("pks", expanding=True)), tree.c.type.in_(("integer", "real", "text"))
        )
    )


def _extract_sqlite(conn: Connection, pks: list[int], root: str) -> list[Row]:
    out: list[Row] = []
    for pk, proj, fullkey, typ, atom in conn.execute(_sqlite_leaves(root), {"pks": pks}):
        keys = _sqlite_keys(fullkey)
        field = _field(root, keys)
        if field is None:
            continue
        if typ == "text":
            out.append((pk, proj, field, None, atom if len(atom) <= MAX_STR else None))
        else:
            out.append((pk, proj, field, atom, None))
    return out


_LABEL = re.compile(r'\.(?:"((?:[^"\\]|\\.)*)"|([^.\["]*))|\[')


def _sqlite_keys(fullkey: str) -> list[str] | None:
    """['a', 'b c'] of SQLite's `$.a."b c"`; None for a path through an array."""
    keys, i = [], 1  # after "$"
    while i < len(fullkey):
        m = _LABEL.match(fullkey, i)
        if m is None or m.group(0) == "[":
            return None
        # a quoted label is the key as the stored JSON spells it (escapes and all)
        keys.append(json.loads('"' + m.group(1) + '"') if m.group(1) is not None else m.group(2))
        i = m.end()
    return keys


_PG_EXTRACT = sa.text(
    """
    WITH RECURSIVE t(run_pk, project_id, keys, v) AS (
        SELECT r.id, r.project_id, ARRAY[e.key], e.value
        FROM runs r CROSS JOIN LATERAL jsonb_each(
            CASE WHEN jsonb_typeof(r.{root}) = 'object' THEN r.{root} ELSE '{{}}'::jsonb END) e
        WHERE r.id = ANY(CAST(:pks AS BIGINT[]))
      UNION ALL
        SELECT t.run_pk, t.project_id, t.keys || e.key, e.value
        FROM t CROSS JOIN LATERAL jsonb_each(
            CASE WHEN jsonb_typeof(t.v) = 'object' THEN t.v ELSE '{{}}'::jsonb END) e
        WHERE cardinality(t.keys) < :depth
    )
    SELECT run_pk, project_id, keys,
        CASE WHEN jsonb_typeof(v) = 'number' AND abs((v #>> '{{}}')::numeric) <= 1.7976931348623157e308
            THEN CAST(v #>> '{{}}' AS FLOAT) END AS num,
        CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{{}}' END AS str
    FROM t WHERE jsonb_typeof(v) IN ('number', 'string')
    """
)


def _extract_pg(conn: Connection, pks: list[int], root: str) -> list[Row]:
    assert root in ROOTS  # (formatted into the statement)
    stmt = sa.text(_PG_EXTRACT.text.format(root=root))
    out: list[Row] = []
    for pk, proj, keys, num, s in conn.execute(stmt, {"pks": pks, "depth": MAX_DEPTH}):
        field = _field(root, keys)
        if field is not None:
            out.append((pk, proj, field, num, s if s is not None and len(s) <= MAX_STR else None))
    return out


def _field(root: str, keys: list[str] | None) -> str | None:
    if keys is None or len(keys) > MAX_DEPTH or any(not k or "." in k for k in keys):
        return None
    field = root + "." + ".".join(keys)
    return field if len(field) <= MAX_FIELD else None
