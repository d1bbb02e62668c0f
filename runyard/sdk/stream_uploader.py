"""Online mode: a background thread that streams the run log to the server while it is written.

It tails the run log: every interval it reads the bytes past the server's acknowledged offset,
sends the whole frames among them, and uploads files as FILES records name them. The log on disk
stays the truth, so nothing depends on this thread: if the server is down or slow, training goes
on, the bytes wait in the file, and upload resumes (exactly once: the server de-duplicates by
offset) when the server returns, or later through `runyard sync`.

Its requests are marked live (the run's own process): they are the run's heartbeat, and while the
run logs nothing an empty one goes out several times per the server's `heartbeat_timeout`, so the
server can tell a quiet run from a dead one (server/jobs.py).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from ..wire.framing import HEADER_SIZE, Tail, check_header, iter_frames
from ..wire.records import RT, unpackb
from .http_client import ApiError, Client
from .services import RunServices
from .sync_run import CHUNK_SIZE, mark_synced, send_frames, sync_artifacts, upload_files

MAX_BACKOFF = 30.0
UPLOAD_WINDOW = 2 * CHUNK_SIZE  # bytes of the run log read at once (a larger frame is read whole)
MAX_FINISH_BACKOFF = 2.0  # finish() is waited on by the user: retry often


class Uploader(threading.Thread):
    def __init__(
        self,
        services: RunServices,
        run: tuple[str | None, str, str],
        segment: str,
        log_path: str,
        interval: float = 1.0,
    ):
        """`run`: (entity or None for the server's default, project, run id); `segment`: its run log's."""
        super().__init__(name="runyard-uploader", daemon=True)
        assert services.server is not None and services.run_dir is not None
        self.client: Client = services.server.client
        self.printer = services.printer
        entity, self.project, self.run_id = run
        self.entity_hint = entity or services.server.default_entity
        # None until the server told us the default entity
        self.target = (self.entity_hint, self.project, self.run_id) if self.entity_hint else None
        self.segment = segment
        self.log_path = Path(log_path)
        self.run_dir = Path(services.run_dir)
        self.files_dir = self.run_dir / "files"
        self.interval = interval
        self.wake = threading.Event()
        self.acked = -1  # unknown until asked
        self._stopping = False
        self._down_since: float | None = None
        self._backoff = interval
        self._fatal: str | None = None
        self._pending_files: dict[str, None] = {}
        self._uploaded_files: set[str] = set()
        self.bytes_sent = 0
        self.heartbeat_every = interval  # until the server's first answer gives its heartbeat_timeout
        self._last_news = time.monotonic()  # when the server last heard from this run

    # -- one round ------------------------------------------------------------------------------
    def push(self) -> bool:
        """Send what the server does not have yet; True when it has the whole log as it is now."""
        if self.target is None:
            viewer = self.client.viewer()
            self.target = (self.entity_hint or viewer["default_entity"], self.project, self.run_id)
        if self.acked < 0:
            self.acked = self.client.acked_offset(*self.target, self.segment)
        size = os.path.getsize(self.log_path)
        if size > self.acked:
            while size > self.acked:
                before = self.acked
                self._send_window(size)
                if self.acked <= before:  # nothing whole to send yet (the writer is mid-record), or
                    break  # the server answered with an offset of its own: next round
        elif self.acked > 0 and time.monotonic() - self._last_news >= self.heartbeat_every:
            self._heartbeat()
        self._send_pending_files()
        return self.acked >= os.path.getsize(self.log_path)

    def _send_window(self, size: int) -> None:
        """Send the whole frames of the next UPLOAD_WINDOW bytes past the acknowledged offset (more
        if one frame is larger): what this thread holds stays bounded however far behind the server
        is."""
        base = self.acked
        want = min(size - base, UPLOAD_WINDOW)
        while True:
            with open(self.log_path, "rb") as f:
                f.seek(base)
                data = f.read(want)
            start = HEADER_SIZE if base == 0 else 0
            if base == 0:
                check_header(data)
            tail = Tail()
            frames = []
            for off, rtype, payload in iter_frames(data, tail, start):
                frames.append(base + off)
                if rtype == RT.FILES:
                    for f in unpackb(payload).get("files", ()):
                        if f.get("policy") == "now" or f.get("kind") == "media":
                            self._pending_files[f["path"]] = None
            if frames or want >= size - base:
                break
            want = min(size - base, 2 * want)  # one frame larger than the window: read all of it
        frames.append(base + tail.good_bytes)
        assert self.target is not None
        self.acked, sent = send_frames(
            self.client, self.target, self.segment, data, base, frames, self.acked, CHUNK_SIZE, live=True
        )
        self.bytes_sent += sent
        if sent:
            self._last_news = time.monotonic()

    def _heartbeat(self) -> None:
        """An empty live chunk: the run is alive but has logged nothing new."""
        assert self.target is not None
        doc = self.client.ingest(*self.target, self.segment, self.acked, b"", live=True)
        if doc.get("conflict"):
            self.acked = int(doc["acked_offset"])
        timeout = doc.get("heartbeat_timeout")
        if isinstance(timeout, (int, float)) and timeout > 0:
            self.heartbeat_every = max(0.05, float(timeout) / 4)
        self._last_news = time.monotonic()

    def _send_pending_files(self) -> None:
        for rel in list(self._pending_files):
            p = self.files_dir / rel
            if p.is_file() and self.target is not None:
                self.client.upload_run_file(*self.target, rel, p)
                self._uploaded_files.add(rel)
            self._pending_files.pop(rel, None)

    def _round(self) -> None:
        try:
            self.push()
        except ApiError as e:
            if e.status == 0 or e.status >= 500 or e.status == 409:
                self._went_down(e.message)
            else:  # a refusal (bad key, forbidden, bad request) will not heal by retrying
                self._fatal = f"{e.status} {e.code}: {e.message}"
                self.printer.warn(
                    f"the server refused the run's upload ({self._fatal}); the run stays in {self.run_dir}, "
                    f"upload it later with `runyard sync {self.run_dir}`"
                )
            return
        except OSError as e:
            self._went_down(str(e))
            return
        if self._down_since is not None:
            self.printer.info(
                f"server reachable again after {time.time() - self._down_since:.0f} s; upload resumed"
            )
            self._down_since = None
        self._backoff = self.interval

    def _went_down(self, why: str) -> None:
        if self._down_since is None:
            self._down_since = time.time()
            self.printer.warn(
                f"cannot reach the server ({why}); training continues, the run log keeps everything and the "
                "upload resumes when the server is back"
            )
        self._backoff = min(self._backoff * 2, MAX_BACKOFF)

    # -- thread -----------------------------------------------------------------------------------
    def run(self) -> None:
        while not self._stopping and self._fatal is None:
            self.wake.wait(
                self._backoff if self._down_since is not None else min(self._backoff, self.heartbeat_every)
            )
            self.wake.clear()
            if self._stopping:
                break
            self._round()

    def finish(self, timeout: float) -> bool:
        """After the run log is closed: a last upload, then the files; True when the server has it all.

        A server that is down or restarting is retried with backoff until `timeout` (the
        `finish_timeout` setting) is spent; then one message hands the rest over to `runyard sync`.
        Ctrl-C during the wait hands over at once."""
        deadline = time.monotonic() + timeout
        self._stopping = True
        self.wake.set()
        delay, announced = 0.25, False
        try:
            self.join(timeout)
            if self._fatal is not None:
                return False
            while True:
                # a hung server must not hold finish() past its deadline
                self.client.timeout = max(1.0, min(60.0, deadline - time.monotonic()))
                try:
                    if self._push_all():
                        return True
                    why, retryable = "the server has not applied the whole run log yet", True
                except (ApiError, OSError) as e:
                    why = getattr(e, "message", str(e))
                    status = getattr(e, "status", 0)
                    retryable = status == 0 or status >= 500 or status == 409
                left = deadline - time.monotonic()
                if not retryable or left <= 0:
                    self._hand_over(why)
                    return False
                if not announced:
                    announced = True
                    self.printer.info(
                        f"waiting up to {left:.0f} s (finish_timeout) for the server to take the rest of the run ({why})"
                    )
                time.sleep(min(delay, left))
                delay = min(delay * 2, MAX_FINISH_BACKOFF)
        except KeyboardInterrupt:
            self._hand_over("interrupted")
            return False
        finally:
            self.client.close()

    def _push_all(self) -> bool:
        """The rest of the run log, then its files and artifacts; True when the server has everything."""
        if not self.push() or self.target is None:
            return False
        upload_files(self.client, self.files_dir, self.target)
        sync_artifacts(self.client, self.run_dir, self.target)
        mark_synced(self.run_dir, self.client, self.target)
        return True

    def _hand_over(self, why: str) -> None:
        self.printer.warn(
            f"the run is not fully uploaded ({why}); everything is in {self.run_dir}: "
            f"`runyard sync {self.run_dir}` finishes the upload"
        )
