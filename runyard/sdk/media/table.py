"""`runyard.Table`: rows of scalars and media, logged as `media/table/<key>_<step>_<hash>.table.json`.

Every log writes the table as it is at that moment, so a table logged at several steps keeps every
version (each is its own file). Media in cells (images, audio, ...) are written next to the table
with the table's key and step, and the cell holds their JSON value (wandb's run file writes only the
type name there and keeps the cells in an artifact; runyard has no artifacts yet).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..values import NOT_SCALAR, plain_scalar
from ._base import (
    LogContext,
    Media,
    MediaError,
    MissingDependency,
    is_tensor_like,
    json_bytes,
    to_numpy,
    type_module,
    warn,
)

LOG_MODES = ("IMMUTABLE", "MUTABLE", "INCREMENTAL")


def _is_dataframe(v: Any) -> bool:
    return type_module(v).startswith("pandas") and hasattr(v, "columns") and hasattr(v, "itertuples")


def _kind(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "str"
    if isinstance(v, Media):
        return type(v).__name__
    if is_tensor_like(v):
        if getattr(v, "ndim", 1) == 0 and hasattr(v, "item"):  # numpy / torch scalars
            return _kind(v.item())
        return "array"
    if isinstance(v, Mapping):
        return "dict"
    if isinstance(v, (list, tuple)):
        return "array"
    return type(v).__name__


def _cell(v: Any, ctx: LogContext, col: Any) -> Any:
    t = type(v)
    if v is None or t is str or t is int or t is bool or t is float:
        return v
    if isinstance(v, Media):
        return v._to_json(ctx)
    if is_tensor_like(v):
        a = to_numpy(v)
        return a.item() if a.ndim == 0 else a.tolist()
    if isinstance(v, enum.Enum):
        return _cell(v.value, ctx, col)
    plain = plain_scalar(v)
    if plain is not NOT_SCALAR:
        return plain
    if isinstance(v, Mapping):
        return {str(k): _cell(x, ctx, col) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_cell(x, ctx, col) for x in v]
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    item = getattr(v, "item", None)
    if callable(item) and type_module(v).startswith("numpy"):
        return item()
    raise MediaError(
        f"Table column {col!r}: a cell of type {type_module(v)}.{t.__qualname__} cannot be stored; use numbers, "
        "strings, bools, None, lists, dicts, numpy values or runyard media (Image, Audio, ...)"
    )


class Table(Media):
    """`Table(columns=None, data=None, rows=None, dataframe=None, dtype=None, optional=True,
    allow_mixed_types=False, log_mode="IMMUTABLE")`, as wandb.Table."""

    MAX_ROWS = 10000  # rows written per logged table (as wandb's run file)
    MAX_ARTIFACT_ROWS = 200000
    _log_type = "table-file"
    supported_logging_modes = LOG_MODES

    def __init__(
        self,
        columns: Sequence[Any] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
        dtype: Any = None,
        optional: bool | Sequence[bool] = True,
        allow_mixed_types: bool = False,
        log_mode: str = "IMMUTABLE",
    ) -> None:
        if log_mode not in LOG_MODES:
            raise MediaError(f"Table(log_mode={log_mode!r}): must be one of {', '.join(LOG_MODES)}")
        self.log_mode = log_mode
        self._allow_mixed = bool(allow_mixed_types)
        self._increment_num = 0
        self._logged_rows = 0
        self.data: list[list[Any]] = []
        if dataframe is not None or _is_dataframe(data):
            df = dataframe if dataframe is not None else data
            if not _is_dataframe(df):
                raise MediaError(f"Table(dataframe=...) expects a pandas DataFrame, not {type(df).__name__}")
            self._set_columns(list(df.columns), optional)
            for row in df.itertuples(index=False, name=None):
                self.add_data(*row)
            return
        self._set_columns(["Input", "Output", "Expected"] if columns is None else columns, optional)
        src = data if data is not None else rows
        if src is None:
            return
        if is_tensor_like(src):
            a = to_numpy(src)
            if a.ndim != 2:
                raise MediaError(f"Table(data=array) needs a 2-D array, got shape {tuple(a.shape)}")
            src = a.tolist()
        if not isinstance(src, (list, tuple)):
            raise MediaError(
                f"Table(data=...) expects a list of rows, a 2-D array or a DataFrame, not {type(src).__name__}"
            )
        for i, row in enumerate(src):
            if not isinstance(row, (list, tuple)) and not is_tensor_like(row):
                raise MediaError(f"Table(data=...): row {i} is a {type(row).__name__}, not a list of cells")
            self.add_data(*row)

    def _set_columns(self, columns: Any, optional: Any) -> None:
        if isinstance(columns, (str, bytes)) or not isinstance(columns, Sequence):
            raise MediaError(
                f"Table(columns=...) expects a list of column names, not {type(columns).__name__}"
            )
        cols = list(columns)
        for c in cols:
            if isinstance(c, bool) or not isinstance(c, (str, int)):
                raise MediaError(f"Table column names must be strings or ints, got {c!r}")
        if len(set(cols)) != len(cols):
            raise MediaError(f"Table column names must be unique, got {cols}")
        self.columns: list[Any] = cols
        if isinstance(optional, (list, tuple)):
            if len(optional) != len(cols):
                raise MediaError(
                    f"Table(optional=[...]) needs one bool per column ({len(cols)}), got {len(optional)}"
                )
            self._optional = [bool(o) for o in optional]
        else:
            self._optional = [bool(optional)] * len(cols)
        self._kinds: list[str | None] = [None] * len(cols)

    def _check_row(self, row: Sequence[Any]) -> None:
        if len(row) != len(self.columns):
            raise MediaError(
                f"This table expects {len(self.columns)} columns: {self.columns}, found {len(row)}"
            )
        n = len(self.data)
        for j, v in enumerate(row):
            k = _kind(v)
            if k is None:
                if not self._optional[j]:
                    raise MediaError(f"Table column {self.columns[j]!r} is not optional; row {n} has None")
                continue
            if self._allow_mixed:
                continue
            have = self._kinds[j]
            if have is None:
                self._kinds[j] = k
            elif have != k:
                raise MediaError(
                    f"Table column {self.columns[j]!r} holds {have} values; row {n} has {k} {v!r:.60}. "
                    "Pass allow_mixed_types=True to mix types in a column"
                )

    # -- wandb's API --------------------------------------------------------------------------
    def add_data(self, *data: Any) -> None:
        """Append one row (one value per column)."""
        self._check_row(data)
        self.data.append(list(data))

    add_row = add_data

    def add_column(self, name: Any, data: Any, optional: bool = False) -> None:
        """Add a column; `data` has one value per existing row."""
        if isinstance(name, bool) or not isinstance(name, (str, int)):
            raise MediaError(f"Table.add_column: the name must be a string or an int, got {name!r}")
        if name in self.columns:
            raise MediaError(f"Table.add_column: column {name!r} already exists")
        values = to_numpy(data).tolist() if is_tensor_like(data) else list(data)
        if self.columns and len(values) != len(self.data):
            raise MediaError(
                f"Table.add_column({name!r}): expected {len(self.data)} values (one per row), found {len(values)}"
            )
        if not optional and any(v is None for v in values):
            raise MediaError(f"Table.add_column({name!r}): None values need optional=True")
        self.columns.append(name)
        self._optional.append(bool(optional))
        self._kinds.append(None)
        if not self.data and len(self.columns) == 1:
            self.data = [[] for _ in values]
        j = len(self.columns) - 1
        for i, v in enumerate(values):
            k = _kind(v)
            if k is not None and not self._allow_mixed:
                if self._kinds[j] not in (None, k):
                    self.columns.pop()
                    self._optional.pop()
                    self._kinds.pop()
                    for row in self.data[:i]:
                        row.pop()
                    raise MediaError(f"Table.add_column({name!r}): mixed types ({self._kinds[j]} and {k})")
                self._kinds[j] = k
            self.data[i].append(v)

    def add_computed_columns(self, fn: Any) -> None:
        """Add the columns `fn(index, {column: value})` returns for each row, as a dict of new values."""
        new: dict[Any, list[Any]] = {}
        for ndx, row in self.iterrows():
            out = fn(ndx, dict(zip(self.columns, row)))
            if not isinstance(out, dict):
                raise MediaError(
                    f"Table.add_computed_columns: fn must return a dict, got {type(out).__name__}"
                )
            for k, v in out.items():
                new.setdefault(k, []).append(v)
        for name, values in new.items():
            self.add_column(name, values)

    def get_column(self, name: Any, convert_to: str | None = None) -> Any:
        """The values of one column; `convert_to="numpy"` gives an array."""
        if name not in self.columns:
            raise MediaError(f"Table has no column {name!r}; columns: {self.columns}")
        j = self.columns.index(name)
        col = [row[j] for row in self.data]
        if convert_to == "numpy":
            import numpy as np

            return np.array(col)
        return col

    def get_index(self) -> list[int]:
        return list(range(len(self.data)))

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            raise MissingDependency("Table.get_dataframe() needs pandas: pip install pandas") from None
        return pd.DataFrame(self.data, columns=self.columns)

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        yield from enumerate(self.data)

    def cast(self, col_name: Any, dtype: Any, optional: bool = False) -> None:
        """Accepted for compatibility: runyard does not keep column types beyond the mixed-type check."""
        if col_name not in self.columns:
            raise MediaError(f"Table has no column {col_name!r}")
        self._optional[self.columns.index(col_name)] = bool(optional)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and self.columns == other.columns and self.data == other.data

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<runyard.Table {len(self.data)} rows x {len(self.columns)} columns>"

    # -- serialisation ------------------------------------------------------------------------
    def _to_json(self, ctx: LogContext) -> dict:
        incremental = self.log_mode == "INCREMENTAL"
        rows = self.data[self._logged_rows :] if incremental else self.data
        if len(rows) > self.MAX_ROWS:
            warn(
                f"the table logged under {ctx.key!r} has {len(rows)} rows; the first {self.MAX_ROWS} are kept "
                "(runyard.Table.MAX_ROWS, as wandb)"
            )
            rows = rows[: self.MAX_ROWS]
        cols = self.columns
        cells = [[_cell(v, ctx, cols[j]) for j, v in enumerate(row)] for row in rows]
        d = ctx.put("table", "table.json", json_bytes({"columns": cols, "data": cells}))
        d["_type"] = "incremental-table-file" if incremental else "table-file"
        d["ncols"] = len(cols)
        d["nrows"] = len(cells)
        d["log_mode"] = self.log_mode
        if incremental:
            d["_increment_num"] = self._increment_num
            self._increment_num += 1
            self._logged_rows = len(self.data)
        return d


__all__ = ["Table"]
