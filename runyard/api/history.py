"""`run.history()` and `run.scan_history()` over `GET .../history/rows` (msgpack columns).

Rows are those of the server (see store/history_rows.py): one per step, `_step`, `_runtime`,
`_timestamp` plus the keys logged at that step. Unlike wandb, `history()` is not sampled unless asked
(`samples=N`); with `keys=`, only rows that have every key are returned, as in wandb.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .http import Http

if TYPE_CHECKING:
    import pandas

PAGE_ROWS = 100_000  # history(): rows per request (the server's maximum)
META = ("_step", "_runtime", "_timestamp")


def _col(v: Any, np: Any = None) -> Any:
    """A msgpack column: {"dtype", "data"} -> numpy array (np given) or list; lists stay lists."""
    if isinstance(v, dict) and "dtype" in v:
        if np is not None:
            return np.frombuffer(v["data"], dtype=v["dtype"])
        code = {"<f8": "d", "<i8": "q", "|u1": "B"}[v["dtype"]]
        return array(code, v["data"]).tolist()
    return v


class Page:
    """One answer of the rows endpoint, decoded."""

    def __init__(self, doc: dict, np: Any = None):
        self.n: int = doc["rows"]
        self.keys: list[str] = [k for k in doc["keys"] if k in doc["columns"]]
        self.meta = {k: _col(doc[k], np) for k in META}
        self.columns = {k: _col(doc["columns"][k], np) for k in self.keys}
        self.present = {k: _col(v, np) for k, v in (doc.get("present") or {}).items()}
        self.next_min_step: int | None = doc.get("next_min_step")

    def dicts(self) -> list[dict]:
        names = list(META) + self.keys
        cols = [self.meta[k] for k in META] + [self.columns[k] for k in self.keys]
        if not self.present:
            return [dict(zip(names, t)) for t in zip(*cols)]
        masks = [self.present.get(k) for k in self.keys]
        out = []
        for i, t in enumerate(zip(*cols)):
            d = dict(zip(META, t[:3]))
            for k, v, m in zip(self.keys, t[3:], masks):
                if m is None or m[i]:
                    d[k] = v
            out.append(d)
        return out


def fetch(
    http: Http,
    run_url: str,
    keys: list[str] | None,
    *,
    min_step: int | None = None,
    max_step: int | None = None,
    limit: int | None = None,
    samples: int | None = None,
    np: Any = None,
) -> Page:
    params = {
        "keys": ",".join(keys) if keys else None,
        "min_step": min_step,
        "max_step": max_step,
        "limit": limit,
        "samples": samples,
        "require": "all" if keys else "any",
        "format": "msgpack",
    }
    return Page(http.call("GET", run_url + "/history/rows", params, msgpack=True), np)


def _keys(keys: Any) -> list[str] | None:
    if keys is None:
        return None
    if isinstance(keys, str):
        return [keys]
    return [str(k) for k in keys]


def history(
    http: Http,
    run_url: str,
    keys: Any = None,
    samples: int | None = None,
    x_axis: str = "_step",
    pandas: bool = True,
) -> pandas.DataFrame | list[dict]:
    ks = _keys(keys)
    if x_axis not in META:
        ks = (ks or []) + ([x_axis] if x_axis not in (ks or []) else [])
    np: Any = None
    pd: Any = None
    if pandas:
        try:
            import numpy
            import pandas as pandas_mod
        except ImportError:
            raise ImportError(
                "run.history(pandas=True) needs pandas: pip install pandas (or pass pandas=False "
                "for a list of dicts)"
            ) from None
        np, pd = numpy, pandas_mod
    pages = []
    if samples is not None:
        pages.append(fetch(http, run_url, ks, samples=int(samples), np=np))
    else:
        start = None
        while True:
            page = fetch(http, run_url, ks, min_step=start, limit=PAGE_ROWS, np=np)
            pages.append(page)
            if page.next_min_step is None:
                break
            start = page.next_min_step
    if not pandas:
        return [d for p in pages for d in p.dicts()]
    assert np is not None and pd is not None
    names = list(META) + [k for k in (pages[0].keys if pages else []) if k not in META]
    data = {}
    for k in names:
        parts = []
        for p in pages:
            v = p.meta[k] if k in META else p.columns.get(k)
            parts.append(np.full(p.n, np.nan) if v is None else v)  # absent values: NaN / None
        if all(isinstance(x, np.ndarray) for x in parts):
            data[k] = np.concatenate(parts) if len(parts) != 1 else parts[0]
        else:
            data[k] = [x for part in parts for x in (part.tolist() if isinstance(part, np.ndarray) else part)]
    return pd.DataFrame(data, columns=names)


class HistoryScan:
    """Iterator over every row of a run, fetched `page_size` rows at a time (wandb's scan_history)."""

    def __init__(
        self,
        http: Http,
        run_url: str,
        keys: Any = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
    ):
        self._http, self._url, self.keys = http, run_url, _keys(keys)
        self.page_size = max(1, min(int(page_size), PAGE_ROWS))
        self.min_step, self.max_step = min_step, max_step
        self._it = self._rows()

    def _rows(self) -> Iterator[dict]:
        start = self.min_step
        while True:
            page = fetch(
                self._http, self._url, self.keys, min_step=start, max_step=self.max_step, limit=self.page_size
            )
            yield from page.dicts()
            if page.next_min_step is None:
                return
            start = page.next_min_step

    def __iter__(self) -> HistoryScan:
        return self

    def __next__(self) -> dict:
        return next(self._it)
