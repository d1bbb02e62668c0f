"""wandb runs -> runyard run logs: the one place where the wandb protocol meets the store.

Every wandb run gets a synthetic runyard run log, one segment per start (a resume starts a new one),
written frame by frame as the client's requests arrive and applied through `store.ingest` exactly like
the bytes an SDK uploads; runs that arrive through the official client thus look and behave like SDK
runs. What goes where:

| wandb | runyard record |
|---|---|
| `UpsertBucket` (first) | RUN (written when the run's start time is known: first file_stream, alert or file) |
| `UpsertBucket.config` `{"k": {"value": v}}` | CONFIG update of the changed top-level keys (`_wandb` kept as a key) |
| `_wandb.m` in the config | METRIC (define_metric), each definition once |
| displayName / notes / tags changes | RUN_UPDATE |
| file_stream `wandb-history.jsonl` lines | HISTORY fragments (one row each, `_step`/`_timestamp` as step and time) |
| file_stream `wandb-events.jsonl` lines | SYSTEM samples, `system.x` -> `system/x` |
| file_stream `output.log` lines | CONSOLE lines; a line is written once it can no longer be redrawn |
| file_stream `wandb-summary.json` | SUMMARY: the keys that changed (all keys with `complete`), removed keys |
| file_stream `uploaded`, `preempting`, `complete`+`exitcode` | FILES, RUN_UPDATE flags, EXIT |
| `NotifyScriptableRunAlert` | ALERT |
| `wandb-metadata.json` upload | ENVIRONMENT |

File-stream retries resend the same offsets: the next expected line offset of each (run, file) lives
in the sidecar state (state.py), and only lines at or beyond it are converted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...store import Store, User
from ...store.files import BadPath, clean_path
from ...store.ingest import decode
from ...store.tables import entities, projects, runs
from ...wire.framing import file_header, frame
from ...wire.history_codec import encode_history
from ...wire.records import RT, packb
from .. import access
from ..errors import ApiError, status
from . import convert as cv
from .md5 import Md5Index
from .names import display_name, encode_id
from .state import RunKey, StateStore, new_state, snapshot

log = logging.getLogger("runyard.server.wandb")

MAX_FRAGMENTS = 8192  # per HISTORY record (docs/run-log-format.md)
TAIL_LINES = 3
HISTORY = "wandb-history.jsonl"
EVENTS = "wandb-events.jsonl"
SUMMARY = "wandb-summary.json"
OUTPUT = "output.log"


class WandbError(Exception):
    """Refused by the protocol: a GraphQL error, or this HTTP status on the file endpoints."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status

    @classmethod
    def of(cls, err: ApiError) -> WandbError:
        return cls(err.message, status(err))


@dataclass
class _Session:
    st: dict[str, Any]
    frames: list[bytes] = field(default_factory=list)
    after: list[Callable[[Connection, int], list[str]]] = field(default_factory=list)  # run in apply's txn

    def seq(self) -> int:
        self.st["seq"] += 1
        return int(self.st["seq"])

    def record(self, rtype: RT, payload: dict[str, Any]) -> None:
        payload["seq"] = self.seq()
        self.frames.append(frame(rtype, packb(payload)))

    def emit(self, rtype: RT, payload: dict[str, Any]) -> None:
        self.frames.append(frame(rtype, packb(payload)))

    @property
    def started(self) -> bool:
        return self.st["segment"] is not None


class WandbRuns:
    def __init__(self, store: Store, home: Path, publish: Callable[[dict], None] | None = None):
        self.store = store
        self.states = StateStore(home / "compat" / "wandb")
        self.md5 = Md5Index(home / "compat" / "wandb" / "md5")
        self.publish = publish

    # -- permissions --------------------------------------------------------------------------
    def check_write(self, user: User, entity: str) -> None:
        s = self.store
        try:
            s.db.read(lambda c: access.check_writable(c, s, user, entity))
        except ApiError as e:
            raise WandbError.of(e) from None

    def check_read(self, user: User, entity: str) -> bool:
        s = self.store

        def q(c: Connection) -> bool:
            ent = s.entities.get(c, entity)
            return ent is not None and access.allows(c, user, access.READ, ent.id)

        return s.db.read(q)

    # -- sessions: lock, load, convert, save pending, apply -------------------------------------
    @contextmanager
    def _session(self, user: User, key: RunKey) -> Iterator[_Session]:
        with self.states.locked(key):
            st = self.states.load(key) or new_state(key)
            if st["pending"]:
                self._flush_pending(user, key, st)
            if st["segment"] is not None and st.get("files_waiting"):
                self._apply_files(key, st)
            before = snapshot(st)
            sess = _Session(st)
            yield sess
            self._commit(user, key, sess, before)

    def _commit(self, user: User, key: RunKey, sess: _Session, before: dict[str, Any]) -> None:
        st = sess.st
        data = b"".join(sess.frames)
        if data:
            if st["log_end"] == 0:
                data = file_header() + data
            st["pending"] = {"offset": st["log_end"], "data": base64.b64encode(data).decode()}
            st["log_end"] += len(data)
        self.states.save(key, st)
        if not st["pending"]:
            return
        try:
            self._apply(user, key, st, sess.after)
        except ApiError as e:  # refused as a whole (permissions, names): forget the frames
            self.states.save(key, before)
            raise WandbError.of(e) from None
        if sess.after and st.get("files_waiting"):
            st["files_waiting"] = {}
            self.states.save(key, st, durable=False)

    def _apply(
        self, user: User, key: RunKey, st: dict[str, Any], after: list[Callable[[Connection, int], list[str]]]
    ) -> None:
        p = st["pending"]
        data = base64.b64decode(p["data"])
        seg = st["segment"]
        dec = decode(key.run_id, seg, int(p["offset"]), data)
        s = self.store

        def txn(c: Connection) -> tuple[Any, list[str]]:
            res = access.apply_run_log(c, s, user, key.entity, key.project, key.run_id, seg, dec)
            return res, [sha for fn in after for sha in fn(c, res.run_pk)]

        res, orphans = s.db.write(txn)
        for sha in orphans:  # blobs of files replaced by this request, referenced nowhere else
            s.blobs.delete(sha)
        st["pending"] = None
        self.states.save(key, st, durable=False)
        if res.applied and self.publish is not None:
            self.publish(
                {
                    "type": "run.created" if res.created else "run.updated",
                    "entity": key.entity,
                    "project": key.project,
                    "run_id": key.run_id,
                    "state": res.state,
                    "points": res.points,
                    "acked_offset": res.acked_offset,
                }
            )

    def _flush_pending(self, user: User, key: RunKey, st: dict[str, Any]) -> None:
        """Frames saved by an earlier request whose apply did not happen (crash, database down)."""
        try:
            self._apply(user, key, st, [])
        except ApiError as e:
            log.warning("wandb run %s: dropping unappliable frames (%s: %s)", key.path, e.code, e.message)
            st["log_end"] = int(st["pending"]["offset"])
            st["pending"] = None
            if e.code == "offset_mismatch":  # the store lost or gained bytes: continue in a new segment
                st["segment"] = None
            self.states.save(key, st)

    def _start_segment(self, sess: _Session, start_time: float, resumed: bool) -> None:
        st, meta = sess.st, sess.st["meta"]
        st["segment_no"] += 1
        tag = f"{st['entity']}\0{st['project']}\0{st['run_id']}\0{st['nonce']}\0{st['segment_no']}"
        st["segment"] = "wbs" + hashlib.sha256(tag.encode()).hexdigest()[:13]
        st["log_end"], st["seq"] = 0, 0
        if st["start_time"] is None:
            st["start_time"] = start_time
        wb = st["config"].get(cv.RESERVED_CONFIG_KEY)
        version = wb.get("cli_version") if isinstance(wb, dict) else None
        starting_step = (int(st["last_step"]) + 1) if resumed and st["last_step"] is not None else 0
        sess.record(
            RT.RUN,
            {
                "run_id": st["run_id"],
                "segment": st["segment"],
                "project": st["project"],
                "entity": st["entity"],
                "name": meta.get("name"),
                "group": meta.get("group"),
                "job_type": meta.get("job_type"),
                "tags": list(meta.get("tags") or []),
                "notes": meta.get("notes"),
                "start_time": start_time,
                "mode": "online",
                "resumed": resumed,
                "starting_step": starting_step,
                "sweep_id": meta.get("sweep_id"),
                "sdk": f"wandb {version}" if version else "wandb",
                "program": meta.get("program"),
                "host": meta.get("host"),
                "protocol": "wandb",
            },
        )
        st["sent_meta"] = {k: meta.get(k) for k in ("name", "notes", "tags")}
        if st["config"]:
            sess.record(RT.CONFIG, {"update": dict(st["config"]), "remove": []})
        self._metrics(sess)
        env = st.pop("environment", None)
        if env:
            sess.record(RT.ENVIRONMENT, {"metadata": env})
        for kind, payload in st.pop("records_waiting", None) or []:
            sess.record(RT.ARTIFACT if kind == "output" else RT.USE_ARTIFACT, dict(payload))
        if st.get("files_waiting"):
            waiting = dict(st["files_waiting"])
            sess.record(
                RT.FILES, {"files": [{"path": p, "policy": "now", "kind": cv.file_kind(p)} for p in waiting]}
            )
            sess.after.append(lambda c, pk: self._upsert_files(c, pk, waiting))
        st["finished"] = False

    def _ensure_started(self, sess: _Session, start_time: float | None = None) -> None:
        if not sess.started:
            st = sess.st
            hint = st.get("start_hint")
            start = start_time or (hint if isinstance(hint, (int, float)) else None) or time.time()
            self._start_segment(sess, float(start), resumed=st["segment_no"] > 0)

    def _metrics(self, sess: _Session) -> None:
        st = sess.st
        for digest, spec in cv.metric_specs(st["config"].get(cv.RESERVED_CONFIG_KEY)):
            if digest not in st["metrics"]:
                st["metrics"].append(digest)
                sess.record(RT.METRIC, spec)

    # -- UpsertBucket ---------------------------------------------------------------------------
    def upsert(self, user: User, key: RunKey, fields: dict[str, Any]) -> dict[str, Any]:
        self.check_write(user, key.entity)
        with self._session(user, key) as sess:
            st = sess.st
            inserted = st["segment_no"] == 0 and not st["meta"]
            meta = st["meta"]
            for src, dst in (
                ("displayName", "name"),
                ("notes", "notes"),
                ("tags", "tags"),
                ("groupName", "group"),
                ("jobType", "job_type"),
                ("host", "host"),
                ("jobProgram", "program"),
                ("sweep", "sweep_id"),
                ("commit", "commit"),
                ("description", "description"),
            ):
                v = fields.get(src)
                if v is not None and (v != "" or dst in ("notes", "description")):
                    meta[dst] = list(v) if dst == "tags" else str(v)
            if not meta.get("name"):
                meta["name"] = self._generate_name(key)
            cfg_doc = cv.loads(fields.get("config")) if fields.get("config") is not None else None
            changed: dict[str, Any] = {}
            if isinstance(cfg_doc, dict):
                cfg = cv.config_from_wandb(cfg_doc)
                changed = {k: v for k, v in cfg.items() if _canon(st["config"].get(k, _MISSING)) != _canon(v)}
                st["config"].update(cfg)
            if st["resume_pending"]:
                st["resume_pending"] = False
                if st["segment_no"]:  # a resume is a new segment of the same run (it writes the config)
                    st["resume_history_offset"] = int(st["lines"].get(HISTORY, 0))
                    st["segment"] = None
                    self._start_segment(sess, time.time(), resumed=True)
                    changed = {}
            if sess.started and changed:
                sess.record(RT.CONFIG, {"update": changed, "remove": []})
            if sess.started:
                self._metrics(sess)
            if sess.started:
                upd = {
                    k: meta.get(k) for k in ("name", "notes", "tags") if meta.get(k) != st["sent_meta"].get(k)
                }
                upd = {k: v for k, v in upd.items() if v is not None}
                if upd:
                    sess.record(RT.RUN_UPDATE, upd)
                    st["sent_meta"].update(upd)
            summary = cv.loads(fields.get("summaryMetrics")) if fields.get("summaryMetrics") else None
            if isinstance(summary, dict) and sess.started:
                self._summary(sess, {**st["summary"], **summary})
            history_offset = int(st["resume_history_offset"]) if st["segment_no"] > 1 else 0
            return self.bucket(st, inserted=inserted, history_line_count=history_offset)

    def _generate_name(self, key: RunKey) -> str:
        def q(c: Connection) -> int:
            return int(
                c.execute(
                    sa.select(sa.func.count())
                    .select_from(runs)
                    .join(projects, projects.c.id == runs.c.project_id)
                    .join(entities, entities.c.id == projects.c.entity_id)
                    .where(entities.c.name == key.entity, projects.c.name == key.project)
                ).scalar_one()
            )

        return display_name(key.entity, key.project, key.run_id, self.store.db.read(q) + 1)

    def bucket(
        self, st: dict[str, Any], inserted: bool = False, history_line_count: int = 0
    ) -> dict[str, Any]:
        """The `Run` object (`bucket`) as the GraphQL schema returns it."""
        meta = st["meta"]
        e, p, r = st["entity"], st["project"], st["run_id"]
        wb = st["config"].get(cv.RESERVED_CONFIG_KEY)

        def wandb_config(info: Any, keys: list[str] | None = None) -> str:
            block = wb if isinstance(wb, dict) else {}
            return json.dumps({k: v for k, v in block.items() if keys is None or k in keys})

        return {
            "id": encode_id("Run", e, p, r),
            "name": r,
            "displayName": meta.get("name"),
            "description": meta.get("description"),
            "notes": meta.get("notes"),
            "config": json.dumps(cv.config_to_wandb(st["config"])),
            "summaryMetrics": json.dumps(st["summary"]),
            "wandbConfig": wandb_config,
            "tags": list(meta.get("tags") or []),
            "group": meta.get("group"),
            "jobType": meta.get("job_type"),
            "sweepName": meta.get("sweep_id"),
            "project": project_obj(e, p),
            "historyLineCount": history_line_count,
            "logLineCount": int(st["console_count"]),
            "eventsLineCount": int(st["lines"].get(EVENTS, 0)),
            "historyTail": json.dumps(st["history_tail"]),
            "eventsTail": json.dumps(st["events_tail"]),
            "inserted": inserted,
        }

    # -- RunResumeStatus ------------------------------------------------------------------------
    def resume_status(self, user: User, key: RunKey) -> dict[str, Any] | None:
        if not self.check_read(user, key.entity):
            return None
        with self.states.locked(key):
            st = self.states.load(key)
            if st is None or not st["meta"]:
                return None
            st["resume_pending"] = True
            self.states.save(key, st)
            out = self.bucket(st)
            out["historyLineCount"] = int(st["lines"].get(HISTORY, 0))
            return out

    # -- file_stream ----------------------------------------------------------------------------
    def file_stream(self, user: User, key: RunKey, body: dict[str, Any]) -> None:
        self.check_write(user, key.entity)
        files = body.get("files") if isinstance(body.get("files"), dict) else {}
        assert isinstance(files, dict)
        with self._session(user, key) as sess:
            st = sess.st
            if not st["meta"]:
                st["meta"]["name"] = self._generate_name(key)
            complete = bool(body.get("complete"))
            if not sess.started:
                start = _start_from(files)
                if start is None and not complete and not body.get("uploaded"):
                    # Only console lines (or a heartbeat): the run's start time is not known yet, and
                    # the RUN record needs it (runtimes derive from it). Hold the lines until then.
                    self._console(sess, files.get(OUTPUT), complete=False, hold=True)
                    return
                self._ensure_started(sess, start)
            self._history(sess, files.get(HISTORY))
            self._events(sess, files.get(EVENTS))
            self._console(sess, files.get(OUTPUT), complete)
            summ = files.get(SUMMARY)
            if isinstance(summ, dict) and summ.get("content"):
                doc = cv.loads(summ["content"][-1])
                if isinstance(doc, dict):
                    self._summary(sess, doc)
            uploaded = [p for p in body.get("uploaded") or [] if isinstance(p, str)]
            if uploaded:
                sess.record(
                    RT.FILES,
                    {"files": [{"path": p, "policy": "now", "kind": cv.file_kind(p)} for p in uploaded]},
                )
            if body.get("preempting"):
                sess.record(RT.RUN_UPDATE, {"flags": {"preempting": True}})
            if complete:
                code = _int(body.get("exitcode"), 0)
                end = st["last_ts"] or time.time()
                sess.record(
                    RT.EXIT,
                    {
                        "exit_code": code,
                        "state": "finished" if code == 0 else "failed",
                        "end_time": end,
                        "runtime": max(0.0, end - float(st["start_time"] or end)),
                    },
                )
                st["finished"] = True

    def _new_lines(self, st: dict[str, Any], name: str, entry: Any) -> Iterator[tuple[int, str]]:
        if not isinstance(entry, dict) or not isinstance(entry.get("content"), list):
            return
        offset = _int(entry.get("offset"), 0)
        nxt = int(st["lines"].get(name, 0))
        content = entry["content"]
        st["lines"][name] = max(nxt, offset + len(content))
        for i, line in enumerate(content):
            if offset + i >= nxt:
                yield offset + i, line if isinstance(line, str) else json.dumps(line)

    def _history(self, sess: _Session, entry: Any) -> None:
        st = sess.st
        frags = []
        for _off, line in self._new_lines(st, HISTORY, entry):
            f = cv.history_fragment(cv.loads(line), st["last_ts"] or time.time())
            if f is None:
                continue
            step, ts, keys, vals = f
            frags.append((0, sess.seq(), step, ts, 1, keys, vals))
            st["last_step"] = step if st["last_step"] is None else max(int(st["last_step"]), step)
            st["last_ts"] = max(float(st["last_ts"] or 0.0), ts)
            st["history_tail"] = [*st["history_tail"], line][-TAIL_LINES:]
            st["shown"].update(zip(keys, vals))  # the summary runyard derives: last value per key
        for i in range(0, len(frags), MAX_FRAGMENTS):
            sess.emit(RT.HISTORY, encode_history(frags[i : i + MAX_FRAGMENTS]))

    def _events(self, sess: _Session, entry: Any) -> None:
        st = sess.st
        samples = []
        for _off, line in self._new_lines(st, EVENTS, entry):
            got = cv.events_sample(cv.loads(line))
            st["events_tail"] = [*st["events_tail"], line][-TAIL_LINES:]
            if got and got[1]:
                samples.append([sess.seq(), got[0], got[1]])
        if samples:
            sess.emit(RT.SYSTEM, {"samples": samples})

    def _console(self, sess: _Session, entry: Any, complete: bool, hold: bool = False) -> None:
        """wandb addresses console lines by number and redraws the last ones (`\\r` progress bars):
        a line is held until a later line arrives (or the run completes), then written once."""
        st = sess.st
        held: dict[str, list] = st["console_held"]
        final = int(st["lines"].get(OUTPUT, 0))
        if isinstance(entry, dict) and isinstance(entry.get("content"), list):
            offset = _int(entry.get("offset"), 0)
            for i, raw in enumerate(entry["content"]):
                off = offset + i
                if off < final:
                    continue  # a retry, or a redraw of a line already written
                ts, stream, text = cv.console_line(raw)
                held[str(off)] = [ts, stream, text]
                st["console_count"] = max(int(st["console_count"]), off + 1)
        if hold:
            return
        limit = int(st["console_count"]) if complete else int(st["console_count"]) - 1
        ready = sorted(int(k) for k in held if int(k) < limit)
        lines = []
        for off in ready:
            ts, stream, text = held.pop(str(off))
            lines.append([sess.seq(), ts, stream, text])
        if ready:
            st["lines"][OUTPUT] = max(final, ready[-1] + 1)
        if lines:
            sess.emit(RT.CONSOLE, {"lines": lines})

    def _summary(self, sess: _Session, doc: dict[str, Any]) -> None:
        """wandb replaces its whole summary; write what runyard's own rules would not show."""
        st = sess.st
        update, remove = cv.summary_diff(st["shown"], st["summary"], doc)
        st["summary"] = doc
        st["shown"].update(update)
        for k in remove:
            st["shown"].pop(k, None)
        if update or remove:
            sess.record(RT.SUMMARY, {"update": update, "remove": remove})

    # -- artifact lineage -----------------------------------------------------------------------
    def artifact_record(self, user: User, key: RunKey, kind: str, payload: dict[str, Any]) -> None:
        """ARTIFACT (kind "output") or USE_ARTIFACT ("input") in the run's log; held until the run is
        in the store (a synced run's artifacts arrive before its first history row)."""
        try:
            self.check_write(user, key.entity)
        except WandbError:
            return  # lineage into a run the user cannot write: the artifact itself is fine
        with self._session(user, key) as sess:
            if not sess.started:
                sess.st.setdefault("records_waiting", []).append([kind, payload])
                return
            sess.record(RT.ARTIFACT if kind == "output" else RT.USE_ARTIFACT, dict(payload))

    # -- alerts and files -----------------------------------------------------------------------
    def alert(self, user: User, key: RunKey, title: str, text: str, level: str, wait: Any) -> None:
        self.check_write(user, key.entity)
        with self._session(user, key) as sess:
            self._ensure_started(sess)
            sess.record(RT.ALERT, {"title": title, "text": text, "level": level, "wait_duration": wait})

    def add_file(
        self, user: User, key: RunKey, path: str, size: int, sha256: str, data: bytes | None
    ) -> None:
        """A finished upload: a run file now, or once the run is in the store."""
        with self._session(user, key) as sess:
            st = sess.st
            if path == "wandb-metadata.json" and data is not None:
                doc = cv.loads(data.decode("utf-8", "replace"))
                env = cv.metadata_environment(doc)
                started = cv.iso_time(env["started_at"]) if env.get("started_at") else None
                if started and not sess.started:
                    st["start_hint"] = started
                if env:
                    if sess.started:
                        sess.record(RT.ENVIRONMENT, {"metadata": env})
                    else:
                        st["environment"] = env
            if not sess.started:
                st.setdefault("files_waiting", {})[path] = [size, sha256]
                return
            files = {path: [size, sha256]}
            if sess.frames:
                sess.after.append(lambda c, pk: self._upsert_files(c, pk, files))
            else:
                self._write_files(key, files)

    def _apply_files(self, key: RunKey, st: dict[str, Any]) -> None:
        self._write_files(key, st["files_waiting"])
        st["files_waiting"] = {}
        self.states.save(key, st, durable=False)

    def _write_files(self, key: RunKey, files: dict[str, list]) -> None:
        s = self.store

        def q(c: Connection) -> list[str]:
            loc = s.runs.locate(c, key.entity, key.project, key.run_id)
            if loc is None:
                return []
            return self._upsert_files(c, loc.id, files)

        for sha in s.db.write(q):
            s.blobs.delete(sha)

    def _upsert_files(self, c: Connection, run_pk: int, files: dict[str, list]) -> list[str]:
        s, orphans = self.store, []
        for path, (size, sha) in files.items():
            old = s.files.upsert(c, run_pk, path, int(size), str(sha), cv.file_kind(path))
            if old and not s.files.referenced(c, old):
                orphans.append(old)
        return orphans

    # -- reads ----------------------------------------------------------------------------------
    def run_row(self, user: User, key: RunKey) -> dict[str, Any] | None:
        s = self.store

        def q(c: Connection) -> dict[str, Any] | None:
            loc = s.runs.locate(c, key.entity, key.project, key.run_id)
            if loc is None or not access.allows(c, user, access.READ, loc.entity_id):
                return None
            return s.runs.load(c, loc.id)

        return s.db.read(q)

    def file_row(self, user: User, key: RunKey, path: str) -> Any:
        s = self.store

        def q(c: Connection) -> Any:
            loc = s.runs.locate(c, key.entity, key.project, key.run_id)
            if loc is None or not access.allows(c, user, access.READ, loc.entity_id):
                return None
            return s.files.get(c, loc.id, path)

        return s.db.read(q)


_MISSING = object()


def _canon(v: Any) -> Any:
    if v is _MISSING:
        return v
    try:
        return json.dumps(v, sort_keys=True, default=str)
    except ValueError:
        return repr(v)


def _int(v: Any, default: int) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _start_from(files: dict[str, Any]) -> float | None:
    """wandb's start time from the first history/events row (`_timestamp - _runtime`)."""
    for name in (HISTORY, EVENTS):
        entry = files.get(name)
        if not isinstance(entry, dict):
            continue
        for line in entry.get("content") or []:
            row = cv.loads(line)
            if isinstance(row, dict):
                ts, rt = row.get("_timestamp"), row.get("_runtime")
                if isinstance(ts, (int, float)) and isinstance(rt, (int, float)):
                    return float(ts) - float(rt)
    return None


def project_obj(entity: str, project: str) -> dict[str, Any]:
    return {
        "id": encode_id("Project", entity, project),
        "name": project,
        "entityName": entity,
        "entity": {"id": encode_id("Entity", entity), "name": entity, "organization": None},
    }


def valid_file(path: str) -> str | None:
    try:
        return clean_path(path)
    except BadPath:
        return None
