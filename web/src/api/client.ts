/**
 * The server's API as functions, one per call: components use these (through hooks), never fetch()
 * directly. Transport, auth and errors are in http.ts, the chart-query queue in scheduler.ts, the
 * live stream in sse.ts, and the conversion of chart answers in series.ts.
 */

import { enc, fetchFile, request, requestPacked } from "./http";
import { scheduled } from "./scheduler";
import { toHistory, type History, type PackedHistory } from "./series";
import type {
  ApiPath,
  ArtifactCollection,
  ArtifactLineage,
  ArtifactVersion,
  ConsoleLine,
  MetricKey,
  PathParams,
  ProjectKey,
  Project,
  Query,
  RawSeries,
  Run,
  RunArtifactLink,
  RunDetail,
  RunFile,
  RunsPage,
  Viewer,
} from "./types";

/**
 * A path of the generated spec with its parameters filled in (each URL-encoded; a file path keeps its
 * slashes): a renamed route or a missing parameter is a compile error rather than a runtime 404.
 */
function apiPath<P extends ApiPath>(template: P, params: PathParams<P>): string {
  const values = params as Record<string, string>;
  return template.replace(/{(\w+)}/g, (_, k: string) =>
    k === "path" ? values[k].split("/").map(enc).join("/") : enc(values[k]),
  );
}

/** Bucketed history (the chart query), in the chart format, queued by `priority` (see scheduler.ts). */
async function history(path: string, query: Record<string, unknown>, priority: number, signal?: AbortSignal): Promise<History> {
  const r = await scheduled(priority, signal, () => requestPacked(path, query, signal));
  return toHistory(r as unknown as PackedHistory);
}

export const api = {
  viewer: (signal?: AbortSignal) => request<Viewer>("GET", apiPath("/api/v1/viewer", {}), { signal }),

  projects: async (signal?: AbortSignal) =>
    (await request<{ projects: Project[] }>("GET", apiPath("/api/v1/projects", {}), { signal })).projects,

  project: (e: string, pr: string, signal?: AbortSignal) =>
    request<Project>("GET", apiPath("/api/v1/projects/{entity}/{project}", { entity: e, project: pr }), { signal }),

  runsPage: (e: string, pr: string, q: Query<"/api/v1/projects/{entity}/{project}/runs">, signal?: AbortSignal) =>
    request<RunsPage>("GET", apiPath("/api/v1/projects/{entity}/{project}/runs", { entity: e, project: pr }), { query: q, signal }),

  /** Every run of a project, 1000 per request (the server's page limit). */
  allRuns: async (e: string, pr: string, signal?: AbortSignal, onPage?: (runs: Run[]) => void): Promise<Run[]> => {
    const out: Run[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page: RunsPage = await api.runsPage(e, pr, { limit: 1000, offset, order: "-created_at" }, signal);
      out.push(...page.runs);
      onPage?.(out.slice());
      offset = page.next_offset;
    }
    return out;
  },

  run: (e: string, pr: string, id: string, signal?: AbortSignal) =>
    request<RunDetail>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id }), { signal }),

  runKeys: async (e: string, pr: string, id: string, kind: "history" | "system" = "history", signal?: AbortSignal) =>
    (
      await request<{ keys: MetricKey[] }>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}/keys", { entity: e, project: pr, run_id: id }), {
        query: { kind },
        signal,
      })
    ).keys,

  /** Project-wide metric names for auto panels: one request over all the project's runs. */
  projectKeys: async (e: string, pr: string, kind: "history" | "system" = "history", signal?: AbortSignal): Promise<ProjectKey[]> =>
    (
      await request<{ keys: ProjectKey[] }>("GET", apiPath("/api/v1/projects/{entity}/{project}/keys", { entity: e, project: pr }), {
        query: { kind },
        signal,
      })
    ).keys,

  /** Bucketed history of one metric for several runs (a workspace panel). */
  history: (
    e: string,
    pr: string,
    q: { key: string; runs: string[]; buckets: number; x_axis?: string; min?: number; max?: number; priority?: number },
    signal?: AbortSignal,
  ): Promise<History> => {
    const query: Query<"/api/v1/projects/{entity}/{project}/history"> = {
      key: [q.key],
      runs: [q.runs.join(",")], // one comma-separated value, as this URL has always carried it
      buckets: q.buckets,
      x_axis: q.x_axis,
      min: q.min,
      max: q.max,
    };
    return history(
      apiPath("/api/v1/projects/{entity}/{project}/history", { entity: e, project: pr }),
      query,
      q.priority ?? 1,
      signal,
    );
  },

  /** Bucketed history of one run (all keys or some), or of its system metrics (a run page panel). */
  runHistory: (
    e: string,
    pr: string,
    id: string,
    q: { keys?: string[]; buckets: number; x_axis?: string; min?: number; max?: number; system?: boolean; priority?: number },
    signal?: AbortSignal,
  ): Promise<History> => {
    const path = q.system
      ? apiPath("/api/v1/runs/{entity}/{project}/{run_id}/system", { entity: e, project: pr, run_id: id })
      : apiPath("/api/v1/runs/{entity}/{project}/{run_id}/history", { entity: e, project: pr, run_id: id });
    const query = { keys: q.keys?.join(","), buckets: q.buckets, x_axis: q.x_axis, min: q.min, max: q.max };
    return history(path, query, q.priority ?? 1, signal);
  },

  /** Every point logged after `afterStep` (live tail: new points only, never the whole history). */
  rawTail: (e: string, pr: string, id: string, keys: string[], afterStep: number, signal?: AbortSignal) =>
    api.rawValues(e, pr, id, keys, { min: Math.floor(afterStep) + 1 }, signal),

  /** Every point of some keys (numbers and logged dicts such as media values), optionally a step range. */
  rawValues: async (e: string, pr: string, id: string, keys: string[], range?: { min?: number; max?: number }, signal?: AbortSignal) =>
    (
      await request<{ run: string; series: RawSeries[] }>(
        "GET",
        apiPath("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", { entity: e, project: pr, run_id: id }),
        { query: { keys: keys.join(","), min_step: range?.min, max_step: range?.max }, signal },
      )
    ).series,

  /** A run file's bytes as a checked Response (`maxBytes`: only its start). */
  fileResponse: (e: string, pr: string, id: string, path: string, o?: { maxBytes?: number; signal?: AbortSignal }) =>
    fetchFile(apiPath("/api/v1/runs/{entity}/{project}/{run_id}/files/{path}", { entity: e, project: pr, run_id: id, path }), o),

  console: (e: string, pr: string, id: string, after = -1, limit = 5000, signal?: AbortSignal) =>
    request<{ lines: ConsoleLine[]; next_after: number | null }>(
      "GET",
      apiPath("/api/v1/runs/{entity}/{project}/{run_id}/console", { entity: e, project: pr, run_id: id }),
      { query: { after, limit }, signal },
    ),

  files: async (e: string, pr: string, id: string, signal?: AbortSignal) =>
    (await request<{ files: RunFile[] }>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}/files", { entity: e, project: pr, run_id: id }), { signal }))
      .files,

  // -- artifacts (docs/artifacts.md) ------------------------------------------------------------------
  artifacts: async (e: string, pr: string, signal?: AbortSignal) =>
    (await request<{ artifacts: ArtifactCollection[] }>("GET", apiPath("/api/v1/artifacts/{entity}/{project}", { entity: e, project: pr }), { signal }))
      .artifacts,

  artifactVersions: async (e: string, pr: string, name: string, signal?: AbortSignal) =>
    (
      await request<{ name: string; type: string; versions: ArtifactVersion[] }>(
        "GET",
        apiPath("/api/v1/artifacts/{entity}/{project}/{name}", { entity: e, project: pr, name }),
        { signal },
      )
    ).versions,

  /** One version (`vN`, an alias or a digest), with its manifest unless `manifest` is false. */
  artifactVersion: (e: string, pr: string, name: string, version: string, manifest = true, signal?: AbortSignal) =>
    request<ArtifactVersion>(
      "GET",
      apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}", { entity: e, project: pr, name, version }),
      { query: manifest ? undefined : { manifest: "false" }, signal },
    ),

  artifactLineage: (e: string, pr: string, name: string, version: string, signal?: AbortSignal) =>
    request<ArtifactLineage>(
      "GET",
      apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}/lineage", { entity: e, project: pr, name, version }),
      { signal },
    ),

  runArtifacts: (e: string, pr: string, id: string, signal?: AbortSignal) =>
    request<{ logged: RunArtifactLink[]; used: RunArtifactLink[] }>(
      "GET",
      apiPath("/api/v1/runs/{entity}/{project}/{run_id}/artifacts", { entity: e, project: pr, run_id: id }),
      { signal },
    ),

  /** A file of an artifact version, by blob digest (`maxBytes` asks only for the start). */
  artifactBlob: async (e: string, pr: string, name: string, version: string, sha256: string, maxBytes?: number): Promise<Blob> =>
    (
      await fetchFile(
        apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}/blobs/{sha256}", { entity: e, project: pr, name, version, sha256 }),
        { maxBytes },
      )
    ).blob(),

  // -- writes -------------------------------------------------------------------------------------
  updateRun: (e: string, pr: string, id: string, patch: Partial<Pick<Run, "name" | "notes" | "tags" | "group" | "job_type">>) =>
    request<RunDetail>("PATCH", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id }), { body: patch }),

  /** Move a run to another project of its entity (created if needed); 409 run_exists on a clash. */
  moveRun: (e: string, pr: string, id: string, toProject: string) => request<RunDetail>("PATCH", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id }), { body: { project: toProject } }),

  /** Add and/or remove aliases of a version; answers the version (without its manifest). */
  setArtifactAliases: (e: string, pr: string, name: string, version: string, change: { add?: string[]; remove?: string[] }) =>
    request<ArtifactVersion>(
      "POST",
      apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}/aliases", { entity: e, project: pr, name, version }),
      { body: change },
    ),

  deleteRun: (e: string, pr: string, id: string) => request<{ deleted: string }>("DELETE", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id })),
};
