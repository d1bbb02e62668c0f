"""The history-row rule: how the points of a run's history become wandb-style rows.

One rule for every reader of a run, written here once: the local reader (`RunData.history()`) uses
`assemble_rows`; the server (store/history_rows.py) applies the same rule to its per-key columns,
vectorised with numpy, and a test pins the rows of both equal for the same run log.

A point is one value of one key: (key, step, log position, timestamp, value). For each key, its
points are ordered by (step, log position); the n-th point of a key at step s goes to row (s, n).
Rows are ordered by (step, n); a row's `_timestamp` is the latest timestamp among its points.

What a user sees:
- every value logged at a step lands in that step's row, whichever `log()` call carried it and
  whether it committed the row (`commit=False` fragments, a metric logged later at an earlier step,
  as validation often is: wandb would drop that point, runyard puts it where it belongs);
- a key logged twice at one step opens a second row of that step for its second value: no point is
  ever overwritten or dropped;
- rows come sorted by step, so `history()` reads like wandb's, and the rule depends only on each key's
  own points: the server can compute it from per-key columns and page it by step.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Row = dict[str, Any]


def assemble_rows(fragments: Iterable[tuple[int, float, dict]]) -> list[tuple[int, float, Row]]:
    """Rows from fragments (step, timestamp, {key: value}) given in log order.

    Returns [(step, timestamp, values)] sorted by (step, n), as the module docstring states.
    """
    rows: dict[tuple[int, int], list] = {}  # (step, n) -> [timestamp, values]
    seen: dict[tuple[str, int], int] = {}  # (key, step) -> points so far: a stable sort by step
    for step, ts, data in fragments:
        for key, value in data.items():
            n = seen.get((key, step), 0)
            seen[(key, step)] = n + 1
            row = rows.get((step, n))
            if row is None:
                rows[(step, n)] = [ts, {key: value}]
            else:
                row[1][key] = value
                if ts > row[0]:
                    row[0] = ts
    return [(slot[0], row[0], row[1]) for slot, row in sorted(rows.items(), key=lambda kv: kv[0])]
