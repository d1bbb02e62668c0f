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
in the run's protocol state (state.py), and only lines at or beyond it are converted. A request runs
as one write transaction (`_run`): lock and read the state, convert, apply the frames through the
store's ingest, save the state; so the state and the run log never disagree, on any replica.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...compat.wandb_map import environment_from_wandb
from ...store import Store, User
from ...store.blob_deletions import DELETING
from ...store.blobs import direct
from ...store.errors import StoreError
from ...store.ingest import decode
from ...store.limits import is_int64
from ...store.tables import entities, projects, runs
from ...wire.framing import file_header
from ...wire.paths import BadPath, clean_path
from ...wire.record_builder import RecordBuilder
from ...wire.records import RT
from .. import access, deletions, live_events
from ..errors import ApiError, refused
from . import convert as cv
from . import state
from .md5 import Md5Index
from .names import display_name, encode_id
from .state import RunKey

log = logging.getLogger("runyard.server.wandb")
T = TypeVar("T")

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
    def of(cls, err: ApiError | StoreError) -> WandbError:
        api = refused(err) if isinstance(err, StoreError) else err
        return cls(api.message, api.status)


class _Session(RecordBuilder):
    """One request's records for a run, numbered from the run's persisted seq, in the request's
    write transaction (`conn`)."""

    def __init__(self, st: dict[str, Any], conn: Connection):
        super().__init__(self.seq)
        self.st = st
        self.conn = conn
        self.after: list[Callable[[Connection, int], list[str]]] = []  # run once the frames are applied
        self.orphans: list[str] = []  # blobs no longer referenced, deleted after the commit

    def seq(self) -> int:
        self.st["seq"] += 1
        return int(self.st["seq"])

    @property
    def started(self) -> bool:
        return self.st["segment"] is not None


def _staged_file(key: RunKey, path: str) -> str:
    """The staging object of a run file PUT straight into the object store."""
    return "wandbrun." + hashlib.sha256(f"{key.path}/{path}".encode()).hexdigest()


class WandbRuns:
    def __init__(
        self,
        store: Store,
        publish: Callable[[dict], None] | None = None,
        max_file_bytes: int = 4 << 30,
        gc_grace: float = 86400.0,
    ):
        self.store, self.max_file_bytes = store, max_file_bytes
        self.gc_grace = (
            gc_grace  # a replaced file's blob uploaded again within it is spared (a commit may follow)
        )
        self.md5 = Md5Index(store)
        self.publish = publish

    # -- permissions --------------------------------------------------------------------------
    def check_write(self, user: User, entity: str) -> None:
        store = self.store
        try:
            store.db.read(lambda conn: access.check_writable(conn, store, user, entity))
        except ApiError as e:
            raise WandbError.of(e) from None

    def check_read(self, user: User, entity: str) -> bool:
        store = self.store

        def in_txn(conn: Connection) -> bool:
            ent = store.entities.get(conn, entity)
            return ent is not None and access.allows(conn, user, access.READ, ent.id)

        return store.db.read(in_txn)

    def delete(self, user: User, key: RunKey, delete_artifacts: bool = False) -> None:
        """Delete a run (DeleteRun), as `DELETE /api/v1/runs/...` does: the same rule
        (server/deletions.py), audited, announced."""
        store = self.store

        def in_txn(conn: Connection) -> None:
            deletions.delete_run(conn, store, user, key.entity, key.project, key.run_id, delete_artifacts)

        try:
            store.db.write(in_txn)
        except ApiError as e:
            raise WandbError.of(e) from None
        if self.publish is not None:
            self.publish(live_events.run_deleted(key.entity, key.project, key.run_id))

    # -- one request: lock, load, convert, apply, save: one transaction ------------------------
    def _run(self, user: User, key: RunKey, body: Callable[[_Session], T]) -> T:
        store = self.store

        def txn(conn: Connection) -> tuple[T, Any, list[str]]:
            st = state.lock(store, conn, key)
            held = _waiting_blobs(st)
            sess = _Session(st, conn)
            if st["segment"] is not None and st.get("files_waiting"):
                self._write_files(sess, st.pop("files_waiting"))
            out = body(sess)
            res = None
            data = sess.take()
            if data:
                if st["log_end"] == 0:
                    data = file_header() + data
                seg, offset = st["segment"], int(st["log_end"])
                dec = decode(key.run_id, seg, offset, data, store.limits)
                res = access.apply_run_log(conn, store, user, key.entity, key.project, key.run_id, seg, dec)
                st["log_end"] = offset + len(data)
                for fn in sess.after:
                    sess.orphans.extend(fn(conn, res.run_pk))
                if sess.after:
                    st.pop("files_waiting", None)
            waiting = _waiting_blobs(st)
            if waiting or held:  # gc keeps the files waiting for the run (until they are run files)
                store.protocol.hold(conn, "run", state.run_name(key), waiting)
            state.save(store, conn, key, st)
            return out, res, sess.orphans

        try:
            out, res, orphans = store.db.write(txn)
        except (StoreError, ApiError) as e:  # refused as a whole (permissions, names): nothing kept
            raise WandbError.of(e) from None
        if orphans:  # blobs of files replaced by this request: deleted as gc does, if nothing names them
            store.delete_unreferenced(orphans, time.time() - self.gc_grace)
        if res is not None and res.applied and self.publish is not None:
            self.publish(live_events.run_logged(key.entity, key.project, key.run_id, res))
        return out

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
        st["sent_meta"] = {key: meta.get(key) for key in ("name", "notes", "tags")}
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
                RT.FILES,
                {"files": [{"path": path, "policy": "now", "kind": cv.file_kind(path)} for path in waiting]},
            )
            sess.after.append(lambda conn, pk: self._upsert_files(conn, pk, waiting))
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

        def convert(sess: _Session) -> dict[str, Any]:
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
                value = fields.get(src)
                if value is not None and (value != "" or dst in ("notes", "description")):
                    meta[dst] = list(value) if dst == "tags" else str(value)
            if not meta.get("name"):
                meta["name"] = self._generate_name(sess.conn, key)
            cfg_doc = cv.loads(fields.get("config")) if fields.get("config") is not None else None
            changed: dict[str, Any] = {}
            if isinstance(cfg_doc, dict):
                cfg = cv.config_from_wandb(cfg_doc)
                changed = {
                    k: value
                    for k, value in cfg.items()
                    if _canon(st["config"].get(k, _MISSING)) != _canon(value)
                }
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
                upd = {k: value for k, value in upd.items() if value is not None}
                if upd:
                    sess.record(RT.RUN_UPDATE, upd)
                    st["sent_meta"].update(upd)
            summary = cv.loads(fields.get("summaryMetrics")) if fields.get("summaryMetrics") else None
            if isinstance(summary, dict) and sess.started:
                self._summary(sess, {**st["summary"], **summary})
            history_offset = int(st["resume_history_offset"]) if st["segment_no"] > 1 else 0
            return self.bucket(st, inserted=inserted, history_line_count=history_offset)

        return self._run(user, key, convert)

    def _generate_name(self, conn: Connection, key: RunKey) -> str:
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(runs)
            .join(projects, projects.c.id == runs.c.project_id)
            .join(entities, entities.c.id == projects.c.entity_id)
            .where(entities.c.name == key.entity, projects.c.name == key.project)
        ).scalar_one()
        return display_name(key.entity, key.project, key.run_id, int(count) + 1)

    def bucket(
        self, st: dict[str, Any], inserted: bool = False, history_line_count: int = 0
    ) -> dict[str, Any]:
        """The `Run` object (`bucket`) as the GraphQL schema returns it."""
        meta = st["meta"]
        entity, project, run_id = st["entity"], st["project"], st["run_id"]
        wb = st["config"].get(cv.RESERVED_CONFIG_KEY)

        def wandb_config(info: Any, keys: list[str] | None = None) -> str:
            block = wb if isinstance(wb, dict) else {}
            return json.dumps({key: value for key, value in block.items() if keys is None or key in keys})

        return {
            "id": encode_id("Run", entity, project, run_id),
            "name": run_id,
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
            "project": project_obj(entity, project),
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
        store = self.store

        def in_txn(conn: Connection) -> dict[str, Any] | None:
            st = state.lock(store, conn, key)
            if not st["meta"]:
                return None
            st["resume_pending"] = True
            state.save(store, conn, key, st)
            out = self.bucket(st)
            out["historyLineCount"] = int(st["lines"].get(HISTORY, 0))
            return out

        return store.db.write(in_txn)

    # -- file_stream ----------------------------------------------------------------------------
    def file_stream(self, user: User, key: RunKey, body: dict[str, Any]) -> None:
        self.check_write(user, key.entity)
        files = body.get("files") if isinstance(body.get("files"), dict) else {}
        assert isinstance(files, dict)

        def convert(sess: _Session) -> None:
            st = sess.st
            if not st["meta"]:
                st["meta"]["name"] = self._generate_name(sess.conn, key)
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
            uploaded = [path for path in body.get("uploaded") or [] if isinstance(path, str)]
            if uploaded:
                sess.record(
                    RT.FILES,
                    {
                        "files": [
                            {"path": path, "policy": "now", "kind": cv.file_kind(path)} for path in uploaded
                        ]
                    },
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

        return self._run(user, key, convert)

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
            fragment = cv.history_fragment(cv.loads(line), st["last_ts"] or time.time())
            if fragment is None:
                continue
            step, ts, keys, vals = fragment
            frags.append(sess.fragment(step, ts, keys, vals))
            st["last_step"] = step if st["last_step"] is None else max(int(st["last_step"]), step)
            st["last_ts"] = max(float(st["last_ts"] or 0.0), ts)
            st["history_tail"] = [*st["history_tail"], line][-TAIL_LINES:]
            st["shown"].update(zip(keys, vals))  # the summary runyard derives: last value per key
        sess.history(frags)

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
        ready = sorted(int(key) for key in held if int(key) < limit)
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
        for key in remove:
            st["shown"].pop(key, None)
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

        def convert(sess: _Session) -> None:
            if not sess.started:
                sess.st.setdefault("records_waiting", []).append([kind, payload])
                return
            sess.record(RT.ARTIFACT if kind == "output" else RT.USE_ARTIFACT, dict(payload))

        return self._run(user, key, convert)

    # -- alerts and files -----------------------------------------------------------------------
    def alert(self, user: User, key: RunKey, title: str, text: str, level: str, wait: Any) -> None:
        self.check_write(user, key.entity)

        def convert(sess: _Session) -> None:
            self._ensure_started(sess)
            sess.record(RT.ALERT, {"title": title, "text": text, "level": level, "wait_duration": wait})

        return self._run(user, key, convert)

    def add_file(
        self, user: User, key: RunKey, path: str, size: int, sha256: str, data: bytes | None
    ) -> None:
        """A finished upload: a run file now, or once the run is in the store (held for gc meanwhile:
        `_run`). The store may have kept a copy it already held, which gc may be deleting: what gc last
        did to the blob is read before the store is asked, and the transaction refuses it if that
        changed (store/blob_deletions.py). The refusal is a 503, which wandb's uploader retries: the
        bytes it sends again are stored anew."""
        store = self.store
        marks = store.db.read(lambda conn: store.blob_deletions.marks(conn, [sha256]))
        collected = WandbError(f"file {path!r} was garbage-collected meanwhile: upload it again", 503)
        if marks.get(sha256, "").endswith(DELETING) or not store.blobs.exists(sha256):
            raise collected

        def convert(sess: _Session) -> None:
            if store.blob_deletions.moved(sess.conn, [sha256], marks):
                raise collected
            st = sess.st
            if path == "wandb-metadata.json" and data is not None:
                doc = cv.loads(data.decode("utf-8", "replace"))
                env = environment_from_wandb(doc, "metadata")
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
                sess.after.append(lambda conn, pk: self._upsert_files(conn, pk, files))
            else:
                self._write_files(sess, files)

        return self._run(user, key, convert)

    # -- run files straight into an object store ---------------------------------------------------
    def direct_put(self, key: RunKey, path: str, expires: float) -> str | None:
        """Where blobs live in an object store: a presigned PUT of the run file `path` into a staging
        object of its own (one per run and path: a re-upload replaces it). None: through the API."""
        blobs_direct = direct(self.store.blobs)
        return (
            None
            if blobs_direct is None
            else blobs_direct.presign_put_staged(_staged_file(key, path), expires)[0]
        )

    def adopt_uploaded(self, user: User, key: RunKey, names: list[Any]) -> None:
        """file_stream `uploaded` (after the request's checks): the run files the client has finished
        PUTting into the object store become run files. The server reads each once to learn its
        sha256 (the client names none). A name with nothing staged was uploaded through the API, or
        adopted already (a retried request). When `add_file` refuses a blob gc took meanwhile (a copy
        the store kept), the staged object stays and the refusal (503) makes the client send the
        request again, which adopts it anew."""
        blobs_direct = direct(self.store.blobs)
        if blobs_direct is None:
            return
        for name in names:
            path = valid_file(name) if isinstance(name, str) else None
            if path is None:
                continue

            def accept(sha: str, size: int, hexmd5: str, path: str = path) -> None:
                self.md5.add(sha, hexmd5)
                head = None
                if path == "wandb-metadata.json":
                    with self.store.blobs.open(sha) as fragment:
                        head = fragment.read(1 << 20)
                self.add_file(user, key, path, size, sha, head)

            blobs_direct.adopt_hashing(_staged_file(key, path), self.max_file_bytes, None, accept)

    def _write_files(self, sess: _Session, files: dict[str, list]) -> None:
        """Files of a run already in the store, in the request's transaction."""
        st = sess.st
        loc = self.store.runs.locate(sess.conn, st["entity"], st["project"], st["run_id"])
        if loc is not None:
            sess.orphans.extend(self._upsert_files(sess.conn, loc.id, files))

    def _upsert_files(self, conn: Connection, run_pk: int, files: dict[str, list]) -> list[str]:
        store, orphans = self.store, []
        for path, (size, sha) in files.items():
            old = store.files.upsert(conn, run_pk, path, int(size), str(sha), cv.file_kind(path))
            if old and not store.files.referenced(conn, old):
                orphans.append(old)
        return orphans

    # -- reads ----------------------------------------------------------------------------------
    def run_row(self, user: User, key: RunKey) -> dict[str, Any] | None:
        store = self.store

        def in_txn(conn: Connection) -> dict[str, Any] | None:
            loc = store.runs.locate(conn, key.entity, key.project, key.run_id)
            if loc is None or not access.allows(conn, user, access.READ, loc.entity_id, loc.visibility):
                return None
            return store.runs.load(conn, loc.id)

        return store.db.read(in_txn)

    def file_row(self, user: User, key: RunKey, path: str) -> Any:
        store = self.store

        def in_txn(conn: Connection) -> Any:
            loc = store.runs.locate(conn, key.entity, key.project, key.run_id)
            if loc is None or not access.allows(conn, user, access.READ, loc.entity_id, loc.visibility):
                return None
            return store.files.get(conn, loc.id, path)

        return store.db.read(in_txn)


_MISSING = object()


def _canon(value: Any) -> Any:
    if value is _MISSING:
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except ValueError:
        return repr(value)


def _int(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: inf
        return default
    return number if is_int64(number) else default


def _waiting_blobs(st: dict[str, Any]) -> list[str]:
    """The blobs of the files waiting for the run to be in the store."""
    return [str(sha) for _size, sha in (st.get("files_waiting") or {}).values()]


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
