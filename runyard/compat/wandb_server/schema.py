"""The GraphQL schema: the subset of W&B's schema that the official client uses, same names.

A real GraphQL engine (graphql-core) parses, validates and executes the client's documents, so
aliases, fragments, variables with defaults and `@include`/`@skip` work, and an operation that asks
for something runyard does not have gets a well-formed validation error (HTTP 200, `errors`), which
wandb-core does not retry, instead of a dropped connection, which it retries for minutes.

Resolvers are plain values or callables in the returned dicts (graphql-core's default resolver calls a
callable with `(info, **args)`); the root object is `Root` below.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema

from ...store import User
from .names import decode_id, encode_id, new_run_id
from .runs import RunKey, WandbError, WandbRuns, project_obj, valid_file

SDL = """
scalar JSONString
scalar Int64
scalar Duration
scalar DateTime

enum AlertSeverity { INFO WARN ERROR }

type Query {
  viewer: User
  serverInfo: ServerInfo
  project(name: String, entityName: String): Project
  model(name: String, entityName: String): Project
  entity(name: String): Entity
}

type Mutation {
  upsertBucket(input: UpsertBucketInput!): UpsertBucketPayload
  createRunFiles(input: CreateRunFilesInput!): CreateRunFilesPayload
  markRunFilesUploaded(input: MarkRunFilesUploadedInput!): MarkRunFilesUploadedPayload
  notifyScriptableRunAlert(input: NotifyScriptableRunAlertInput!): NotifyScriptableRunAlertPayload
}

type User {
  id: ID!
  name: String!
  username: String
  email: String
  admin: Boolean
  flags: JSONString
  entity: String
  deletedAt: DateTime
  teams(first: Int): EntityConnection
}

type EntityConnection { edges: [EntityEdge!]! }
type EntityEdge { node: Entity }

type Entity {
  id: ID!
  name: String!
  isTeam: Boolean
  organization: Organization
}

type Organization {
  id: ID!
  name: String!
  coreWeaveOrganizationId: String
}

type ServerInfo {
  features: [ServerFeature]!
  cliVersionInfo: JSONString
}

type ServerFeature {
  name: String!
  isEnabled: Boolean!
}

type Project {
  id: ID!
  name: String!
  entityName: String
  entity: Entity!
  run(name: String!): Run
  bucket(name: String!, missingOk: Boolean): Run
}

type Run {
  id: ID!
  name: String!
  displayName: String
  description: String
  notes: String
  state: String
  config: JSONString
  summaryMetrics: JSONString
  wandbConfig(keys: [String!]): JSONString
  tags: [String!]!
  group: String
  jobType: String
  sweepName: String
  project: Project
  historyLineCount: Int
  logLineCount: Int
  eventsLineCount: Int
  historyTail: String
  eventsTail: String
}

input UpsertBucketInput {
  id: String
  name: String
  groupName: String
  modelName: String
  entityName: String
  description: String
  displayName: String
  notes: String
  config: JSONString
  commit: String
  host: String
  debug: Boolean
  jobProgram: String
  jobRepo: String
  jobType: String
  state: String
  sweep: String
  tags: [String!]
  summaryMetrics: JSONString
  clientMutationId: String
}

type UpsertBucketPayload {
  bucket: Run
  inserted: Boolean
  clientMutationId: String
}

input CreateRunFilesInput {
  entityName: String!
  projectName: String!
  runName: String!
  files: [String!]!
  clientMutationId: String
}

type CreateRunFilesPayload {
  runID: ID!
  uploadHeaders: [String!]!
  files: [File!]!
  clientMutationId: String
}

type File {
  id: ID!
  name: String!
  uploadUrl: String
  directUrl: String
  sizeBytes: Int64
  mimetype: String
  md5: String
}

input MarkRunFilesUploadedInput {
  entityName: String!
  projectName: String!
  runName: String!
  files: [String!]!
  clientMutationId: String
}

type MarkRunFilesUploadedPayload {
  success: Boolean!
  clientMutationId: String
}

input NotifyScriptableRunAlertInput {
  entityName: String!
  projectName: String!
  runName: String!
  title: String!
  text: String!
  severity: AlertSeverity = INFO
  waitDuration: Duration
  clientMutationId: String
}

type NotifyScriptableRunAlertPayload {
  success: Boolean!
  clientMutationId: String
}
"""

DEFAULT_PROJECT = "uncategorized"


@lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    return build_schema(SDL)


class Context:
    """What the resolvers of one request need."""

    def __init__(self, runs: WandbRuns, user: User, base_url: str, sign: Any):
        self.runs, self.user, self.base_url, self.sign = runs, user, base_url.rstrip("/"), sign


def _ctx(info: GraphQLResolveInfo) -> Context:
    return info.context  # type: ignore[no-any-return]


def _fail(e: WandbError) -> GraphQLError:
    return GraphQLError(
        e.message, extensions={"code": "PERMISSION_ERROR" if e.status == 403 else "BAD_REQUEST"}
    )


def _names(ctx: Context, entity: str | None, project: str | None) -> tuple[str, str]:
    return entity or ctx.user.name, project or DEFAULT_PROJECT


class Root:
    """Query and Mutation fields (graphql-core calls `root.<field>(info, **args)`)."""

    # -- queries --------------------------------------------------------------------------------
    def viewer(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        ctx = _ctx(info)
        u = ctx.user
        teams = [{"node": _entity_obj(t)} for t in _teams(ctx)]
        return {
            "id": encode_id("User", u.name),
            "name": u.name,
            "username": u.name,
            "email": _email(ctx),
            "admin": u.is_admin,
            "flags": "{}",
            "entity": u.name,
            "deletedAt": None,
            "teams": {"edges": teams},
        }

    def serverInfo(self, info: GraphQLResolveInfo) -> dict[str, Any]:  # noqa: N802 - W&B's names
        # No optional feature is advertised: the client then uses its baseline protocol (plain JSON
        # file_stream, plain console lines), which is what this server implements.
        return {"features": [], "cliVersionInfo": json.dumps({})}

    def entity(self, info: GraphQLResolveInfo, name: str | None = None) -> dict[str, Any]:
        return _entity_obj(name or _ctx(info).user.name)

    def project(
        self,
        info: GraphQLResolveInfo,
        name: str | None = None,
        entityName: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        e, p = _names(ctx, entityName, name)
        obj = project_obj(e, p)

        def run(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
            return _run_obj(ctx, RunKey(e, p, name))

        def bucket(info: GraphQLResolveInfo, name: str, missingOk: bool = False) -> dict[str, Any] | None:  # noqa: N803
            # `bucket` is what wandb-core reads before resuming (RunResumeStatus): the run's line
            # counts and tails, and reading it marks the run so the next UpsertBucket starts a segment.
            key = RunKey(e, p, name)
            return ctx.runs.resume_status(ctx.user, key) or _run_obj(ctx, key)

        obj["run"] = run
        obj["bucket"] = bucket
        return obj

    model = project  # wandb's older name for a project

    # -- mutations ------------------------------------------------------------------------------
    def upsertBucket(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        run_id = input.get("name")
        entity, project = input.get("entityName"), input.get("modelName")
        if not run_id:
            ref = decode_id(input.get("id"), "Run")
            if ref and len(ref) == 3:
                entity, project, run_id = entity or ref[0], project or ref[1], ref[2]
        e, p = _names(ctx, entity, project)
        key = RunKey(e, p, run_id or new_run_id())
        _check_names(key)
        try:
            bucket = ctx.runs.upsert(ctx.user, key, input)
        except WandbError as err:
            raise _fail(err) from None
        return {"bucket": bucket, "inserted": bucket.pop("inserted", False)}

    def createRunFiles(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        key = RunKey(input["entityName"], input["projectName"], input["runName"])
        _check_names(key)
        try:
            ctx.runs.check_write(ctx.user, key.entity)
        except WandbError as err:
            raise _fail(err) from None
        files = []
        for name in input["files"]:
            path = valid_file(name)
            if path is None:
                continue  # the client logs the missing name and carries on
            token = ctx.sign(key, path, ctx.user)
            files.append(
                {
                    "id": encode_id("File", key.entity, key.project, key.run_id, path),
                    "name": name,
                    "uploadUrl": f"{ctx.base_url}/wandb/upload/{token}",
                    "directUrl": f"{ctx.base_url}/wandb/files/{key.entity}/{key.project}/{key.run_id}/{path}",
                }
            )
        return {"runID": encode_id("Run", *_key_parts(key)), "uploadHeaders": [], "files": files}

    def markRunFilesUploaded(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        return {"success": True}

    def notifyScriptableRunAlert(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        key = RunKey(input["entityName"], input["projectName"], input["runName"])
        _check_names(key)
        try:
            ctx.runs.alert(
                ctx.user,
                key,
                input["title"],
                input["text"],
                str(input.get("severity") or "INFO"),
                input.get("waitDuration"),
            )
        except WandbError as err:
            raise _fail(err) from None
        return {"success": True}


def _key_parts(key: RunKey) -> tuple[str, str, str]:
    return key.entity, key.project, key.run_id


def _check_names(key: RunKey) -> None:
    from ...server.http import NAME_RE

    for what, v in (("entity", key.entity), ("project", key.project), ("run id", key.run_id)):
        if not NAME_RE.match(v):
            raise GraphQLError(f"{what} {v!r} must be 1-128 characters without / \\ # ? % :")


def _entity_obj(name: str) -> dict[str, Any]:
    return {"id": encode_id("Entity", name), "name": name, "isTeam": None, "organization": None}


def _email(ctx: Context) -> str | None:
    s = ctx.runs.store
    row = s.db.read(lambda c: s.entities.get(c, ctx.user.name))
    return getattr(row, "email", None) if row is not None else None


def _teams(ctx: Context) -> list[str]:
    from ...store.schema import entities, team_members

    s = ctx.runs.store

    def q(c: Any) -> list[str]:
        import sqlalchemy as sa

        rows = c.execute(
            sa.select(entities.c.name)
            .join(team_members, team_members.c.team_id == entities.c.id)
            .where(team_members.c.user_id == ctx.user.id)
            .order_by(entities.c.name)
        )
        return [r.name for r in rows]

    return s.db.read(q)


def _run_obj(ctx: Context, key: RunKey) -> dict[str, Any] | None:
    row = ctx.runs.run_row(ctx.user, key)
    if row is None:
        return None
    return {
        "id": encode_id("Run", *_key_parts(key)),
        "name": key.run_id,
        "displayName": row.get("name"),
        "description": None,
        "notes": row.get("notes"),
        "state": row.get("state"),
        "config": json.dumps({k: {"value": v} for k, v in (row.get("config") or {}).items()}),
        "summaryMetrics": json.dumps(row.get("summary") or {}),
        "wandbConfig": lambda info, keys=None: json.dumps(
            {
                k: v
                for k, v in ((row.get("config") or {}).get("_wandb") or {}).items()
                if keys is None or k in keys
            }
        ),
        "tags": list(row.get("tags") or []),
        "group": row.get("group_name"),
        "jobType": row.get("job_type"),
        "sweepName": row.get("sweep_id"),
        "project": project_obj(key.entity, key.project),
        "historyLineCount": None,
        "logLineCount": None,
        "eventsLineCount": None,
        "historyTail": None,
        "eventsTail": None,
    }
