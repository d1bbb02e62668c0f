"""`wandb.Api()` reads over runyard's store: `Runs`, `Run`, history, history pages, run files.

The answers have the shapes of W&B's run read queries:

| field | answer |
|---|---|
| `Project.runs(filters, after, first, order)`, `runCount(filters)` | runyard's run filter (store/run_filters.py, MongoDB style, `config.k.value` included) and sort keys; the cursor is an offset |
| `Run.config` / `summaryMetrics` | JSON strings, config in wandb's `{"k": {"value": v}}` form |
| `Run.historyKeys` | `{"lastStep": n, "keys": {k: {"typeCounts": [...]}}}` |
| `Run.history(samples, minStep, maxStep)` | rows as JSON strings (store/history_rows.py), `minStep <= _step < maxStep` |
| `Run.sampledHistory(specs)` | per spec (`keys`, `samples`, `minStep`, `maxStep`) a list of row objects having every key |
| `Run.parquetHistory` | no parquet export: `parquetUrls: []`, so wandb-core reads `HistoryPage`s instead |
| `Run.files(names, after, first, pattern)` | run files, `directUrl` = the authenticated download route, `md5` base64 |
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any

import numpy as np
import sqlalchemy as sa
from graphql import GraphQLError, GraphQLResolveInfo
from sqlalchemy.engine import Connection

from ...store import Store, User
from ...store.history_rows import Rows
from ...store.history_rows import rows as build_rows
from ...store.limits import load_json
from ...store.run_filters import FilterError
from ...store.tables import entities, runs
from .. import access
from . import convert as cv
from .md5 import Md5Index
from .names import encode_id

MAX_PAGE = 1000
MAX_SAMPLES = 100_000
META = ("_step", "_runtime", "_timestamp")


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(float(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


class RunReads:
    """Read resolvers of one request (the GraphQL context holds one)."""

    def __init__(self, store: Store, user: User, base_url: str, md5: Md5Index):
        self.store, self.user, self.base_url, self.md5 = store, user, base_url, md5

    # -- projects -------------------------------------------------------------------------------
    def _project_id(self, conn: Connection, entity: str, project: str) -> int | None:
        store = self.store
        ent = store.entities.get(conn, entity)
        row = store.projects.get(conn, ent.id, project) if ent is not None else None
        if row is None or not access.allows(conn, self.user, access.READ, row.entity_id, row.visibility):
            return None
        return int(row.id)

    def add_project_fields(self, obj: dict[str, Any], entity: str, project: str) -> None:
        store = self.store
        pid_cache: list[int | None] = []

        def pid() -> int | None:
            if not pid_cache:
                pid_cache.append(store.db.read(lambda conn: self._project_id(conn, entity, project)))
            return pid_cache[0]

        def where(filters: Any) -> Any:
            try:
                flt = load_json(filters, store.limits.max_json_depth) if isinstance(filters, str) else filters
            except ValueError as e:
                raise GraphQLError(f"filters is not valid JSON: {e}") from None
            if flt in (None, ""):
                return None
            if not isinstance(flt, dict):
                raise GraphQLError("filters must be a JSON object (MongoDB style)")
            try:
                return store.runs.compiler.where(flt) if flt else None
            except FilterError as e:
                raise GraphQLError(f"bad run filter: {e}") from None

        def run_count(info: GraphQLResolveInfo, filters: Any = None) -> int:
            project_pk = pid()
            if project_pk is None:
                return 0
            cond = runs.c.project_id == project_pk
            matching = where(filters)
            if matching is not None:
                cond = sa.and_(cond, matching)
            return int(
                store.db.read(
                    lambda conn: conn.execute(
                        sa.select(sa.func.count()).select_from(runs).where(cond)
                    ).scalar_one()
                )
            )

        def run_list(
            info: GraphQLResolveInfo,
            filters: Any = None,
            after: str | None = None,
            first: int | None = None,
            order: str | None = None,
        ) -> dict[str, Any]:
            project_pk = pid()
            offset = int(after) if after and after.isdigit() else 0
            limit = max(1, min(int(first or 50), MAX_PAGE))
            if project_pk is None:
                return {"edges": [], "pageInfo": {"endCursor": None, "hasNextPage": False}}
            cond = runs.c.project_id == project_pk
            matching = where(filters)
            if matching is not None:
                cond = sa.and_(cond, matching)
            try:
                ordering = store.runs.compiler.order(_order(order))
            except FilterError as e:
                raise GraphQLError(str(e)) from None
            query = (
                sa.select(runs, entities.c.name.label("user_name"))
                .outerjoin(entities, entities.c.id == runs.c.created_by)
                .where(cond)
                .order_by(*ordering)
                .limit(limit + 1)
                .offset(offset)
            )
            rows = store.db.read(lambda conn: [dict(r._mapping) for r in conn.execute(query)])
            more = len(rows) > limit
            edges = [
                {"node": self.run_obj(r, entity, project), "cursor": str(offset + i + 1)}
                for i, r in enumerate(rows[:limit])
            ]
            end = edges[-1]["cursor"] if edges else None
            return {"edges": edges, "pageInfo": {"endCursor": end, "hasNextPage": more}}

        obj["internalId"] = lambda info: str(pid() or "")
        obj["readOnly"] = False
        obj["runCount"] = run_count
        obj["runs"] = run_list

    # -- one run --------------------------------------------------------------------------------
    def load(self, entity: str, project: str, run_id: str) -> dict[str, Any] | None:
        store = self.store

        def in_txn(conn: Connection) -> dict[str, Any] | None:
            loc = store.runs.locate(conn, entity, project, run_id)
            if loc is None or not access.allows(conn, self.user, access.READ, loc.entity_id, loc.visibility):
                return None
            r = conn.execute(
                sa.select(runs, entities.c.name.label("user_name"))
                .outerjoin(entities, entities.c.id == runs.c.created_by)
                .where(runs.c.id == loc.id)
            ).first()
            return dict(r._mapping) if r is not None else None

        return store.db.read(in_txn)

    def run_obj(self, row: dict[str, Any], entity: str, project: str) -> dict[str, Any]:
        """A `Run` for reading: every field of wandb's RunFragment, history and files lazily."""
        run_pk, run_id = int(row["id"]), str(row["run_id"])
        user = row.get("user_name") or entity
        config = row.get("config") or {}
        meta = row.get("metadata") or {}
        git = meta.get("git") if isinstance(meta.get("git"), dict) else {}
        start = float(row["created_at"])
        keys_cache: list[dict[str, int]] = []

        def key_ids() -> dict[str, int]:
            if not keys_cache:
                store = self.store

                def in_txn(conn: Connection) -> dict[str, int]:
                    return {
                        key["key"]: kid
                        for key in store.metrics.keys(conn, run_pk, "history")
                        if (kid := store.metrics.key_id(conn, run_pk, "history", key["key"])) is not None
                    }

                keys_cache.append(store.db.read(in_txn))
            return keys_cache[0]

        def history_keys(info: GraphQLResolveInfo) -> dict[str, Any]:
            store = self.store
            ks = store.db.read(lambda conn: store.metrics.keys(conn, run_pk, "history"))
            last = row.get("last_step")
            return {
                "lastStep": int(last) if last is not None else -1,
                "keys": {
                    key["key"]: {"typeCounts": [{"type": "number", "count": int(key["points"] or 0)}]}
                    for key in ks
                },
            }

        def rows_of(
            keys: list[str] | None,
            lo: int | None,
            hi: int | None,
            limit: int | None,
            samples: int | None,
            require_all: bool,
        ) -> list[dict[str, Any]]:
            ids = key_ids()
            if keys is not None:
                wanted = [key for key in keys if key not in META]
                if require_all and any(key not in ids for key in wanted):
                    return []
                ids = {key: ids[key] for key in wanted if key in ids}
            store = self.store
            res = store.db.read(
                lambda conn: build_rows(conn, ids, lo, hi, limit, require_all, samples, db=store.db)
            )
            out = _dicts(res, start)
            if keys is not None:
                out = [{key: value for key, value in r.items() if key in keys or key in META} for r in out]
            return out

        def history(
            info: GraphQLResolveInfo,
            samples: int | None = None,
            minStep: int | None = None,  # noqa: N803 - W&B's names
            maxStep: int | None = None,  # noqa: N803
        ) -> list[str]:
            count = max(1, min(int(samples or 500), MAX_SAMPLES))
            hi = None if maxStep is None else int(maxStep) - 1  # wandb's maxStep is exclusive
            if minStep is not None or maxStep is not None:  # a page (HistoryPage): the first n rows
                got = rows_of(None, minStep, hi, count, None, False)[:count]
            else:  # RunFullHistory: n rows spread over the run
                got = rows_of(None, None, None, None, count, False)
            return [json.dumps(r, allow_nan=True) for r in got]

        def sampled_history(info: GraphQLResolveInfo, specs: list[Any]) -> list[list[dict[str, Any]]]:
            out: list[list[dict[str, Any]]] = []
            for raw in specs:
                spec = cv.loads(raw) if isinstance(raw, str) else raw
                if (
                    spec == {}
                ):  # no keys, no rows: what wandb's agent and `wandb sweep --update` ask of a sweep's runs
                    out.append([])
                    continue
                if not isinstance(spec, dict) or not isinstance(spec.get("keys"), list):
                    raise GraphQLError("a history spec is a JSON object with a 'keys' list")
                keys = [str(key) for key in spec["keys"]]
                count = max(1, min(int(spec.get("samples") or 500), MAX_SAMPLES))
                lo = spec.get("minStep")
                hi = spec.get("maxStep")
                hi = None if hi is None else int(hi)  # wandb-core's pages name their last step
                got = rows_of(keys, None if lo is None else int(lo), hi, None, count, True)
                out.append([{key: _jsonable(value) for key, value in r.items()} for r in got])
            return out

        def parquet_history(info: GraphQLResolveInfo, liveKeys: list[str]) -> dict[str, Any]:  # noqa: N803
            # No parquet export: with no URLs, wandb-core pages through `history` instead.
            return {"parquetUrls": [], "liveData": []}

        def files(
            info: GraphQLResolveInfo,
            names: list[str] | None = None,
            after: str | None = None,
            first: int | None = None,
            pattern: str | None = None,
        ) -> dict[str, Any]:
            store = self.store
            all_files: list[dict[str, Any] | str] = list(
                store.db.read(lambda conn: store.files.list(conn, run_pk))
            )
            if names:
                # W&B answers a node for each name asked, one the run lacks with md5 "0" and no
                # updatedAt: wandb.restore raises "File ... not found" on it (and indexes files[0],
                # so leaving it out would crash the client), `wandb pull` and the summary skip it
                by_path = {f["path"]: f for f in all_files if isinstance(f, dict)}
                all_files = [by_path.get(n, n) for n in dict.fromkeys(names)]
            if pattern:
                rx = _like(pattern)
                all_files = [f for f in all_files if rx.match(f["path"] if isinstance(f, dict) else f)]
            offset = int(after) if after and after.isdigit() else 0
            limit = max(1, min(int(first or 50), MAX_PAGE))
            page = all_files[offset : offset + limit]
            edges = [
                {
                    "node": self.file_obj(entity, project, run_id, f)
                    if isinstance(f, dict)
                    else self.missing_file_obj(entity, project, run_id, f),
                    "cursor": str(offset + i + 1),
                }
                for i, f in enumerate(page)
            ]
            return {
                "edges": edges,
                "pageInfo": {
                    "endCursor": edges[-1]["cursor"] if edges else None,
                    "hasNextPage": offset + limit < len(all_files),
                },
            }

        def file_count(info: GraphQLResolveInfo) -> int:
            store = self.store
            return len(store.db.read(lambda conn: store.files.list(conn, run_pk)))

        return {
            "id": encode_id("Run", entity, project, run_id),
            "projectId": int(row["project_id"]),
            "name": run_id,
            "displayName": row.get("name"),
            "description": row.get("notes"),
            "notes": row.get("notes"),
            "state": row.get("state"),
            "config": json.dumps(cv.config_to_wandb(config), default=str),
            "summaryMetrics": json.dumps(row.get("summary") or {}, default=str),
            "systemMetrics": "{}",
            "tags": list(row.get("tags") or []),
            "group": row.get("group_name"),
            "jobType": row.get("job_type"),
            "sweepName": row.get("sweep_id"),
            "commit": git.get("commit") if isinstance(git, dict) else None,
            "readOnly": False,
            "createdAt": iso(row.get("created_at")),
            "heartbeatAt": iso(row.get("heartbeat_at")),
            "user": {"id": encode_id("User", user), "name": user, "username": user},
            "historyLineCount": int(row["last_step"]) + 1 if row.get("last_step") is not None else 0,
            "historyKeys": history_keys,
            "history": history,
            "events": lambda info, samples=None: [],
            "sampledHistory": sampled_history,
            "parquetHistory": parquet_history,
            "files": files,
            "fileCount": file_count,
            "project": {
                "id": encode_id("Project", entity, project),
                "name": project,
                "entityName": entity,
                "entity": {"id": encode_id("Entity", entity), "name": entity, "organization": None},
            },
            "wandbConfig": lambda info, keys=None: json.dumps(
                {
                    key: value
                    for key, value in (config.get("_wandb") or {}).items()
                    if keys is None or key in keys
                }
                if isinstance(config.get("_wandb"), dict)
                else {}
            ),
            "logLineCount": None,
            "eventsLineCount": None,
            "historyTail": None,
            "eventsTail": None,
        }

    def file_obj(self, entity: str, project: str, run_id: str, f: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/wandb/files/{entity}/{project}/{run_id}/{f['path']}"
        sha = str(f["sha256"])
        return {
            "id": encode_id("File", entity, project, run_id, f["path"]),
            "name": f["path"],
            "url": lambda info, upload=False: url,
            "directUrl": url,
            "uploadUrl": None,
            "sizeBytes": int(f["size"]),
            "mimetype": f.get("content_type"),
            "updatedAt": iso(f.get("updated_at")),
            "md5": lambda info: self.md5.b64_of_blob(self.store, sha),
        }

    def missing_file_obj(self, entity: str, project: str, run_id: str, name: str) -> dict[str, Any]:
        """The node W&B answers for a file name asked of a run that has no such file."""
        return {
            "id": encode_id("File", entity, project, run_id, name),
            "name": name,
            "url": lambda info, upload=False: None,
            "directUrl": None,
            "uploadUrl": None,
            "sizeBytes": 0,
            "mimetype": None,
            "updatedAt": None,
            "md5": "0",
        }


def _order(order: str | None) -> str:
    """wandb's sort keys (`+created_at`, `-summary_metrics.loss`, `config.lr.value`) are runyard's."""
    if not order:
        return "+created_at"
    return order.replace("createdAt", "created_at").replace("heartbeatAt", "heartbeat_at")


def _like(pattern: str) -> re.Pattern[str]:
    """A SQL LIKE pattern (what `run.files(pattern=)` sends) as a regex."""
    out = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{out}$", re.S)


def _dicts(res: Rows, start: float) -> list[dict[str, Any]]:
    count = len(res)
    if count == 0:
        return []
    steps = res.step.tolist()
    ts = res.ts.tolist()
    runtime = (res.ts - start).tolist()
    out: list[dict[str, Any]] = [
        {"_step": steps[i], "_runtime": runtime[i], "_timestamp": ts[i]} for i in range(count)
    ]
    for key, col in res.columns.items():
        vals = col.values.tolist() if isinstance(col.values, np.ndarray) else col.values
        present = col.present.tolist()
        for i in range(count):
            if present[i]:
                out[i][key] = vals[i]
    return out
