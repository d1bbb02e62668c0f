"""The run summary's aggregation state, kept in `runs.summary_state` so ingest continues across chunks.

Summary semantics live in `runyard.wire.summary` (shared with the SDK and the reader); the store
replays history batches into a `SummaryState` and saves/restores it as JSON between chunks.
"""

from __future__ import annotations

from typing import Any

from ..wire.history_codec import HistoryBatch
from ..wire.reader import replay_summary
from ..wire.summary import SummaryState
from .jsonsafe import NONFINITE, jsonable


def replay(state: SummaryState, batch: HistoryBatch) -> None:
    """Apply the points of a history batch to the summary, exactly as the run-log reader does."""
    replay_summary(state, batch)


def load(doc: dict) -> tuple[SummaryState, list[dict]]:
    """A SummaryState (and its metric specs) from the JSON saved by `dump`."""
    specs = list(doc.get("specs") or [])
    restored = dict(doc)
    restored["aggs"] = {k: [_unsafe(x) for x in a] for k, a in (doc.get("aggs") or {}).items()}
    return SummaryState.load(restored), specs


def dump(s: SummaryState, specs: list[dict]) -> dict:
    """JSON-storable state (non-finite floats as strings, see jsonsafe)."""
    return jsonable({**s.dump(), "specs": specs})


def _unsafe(v: Any) -> Any:
    return float(v) if isinstance(v, str) and v in NONFINITE else v
