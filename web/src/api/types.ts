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
export type Project = Schemas["Project"];
export type Run = Schemas["Run"];
export type RunDetail = Schemas["RunDetail"];
export type RunsPage = Schemas["RunsPage"];
export type HistoryResponse = Schemas["HistoryAnswer"];
export type RawSeries = Schemas["RawSeries"];
export type MetricKey = Schemas["MetricKey"];
export type ProjectKey = Schemas["ProjectKey"];
export type Console = Schemas["Console"];
export type ConsoleLine = Schemas["ConsoleLine"];
export type RunFile = Schemas["RunFile"];
export type StreamEvent = Schemas["RunCreated" | "RunUpdated" | "RunDeleted" | "ArtifactCommitted" | "AccessRevoked"];
export type ArtifactCollection = Schemas["Collection"];
export type LinkedRun = Schemas["LinkedRun"];
export type ArtifactFile = Schemas["ManifestEntry"];
export type ArtifactVersion = Schemas["ArtifactVersion"];
/** A run's link to an artifact: the version when committed and readable, else only its name and digest
 * (state "pending": not committed yet; "hidden": in an entity the viewer may not read). */
export type RunArtifactLink = Partial<Omit<Schemas["ArtifactVersion"], "state">> &
  Omit<Schemas["PendingLink"], "state"> & { state: Schemas["ArtifactVersion" | "PendingLink" | "HiddenLink"]["state"] };
export type RunArtifacts = Schemas["RunArtifacts"];
export type ArtifactLineage = Schemas["Lineage"];
