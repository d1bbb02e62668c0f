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
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema

from ...store import User
from ...wire.names import registry_name
from . import registry
from .artifacts import WandbArtifacts, collection_obj, split_name
from .names import decode_id, encode_id, new_run_id
from .reads import RunReads
from .runs import RunKey, WandbError, WandbRuns, project_obj, valid_file
from .sweeps import SDL as SWEEPS_SDL
from .sweeps import AnswerStatus, WandbSweeps

SDL = """
scalar JSONString
scalar Int64
scalar Duration
scalar DateTime
scalar JSON

enum AlertSeverity { INFO WARN ERROR }
enum ArtifactState { PENDING COMMITTED DELETED }
enum ArtifactDigestAlgorithm { MANIFEST_MD5 MANIFEST_XXH128 }
enum ArtifactManifestType { FULL INCREMENTAL PATCH }
enum ArtifactStorageLayout { V1 V2 }

type Query {
  viewer: User
  serverInfo: ServerInfo
  project(name: String, entityName: String): Project
  model(name: String, entityName: String): Project
  entity(name: String): Entity
  artifact(id: ID!): Artifact
  clientIDMapping(clientID: ID!): ClientIDMappingResult
}

type ClientIDMappingResult { serverID: ID! }

type Mutation {
  upsertBucket(input: UpsertBucketInput!): UpsertBucketPayload
  createRunFiles(input: CreateRunFilesInput!): CreateRunFilesPayload
  markRunFilesUploaded(input: MarkRunFilesUploadedInput!): MarkRunFilesUploadedPayload
  notifyScriptableRunAlert(input: NotifyScriptableRunAlertInput!): NotifyScriptableRunAlertPayload
  createArtifact(input: CreateArtifactInput!): CreateArtifactPayload
  createArtifactManifest(input: CreateArtifactManifestInput!): CreateArtifactManifestPayload
  updateArtifactManifest(input: UpdateArtifactManifestInput!): CreateArtifactManifestPayload
  createArtifactFiles(input: CreateArtifactFilesInput!): CreateArtifactFilesPayload
  commitArtifact(input: CommitArtifactInput!): CommitArtifactPayload
  useArtifact(input: UseArtifactInput!): UseArtifactPayload
  linkArtifact(input: LinkArtifactInput!): LinkArtifactPayload
  unlinkArtifact(input: UnlinkArtifactInput!): UnlinkArtifactPayload
  deleteArtifact(input: DeleteArtifactInput!): DeleteArtifactPayload
  deleteRun(input: DeleteRunInput!): DeleteRunPayload
  addAliases(input: AddAliasesInput!): AliasesPayload
  deleteAliases(input: DeleteAliasesInput!): AliasesPayload
  updateArtifact(input: UpdateArtifactInput!): UpdateArtifactPayload
}

input DeleteRunInput {
  id: ID!
  deleteArtifacts: Boolean
  clientMutationId: String
}

type DeleteRunPayload { clientMutationId: String }

input ArtifactCollectionAliasInput {
  alias: String!
  artifactCollectionName: String!
  entityName: String!
  projectName: String!
}

input AddAliasesInput {
  artifactID: ID!
  aliases: [ArtifactCollectionAliasInput!]!
  clientMutationId: String
}

input DeleteAliasesInput {
  artifactID: ID!
  aliases: [ArtifactCollectionAliasInput!]!
  clientMutationId: String
}

type AliasesPayload { success: Boolean!, clientMutationId: String }

input TagInput { tagName: String! }

input UpdateArtifactInput {
  artifactID: ID!
  description: String
  metadata: JSONString
  ttlDurationSeconds: Int64
  tagsToAdd: [TagInput!]
  tagsToDelete: [TagInput!]
  aliases: [ArtifactAliasInput!]
  clientMutationId: String
}

type UpdateArtifactPayload { artifact: Artifact!, clientMutationId: String }

type ArtifactEdge { node: Artifact, cursor: String }

type VersionedArtifactEdge { node: Artifact, cursor: String, version: String! }

type VersionedArtifactConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  edges: [VersionedArtifactEdge!]!
}

type ArtifactConnection {
  totalCount: Int!
  pageInfo: PageInfo!
  edges: [ArtifactEdge!]!
}

input LinkArtifactInput {
  artifactID: ID
  artifactPortfolioName: String!
  entityName: String!
  projectName: String!
  aliases: [ArtifactAliasInput!]
  clientID: ID
  clientMutationId: String
}

input UnlinkArtifactInput {
  artifactID: ID!
  artifactPortfolioID: ID!
  clientMutationId: String
}

type UnlinkArtifactPayload { success: Boolean!, clientMutationId: String }

input DeleteArtifactInput {
  artifactID: ID!
  deleteAliases: Boolean
  clientMutationId: String
}

type DeleteArtifactPayload { artifact: Artifact!, clientMutationId: String }

type LinkArtifactPayload {
  versionIndex: Int
  artifactMembership: ArtifactCollectionMembership
  clientMutationId: String
}

input ArtifactAliasInput {
  artifactCollectionName: String
  alias: String!
}

input CreateArtifactInput {
  artifactTypeName: String!
  artifactCollectionName: String
  artifactCollectionNames: [String!]
  entityName: String!
  projectName: String!
  runName: String
  description: String
  digest: String!
  digestAlgorithm: ArtifactDigestAlgorithm
  labels: JSONString
  aliases: [ArtifactAliasInput!]
  tags: [JSON!]
  metadata: JSONString
  ttlDurationSeconds: Int64
  historyStep: Int64
  enableDigestDeduplication: Boolean
  distributedID: String
  clientID: ID
  sequenceClientID: ID
  storageRegion: String
  clientMutationId: String
}

type CreateArtifactPayload {
  artifact: Artifact!
  clientMutationId: String
}

input CreateArtifactManifestInput {
  artifactID: ID!
  baseArtifactID: ID
  name: String!
  digest: String!
  entityName: String!
  projectName: String!
  runName: String!
  type: ArtifactManifestType = FULL
  includeUpload: Boolean
  clientMutationId: String
}

input UpdateArtifactManifestInput {
  artifactManifestID: ID!
  digest: String
  baseArtifactID: ID
  clientMutationId: String
}

type CreateArtifactManifestPayload {
  artifactManifest: ArtifactManifest!
  clientMutationId: String
}

type ArtifactManifest {
  id: ID!
  file: File!
}

input UploadPartsInput {
  partNumber: Int64!
  hexMD5: String!
}

input CreateArtifactFileSpecInput {
  artifactID: ID!
  name: String!
  md5: String!
  mimetype: String
  artifactManifestID: ID
  uploadPartsInput: [UploadPartsInput!]
}

input CreateArtifactFilesInput {
  artifactFiles: [CreateArtifactFileSpecInput!]!
  storageLayout: ArtifactStorageLayout
  storageRegion: String
  cloudRegionID: String
  clientMutationId: String
}

type CreateArtifactFilesPayload {
  files: FileConnection!
  clientMutationId: String
}

type UploadUrlParts { partNumber: Int64!, uploadUrl: String! }
type UploadMultipartUrls { uploadID: String!, uploadUrlParts: [UploadUrlParts!]! }

input CommitArtifactInput {
  artifactID: ID!
  clientMutationId: String
}

type CommitArtifactPayload {
  artifact: Artifact!
  clientMutationId: String
}

input UseArtifactInput {
  entityName: String!
  projectName: String!
  runName: String!
  artifactID: ID!
  usedAs: String
  artifactEntityName: String
  artifactProjectName: String
  clientMutationId: String
}

type UseArtifactPayload {
  artifact: Artifact!
  clientMutationId: String
}

type ArtifactType {
  id: ID
  name: String!
  description: String
  createdAt: DateTime
  artifactCollection(name: String!): ArtifactCollection
}

type TagEdge { node: Tag }
type TagConnection { edges: [TagEdge!]! }

type Tag { id: ID!, name: String! }

type ArtifactAlias {
  id: ID!
  alias: String!
  artifactCollection: ArtifactCollection
}

interface ArtifactCollection {
  id: ID!
  name: String!
  project: Project
  artifacts(after: String, first: Int, order: String, filters: JSONString): VersionedArtifactConnection
  artifactMembership(aliasName: String!): ArtifactCollectionMembership
  description: String
  createdAt: DateTime
  updatedAt: DateTime
  defaultArtifactType: ArtifactType
  tags: TagConnection
}

type ArtifactSequence implements ArtifactCollection {
  id: ID!
  name: String!
  project: Project
  artifacts(after: String, first: Int, order: String, filters: JSONString): VersionedArtifactConnection
  latestArtifact: Artifact
  artifactMembership(aliasName: String!): ArtifactCollectionMembership
  description: String
  createdAt: DateTime
  updatedAt: DateTime
  defaultArtifactType: ArtifactType
  tags: TagConnection
}

type ArtifactCollectionMembership {
  id: ID!
  versionIndex: Int
  createdAt: DateTime!
  aliases: [ArtifactAlias!]!
  artifactCollection: ArtifactCollection
  artifact: Artifact
  files(after: String, first: Int, names: [String!]): FileConnection!
}

type Artifact {
  id: ID!
  artifactSequence: ArtifactSequence!
  versionIndex: Int
  artifactType: ArtifactType!
  description: String
  metadata: JSONString
  ttlDurationSeconds: Int64!
  ttlIsInherited: Boolean!
  tags: [Tag!]!
  historyStep: Int64
  state: ArtifactState!
  size: Int64!
  digest: String!
  digestAlgorithm: ArtifactDigestAlgorithm
  commitHash: String
  fileCount: Int64!
  createdAt: DateTime!
  updatedAt: DateTime
  aliases: [ArtifactAlias!]!
  currentManifest: ArtifactManifest
  files(after: String, first: Int, names: [String!]): FileConnection!
  createdBy: Run
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
  organizations: [Organization!]
}

type EntityConnection { edges: [EntityEdge!]! }
type EntityEdge { node: Entity }

type Entity {
  id: ID!
  name: String!
  isTeam: Boolean
  organization: Organization
  user: User
}

type Organization {
  id: ID!
  name: String!
  coreWeaveOrganizationId: String
  orgEntity: Entity
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
  internalId: ID
  name: String!
  entityName: String
  entity: Entity!
  readOnly: Boolean
  run(name: String!): Run
  bucket(name: String!, missingOk: Boolean): Run
  runCount(filters: JSONString): Int!
  runs(filters: JSONString, after: String, first: Int, order: String): RunConnection
  artifact(name: String!): Artifact
  artifactCollectionMembership(name: String!): ArtifactCollectionMembership
  artifactCollection(name: String!): ArtifactCollection
  artifactType(name: String!): ArtifactType
}

type PageInfo {
  startCursor: String
  endCursor: String
  hasNextPage: Boolean!
}

type RunConnection {
  edges: [RunEdge!]!
  pageInfo: PageInfo!
}

type RunEdge {
  node: Run!
  cursor: String!
}

type FileConnection {
  edges: [FileEdge!]!
  pageInfo: PageInfo!
}

type FileEdge {
  node: File
  cursor: String
}

type ParquetHistory {
  parquetUrls: [String!]!
  liveData: [JSON!]!
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
  projectId: Int
  commit: String
  readOnly: Boolean
  createdAt: DateTime
  heartbeatAt: DateTime
  systemMetrics: JSONString
  user: User
  historyKeys: JSON
  history(samples: Int, minStep: Int64, maxStep: Int64): [String!]
  events(samples: Int): [String!]
  sampledHistory(specs: [JSONString!]!): [JSON]
  parquetHistory(liveKeys: [String!]!): ParquetHistory
  fileCount: Int
  files(names: [String], after: String, first: Int, pattern: String): FileConnection
  outputArtifacts(after: String, first: Int): ArtifactConnection
  inputArtifacts(after: String, first: Int): ArtifactConnection
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
  url(upload: Boolean): String
  sizeBytes: Int64
  mimetype: String
  updatedAt: DateTime
  md5: String
  storagePath: String
  uploadHeaders: [String!]
  uploadMultipartUrls: UploadMultipartUrls
  artifact: Artifact
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
    return build_schema(SDL + SWEEPS_SDL)


class Context:
    """What the resolvers of one request need."""

    def __init__(
        self,
        runs: WandbRuns,
        user: User,
        base_url: str,
        signer: Any,
        arts: WandbArtifacts,
        sweeps: WandbSweeps,
    ):
        self.runs, self.user, self.base_url = runs, user, base_url.rstrip("/")
        self.signer, self.arts, self.sweeps = signer, arts, sweeps
        self.reads = RunReads(runs.store, user, self.base_url, runs.md5)

    def sign(self, grant: dict[str, Any]) -> str:
        """A signed URL's token for `grant`, on behalf of this request's user and key."""
        return str(self.signer.sign(grant, self.user))

    def url(self, grant: dict[str, Any], route: str = "upload") -> str:
        return f"{self.base_url}/wandb/{route}/{self.sign(grant)}"

    def art(self, entity: str, project: str, version: Any) -> dict[str, Any]:
        return self.arts.artifact_obj(self.base_url, self.user, entity, project, version, self.sign)

    def membership(self, entity: str, project: str, version: Any) -> dict[str, Any]:
        return self.arts.membership_obj(self.base_url, self.user, entity, project, version, self.sign)


def _ctx(info: GraphQLResolveInfo) -> Context:
    return info.context  # type: ignore[no-any-return]


def _fail(entity: WandbError) -> GraphQLError:
    return GraphQLError(
        entity.message, extensions={"code": "PERMISSION_ERROR" if entity.status == 403 else "BAD_REQUEST"}
    )


def _names(ctx: Context, entity: str | None, project: str | None) -> tuple[str, str]:
    return entity or ctx.user.name, project or DEFAULT_PROJECT


class Root:
    """Query and Mutation fields (graphql-core calls `root.<field>(info, **args)`)."""

    # -- queries --------------------------------------------------------------------------------
    def viewer(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        ctx = _ctx(info)
        caller = ctx.user
        teams = [{"node": _entity_obj(t, True)} for t in _teams(ctx)]
        return {
            "id": encode_id("User", caller.name),
            "name": caller.name,
            "username": caller.name,
            "email": _email(ctx),
            "admin": caller.is_admin,
            "flags": "{}",
            "entity": caller.name,
            "deletedAt": None,
            "teams": {"edges": teams},
        }

    def serverInfo(self, info: GraphQLResolveInfo) -> dict[str, Any]:  # noqa: N802 - W&B's names
        # No optional feature is advertised: the client then uses its baseline protocol (plain JSON
        # file_stream, plain console lines), which is what this server implements.
        return {"features": [], "cliVersionInfo": json.dumps({})}

    def entity(self, info: GraphQLResolveInfo, name: str | None = None) -> dict[str, Any]:
        ctx = _ctx(info)
        store, name = ctx.runs.store, name or ctx.user.name
        row = store.db.read(lambda conn: store.entities.get(conn, name))
        return _entity_obj(name, None if row is None else row.kind == "team")

    def project(
        self,
        info: GraphQLResolveInfo,
        name: str | None = None,
        entityName: str | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        entity, project = _names(ctx, entityName, name)
        obj = project_obj(entity, project)
        ctx.reads.add_project_fields(obj, entity, project)
        ctx.sweeps.add_project_fields(obj, ctx.user, entity, project)

        def run(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
            row = ctx.reads.load(entity, project, name)
            if row is None:
                return None
            obj = ctx.reads.run_obj(row, entity, project)
            obj["outputArtifacts"] = lambda info, after=None, first=None: _run_artifacts(
                ctx, row, "logged", after, first
            )
            obj["inputArtifacts"] = lambda info, after=None, first=None: _run_artifacts(
                ctx, row, "used", after, first
            )
            return obj

        def bucket(info: GraphQLResolveInfo, name: str, missingOk: bool = False) -> dict[str, Any] | None:  # noqa: N803
            # `bucket` is what wandb-core reads before resuming (RunResumeStatus): the run's line
            # counts and tails, and reading it marks the run so the next UpsertBucket starts a segment.
            key = RunKey(entity, project, name)
            return ctx.runs.resume_status(ctx.user, key) or _run_obj(ctx, key)

        def version(name: str) -> tuple[str, str, Any] | None:
            base, ref = split_name(name)
            if registry_name(project) is not None:
                got = registry.version(ctx.runs.store, ctx.user, entity, project, base, ref)
                return None if got is None else got[:3]
            v = ctx.arts.version(ctx.user, entity, project, base, ref)
            if v is None and (gone := ctx.arts.tombstone(ctx.user, entity, project, base, ref)) is not None:
                raise GraphQLError(f"artifact {entity}/{project}/{base}:v{gone.version_index} was deleted")
            return None if v is None else (entity, project, v)

        def member(name: str) -> dict[str, Any] | None:
            """The membership "name:ref" names here; in a registry, the registered version (its
            number and aliases) over the artifact version it links to (registry.py)."""
            base, ref = split_name(name)
            if registry_name(project) is None:
                got = version(name)
                return None if got is None else ctx.membership(*got)
            reg = registry.version(ctx.runs.store, ctx.user, entity, project, base, ref)
            if reg is None:
                return None
            se, sp, v, aliases = reg
            return registry.as_membership(ctx.membership(se, sp, v), entity, project, base, v, aliases)

        def artifact(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
            got = version(name)
            return None if got is None else ctx.art(*got)

        def membership(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
            return member(name)

        def collection(info: GraphQLResolveInfo, name: str) -> dict[str, Any] | None:
            latest = version(f"{name}:latest")
            if latest is None:
                return None

            return {
                **collection_obj(entity, project, name),
                "artifacts": _collection_artifacts(ctx, entity, project, name),
                "latestArtifact": lambda info: ctx.art(*latest),
                "artifactMembership": lambda info, aliasName: member(f"{name}:{aliasName}"),  # noqa: N803
            }

        obj["run"] = run
        obj["bucket"] = bucket
        obj["artifact"] = artifact
        obj["artifactCollectionMembership"] = membership
        obj["artifactCollection"] = collection
        obj["artifactType"] = lambda info, name: {
            "id": encode_id("ArtifactType", entity, project, name),
            "name": name,
            "artifactCollection": lambda info, name=None, typ=name: _with_artifacts(
                ctx,
                entity,
                project,
                name,
                registry.collection(ctx.runs.store, ctx.user, entity, project, typ, name)
                if registry_name(project) is not None
                else ctx.arts.collection(ctx.user, entity, project, typ, name),
            ),
        }
        return obj

    model = project  # wandb's older name for a project

    def artifact(self, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:  # noqa: A002
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, id)
        if got is None:
            return None
        entity, project, _name, version, pending = got
        if version is not None:
            return ctx.art(entity, project, version)
        assert pending is not None
        return ctx.arts.pending_obj(pending, ctx.arts.pending_token(ctx.user, id))

    def clientIDMapping(self, info: GraphQLResolveInfo, clientID: str) -> None:  # noqa: N802, N803
        return None  # client ids are never sent while no feature asks for them

    # -- mutations ------------------------------------------------------------------------------
    def upsertBucket(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        run_id = input.get("name")
        entity, project = input.get("entityName"), input.get("modelName")
        if not run_id:
            ref = decode_id(input.get("id"), "Run")
            if ref and len(ref) == 3:
                entity, project, run_id = entity or ref[0], project or ref[1], ref[2]
        entity_name, project_name = _names(ctx, entity, project)
        key = RunKey(entity_name, project_name, run_id or new_run_id())
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
            files.append(
                {
                    "id": encode_id("File", key.entity, key.project, key.run_id, path),
                    "name": name,
                    "uploadUrl": ctx.runs.direct_put(key, path, ctx.signer.ttl)
                    or ctx.url({"e": key.entity, "p": key.project, "r": key.run_id, "f": path}),
                    "directUrl": f"{ctx.base_url}/wandb/files/{key.entity}/{key.project}/{key.run_id}/{path}",
                }
            )
        return {"runID": encode_id("Run", *_key_parts(key)), "uploadHeaders": [], "files": files}

    def markRunFilesUploaded(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        return {"success": True}

    # -- sweeps (sweeps.py) -------------------------------------------------------------------------
    def upsertSweep(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        return ctx.sweeps.upsert(ctx.user, input)

    def createAgent(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        return ctx.sweeps.create_agent(ctx.user, input)

    def agentHeartbeat(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        return ctx.sweeps.heartbeat(ctx.user, input)

    # -- artifacts (artifacts.py) -----------------------------------------------------------------
    def createArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        try:
            art_id, state, latest = ctx.arts.create(ctx.user, input)
        except WandbError as err:
            raise _fail(err) from None
        return {
            "artifact": {
                "id": art_id,
                "state": state,
                "artifactSequence": {"latestArtifact": {"id": latest} if latest else None},
            }
        }

    def _manifest(self, ctx: Context, art_id: str) -> dict[str, Any]:
        token = ctx.arts.pending_token(ctx.user, art_id)
        return {
            "artifactManifest": {
                "id": encode_id("ArtifactManifest", "pending", token),
                "file": {
                    "id": encode_id("File", "manifest", token),
                    "name": "wandb_manifest.json",
                    "uploadUrl": ctx.url({"k": "am", "a": token}),
                    "uploadHeaders": [],
                },
            }
        }

    def createArtifactManifest(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        try:
            return self._manifest(_ctx(info), input["artifactID"])
        except WandbError as err:
            raise _fail(err) from None

    def updateArtifactManifest(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ref = decode_id(input["artifactManifestID"], "ArtifactManifest")
        if not ref or len(ref) != 2:
            raise GraphQLError("unknown artifact manifest")
        try:
            return self._manifest(_ctx(info), encode_id("Artifact", "pending", ref[1]))
        except WandbError as err:
            raise _fail(err) from None

    def createArtifactFiles(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        edges = []
        try:
            for spec in input["artifactFiles"]:
                if spec.get("uploadPartsInput"):
                    raise WandbError("multipart artifact uploads (files of 2 GiB and more) are not supported")
                token = ctx.arts.pending_token(ctx.user, spec["artifactID"])
                grant = ctx.arts.file_grant(ctx.user, token, spec["name"], spec["md5"])
                url: str | None = None
                headers: list[str] = []
                if grant is not None:  # straight into the object store, else through this server
                    url, headers = ctx.arts.direct_put(grant, ctx.signer.ttl) or (ctx.url(grant), [])
                edges.append(
                    {
                        "node": {
                            "id": encode_id("File", "artifact", token, spec["name"]),
                            "name": spec["name"],
                            "storagePath": f"wandb_artifacts/{token}/{spec['name']}",
                            "uploadUrl": url,
                            "uploadHeaders": headers,
                            "uploadMultipartUrls": None,
                            "artifact": {"id": spec["artifactID"]},
                        }
                    }
                )
        except WandbError as err:
            raise _fail(err) from None
        return {"files": {"edges": edges, "pageInfo": {"endCursor": None, "hasNextPage": False}}}

    def commitArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        try:
            token = ctx.arts.pending_token(ctx.user, input["artifactID"])
            ctx.arts.commit(ctx.user, token)
        except WandbError as err:
            if err.status == 503:  # the whole answer a 503: wandb's client sends the commit again
                raise AnswerStatus(err.message, 503) from None
            raise _fail(err) from None
        got = ctx.arts.by_id(ctx.user, input["artifactID"])
        if got is None or got[3] is None:
            raise GraphQLError("the committed artifact is not readable")
        return {"artifact": {**ctx.art(got[0], got[1], got[3]), "id": input["artifactID"]}}

    def useArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, input["artifactID"])
        if got is None or got[3] is None:
            raise GraphQLError(f"artifact {input['artifactID']!r} does not exist")
        entity, project, _n, version, _ = got
        assert version is not None
        key = RunKey(input["entityName"], input["projectName"], input["runName"])
        _check_names(key)
        ctx.arts.use(ctx.user, key, entity, project, version)
        return {"artifact": ctx.art(entity, project, version)}

    def linkArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        """run.link_artifact / link_model: register the version in a runyard registry."""
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, input.get("artifactID") or "")
        if got is None or got[3] is None:
            raise GraphQLError(f"artifact {input.get('artifactID')!r} does not exist")
        entity, project, _n, version, _ = got
        assert version is not None
        try:
            index = registry.link(ctx.runs.store, ctx.user, (entity, project, version), input)
        except WandbError as err:
            raise _fail(err) from None
        return {"versionIndex": index, "artifactMembership": ctx.membership(entity, project, version)}

    def unlinkArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        """artifact.unlink() (and artifact.delete() of a linked version): out of the registry collection."""
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, input["artifactID"])
        if got is None or got[3] is None:
            raise GraphQLError(f"artifact {input['artifactID']!r} does not exist")
        try:
            registry.unlink(ctx.runs.store, ctx.user, got[3], input["artifactPortfolioID"])
        except WandbError as err:
            raise _fail(err) from None
        return {"success": True, "clientMutationId": input.get("clientMutationId")}

    def deleteArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        """artifact.delete(delete_aliases=): the version becomes a tombstone (server/deletions.py);
        the answer is the artifact as it is now, DELETED."""
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, input["artifactID"])
        if got is None or got[3] is None:
            raise GraphQLError(f"artifact {input['artifactID']!r} does not exist")
        entity, project, name, version, _ = got
        assert version is not None
        try:
            ctx.arts.delete(ctx.user, entity, project, version, bool(input.get("deleteAliases")))
        except WandbError as err:
            raise _fail(err) from None
        gone = ctx.arts.tombstone(ctx.user, entity, project, name, version.digest)
        assert gone is not None
        return {"artifact": ctx.art(entity, project, gone), "clientMutationId": input.get("clientMutationId")}

    def deleteRun(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        """Api().run(path).delete(delete_artifacts=): the run and its data and, with
        `deleteArtifacts`, the artifact versions it created (server/deletions.py)."""
        ctx = _ctx(info)
        ref = decode_id(input["id"], "Run")
        if not ref or len(ref) != 3:
            raise GraphQLError(f"run {input['id']!r} does not exist")
        try:
            ctx.runs.delete(ctx.user, RunKey(*(str(x) for x in ref)), bool(input.get("deleteArtifacts")))
        except WandbError as err:
            raise _fail(err) from None
        return {"clientMutationId": input.get("clientMutationId")}

    def _aliases(self, info: GraphQLResolveInfo, inp: dict[str, Any], add: bool) -> dict[str, Any]:
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, inp["artifactID"])
        if got is None or got[3] is None:
            raise GraphQLError(f"artifact {inp['artifactID']!r} does not exist")
        try:
            ctx.arts.change_aliases(ctx.user, got[0], got[1], got[3], inp["aliases"], add)
        except WandbError as err:
            raise _fail(err) from None
        return {"success": True, "clientMutationId": inp.get("clientMutationId")}

    def addAliases(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        """artifact.save() with aliases added: in the artifact's collection or, for a registry path
        ("model-registry" / "wandb-registry-*"), moved in that registry collection."""
        return self._aliases(info, input, True)

    def deleteAliases(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        return self._aliases(info, input, False)

    def updateArtifact(self, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        """artifact.save(): description and metadata (tags and TTL are not kept by runyard)."""
        ctx = _ctx(info)
        got = ctx.arts.by_id(ctx.user, input["artifactID"])
        if got is None or got[3] is None:
            raise GraphQLError(f"artifact {input['artifactID']!r} does not exist")
        entity, project, _n, version, _ = got
        assert version is not None
        try:
            version = ctx.arts.update(ctx.user, entity, project, version, input)
        except WandbError as err:
            raise _fail(err) from None
        return {"artifact": {**ctx.art(entity, project, version), "id": input["artifactID"]}}

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


def _run_artifacts(
    ctx: Context, row: dict[str, Any], kind: str, after: str | None, first: int | None
) -> dict[str, Any]:
    """A run's logged ("logged") or used ("used") committed versions, readable ones, in order; paged
    by offset (the cursor is the index of the last one sent)."""
    start = int(after) + 1 if after and after.isdigit() else 0
    count = max(1, min(int(first or 50), 1000))
    found = ctx.arts.run_versions(ctx.user, int(row["id"]), kind)
    page = found[start : start + count]
    edges = [
        {"node": ctx.art(entity, project, version), "cursor": str(start + i)}
        for i, (entity, project, version) in enumerate(page)
    ]
    return {
        "totalCount": len(found),
        "pageInfo": {
            "__typename": "PageInfo",
            "endCursor": edges[-1]["cursor"] if edges else after,
            "hasNextPage": start + count < len(found),
        },
        "edges": edges,
    }


def _with_artifacts(
    ctx: Context, entity: str, project: str, name: str, obj: dict[str, Any] | None
) -> dict | None:
    return None if obj is None else obj | {"artifacts": _collection_artifacts(ctx, entity, project, name)}


def _collection_artifacts(
    ctx: Context, entity: str, project: str, name: str
) -> Callable[..., dict[str, Any]]:
    """The `artifacts` field of collection e/p/name (api.artifacts(type, name),
    ArtifactCollection.artifacts()): its versions newest first, each edge with its "vN" in the
    collection (a registry's own numbers on a registry path); paged by offset. Deleted versions are
    never listed, so the client's default filter (state COMMITTED) holds."""

    def field(
        info: GraphQLResolveInfo,
        after: str | None = None,
        first: int | None = None,
        order: str | None = None,
        filters: Any = None,
    ) -> dict[str, Any]:
        if registry_name(project) is not None:
            found = registry.versions(ctx.runs.store, ctx.user, entity, project, name)
        else:
            found = ctx.arts.collection_versions(ctx.user, entity, project, name)
        start = int(after) + 1 if after and after.isdigit() else 0
        n = max(1, min(int(first or 50), 1000))
        page = found[start : start + n]
        edges = [
            {"node": ctx.art(se, sp, version), "version": label, "cursor": str(start + i)}
            for i, (label, se, sp, version) in enumerate(page)
        ]
        return {
            "totalCount": len(found),
            "pageInfo": {
                "__typename": "PageInfo",
                "endCursor": edges[-1]["cursor"] if edges else after,
                "hasNextPage": start + n < len(found),
            },
            "edges": edges,
        }

    return field


def _key_parts(key: RunKey) -> tuple[str, str, str]:
    return key.entity, key.project, key.run_id


def _check_names(key: RunKey) -> None:
    from ..http import name_problem

    for what, value in (("entity", key.entity), ("project", key.project), ("run_id", key.run_id)):
        problem = name_problem(what, value)
        if problem:
            raise GraphQLError(problem)


def _entity_obj(name: str, is_team: bool | None = None) -> dict[str, Any]:
    # runyard has no organisations: for registry paths (FetchOrgInfoFromEntity) an entity is its
    # own organisation, so "wandb-registry-<r>/<collection>" resolves to the entity's registry
    org = {
        "id": encode_id("Organization", name),
        "name": name,
        "orgEntity": {"id": encode_id("Entity", name), "name": name},
    }
    return {
        "id": encode_id("Entity", name),
        "name": name,
        "isTeam": is_team,
        "organization": None,
        "user": {"id": encode_id("User", name), "name": name, "organizations": [org]},
    }


def _email(ctx: Context) -> str | None:
    store = ctx.runs.store
    row = store.db.read(lambda conn: store.entities.get(conn, ctx.user.name))
    return getattr(row, "email", None) if row is not None else None


def _teams(ctx: Context) -> list[str]:
    from ...store.tables import entities, team_members

    store = ctx.runs.store

    def in_txn(conn: Any) -> list[str]:
        import sqlalchemy as sa

        rows = conn.execute(
            sa.select(entities.c.name)
            .join(team_members, team_members.c.team_id == entities.c.id)
            .where(team_members.c.user_id == ctx.user.id)
            .order_by(entities.c.name)
        )
        return [r.name for r in rows]

    return store.db.read(in_txn)


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
        "config": json.dumps({k: {"value": value} for k, value in (row.get("config") or {}).items()}),
        "summaryMetrics": json.dumps(row.get("summary") or {}),
        "wandbConfig": lambda info, keys=None: json.dumps(
            {
                k: value
                for k, value in ((row.get("config") or {}).get("_wandb") or {}).items()
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
