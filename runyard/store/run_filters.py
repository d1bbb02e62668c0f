"""MongoDB-style run filters and sort keys compiled to SQL, the same on SQLite and PostgreSQL.

    {"state": "finished", "config.lr": {"$lt": 0.01}, "summary.loss": {"$exists": true},
     "tags": {"$in": ["baseline"]}, "$or": [{"group": "a"}, {"job_type": "eval"}]}

Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex $and $or $nor $not (and $all on tags).
`config.<path>` and `summary.<path>` (alias `summary_metrics.<path>`) reach into the JSON documents,
dots separating nested keys; a comparison with a number only matches numbers, with a string only
strings, so a run whose `lr` is "auto" never matches `{"$lt": 0.01}` (and never errors).

wandb stores config values as `{"lr": {"value": 0.01}}`, so its filters say `config.lr.value`:
such a path matches the nested key `value` where the run has one, else `config.lr` itself.
`$regex` is a search in RE2 syntax (store/regex.py: linear time; PostgreSQL's `~` on PostgreSQL),
at most `Limits.max_regex_length` characters; on `tags` it matches runs with some matching tag; a
plain prefix `^abc` compiles to LIKE.

Everything a client sends is checked before it reaches SQL, so a malformed filter is a FilterError
naming the problem, never a database error: values are null, booleans, int64 integers, finite
numbers or strings without NUL; the columns' types are respected (a number for `created_at`, a
string for `name`); operators nest at most `Limits.max_json_depth` deep.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from .limits import Limits, is_int64
from .regex import RegexError, compile_regex
from .run_values import MAX_DEPTH, MAX_FIELD, indexable
from .tables import runs


class FilterError(ValueError):
    """The filter or sort key is malformed; the message names the problem."""


COLUMNS = {
    "state": runs.c.state,
    "name": runs.c.name,
    "display_name": runs.c.name,
    "run_id": runs.c.run_id,
    "id": runs.c.run_id,
    "group": runs.c.group_name,
    "job_type": runs.c.job_type,
    "sweep": runs.c.sweep_id,
    "sweep_id": runs.c.sweep_id,
    "host": runs.c.host,
    "created_at": runs.c.created_at,
    "createdAt": runs.c.created_at,
    "updated_at": runs.c.updated_at,
    "heartbeat_at": runs.c.heartbeat_at,
    "runtime": runs.c.runtime,
    "last_step": runs.c.last_step,
    "notes": runs.c.notes,
}
NUMERIC = {"created_at", "createdAt", "updated_at", "heartbeat_at", "runtime", "last_step"}
JSON_ROOTS = {"config": runs.c.config, "summary": runs.c.summary, "summary_metrics": runs.c.summary}
_CMP = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte"}


class Compiler:
    def __init__(self, dialect: str, limits: Limits | None = None):
        self.pg = dialect == "postgresql"
        self.limits = limits or Limits()

    # -- JSON access -----------------------------------------------------------------------------------
    def _path(self, field: str) -> tuple[Any, list[str]] | None:
        root, _, rest = field.partition(".")
        if root in JSON_ROOTS:
            if not rest or any(p == "" for p in rest.split(".")):
                raise FilterError(f"{field!r}: name a key after '{root}.', e.g. '{root}.lr'")
            return JSON_ROOTS[root], rest.split(".")
        return None

    def _jtype(self, col: Any, path: list[str]) -> ColumnElement:
        if self.pg:
            return sa.func.jsonb_typeof(sa.func.jsonb_extract_path(col, *path))
        return sa.func.json_type(col, sqlite_path(path))

    def json_num(self, col: Any, path: list[str]) -> ColumnElement:
        t = self._jtype(col, path)
        if self.pg:
            val = sa.cast(sa.func.jsonb_extract_path_text(col, *path), sa.Float)
            return sa.case((t == "number", val), else_=sa.null())
        return sa.case(
            (t.in_(("integer", "real")), sa.func.json_extract(col, sqlite_path(path))), else_=sa.null()
        )

    def json_str(self, col: Any, path: list[str]) -> ColumnElement:
        t = self._jtype(col, path)
        if self.pg:
            return sa.case((t == "string", sa.func.jsonb_extract_path_text(col, *path)), else_=sa.null())
        return sa.case((t == "text", sa.func.json_extract(col, sqlite_path(path))), else_=sa.null())

    def json_bool(self, col: Any, path: list[str], value: bool) -> ColumnElement:
        t = self._jtype(col, path)
        if self.pg:
            text = sa.func.jsonb_extract_path_text(col, *path)
            return sa.and_(t == "boolean", text == ("true" if value else "false"))
        return t == ("true" if value else "false")

    # -- filters ---------------------------------------------------------------------------------------
    def where(self, flt: Any, depth: int = 1) -> ColumnElement:
        if not isinstance(flt, dict):
            raise FilterError(f"a filter is a JSON object, got {type(flt).__name__}")
        if depth > self.limits.max_json_depth:
            raise FilterError(f"the filter nests deeper than {self.limits.max_json_depth} levels")
        clauses = []
        for field, cond in flt.items():
            _check_name(field)
            if field in ("$and", "$or", "$nor"):
                if not isinstance(cond, list) or not cond:
                    raise FilterError(f"{field} takes a non-empty list of filters")
                subs = [self.where(c, depth + 1) for c in cond]
                clauses.append(
                    sa.and_(*subs)
                    if field == "$and"
                    else sa.or_(*subs)
                    if field == "$or"
                    else sa.not_(sa.or_(*subs))
                )
            elif field.startswith("$"):
                raise FilterError(f"unknown top-level operator {field!r}")
            else:
                clauses.append(self._field(field, cond, depth + 1))
        return sa.and_(sa.true(), *clauses)

    def _field(self, field: str, cond: Any, depth: int) -> ColumnElement:
        if depth > self.limits.max_json_depth:
            raise FilterError(f"the filter nests deeper than {self.limits.max_json_depth} levels")
        ops = (
            cond
            if isinstance(cond, dict) and cond and all(k.startswith("$") for k in cond)
            else {"$eq": cond}
        )
        return sa.and_(*[self._op(field, op, v, depth) for op, v in ops.items()])

    def _op(self, field: str, op: str, v: Any, depth: int = 0) -> ColumnElement:
        _check_name(op)
        if op == "$not":
            return sa.not_(self._field(field, v, depth + 1))
        if field == "tags":
            return self._tags(op, v)
        alias = _value_alias(field)
        if alias is not None:  # wandb's config.<key>.value: the nested key if present, else config.<key>
            jp, ja = self._path(field), self._path(alias)
            assert jp is not None and ja is not None
            nested = self._jtype(*jp).is_not(None)
            if op == "$exists":
                if not isinstance(v, bool):
                    raise FilterError(f"{field}: $exists takes true or false")
                either = sa.or_(nested, self._jtype(*ja).is_not(None))
                return either if v is True else sa.not_(either)
            return sa.or_(
                sa.and_(nested, self._op1(field, op, v)), sa.and_(sa.not_(nested), self._op1(alias, op, v))
            )
        return self._op1(field, op, v)

    def _op1(self, field: str, op: str, v: Any) -> ColumnElement:
        jp = self._path(field)
        if jp is None and field not in COLUMNS:
            raise FilterError(
                f"unknown field {field!r}; use {', '.join(sorted(COLUMNS))}, tags, config.<key> "
                "or summary.<key>"
            )
        if op == "$exists":
            if not isinstance(v, bool):
                raise FilterError(f"{field}: $exists takes true or false")
            if jp is None:
                return COLUMNS[field].is_not(None) if v else COLUMNS[field].is_(None)
            t = self._jtype(*jp)
            return t.is_not(None) if v else t.is_(None)
        if op in ("$in", "$nin"):
            if not isinstance(v, list):
                raise FilterError(f"{field}: {op} takes a list")
            anyof = sa.or_(sa.false(), *[self._op(field, "$eq", x) for x in v])
            return anyof if op == "$in" else sa.not_(anyof)
        if op == "$regex":
            if field in NUMERIC:
                raise FilterError(f"{field}: $regex matches strings; {field} is a number")
            target = COLUMNS[field] if jp is None else self.json_str(*jp)
            return self._regex(target, v, field)
        if op not in _CMP:
            raise FilterError(f"{field}: unknown operator {op!r}")
        check_value(v, field)
        if jp is None:
            if v is not None:
                numeric = field in NUMERIC
                if isinstance(v, bool) or numeric != isinstance(v, (int, float)):
                    kind = "a number" if numeric else "a string"
                    raise FilterError(f"{field}: compare with {kind}, not {type(v).__name__}")
            return _compare(COLUMNS[field], op, v, field)
        col, path = jp
        if v is None:
            if op not in ("$eq", "$ne"):
                raise FilterError(f"{field}: {op} cannot compare with null")
            t = self._jtype(col, path)
            null = t == "null"
            return null if op == "$eq" else sa.or_(t.is_(None), t != "null")
        if isinstance(v, bool):
            if op not in ("$eq", "$ne"):
                raise FilterError(f"{field}: {op} cannot compare with a boolean")
            m = self.json_bool(col, path, v)
            return m if op == "$eq" else sa.not_(sa.func.coalesce(m, False))
        if isinstance(v, (int, float)):
            target = self.json_num(col, path)
        elif isinstance(v, str):
            target = self.json_str(col, path)
        else:
            raise FilterError(
                f"{field}: compare with a number, string, boolean or null, not {type(v).__name__}"
            )
        if op == "$ne":
            return sa.or_(target.is_(None), target != v)
        return _compare(target, op, v, field)

    def _tags(self, op: str, v: Any) -> ColumnElement:
        def has(tag: Any) -> ColumnElement:
            if not isinstance(tag, str):
                raise FilterError("tags are strings")
            check_value(tag, "tags")
            if self.pg:
                return runs.c.tags.op("?")(tag)
            each = sa.select(sa.literal(1)).select_from(sa.func.json_each(runs.c.tags).table_valued("value"))
            return each.where(sa.column("value") == tag).exists()

        if op == "$eq":
            return has(v)
        if op == "$ne":
            return sa.not_(has(v))
        if op in ("$in", "$nin") and isinstance(v, list):
            anyof = sa.or_(sa.false(), *[has(t) for t in v])
            return anyof if op == "$in" else sa.not_(anyof)
        if op == "$all" and isinstance(v, list):
            return sa.and_(*[has(t) for t in v])
        if op == "$regex":
            fn = sa.func.jsonb_array_elements_text if self.pg else sa.func.json_each
            each = sa.select(sa.literal(1)).select_from(fn(runs.c.tags).table_valued("value"))
            return each.where(self._regex(sa.column("value", sa.String), v, "tags")).exists()
        raise FilterError(f"tags: use a tag, $in, $nin, $ne, $all or $regex, not {op!r}")

    def _regex(self, target: Any, pattern: Any, field: str) -> ColumnElement:
        if not isinstance(pattern, str):
            raise FilterError(f"{field}: $regex takes a string")
        limit = self.limits.max_regex_length
        if len(pattern) > limit:
            raise FilterError(f"{field}: $regex is {len(pattern)} characters; the limit is {limit}")
        check_value(pattern, field)
        try:
            compile_regex(pattern)
        except RegexError as e:
            raise FilterError(f"{field}: invalid $regex {pattern!r} (RE2 syntax): {e}") from None
        if _PREFIX.fullmatch(pattern):  # a plain prefix: LIKE, which indexes can serve
            return target.startswith(pattern[1:], autoescape=True)
        return target.regexp_match(pattern)

    # -- sorting ---------------------------------------------------------------------------------------
    def sort_keys(self, spec: str) -> list[SortKey]:
        """'-summary.loss', '+config.lr', 'created_at'; runs without the value come last. The run's
        row id breaks ties, in the direction of the first key (so one index scan serves both)."""
        out: list[SortKey] = []
        for part in [p.strip() for p in spec.split(",") if p.strip()]:
            _check_name(part)
            desc = part.startswith("-")
            field = part.lstrip("+-")
            jp = self._path(field)
            alias = _value_alias(field)
            if jp is not None and alias is not None:
                ja = self._path(alias)
                assert ja is not None
                out.append(SortKey(sa.func.coalesce(self.json_num(*jp), self.json_num(*ja)), desc))
                out.append(SortKey(sa.func.coalesce(self.json_str(*jp), self.json_str(*ja)), desc))
            elif jp is not None:
                out.append(SortKey(self.json_num(*jp), desc))
                out.append(SortKey(self.json_str(*jp), desc))
            elif field in COLUMNS:
                out.append(SortKey(COLUMNS[field], desc, bool(COLUMNS[field].nullable)))
            else:
                raise FilterError(
                    f"cannot sort by {field!r}; use {', '.join(sorted(COLUMNS))}, config.<key> or "
                    "summary.<key>, with '-' for descending"
                )
        out.append(SortKey(runs.c.id, out[0].desc if out else True, False))
        return out

    def value_sort(self, spec: str) -> tuple[str, bool] | None:
        """(field, descending) when `spec` (already checked by `sort_keys`) sorts by one config or
        summary value that `run_values` serves; None for every other sort."""
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        if len(parts) != 1:
            return None
        field = parts[0].lstrip("+-")
        root, _, rest = field.partition(".")
        if root not in JSON_ROOTS or _value_alias(field) is not None:
            return None
        field = ("summary" if root == "summary_metrics" else root) + "." + rest
        return (field, parts[0].startswith("-")) if indexable(field) else None

    def order(self, spec: str) -> list[Any]:
        return [k.clause() for k in self.sort_keys(spec)]


@dataclass(frozen=True)
class SortKey:
    expr: Any
    desc: bool
    nullable: bool = True  # NULLs sort last either way; a NOT NULL column leaves that out, which
    # lets PostgreSQL read `created_at DESC, id DESC` straight from the (project_id, created_at, id) index

    def clause(self) -> Any:
        c = self.expr.desc() if self.desc else self.expr.asc()
        return c.nulls_last() if self.nullable else c


def after(keys: list[SortKey], values: list[Any]) -> ColumnElement:
    """Rows strictly after the row whose sort values are `values` (keyset pagination)."""
    if all(not k.nullable and k.desc == keys[0].desc for k in keys) and None not in values:
        row = sa.tuple_(*[k.expr for k in keys])
        bound = sa.tuple_(*[sa.literal(v) for v in values])
        return row < bound if keys[0].desc else row > bound  # a row-value range an index can seek
    cond: ColumnElement | None = None
    for k, v in reversed(list(zip(keys, values))):
        gt: ColumnElement
        if v is None:  # NULLs sort last: only other NULLs follow, in the order of the next keys
            gt, eq = sa.false(), k.expr.is_(None)
        else:
            gt = k.expr < v if k.desc else k.expr > v
            if k.nullable:
                gt = sa.or_(gt, k.expr.is_(None))
            eq = k.expr == v
        cond = gt if cond is None else sa.or_(gt, sa.and_(eq, cond))
    assert cond is not None
    return cond


def parse_fields(fields: list[str], max_fields: int) -> list[tuple[str, list[str]]]:
    """(root, keys) of each `config.<path>` / `summary.<path>` a listing is asked to return; a
    FilterError names the first field that is not one (or the count over `max_fields`)."""
    if len(fields) > max_fields:
        raise FilterError(f"{len(fields)} fields asked; at most {max_fields}")
    out = []
    for field in fields:
        _check_name(field)
        root, _, rest = field.partition(".")
        keys = rest.split(".")
        if root not in ("config", "summary") or not rest or "" in keys:
            raise FilterError(
                f"{field!r}: a field is config.<key> or summary.<key> (dots between nested keys)"
            )
        if len(field) > MAX_FIELD or len(keys) > MAX_DEPTH:
            raise FilterError(f"{field!r}: at most {MAX_FIELD} characters and {MAX_DEPTH} keys deep")
        out.append((root, keys))
    return out


def _check_name(name: str) -> None:
    if "\x00" in name:
        raise FilterError(f"{name!r}: field names and operators cannot hold NUL")


def check_value(v: Any, field: str) -> None:
    """A value compared with: what both databases can bind (int64, finite, no NUL in text)."""
    if type(v) is int and not is_int64(v):
        raise FilterError(f"{field}: {v} is outside the 64-bit integer range")
    if type(v) is float and not math.isfinite(v):
        raise FilterError(f"{field}: compare with a finite number")
    if isinstance(v, str) and "\x00" in v:
        raise FilterError(f"{field}: strings in filters cannot hold NUL")
    if v is not None and not isinstance(v, (bool, int, float, str)):
        raise FilterError(f"{field}: compare with a number, string, boolean or null, not {type(v).__name__}")


def _compare(target: Any, op: str, v: Any, field: str) -> ColumnElement:
    if op == "$eq":
        return target == v
    if op == "$ne":
        return target != v
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise FilterError(f"{field}: {op} takes a number or a string")
    return {"$gt": target > v, "$gte": target >= v, "$lt": target < v, "$lte": target <= v}[op]


def _value_alias(field: str) -> str | None:
    """`config.lr.value` -> `config.lr` (wandb's form of config filters); None for other fields."""
    if field.startswith("config.") and field.endswith(".value") and field.count(".") >= 2:
        return field[: -len(".value")]
    return None


_PREFIX = re.compile(r"\^[^\^$.*+?()\[\]{}|\\]*")


def sqlite_path(path: list[str]) -> str:
    return "$" + "".join('."' + p.replace('"', '\\"') + '"' for p in path)
