/**
 * The API's types, all generated: request and response bodies are the server's models
 * (runyard/wire/api_models) through its OpenAPI document (`schema.gen.ts`, `npm run gen:api`;
 * `npm run check:api` fails when stale). Nothing here is written by hand but names.
 */

import type { components, paths } from "./schema.gen";

type Schemas = components["schemas"];
type Method = "get" | "post" | "put" | "patch" | "delete";

export type ApiPath = keyof paths;

/** Query parameters of an operation. */
export type Query<P extends ApiPath, M extends Method = "get"> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

type Operation<P extends ApiPath> = NonNullable<paths[P][Method]>;

/** Path parameters of a path template, e.g. `{ entity: string; project: string }`. */
export type PathParams<P extends ApiPath> =
  Operation<P> extends { parameters: { path: infer T } } ? T : Record<string, never>;

export type Viewer = Schemas["Viewer"];
export type Role = Schemas["ViewerTeam"]["role"];
/** The answer of a sign-in: the session's CSRF token is also in the readable `runyard_csrf` cookie. */
export type SignedIn = Schemas["SignedIn"];
export type SignedOut = Schemas["SignedOut"];
export type PasswordSet = Schemas["PasswordSet"];
export type Joined = Schemas["Joined"];
export type Visibility = Schemas["Project"]["visibility"];
export type Project = Schemas["Project"];

// -- accounts and teams (docs/teams.md) -------------------------------------------------------------
export type ApiKeyInfo = Schemas["ApiKeyRow"];
/** A new key: the only time its secret is shown. */
export type NewApiKey = Schemas["CreatedKey"];
export type BrowserSession = Schemas["SessionRow"];
export type Team = Schemas["Team"];
export type Invitation = Schemas["Invitation"];
/** A new invitation: its link is shown once. */
export type NewInvitation = Schemas["CreatedInvitation"];
export type AuditEntry = Schemas["AuditEntry"];
export type Projects = Schemas["Projects"];
export type Run = Schemas["Run"];
export type RunDetail = Schemas["RunDetail"];
export type RunsPage = Schemas["RunsPage"];
export type RunsQueryBody = Schemas["RunsQueryBody"];
export type RunColumns = Schemas["RunColumns"];
export type RunColumnsQuery = Schemas["RunColumnsQuery"];
export type HistoryResponse = Schemas["HistoryAnswer"];
export type RawHistory = Schemas["RawHistory"];
export type RawSeries = Schemas["RawSeries"];
export type MetricKey = Schemas["MetricKey"];
export type MetricKeys = Schemas["MetricKeys"];
export type ProjectKey = Schemas["ProjectKey"];
export type ProjectKeys = Schemas["ProjectKeys"];
export type Console = Schemas["Console"];
export type ConsoleLine = Schemas["ConsoleLine"];
export type RunFile = Schemas["RunFile"];
export type RunFiles = Schemas["RunFiles"];
export type Deleted = Schemas["Deleted"];
export type StreamEvent = Schemas["RunCreated" | "RunUpdated" | "RunDeleted" | "ArtifactCommitted" | "AccessRevoked"];
export type ArtifactCollection = Schemas["Collection"];
export type ArtifactCollections = Schemas["Collections"];
export type LinkedRun = Schemas["LinkedRun"];
export type ArtifactFile = Schemas["ManifestEntry"];
export type ArtifactVersion = Schemas["ArtifactVersion"];
export type ArtifactVersions = Schemas["Versions"];
/** A run's link to an artifact: the version when committed and readable, else only its name and digest
 * (state "pending": not committed yet; "hidden": in an entity the viewer may not read); a deleted
 * version (state "deleted") keeps its name, version and fields, without files. */
export type RunArtifactLink = Partial<Omit<Schemas["ArtifactVersion"], "state">> &
  Omit<Schemas["PendingLink"], "state"> & {
    state: Schemas["ArtifactVersion" | "PendingLink" | "HiddenLink" | "DeletedLink"]["state"];
  };
export type RunArtifacts = Schemas["RunArtifacts"];
export type ArtifactLineage = Schemas["Lineage"];

// -- the model registry (docs/registry.md) -------------------------------------------------------------
export type Registries = Schemas["Registries"];
export type Registry = Schemas["Registry"];
export type RegistrySummary = Schemas["RegistrySummary"];
export type RegistryCollection = Schemas["RegistryCollection"];
export type RegisteredVersion = Schemas["RegisteredVersion"];
export type RegistryEvent = Schemas["RegistryEvent"];
export type RegistryCollectionDetail = Schemas["RegistryCollectionDetail"];

// -- sweeps (docs/sweeps.md) ---------------------------------------------------------------------------
export type SweepState = Schemas["Sweep"]["state"];
export type Sweeps = Schemas["Sweeps"];
export type SweepSummary = Schemas["SweepSummary"];
export type SweepTrial = Schemas["Trial"];
export type SweepDetail = Schemas["Sweep"];

// -- saved views, reports and comments (docs/reports.md) --------------------------------------------
/** A saved workspace view; `state` is a `StoredView` (core/view.ts). */
export type SavedView = Schemas["SavedView"];
export type SavedViews = Schemas["SavedViews"];
export type DeletedId = Schemas["DeletedId"];
/** A report; its blocks are the models of runyard/wire/report_blocks.py, a union tagged on `type`. */
export type Report = Schemas["Report"];
export type Block = Report["blocks"][number];
export type RunSet = Schemas["RunSet"];
export type Reports = Schemas["Reports"];
export type ReportSummary = Schemas["ReportSummary"];
export type ReportVersion = Schemas["ReportVersion"];
export type ReportVersions = Schemas["ReportVersions"];
export type Comment = Schemas["Comment"];
export type Comments = Schemas["Comments"];
export type ShareLink = Schemas["ShareLink"];
export type ShareRevoked = Schemas["ShareRevoked"];
