"""Run-log records built in one place: the SDK's writer, the wandb importer and the server's wandb
layer all encode their records through `RecordBuilder`, so the three cannot drift apart.

    out = RecordBuilder(next_seq)
    out.record(RT.CONFIG, {"update": {...}})      # numbered: payload["seq"] = next_seq()
    out.history([out.fragment(step, ts, keys, values)])
    data = out.take()                              # framed bytes, ready to append after file_header()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .framing import frame
from .history_codec import Fragment, encode_history
from .records import RT, packb

HISTORY_BATCH = 8192  # fragments per HISTORY record at most (docs/run-log-format.md)
HISTORY_KIND = 0  # a fragment's first field


class RecordBuilder:
    """Framed records in the order they were added; `next_seq` numbers the records that carry a seq."""

    def __init__(self, next_seq: Callable[[], int] | None = None):
        self.next_seq = next_seq
        self.frames: list[bytes] = []
        self.nbytes = 0

    def emit(self, rtype: int, payload: dict[str, Any]) -> None:
        """A record whose payload is complete as given (its seq, if any, already in it)."""
        rec = frame(rtype, packb(payload))
        self.frames.append(rec)
        self.nbytes += len(rec)

    def record(self, rtype: int, payload: dict[str, Any]) -> None:
        """A record numbered with the next seq."""
        assert self.next_seq is not None, "RecordBuilder(next_seq) numbers records"
        payload["seq"] = self.next_seq()
        self.emit(rtype, payload)

    def fragment(
        self, step: int, ts: float, keys: Sequence[str], values: Sequence[Any], commit: int = 1
    ) -> Fragment:
        """One history fragment (one `log()` call), numbered with the next seq."""
        assert self.next_seq is not None, "RecordBuilder(next_seq) numbers fragments"
        return (HISTORY_KIND, self.next_seq(), step, ts, commit, keys, values)

    def history(self, fragments: Sequence[Fragment]) -> None:
        """HISTORY records for the fragments, in order, at most HISTORY_BATCH per record."""
        for i in range(0, len(fragments), HISTORY_BATCH):
            self.emit(RT.HISTORY, encode_history(fragments[i : i + HISTORY_BATCH]))

    def take_frames(self) -> list[bytes]:
        """The frames built so far; the builder starts empty again."""
        frames, self.frames, self.nbytes = self.frames, [], 0
        return frames

    def take(self) -> bytes:
        """The frames built so far, joined; the builder starts empty again."""
        return b"".join(self.take_frames())
