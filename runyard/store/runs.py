"""Runs: identity (entity/project/run id), state, config, summary, tags, notes, group, job type,
flags, host/program metadata, heartbeat; listing with filters, sorting and pagination."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from typing import Any, get_args

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..wire.api_models.runs import State
from . import run_values as values_index
from . import summary_state
from .db import Database
from .jsonsafe import jsonable
from .limits import Limits, load_json
from .run_filters import Compiler, FilterError, SortKey, after, check_value, sqlite_path
from .tables import entities, metric_keys, projects, run_segments, run_values, runs

STATES: tuple[str, ...] = get_args(State)
LIST_COLUMNS = [
    runs.c.id,
    runs.c.run_id,
    runs.c.name,
    runs.c.state,
    runs.c.config,
    runs.c.summary,
    runs.c.tags,
    runs.c.flags,
    runs.c.notes,
    runs.c.group_name,
    runs.c.job_type,
    runs.c.sweep_id,
    runs.c.host,
    runs.c.program,
    runs.c.sdk,
    runs.c.exit_code,
    runs.c.created_at,
    runs.c.updated_at,
    runs.c.heartbeat_at,
    runs.c.ended_at,
    runs.c.runtime,
    runs.c.last_step,
    runs.c.history_points,
]


class Runs:
    def __init__(self, db: Database, limits: Limits | None = None):
        self.db = db
        self.compiler = Compiler(db.dialect, limits or Limits())

    def get_or_create(
        self, conn: Connection, project_id: int, run_id: str, record: dict, user_id: int | None
    ) -> int:
        now = time.time()
        start = record.get("start_time") or now
        stmt = self.db.insert(runs).values(
            project_id=project_id,
            run_id=run_id,
            name=record.get("name"),
            state="running",
            config={},
            summary={},
            summary_state={},
            tags=list(record.get("tags") or []),
            flags={},
            metadata={},
            notes=record.get("notes"),
            group_name=record.get("group"),
            job_type=record.get("job_type"),
            sweep_id=record.get("sweep_id"),
            host=record.get("host"),
            program=record.get("program"),
            sdk=record.get("sdk"),
            created_at=start,
            updated_at=now,
            heartbeat_at=now,
            history_points=0,
            created_by=user_id,
        )
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["project_id", "run_id"]))
        return self.pk(conn, project_id, run_id)  # type: ignore[return-value]

    def pk(self, conn: Connection, project_id: int, run_id: str) -> int | None:
        return conn.execute(
            sa.select(runs.c.id).where(runs.c.project_id == project_id, runs.c.run_id == run_id)
        ).scalar()

    def locate(self, conn: Connection, entity: str, project: str, run_id: str) -> sa.Row | None:
        """(run pk, project id, entity id) of entity/project/run_id, or None."""
        q = (
            sa.select(
                runs.c.id, runs.c.project_id, projects.c.entity_id, runs.c.created_at, projects.c.visibility
            )
            .join(projects, projects.c.id == runs.c.project_id)
            .join(entities, entities.c.id == projects.c.entity_id)
            .where(entities.c.name == entity, projects.c.name == project, runs.c.run_id == run_id)
        )
        return conn.execute(q).first()

    def follow(self, conn: Connection, entity: str, project: str, run_id: str) -> sa.Row | None:
        """Like `locate`, following moves: when entity/project has no such run, the run of that id
        moved out of it to another project of the entity (named in its `metadata.moved_from`). Ingest
        uses it so a run moved while still streaming, synced again from its directory, or resumed
        under its old project name keeps landing in the moved run instead of a new one."""
        loc = self.locate(conn, entity, project, run_id)
        if loc is not None:
            return loc
        q = (
            sa.select(
                runs.c.id,
                runs.c.project_id,
                projects.c.entity_id,
                runs.c.created_at,
                runs.c.metadata,
                projects.c.name.label("project_name"),
            )
            .join(projects, projects.c.id == runs.c.project_id)
            .join(entities, entities.c.id == projects.c.entity_id)
            .where(entities.c.name == entity, runs.c.run_id == run_id)
            .order_by(runs.c.updated_at.desc())
        )
        for c in conn.execute(q):
            if project in ((c.metadata or {}).get("moved_from") or []):
                return c
        return None

    def move(self, conn: Connection, run_pk: int, to_project_id: int, from_project: str) -> None:
        """Put a run in another project of its entity. Its history, system metrics, console, files,
        segments and artifact links hang off the run's primary key and follow it. The old project's
        name is kept in `metadata.moved_from` so later ingest under the old name finds the run."""
        r = self.load(conn, run_pk, lock=True)
        meta = dict(r["metadata"] or {})
        to_name = conn.execute(sa.select(projects.c.name).where(projects.c.id == to_project_id)).scalar_one()
        moved = [x for x in meta.get("moved_from") or [] if x not in (from_project, to_name)]
        meta["moved_from"] = [*moved, from_project]
        self.update(conn, run_pk, project_id=to_project_id, metadata=meta)

    def load(self, conn: Connection, run_pk: int, lock: bool = False) -> dict:
        q = sa.select(runs).where(runs.c.id == run_pk)
        return dict(conn.execute(self.db.for_update(q) if lock else q).one()._mapping)

    def update(self, conn: Connection, run_pk: int, **values: Any) -> None:
        values.setdefault("updated_at", time.time())
        conn.execute(sa.update(runs).where(runs.c.id == run_pk).values(**values))
        if "project_id" in values:
            values_index.move(conn, run_pk, values["project_id"])
        roots = [r for r in values_index.ROOTS if r in values]
        if roots:
            values_index.reindex(conn, [run_pk], roots)

    def replace_summary(self, conn: Connection, run_pk: int, values: dict) -> None:
        """A user's edit of the summary (Api `run.update()`): these values, which later uploads to the
        run build on, as they build on `run.summary[...] = v` from the SDK."""
        row = conn.execute(
            sa.select(runs.c.summary_state, runs.c.created_at).where(runs.c.id == run_pk)
        ).one()
        state, specs = summary_state.load(row.summary_state or {})
        state.values = {k: v for k, v in values.items() if k not in ("_step", "_timestamp", "_runtime")}
        self.update(
            conn,
            run_pk,
            summary=jsonable(state.snapshot(row.created_at, 0.0)),
            summary_state=summary_state.dump(state, specs),
        )

    def crash_silent(self, conn: Connection, silent_since: float) -> list[tuple[str, str, str]]:
        """Mark `crashed` the running runs with no news from their client since `silent_since`.

        Returns their (entity, project, run id). `exit_code` stays null: that tells a presumed crash
        from one the client reported, and lets a client that was only cut off revive the run."""
        ids = (
            conn.execute(
                sa.update(runs)
                .where(runs.c.state == "running", runs.c.heartbeat_at < silent_since)
                .values(state="crashed", ended_at=runs.c.heartbeat_at, updated_at=time.time())
                .returning(runs.c.id)
            )
            .scalars()
            .all()
        )
        if not ids:
            return []
        q = (
            sa.select(entities.c.name, projects.c.name, runs.c.run_id)
            .join(projects, projects.c.id == runs.c.project_id)
            .join(entities, entities.c.id == projects.c.entity_id)
            .where(runs.c.id.in_(ids))
        )
        return [(e, p, r) for e, p, r in conn.execute(q)]

    def delete(self, conn: Connection, run_pk: int) -> None:
        conn.execute(sa.delete(runs).where(runs.c.id == run_pk))

    def detail(self, conn: Connection, run_pk: int) -> dict:
        d = self.load(conn, run_pk)
        segs = conn.execute(
            sa.select(
                run_segments.c.segment,
                run_segments.c.ordinal,
                run_segments.c.acked_offset,
                run_segments.c.starting_step,
                run_segments.c.resumed,
                run_segments.c.start_time,
            )
            .where(run_segments.c.run_pk == run_pk)
            .order_by(run_segments.c.ordinal)
        ).all()
        d["segments"] = [dict(s._mapping) for s in segs]
        d["history_keys"] = conn.execute(
            sa.select(sa.func.count())
            .select_from(metric_keys)
            .where(metric_keys.c.run_pk == run_pk, metric_keys.c.kind == "history")
        ).scalar_one()
        d["metrics"] = (d.get("summary_state") or {}).get("specs", [])
        return public(d)

    def _columns(self, raw_json: bool, fields: Fields | None) -> list[Any]:
        as_text = (
            (lambda c: sa.type_coerce(c, sa.Text))
            if self.db.is_sqlite
            else (lambda c: sa.cast(c, sa.Text))  # jsonb's own text
        )
        cols = LIST_COLUMNS
        if fields is not None:  # config and summary as the asked values only, each as JSON text
            cols = [c for c in cols if c.name not in JSON_DOCS]
            cols += [self._value_text(root, keys).label(f"_f{i}") for i, (root, keys) in enumerate(fields)]
        if not raw_json:
            return cols
        return [as_text(c).label(c.name) if c.name in RAW_COLUMNS else c for c in cols]

    def _value_text(self, root: str, keys: list[str]) -> Any:
        """The JSON text of `root`'s value at `keys` (NULL where the run has none), read by object
        keys only on both databases (a key never indexes into an array)."""
        if self.db.is_sqlite:
            return sa.type_coerce(runs.c[root], sa.Text).op("->")(sa.literal(sqlite_path(keys), sa.Text))
        expr: Any = runs.c[root]
        for k in keys:
            expr = expr.op("->", return_type=runs.c[root].type)(sa.literal(k, sa.Text))
        return sa.cast(expr, sa.Text)

    def _opaque(self, conn: Connection, project_id: int, field: str) -> bool:
        """Whether some run of the project has a value of `field` the index cannot order (a long
        string, a number beyond a double): such listings take the JSON expression."""
        v = run_values.c
        q = sa.select(v.run_pk).where(
            v.project_id == project_id, v.field == field, v.num.is_(None), v.str.is_(None)
        )
        return conn.execute(q.limit(1)).first() is not None

    def _by_value(
        self,
        conn: Connection,
        project_id: int,
        match: Any,
        keys: list[SortKey],
        by_value: tuple[str, bool],
        columns: Sequence[Any],
        limit: int,
        bound: list[Any] | None,
    ) -> list[Any]:
        """The page of a listing sorted by one config/summary value, read through `run_values` in the
        listing's order: the runs whose value is a number, then those whose value is a string, then
        the rest by id (what `ORDER BY num, str, id` with NULLs last gives), each part an index scan
        from the cursor on, filtered as it goes and stopped when the page is full. The value parts
        take the project from `run_values` alone: with `runs.project_id` as well, PostgreSQL without
        statistics yet (a fresh table) scanned a (project_id, ...) index of runs for each value read
        (24 ms for a page of 10k runs, against 4 by primary key)."""
        field, desc = by_value
        v = run_values.c
        if not self.db.is_sqlite:  # a page reads a few hundred index entries: starting parallel
            # workers for it (what PostgreSQL plans when it guesses the filter rare) costs more
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        labels = [k.expr.label(f"_k{i}") for i, k in enumerate(keys)]  # the cursor, as the JSON path
        parts = ("num", "str", None)
        start = 0 if bound is None else 0 if bound[0] is not None else 1 if bound[1] is not None else 2
        rows: list[Any] = []
        for i, part in enumerate(parts[start:], start):
            seek = bound if i == start else None
            q = sa.select(*columns, *labels)
            if part is None:
                has = sa.select(v.run_pk).where(v.run_pk == runs.c.id, v.field == field).exists()
                q = q.where(_in_project(project_id, match), ~has)
                if seek is not None:
                    q = q.where(runs.c.id < seek[2] if desc else runs.c.id > seek[2])
                order = [runs.c.id.desc() if desc else runs.c.id.asc()]
            else:
                val = v[part]
                q = q.select_from(run_values).join(runs, runs.c.id == v.run_pk)
                present = val.is_not(None) if part == "num" else v.num.is_(None)
                q = q.where(v.project_id == project_id, v.field == field, present)
                if match is not None:
                    q = q.where(match)
                if seek is not None:
                    here = sa.tuple_(val, v.run_pk)
                    there = sa.tuple_(sa.literal(seek[i]), sa.literal(seek[2]))
                    q = q.where(here < there if desc else here > there)
                order = [val.desc(), v.run_pk.desc()] if desc else [val.asc(), v.run_pk.asc()]
            need = limit + 1 - len(rows)
            rows += conn.execute(q.order_by(*order).limit(need)).all()
            if len(rows) > limit:
                break
        return rows

    def list(
        self,
        conn: Connection,
        project_id: int,
        flt: dict | None = None,
        order: str | None = None,
        limit: int = 50,
        offset: int = 0,
        with_total: bool = False,
        cursor: str | None = None,
        raw_json: bool = False,
        fields: Fields | None = None,
    ) -> tuple[list[dict], int | None, str | None]:
        """A page of runs, its total when asked (a count over the filter) and the cursor of the page
        after it (None on the last page). `cursor` continues from a page's cursor (keyset: the
        database seeks to it instead of counting `offset` rows past). `raw_json`: config, summary,
        tags and flags as the database's JSON text, for an answer that embeds them undecoded.
        `fields` (run_filters.parse_fields): config and summary hold only these values, read one by
        one in SQL rather than whole documents (a table showing a few columns of 100k runs)."""
        match = self.compiler.where(flt) if flt else None
        cond = _in_project(project_id, match)
        total = None
        if with_total:
            total = conn.execute(sa.select(sa.func.count()).select_from(runs).where(cond)).scalar_one()
        page, nxt = self._page(
            conn, project_id, match, order, limit, offset, cursor, self._columns(raw_json, fields)
        )
        rows = [dict(r._mapping) for r in page]
        sort_keys = [k for k in page[0]._fields if k.startswith("_k")] if page else []
        for r in rows:
            for k in sort_keys:
                del r[k]
            if fields is not None:
                _asked_values(r, fields, raw_json)
        return [public(r) for r in rows], total, nxt

    def columns(
        self,
        conn: Connection,
        project_id: int,
        flt: dict | None,
        order: str | None,
        limit: int,
        cursor: str | None,
        fields: Fields,
    ) -> tuple[dict[str, Any], str | None]:
        """A page of runs as columns (a runs table's rows, compact): the COLUMNS fields of the runs,
        each a list in the listing's order, and `values`, each asked config/summary value's list
        (null where a run has none); tags and values as the database's JSON text (msgspec.Raw)."""
        match = self.compiler.where(flt) if flt else None
        as_text = (
            (lambda c: sa.type_coerce(c, sa.Text)) if self.db.is_sqlite else (lambda c: sa.cast(c, sa.Text))
        )
        cols = [as_text(c).label(c.name) if c.name == "tags" else c for c in COLUMNS]
        cols += [self._value_text(root, keys).label(f"_f{i}") for i, (root, keys) in enumerate(fields)]
        page, nxt = self._page(conn, project_id, match, order, limit, 0, cursor, cols)
        lists = list(zip(*page)) if page else [() for _ in range(len(cols))]
        out: dict[str, Any] = {}
        for c, values in zip(COLUMNS, lists):
            name = {"run_id": "id", "group_name": "group"}.get(c.name, c.name)
            out[name] = _raw_list(values) if c.name == "tags" else values
        out["values"] = {
            ".".join((root, *keys)): _raw_list(lists[len(COLUMNS) + i])
            for i, (root, keys) in enumerate(fields)
        }
        return out, nxt

    def _page(
        self,
        conn: Connection,
        project_id: int,
        match: Any,
        order: str | None,
        limit: int,
        offset: int,
        cursor: str | None,
        columns: Sequence[Any],
    ) -> tuple[Sequence[Any], str | None]:
        """The rows (`columns`, then the sort keys `_k0`, `_k1`, ...) of a listing's page of the runs
        of a project that `match` (a filter's condition, None: all), and the cursor of the page after
        it (None on the last page)."""
        order = order or "-created_at"
        keys = self.compiler.sort_keys(order)
        bound = None if cursor is None else decode_cursor(cursor, len(keys))
        by_value = self.compiler.value_sort(order) if offset == 0 else None
        if by_value is not None and not self._opaque(conn, project_id, by_value[0]):
            rows: Sequence[Any] = self._by_value(
                conn, project_id, match, keys, by_value, columns, limit, bound
            )
        else:
            cond = _in_project(project_id, match)
            if bound is not None:
                cond = sa.and_(cond, after(keys, bound))
            labels = [k.expr.label(f"_k{i}") for i, k in enumerate(keys)]
            q = (
                sa.select(*columns, *labels)
                .where(cond)
                # by the selected labels: a JSON value is extracted once per run, not for the sort again
                .order_by(*[SortKey(lb, k.desc, k.nullable).clause() for lb, k in zip(labels, keys)])
            )
            rows = conn.execute(q.limit(limit + 1).offset(offset)).all()
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]._mapping
            nxt = encode_cursor([last[f"_k{i}"] for i in range(len(keys))])
        return rows, nxt


def _in_project(project_id: int, match: Any) -> Any:
    """The runs of a project that `match` (None: all of them)."""
    cond = runs.c.project_id == project_id
    return cond if match is None else sa.and_(cond, match)


RAW_COLUMNS = ("config", "summary", "tags", "flags")  # JSON text with `raw_json`
# what `Runs.columns` answers of each run (a runs table shows and filters by these)
COLUMNS = [
    runs.c.run_id,
    runs.c.name,
    runs.c.state,
    runs.c.created_at,
    runs.c.heartbeat_at,
    runs.c.ended_at,
    runs.c.runtime,
    runs.c.last_step,
    runs.c.tags,
    runs.c.group_name,
    runs.c.job_type,
    runs.c.host,
    runs.c.notes,
]
JSON_DOCS = ("config", "summary")
Fields = list[tuple[str, list[str]]]  # (root, keys) of config.<path> / summary.<path>


def _raw_list(texts: Any) -> msgspec.Raw:
    """One JSON list of JSON texts (None: null), as it is encoded into an answer."""
    return msgspec.Raw(("[" + ",".join("null" if t is None else t for t in texts) + "]").encode())


def _asked_values(row: dict, fields: Fields, raw_json: bool) -> None:
    """Put a row's asked values (`_f0`, `_f1`, ... JSON text) into its config and summary, nested by
    their keys; a value under another asked one (config.opt and config.opt.lr) is in it already."""
    docs: dict[str, dict] = {"config": {}, "summary": {}}
    for i, (root, keys) in sorted(enumerate(fields), key=lambda f: len(f[1][1])):
        text = row.pop(f"_f{i}")
        if text is None:  # the run has no such value
            continue
        at = docs[root]
        for k in keys[:-1]:
            at = at.setdefault(k, {})
            if not isinstance(at, dict):
                break
        else:
            if keys[-1] not in at:
                at[keys[-1]] = msgspec.Raw(text.encode()) if raw_json else json.loads(text)
    row.update(docs)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[Any]:
    try:  # a client could forge one: a flat list of values a filter could compare with, or nothing
        values = load_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), max_depth=1)
        for v in values if isinstance(values, list) else ():
            check_value(v, "cursor")
    except (ValueError, FilterError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != n
        or isinstance(values[-1], bool)
        or not isinstance(values[-1], int)
    ):
        raise FilterError("cursor is not one this listing gave (with the same order)")
    return values


def public(d: dict) -> dict:
    """A run row as the API shows it."""
    d = dict(d)
    d.pop("id", None)
    d.pop("project_id", None)
    d.pop("summary_state", None)
    d.pop("created_by", None)
    d["id"] = d.pop("run_id")
    d["group"] = d.pop("group_name", None)
    return d
