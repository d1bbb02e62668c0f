"""Run logs as a hostile client would send them: built frame by frame with runyard's wire code, so a
test can put any value where the SDK would only ever write a well-formed one."""

from __future__ import annotations

import time
from typing import Any

import httpx

from runyard.wire.framing import file_header, frame
from runyard.wire.history_codec import encode_history
from runyard.wire.records import RT, packb


def run_log(run_id: str, history: list[dict[str, Any]] = (), summary: dict | None = None) -> bytes:
    """A complete run log: the RUN record, one HISTORY record per row (steps 0, 1...), a SUMMARY."""
    t = time.time()
    run = {"run_id": run_id, "segment": "s1", "project": "p", "start_time": t, "mode": "offline"}
    out = [file_header(), frame(RT.RUN, packb(run))]
    for step, row in enumerate(history):
        keys = tuple(row)
        out.append(
            frame(RT.HISTORY, packb(encode_history([(0, step + 1, step, t, 1, keys, tuple(row.values()))])))
        )
    if summary is not None:
        out.append(frame(RT.SUMMARY, packb({"seq": len(history) + 1, "update": summary})))
    return b"".join(out)


def ingest(server: Any, run_id: str, data: bytes, entity: str = "admin") -> httpx.Response:
    """POST a whole run log to the real server as its admin."""
    return httpx.post(
        f"{server.url}/api/v1/ingest/{entity}/p/{run_id}",
        params={"segment": "s1", "offset": 0},
        content=data,
        headers={"Authorization": f"Bearer {server.api_key}"},
        timeout=30,
    )
