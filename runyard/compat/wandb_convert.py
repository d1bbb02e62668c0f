"""Converting the records of one `.wandb` file into runyard run-log frames.

The conversion is a pure function of the wandb file's bytes (and the project/entity overrides, and
the artifact files the file names, which are hashed when present):
importing the same file twice gives byte-identical run logs with the same segment id, so `runyard
sync` of either sends nothing the server already has. It is also *prefix-stable*: converting a
prefix of a file (a run still being written, or a torn copy) gives a prefix of the frames of the
whole file, because every runyard frame depends only on wandb records read before it. A later,
longer import of the same run therefore only appends, and syncing it uploads just the new tail.
That is why history, console and system records are not batched across wandb records, and why the
few things that need a look-ahead (wandb writes a row's summary before the row; console text arrives
in pieces) are held until the record that settles them, and dropped (and reported) at the end of an
unfinished file rather than written in a form a longer file would contradict.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..sdk.artifacts.artifact import Artifact, ArtifactManifestEntry
from ..wire.framing import file_header
from ..wire.record_builder import RecordBuilder
from ..wire.records import RT
from ..wire.rundir import check_run_id
from ..wire.summary import SummaryState
from . import wandb_record_fields as fields
from .wandb_log import HEADER_SIZE, WandbRecord, WandbTail, iter_records
from .wandb_map import (
    METRIC_GOALS,
    RESERVED_CONFIG_KEY,
    SUMMARY_KINDS,
    cr_text,
    environment_from_wandb,
    same,
    timestamp_seconds,
)

# Bumping this changes every imported run's segment id: only for changes to the produced bytes.
CONVERTER_VERSION = 1
_SUMMARY_INTERNAL = frozenset({"_step", "_timestamp", "_runtime", "_wandb"})
IGNORED_KINDS = frozenset(
    {
        "header",
        "telemetry",
        "tbrecord",
        "final",
        "footer",
        "request",
        "noop_link_artifact",
        "output_logger",
        "empty",
    }
)


@dataclass
class StagedArtifact:
    """A wandb artifact to stage in the run directory as `artifacts/<client_id>.json` + blobs."""

    client_id: str
    doc: dict[str, Any]  # the commit document, as `log_artifact` stages it (without `sources`)
    files: dict[str, str]  # sha256 -> the wandb file to copy into `artifacts/blobs/<sha256>`


# (sha256 hex, base64 md5, size) of a file, or None when it cannot be read
FileHasher = Callable[[str], "tuple[str, str, int] | None"]


def hash_file(path: str) -> tuple[str, str, int] | None:
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 22):
                sha.update(block)
                md5.update(block)
                size += len(block)
    except OSError:
        return None
    return sha.hexdigest(), base64.b64encode(md5.digest()).decode(), size


@dataclass
class Conversion:
    """The result of converting one `.wandb` file."""

    run: dict[str, Any] = field(default_factory=dict)  # the RUN payload
    data: bytes = b""  # the complete run log (header + frames)
    producer: str = ""  # the wandb version that wrote the file
    tail: WandbTail = field(default_factory=WandbTail)
    total_bytes: int = 0
    records: int = 0  # wandb records read
    converted: Counter = field(default_factory=Counter)  # runyard record type name -> frames
    ignored: Counter = field(default_factory=Counter)  # wandb record kinds not imported on purpose
    artifacts: list[str] = field(default_factory=list)  # one report line per logged/used artifact
    staged: list[StagedArtifact] = field(default_factory=list)  # the logged artifacts imported
    dropped: list[str] = field(default_factory=list)  # data held back at the end of an unfinished file
    warnings: list[str] = field(default_factory=list)
    finished: bool = False  # the file has wandb's exit record


def _loads(text: str | None) -> Any:
    if text is None or text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        # wandb writes NaN/Infinity as bare words, which json.loads accepts; anything else stays text
        return text


def _item_path(item: dict) -> list[str]:
    nk = item.get("nested_key")
    if nk:
        return [str(p) for p in nk]
    return [str(item.get("key") or "")]


def _history_value(item: dict) -> Any:
    if "value_json" in item:
        return _loads(item["value_json"])
    for typed in ("number", "integer", "boolean", "text"):
        if typed in item:
            return item[typed]
    if "json" in item:
        return _loads(item["json"])
    return None


def _set_path(d: dict, path: list[str], value: Any) -> None:
    for p in path[:-1]:
        nxt = d.get(p)
        if not isinstance(nxt, dict):
            nxt = d[p] = {}
        d = nxt
    d[path[-1]] = value


def _del_path(d: dict, path: list[str]) -> None:
    for p in path[:-1]:
        nxt = d.get(p)
        if not isinstance(nxt, dict):
            return
        d = nxt
    d.pop(path[-1], None)


def segment_id(header: bytes, run_record: bytes) -> str:
    """Deterministic segment id: the wandb file header and its RUN record identify the run's start."""
    h = hashlib.sha256(f"runyard-wandb-import/{CONVERTER_VERSION}\0".encode())
    h.update(header)
    h.update(run_record)
    return "wb" + h.hexdigest()[:14]


def inside(path: str, roots: Sequence[str]) -> bool:
    """Whether `path`, links resolved, lies in one of the folders `roots`."""
    real = os.path.realpath(path)
    for root in roots:
        r = os.path.realpath(root)
        if os.path.commonpath([real, r]) == r:
            return True
    return False


class _Converter:
    def __init__(
        self,
        project: str | None,
        entity: str | None,
        hasher: FileHasher | None = hash_file,
        artifact_roots: Sequence[str] = (),
    ):
        self.hasher = hasher
        self.artifact_roots = artifact_roots
        self.logged: dict[str, str] = {}  # artifact name -> sha256 digest of its last imported version
        self.project_override = project
        self.entity_override = entity
        self.out = Conversion()
        self.records = RecordBuilder(self.next_seq)
        self.early: list[WandbRecord] = []  # records seen before the RUN record
        self.seq = 0
        self.run: dict[str, Any] | None = None
        self.start_time = 0.0
        self.last_ts = 0.0
        self.config: dict[str, Any] = {}
        self.summary = SummaryState()  # what runyard's rules derive from the frames written so far
        self.wb_summary: dict[str, Any] = {}  # wandb's own summary, folded from its records
        self.pending_summary: dict[str, None] = {}  # top-level keys touched since the last settle
        self.pending_removed: dict[str, None] = {}
        self.partial: dict[int, tuple[str, float]] = {}  # stream -> (unfinished line, ts)
        self.header = b""

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def emit(self, rtype: RT, payload: dict) -> None:
        self.records.emit(rtype, payload)
        self.out.converted[rtype.name] += 1

    def record(self, rtype: RT, payload: dict) -> None:
        self.records.record(rtype, payload)
        self.out.converted[rtype.name] += 1

    # -- dispatch -----------------------------------------------------------------------------
    def feed(self, rec: WandbRecord) -> None:
        self.out.records += 1
        kind = rec.kind
        if kind == "header":
            info = rec.body.get("version_info") or {}
            self.out.producer = str(info.get("producer") or "")
        if self.run is None:
            if kind == "run":
                self.start(rec)
                for r in self.early:
                    self.feed_after_start(r)
                self.early.clear()
            elif kind not in IGNORED_KINDS:
                self.early.append(rec)
            else:
                self.out.ignored[kind] += 1
            return
        self.feed_after_start(rec)

    def feed_after_start(self, rec: WandbRecord) -> None:
        kind, body = rec.kind, rec.body
        handler = getattr(self, "on_" + kind, None)
        if handler is not None:
            handler(body)
        elif kind == "artifact":
            self.artifact(rec)
        elif kind == "use_artifact":
            self.use_artifact(body)
        else:
            self.out.ignored[kind] += 1

    # -- run identity -------------------------------------------------------------------------
    def start(self, rec: WandbRecord) -> None:
        b = rec.body
        self.start_time = timestamp_seconds(b.get("start_time")) or 0.0
        self.last_ts = self.start_time
        producer = self.out.producer.split("+", 1)[0]
        run = {
            "run_id": b.get("run_id") or "",
            "segment": segment_id(self.header, rec.raw),
            "project": self.project_override or b.get("project") or None,
            "entity": self.entity_override or b.get("entity") or None,
            "name": b.get("display_name") or None,
            "group": b.get("run_group") or None,
            "job_type": b.get("job_type") or None,
            "tags": list(b.get("tags") or []),
            "notes": b.get("notes") or None,
            "start_time": self.start_time,
            "mode": "offline",
            "resumed": bool(b.get("resumed")),
            "starting_step": int(b.get("starting_step") or 0),
            "sweep_id": b.get("sweep_id") or None,
            "sdk": f"wandb {producer}".strip(),
            "program": None,
            "host": b.get("host") or None,
            "imported_from": "wandb",
        }
        check_run_id(run["run_id"])  # it names the run directory written under --out
        self.run = run
        self.record(RT.RUN, run)
        self.out.run = run
        self.on_config(b.get("config") or {})
        self.summary_items(b.get("summary") or {})

    # -- artifacts ----------------------------------------------------------------------------
    def artifact(self, rec: WandbRecord) -> None:
        """Stage a logged artifact whose files are still there (copied later by the importer) and
        write its ARTIFACT record; otherwise only report it. The client id is derived from the record,
        so a re-import stages the same `artifacts/<id>.json` and writes the same bytes."""
        b = rec.body
        name = str(b.get("name") or "?")
        what = f"logged artifact {name!r} (type {b.get('type') or '?'})"
        why = self.skip_reason(b)
        if why is None:
            try:
                art, files = self.build_artifact(b)
            except (UsageError, ValueError) as e:
                why = str(e)
        if why is not None:
            self.out.artifacts.append(f"{what}: skipped, {why}")
            return
        assert self.run is not None
        aliases = [str(a) for a in b.get("aliases") or () if a != "latest"]
        aliases = [a for a in aliases if a and not (a[0] == "v" and a[1:].isdigit())]
        aliases = [a for a in aliases if not any(c in a for c in "/\\:#?%")]
        doc = art._commit_doc(aliases)
        h = hashlib.sha256(b"runyard-wandb-import/artifact\0")
        h.update(self.run["segment"].encode() + b"\0" + rec.raw)
        client_id = "wb" + h.hexdigest()[:30]
        entity, project = self.run["entity"], self.run["project"]
        doc = dict(doc, name=name, entity=entity, project=project)
        self.out.staged.append(StagedArtifact(client_id, doc, files))
        self.logged[name] = doc["digest"]
        self.out.artifacts.append(f"{what}: imported, {len(doc['manifest'])} file(s)")
        self.record(
            RT.ARTIFACT,
            {
                "name": name,
                "type": art._type,
                "digest": doc["digest"],
                "entity": entity,
                "project": project,
                "aliases": aliases,
                "client_id": client_id,
                "files": len(doc["manifest"]),
                "size": art.size,
            },
        )

    def skip_reason(self, b: dict) -> str | None:
        if b.get("type") == "run_table":
            # wandb's own carrier for a table given to run.log: the table is imported as a media file
            return "wandb's copy of a logged table (imported as a media file)"
        if self.hasher is None:
            return "artifact files are not read (no file access)"
        manifest = b.get("manifest") or {}
        if manifest.get("manifest_file_path") and not manifest.get("contents"):
            return "its manifest is in a separate file, which is not imported"
        if not manifest.get("contents"):
            return "its manifest is empty"
        return None

    def build_artifact(self, b: dict) -> tuple[Artifact, dict[str, str]]:
        assert self.hasher is not None
        meta = _loads(b.get("metadata"))
        art = Artifact(
            str(b.get("name") or ""),
            str(b.get("type") or "unspecified"),
            description=b.get("description") or None,
            metadata=meta if isinstance(meta, dict) else None,
        )
        files: dict[str, str] = {}
        missing: list[str] = []
        for e in (b.get("manifest") or {}).get("contents") or ():
            path = art._entry_name(str(e.get("path") or ""))
            ref = e.get("ref")
            if ref:  # a reference stays a reference: recorded with wandb's checksum, not copied
                check = e.get("digest")
                extra = {"checksum": check} if check else {}
                art._entries[path] = ArtifactManifestEntry(path, None, int(e.get("size") or 0), ref, extra)
                continue
            local = e.get("local_path")
            # the record names any file: only wandb's own copies are read, and only to the digest
            # the record carries, so a crafted run cannot make the import upload e.g. credentials
            if not e.get("digest"):
                missing.append(f"{path}: the record has no digest to check {local or 'its file'} against")
                continue
            if local and not inside(str(local), self.artifact_roots):
                missing.append(f"{path}: {local} is outside wandb's staging folder and the run's folder")
                continue
            got = self.hasher(local) if local else None
            if got is None:
                missing.append(f"{path}: {local or 'no local copy'} is gone")
                continue
            sha, md5, size = got
            if md5 != e["digest"]:
                missing.append(f"{path}: {local} changed since it was logged (MD5 differs)")
                continue
            art._entries[path] = ArtifactManifestEntry(path, sha, size, local_path=local)
            files[sha] = local
        if missing:
            raise ValueError(f"{len(missing)} file(s) missing: " + "; ".join(missing[:5]))
        return art, files

    def use_artifact(self, b: dict) -> None:
        """wandb's UseArtifactRecord names the artifact but carries no content digest: the input edge
        is imported only for an artifact this run logged itself (its digest is known here)."""
        name = str(b.get("name") or b.get("id") or "?")
        what = f"used artifact {name!r} (type {b.get('type') or '?'})"
        base = name.rsplit("/", 1)[-1].split(":", 1)[0]
        digest = self.logged.get(base)
        if digest is None:
            self.out.artifacts.append(f"{what}: skipped, its content digest is not in the offline run")
            return
        assert self.run is not None
        self.out.artifacts.append(f"{what}: imported as an input")
        self.record(
            RT.USE_ARTIFACT,
            {
                "name": base,
                "digest": digest,
                "version": None,
                "entity": self.run["entity"],
                "project": self.run["project"],
            },
        )

    # -- config -------------------------------------------------------------------------------
    def on_config(self, body: dict) -> None:
        changed: dict[str, None] = {}
        removed: list[str] = []
        for item in body.get("update") or ():
            path = _item_path(item)
            val = _loads(item.get("value_json"))
            _set_path(self.config, path, val)
            changed[path[0]] = None
        for item in body.get("remove") or ():
            path = _item_path(item)
            if len(path) == 1:
                self.config.pop(path[0], None)
                removed.append(path[0])
                changed.pop(path[0], None)
            else:
                _del_path(self.config, path)
                changed[path[0]] = None
        update = {}
        for k in changed:
            v = self.config.get(k)
            if k == RESERVED_CONFIG_KEY and not v:
                continue  # wandb's empty placeholder
            update[k] = v
        if update or removed:
            self.record(RT.CONFIG, {"update": update, "remove": removed})

    # -- history and summary ------------------------------------------------------------------
    def on_history(self, body: dict) -> None:
        row: dict[str, Any] = {}
        for item in body.get("item") or ():
            _set_path(row, _item_path(item), _history_value(item))
        step = row.pop("_step", None)
        ts = row.pop("_timestamp", None)
        runtime = row.pop("_runtime", None)
        if not isinstance(step, int) or isinstance(step, bool):
            step = int((body.get("step") or {}).get("num") or 0)
        if not isinstance(ts, (int, float)) or isinstance(ts, bool):
            ts = self.start_time + runtime if isinstance(runtime, (int, float)) else self.last_ts
        ts = float(ts)
        self.last_ts = max(self.last_ts, ts)
        keys = tuple(sorted(row))
        vals = tuple(row[k] for k in keys)
        self.records.history([self.records.fragment(step, ts, keys, vals)])
        self.out.converted[RT.HISTORY.name] += 1
        self.summary.add_fragment(keys, vals, step, ts)
        self.settle_summary()

    def on_summary(self, body: dict) -> None:
        self.summary_items(body)

    def summary_items(self, body: dict) -> None:
        for item in body.get("update") or ():
            path = _item_path(item)
            if path[0] in _SUMMARY_INTERNAL:
                continue
            _set_path(self.wb_summary, path, _loads(item.get("value_json")))
            self.pending_summary[path[0]] = None
            self.pending_removed.pop(path[0], None)
        for item in body.get("remove") or ():
            path = _item_path(item)
            if path[0] in _SUMMARY_INTERNAL:
                continue
            if len(path) == 1:
                self.wb_summary.pop(path[0], None)
                self.pending_removed[path[0]] = None
                self.pending_summary.pop(path[0], None)
            else:
                _del_path(self.wb_summary, path)
                self.pending_summary[path[0]] = None

    def settle_summary(self) -> None:
        """Write what wandb's summary says that runyard's own summary rules would not derive."""
        update = {}
        derived = self.summary.values
        for k in self.pending_summary:
            if k not in self.wb_summary:
                continue
            v = self.wb_summary[k]
            if k in derived and same(derived[k], v):
                continue
            update[k] = v
        remove = [k for k in self.pending_removed if k in derived]
        self.pending_summary.clear()
        self.pending_removed.clear()
        if update or remove:
            self.summary.update(update)
            self.summary.remove(remove)
            self.record(RT.SUMMARY, {"update": update, "remove": remove})

    # -- the rest -----------------------------------------------------------------------------
    def on_output_raw(self, body: dict) -> None:
        text = body.get("line")
        if not text:
            return
        stream = 1 if body.get("output_type") == fields.OUTPUT_STDOUT else 2
        ts = timestamp_seconds(body.get("timestamp")) or self.last_ts
        self.last_ts = max(self.last_ts, ts)
        prev, _ = self.partial.pop(stream, ("", ts))
        parts = (prev + text).split("\n")
        self.partial_line(stream, parts.pop(), ts)
        lines = [[self.next_seq(), ts, stream, cr_text(p)] for p in parts]
        if lines:
            self.emit(RT.CONSOLE, {"lines": lines})

    on_output = on_output_raw  # legacy OutputRecord, same fields

    def partial_line(self, stream: int, text: str, ts: float) -> None:
        if text:
            self.partial[stream] = (text, ts)

    def flush_console(self) -> None:
        for stream in sorted(self.partial):
            text, ts = self.partial[stream]
            self.emit(RT.CONSOLE, {"lines": [[self.next_seq(), ts, stream, cr_text(text)]]})
        self.partial.clear()

    def on_stats(self, body: dict) -> None:
        ts = timestamp_seconds(body.get("timestamp")) or self.last_ts
        sample: dict[str, float] = {}
        for item in body.get("item") or ():
            v = _loads(item.get("value_json"))
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                sample["system/" + str(item.get("key"))] = float(v)
        if sample:
            self.emit(RT.SYSTEM, {"samples": [[self.next_seq(), ts, sample]]})

    def on_metric(self, body: dict) -> None:
        if body.get("expanded_from_glob"):
            return  # wandb's per-key copy of a glob definition; the glob itself is imported
        spec: dict[str, Any] = {}
        if body.get("glob_name"):
            spec["glob"] = body["glob_name"]
        elif body.get("name"):
            spec["name"] = body["name"]
        else:
            return
        opts = body.get("options") or {}
        if body.get("step_metric"):
            spec["step_metric"] = body["step_metric"]
            spec["step_sync"] = bool(opts.get("step_sync"))
        kinds = [k for k in SUMMARY_KINDS if (body.get("summary") or {}).get(k)]
        if kinds:
            spec["summary"] = kinds
        if opts.get("hidden"):
            spec["hidden"] = True
        goal = METRIC_GOALS.get(int(body.get("goal") or 0))
        if goal:
            spec["goal"] = goal
        self.summary.define(dict(spec))
        self.record(RT.METRIC, spec)

    def on_files(self, body: dict) -> None:
        files = []
        for f in body.get("files") or ():
            path = str(f.get("path") or "")
            if not path:
                continue
            ftype = int(f.get("type") or 0)
            if path.startswith("media/") or ftype == fields.FILE_TYPE_MEDIA:
                kind = "media"
            elif path.startswith("code/"):
                kind = "code"
            elif ftype == fields.FILE_TYPE_WANDB:
                kind = "environment"
            else:
                kind = "user"
            files.append(
                {"path": path, "policy": fields.POLICY.get(int(f.get("policy") or 0), "now"), "kind": kind}
            )
        if files:
            self.record(RT.FILES, {"files": files})

    def on_environment(self, body: dict) -> None:
        meta = environment_from_wandb(body, "record")
        if meta:
            self.record(RT.ENVIRONMENT, {"metadata": meta})

    def on_alert(self, body: dict) -> None:
        self.record(
            RT.ALERT,
            {
                "title": body.get("title") or "",
                "text": body.get("text") or "",
                "level": body.get("level") or "INFO",
                "wait_duration": body.get("wait_duration"),
            },
        )

    def on_preempting(self, body: dict) -> None:
        self.record(RT.RUN_UPDATE, {"flags": {"preempting": True}})

    def on_run(self, body: dict) -> None:
        """A later RUN record (wandb re-sends it when name/tags/notes change)."""
        assert self.run is not None
        upd: dict[str, Any] = {}
        for src, dst in (("display_name", "name"), ("notes", "notes")):
            v = body.get(src) or None
            if v is not None and v != self.run.get(dst):
                upd[dst] = self.run[dst] = v
        tags = list(body.get("tags") or [])
        if tags and tags != self.run.get("tags"):
            upd["tags"] = self.run["tags"] = tags
        if upd:
            self.record(RT.RUN_UPDATE, upd)
        if body.get("config"):
            self.on_config(body["config"])

    def on_exit(self, body: dict) -> None:
        self.settle_summary()
        self.flush_console()
        code = int(body.get("exit_code") or 0)
        end = self.last_ts
        self.record(
            RT.EXIT,
            {
                "exit_code": code,
                "state": "finished" if code == 0 else "failed",
                "end_time": end,
                "runtime": max(0.0, end - self.start_time),
            },
        )
        self.out.finished = True

    # -- end of input -------------------------------------------------------------------------
    def finish(self) -> None:
        if self.run is None:
            raise ValueError("no wandb RUN record in the readable part of the file")
        if not self.out.finished:
            held = [k for k in self.pending_summary if k in self.wb_summary]
            if held:
                self.out.dropped.append(
                    f"{len(held)} summary value(s) written after the last history row ({', '.join(held[:5])})"
                )
            for stream, (text, _) in sorted(self.partial.items()):
                name = "stdout" if stream == 1 else "stderr"
                self.out.dropped.append(f"an unfinished {name} line ({len(text)} characters)")
        for r in self.early:  # only when the RUN record came last; kept for completeness
            self.out.ignored[r.kind] += 1
        self.out.data = file_header() + self.records.take()


def convert(
    data: bytes,
    project: str | None = None,
    entity: str | None = None,
    hasher: FileHasher | None = hash_file,
    artifact_roots: Sequence[str] = (),
) -> Conversion:
    """Convert the bytes of a `.wandb` file; a torn tail is reported in `.tail`, never raised.

    Logged artifacts are imported when their files (wandb's staging copies, named by absolute path
    in the record) lie in one of the folders `artifact_roots` and still match the record's digest:
    `hasher` reads them (None: artifacts are only reported). The result then depends on those files
    too, and on nothing else.

    Raises WandbLogError for a file that is not a wandb record log, ValueError when the readable
    part holds no RUN record.
    """
    conv = _Converter(project, entity, hasher, artifact_roots)
    conv.header = data[:HEADER_SIZE]
    tail = conv.out.tail
    for rec in iter_records(data, tail):
        conv.feed(rec)
    conv.out.total_bytes = len(data)
    conv.finish()
    return conv.out
