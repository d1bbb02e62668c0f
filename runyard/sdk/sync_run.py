"""Uploading a run directory to the server: the run log by byte offset, then the files.

Shared by `runyard sync` (offline runs, later) and the online uploader (the same run, while it is
written). The server acknowledges the byte offset of each run-log segment it has applied, in the
same transaction as the records, so re-sending is always safe: exactly once, whatever fails.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..wire.framing import HEADER_SIZE, RunLogError, Tail, check_header, iter_frames
from ..wire.hashing import sha256_file
from ..wire.records import RT, unpackb
from ..wire.rundir import is_live
from .http_client import ApiError, Client

SYNCED = ".synced"
CHUNK_SIZE = 4 * 1024 * 1024

Progress = Callable[[int], None]


def _no_progress(n: int) -> None:
    pass


@dataclass
class LogInfo:
    path: Path
    data: bytes
    frames: list[int]  # start offsets of whole valid frames, plus the end of the last one
    run: dict
    finished: bool


@dataclass
class Stats:
    runs: int = 0
    uptodate: int = 0
    bytes: int = 0
    files: int = 0
    artifacts: int = 0
    failed: list[str] = field(default_factory=list)


def scan_log(path: Path) -> LogInfo:
    data = path.read_bytes()
    check_header(data)
    tail = Tail()
    starts: list[int] = []
    run: dict = {}
    finished = False
    for off, rtype, payload in iter_frames(data, tail, HEADER_SIZE):
        starts.append(off)
        if rtype == RT.RUN and not run:
            run = unpackb(payload)
        elif rtype == RT.EXIT:
            finished = True
    starts.append(tail.good_bytes)
    if not run:
        raise RunLogError(f"{path} has no RUN record")
    return LogInfo(path, data[: tail.good_bytes], starts, run, finished)


def chunk_bounds(frames: list[int], offset: int, size: int) -> list[tuple[int, int]]:
    """(start, end) byte ranges of whole frames from `offset`, each about `size` bytes (a big frame alone).

    `frames` are frame start offsets plus the end of the last frame; offset 0 includes the header.
    """
    if offset == 0:
        bounds = [0, *frames[1:]]
    else:
        try:
            i = frames.index(offset)
        except ValueError:
            raise RunLogError(
                f"the server's offset {offset} is not a frame boundary of this run log (was the file replaced?)"
            ) from None
        bounds = frames[i:]
    out: list[tuple[int, int]] = []
    start = bounds[0]
    for prev, b in zip(bounds, bounds[1:]):
        if b - start > size and prev > start:
            out.append((start, prev))
            start = prev
    if bounds[-1] > start:
        out.append((start, bounds[-1]))
    return out


def send_frames(
    client: Client,
    target: tuple[str, str, str],
    segment: str,
    data: bytes,
    base: int,
    frames: list[int],
    acked: int,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress = _no_progress,
    live: bool = False,
) -> tuple[int, int]:
    """POST the frames of `data` (which starts at file offset `base`) from `acked` on.

    Returns (new acked offset, bytes sent). On a 409 the server's offset is returned so the caller
    can resume from there (it may lie before `base`: then the caller re-reads the file).
    """
    end = frames[-1]
    sent = 0
    while acked < end:
        if acked < base:
            return acked, sent
        for start, stop in chunk_bounds(frames, acked, chunk_size):
            resp = client.ingest(*target, segment, start, data[start - base : stop - base], live)
            if resp.get("conflict"):
                return int(resp["acked_offset"]), sent
            progress(stop - start)
            sent += stop - start
            acked = int(resp["acked_offset"])
    return acked, sent


def upload_files(
    client: Client, files_dir: Path, target: tuple[str, str, str], progress: Progress = _no_progress
) -> int:
    """Send every file of `files_dir` the server does not have with the same sha256; returns how many."""
    if not files_dir.is_dir():
        return 0
    remote = {f["path"]: f["sha256"] for f in client.list_files(*target)}
    sent = 0
    for f in sorted(p for p in files_dir.rglob("*") if p.is_file()):
        rel = f.relative_to(files_dir).as_posix()
        if remote.get(rel) != sha256_file(f):
            client.upload_run_file(*target, rel, f)
            sent += 1
        progress(f.stat().st_size)
    return sent


def sync_artifacts(client: Client, run_dir: Path, target: tuple[str, str, str]) -> int:
    """Commit the artifacts staged in `<run dir>/artifacts/` (offline runs, failed online uploads)
    that the server has not committed yet; returns how many. Only what the server lacks is sent."""
    if not (run_dir / "artifacts").is_dir():
        return 0
    from ..errors import Error
    from .artifacts.staging import sync_staged
    from .artifacts.transfer import Transport

    transport = Transport.like(client)
    try:
        return sync_staged(transport, run_dir, target[0], target[1])
    except Error as e:  # a missing or changed file: retrying will not help
        raise ApiError(400, "artifact_failed", str(e)) from None
    finally:
        transport.close()


def mark_synced(run_dir: Path, client: Client, target: tuple[str, str, str]) -> None:
    doc = {
        "server": client.scheme + "://" + client.host + (f":{client.port}" if client.port else ""),
        "path": "/".join(target),
        "synced_at": time.time(),
    }
    (run_dir / SYNCED).write_text(json.dumps(doc) + "\n")


def target_of(
    run: dict, default_entity: str, entity: str | None = None, project: str | None = None
) -> tuple[str, str, str]:
    return (
        entity or run.get("entity") or default_entity,
        project or run.get("project") or "uncategorized",
        run["run_id"],
    )


def sync_run_dir(
    client: Client,
    d: Path,
    default_entity: str,
    project_override: str | None,
    entity_override: str | None,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress = _no_progress,
    stats: Stats | None = None,
    mark: bool = True,
) -> None:
    """Upload one run directory (its run logs, then its files); write .synced when the server has all
    (unless `mark` is false: `runyard ui`'s own server must not hide runs from a later `runyard sync`)."""
    stats = stats if stats is not None else Stats()
    sent_any = False
    complete = True
    target = None
    live = is_live(d)
    for log_path in sorted(d.glob("*.rylog")):
        info = scan_log(log_path)
        target = target_of(info.run, default_entity, entity_override, project_override)
        seg = info.run["segment"]
        acked = client.acked_offset(*target, seg)
        progress(min(acked, len(info.data)))
        while acked < len(info.data):
            acked, sent = send_frames(
                client, target, seg, info.data, 0, info.frames, acked, chunk_size, progress
            )
            stats.bytes += sent
            sent_any = sent_any or sent > 0
        complete = complete and (info.finished or not live)
        if not info.finished and not live:  # the writing process died without finishing: say so
            client.update_run(*target, state="crashed")
    if target is None:
        return
    n = upload_files(client, d / "files", target, progress)
    stats.files += n
    a = sync_artifacts(client, d, target)
    stats.artifacts += a
    n += a
    sent_any = sent_any or n > 0
    if sent_any:
        stats.runs += 1
    else:
        stats.uptodate += 1
    if complete and mark:
        mark_synced(d, client, target)


__all__ = [
    "SYNCED",
    "ApiError",
    "LogInfo",
    "Stats",
    "chunk_bounds",
    "scan_log",
    "send_frames",
    "sync_artifacts",
    "sync_run_dir",
    "upload_files",
]
