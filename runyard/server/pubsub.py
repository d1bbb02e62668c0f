"""In-process publish/subscribe for live updates (one server process; a broker comes with scaling out)."""

from __future__ import annotations

import asyncio
from typing import Any

MAX_QUEUE = 1000
ACCESS_CHANGED = "access.changed"  # internal: every live stream re-checks its caller's access


class Broker:
    def __init__(self) -> None:
        self._subs: set[tuple[asyncio.Queue, str | None]] = set()

    def subscribe(self, project: str | None) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(MAX_QUEUE)
        self._subs.add((q, project))
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self._subs = {s for s in self._subs if s[0] is not q}

    def publish(self, event: dict[str, Any]) -> None:
        """Call on the event loop. A subscriber that does not keep up loses events, never blocks others."""
        where = f"{event.get('entity')}/{event.get('project')}"
        for q, project in list(self._subs):
            if project is None or project == where or event["type"] == ACCESS_CHANGED:
                try:
                    q.put_nowait(event)
                except asyncio.QueueFull:
                    pass

    def access_changed(self) -> None:
        """A membership or key changed: every subscriber re-checks that it may still listen."""
        self.publish({"type": ACCESS_CHANGED})

    @property
    def subscribers(self) -> int:
        return len(self._subs)
