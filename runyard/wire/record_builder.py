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
from .history_codec import Fragment, no_pause, pack_history
from .records import RT, packb

HISTORY_BATCH = 8192  # fragments per HISTORY record at most (docs/run-log-format.md)
# values per HISTORY record at most (wide rows make records of fewer fragments): packing a record is
# one C call that holds the interpreter, so it is kept short for the SDK's training thread
HISTORY_VALUES = 1 << 16
HISTORY_KIND = 0  # a fragment's first field


class RecordBuilder:
    """Framed records in the order they were added; `next_seq` numbers the records that carry a seq."""

    def __init__(self, next_seq: Callable[[], int] | None = None, pause: Callable[[], None] | None = None):
        self.next_seq = next_seq
        self.pause = pause  # called between steps of encoding (sdk/writer.py)
        self.frames: list[bytes] = []
        self.nbytes = 0

    def emit(self, rtype: int, payload: dict[str, Any]) -> None:
        """A record whose payload is complete as given (its seq, if any, already in it)."""
        self._append(frame(rtype, packb(payload)))

    def _append(self, rec: bytes) -> None:
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
        """HISTORY records for the fragments, in order, at most HISTORY_BATCH fragments and about
        HISTORY_VALUES values per record."""
        start = values = 0
        for i, f in enumerate(fragments):
            nv = len(f[5])  # a fragment holds a value per key
            if i > start and (i - start == HISTORY_BATCH or values + nv > HISTORY_VALUES):
                self._history(fragments[start:i])
                start, values = i, 0
            values += nv
        if start < len(fragments):
            self._history(fragments[start:])

    def _history(self, fragments: Sequence[Fragment]) -> None:
        pause = self.pause or no_pause
        packed = pack_history(fragments, pause)
        pause()
        self._append(frame(RT.HISTORY, packed, keep_interpreter=self.pause is not None))
        pause()

    def take_frames(self) -> list[bytes]:
        """The frames built so far; the builder starts empty again."""
        frames, self.frames, self.nbytes = self.frames, [], 0
        return frames

    def take(self) -> bytes:
        """The frames built so far, joined; the builder starts empty again."""
        return b"".join(self.take_frames())
