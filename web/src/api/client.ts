/**
 * The one module that talks to the server. Components call these functions (through hooks), never
 * fetch() directly, so auth, errors and URL shapes live here alone.
 *
 * Auth: the API key is kept in localStorage ("runyard:key") and sent as `Authorization: Bearer`.
 * The live stream is read with fetch() (not EventSource) so it can carry the same header.
 */

import { column, decode, type Packed } from "../core/msgpack";
import type { BucketSeries } from "../core/series";
import type { paths } from "./schema.gen";
import type {
  ArtifactCollection,
  ArtifactLineage,
  ArtifactVersion,
  ConsoleLine,
  HistoryResponse,
  MetricKey,
  ProjectKey,
  Project,
  Query,
  RawSeries,
  Run,
  RunArtifactLink,
  RunDetail,
  RunFile,
  RunsPage,
  StreamEvent,
  Viewer,
  WireSeries,
} from "./types";

const KEY_STORAGE = "runyard:key";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
  /** The server could not be reached at all (network error, server down). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

export function getApiKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    /* storage unavailable */
  }
}

const enc = encodeURIComponent;
let base = "";
/** For tests and embedding: prefix every API URL (default: same origin). */
export function setApiBase(url: string): void {
  base = url.replace(/\/$/, "");
}

function headers(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  const key = getApiKey();
  if (key) h.set("Authorization", `Bearer ${key}`);
  return h;
}

type ApiPath = keyof paths;

function url(path: string, query?: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return `${base}${path}${s ? `?${s}` : ""}`;
}

async function request<T>(
  method: string,
  path: string,
  query?: Record<string, unknown>,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  return (await send(method, path, query, body, signal)).json() as Promise<T>;
}

/**
 * The chart queries' wire format: JSON unless localStorage "runyard:chart-format" is "msgpack"
 * (numeric columns as raw little-endian arrays: 40 % fewer bytes, no number parsing; measured in
 * docs/benchmarks.md, "Web UI"). JSON stays the default while tests read chart answers as JSON.
 */
function chartFormat(): "json" | "msgpack" {
  try {
    return localStorage.getItem("runyard:chart-format") === "msgpack" ? "msgpack" : "json";
  } catch {
    return "json";
  }
}

/** A GET of a columnar answer in the chart format, decoded (JSON when a server ignores the format). */
async function requestPacked(path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<Packed> {
  const fmt = chartFormat();
  const res = await send("GET", path, fmt === "json" ? query : { ...query, format: fmt }, undefined, signal);
  if (!(res.headers.get("Content-Type") ?? "").includes("msgpack")) return (await res.json()) as Packed;
  return decode(await res.arrayBuffer());
}

/**
 * Chart queries go through a small priority queue: at most HISTORY_CONCURRENCY in flight (the server
 * answers them on a few threads; more at once only makes every answer late), lower `priority` first
 * (0: the panel the user just zoomed, which also has the server to itself until it is answered;
 * then panels in page order). Requests issued in one render are sorted before the first is sent.
 */
const HISTORY_CONCURRENCY = 4;
interface Queued {
  priority: number;
  seq: number;
  start: () => void;
}
const queue: Queued[] = [];
let inFlight = 0;
let urgentInFlight = 0;
let seq = 0;
let pumpScheduled = false;

function pump(): void {
  pumpScheduled = false;
  queue.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  while (inFlight < HISTORY_CONCURRENCY && queue.length && (urgentInFlight === 0 || queue[0].priority === 0)) {
    queue.shift()!.start();
  }
}

export function scheduled<T>(priority: number, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const item: Queued = {
      priority,
      seq: seq++,
      start: () => {
        if (signal?.aborted) return reject(new DOMException("aborted", "AbortError"));
        const urgent = priority === 0;
        inFlight++;
        if (urgent) urgentInFlight++;
        run()
          .then(resolve, reject)
          .finally(() => {
            inFlight--;
            if (urgent) urgentInFlight--;
            pump();
          });
      },
    };
    signal?.addEventListener("abort", () => {
      const i = queue.indexOf(item);
      if (i >= 0) {
        queue.splice(i, 1);
        reject(new DOMException("aborted", "AbortError"));
      }
    });
    queue.push(item);
    if (priority === 0 && urgentInFlight === 0 && inFlight < HISTORY_CONCURRENCY) {
      queue.pop();
      item.start(); // the panel the user is waiting for: no need to wait for this render's others
      return;
    }
    if (!pumpScheduled) {
      pumpScheduled = true;
      setTimeout(pump, 0);
    }
  });
}

async function send(
  method: string,
  path: string,
  query?: Record<string, unknown>,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url(path, query), {
      method,
      headers: headers(body !== undefined ? { "Content-Type": "application/json" } : undefined),
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "unreachable", `Cannot reach the runyard server (${(e as Error).message})`);
  }
  if (!res.ok) {
    let code = "error";
    let message = `${res.status} ${res.statusText}`;
    try {
      const j = await res.json();
      if (j?.error) {
        code = j.error.code ?? code;
        message = j.error.message ?? message;
      }
    } catch {
      /* not JSON: a proxy page */
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) code = "unreachable";
    throw new ApiError(res.status, code, message);
  }
  return res;
}

// Typed path helpers: the template must name a path of the generated spec, so a renamed route is a
// compile error rather than a runtime 404.
function p<P extends ApiPath>(_template: P, filled: string): string {
  return filled;
}

// -- reads ------------------------------------------------------------------------------------------

export const api = {
  viewer: (signal?: AbortSignal) => request<Viewer>("GET", p("/api/v1/viewer", "/api/v1/viewer"), undefined, undefined, signal),

  projects: async (signal?: AbortSignal) =>
    (await request<{ projects: Project[] }>("GET", p("/api/v1/projects", "/api/v1/projects"), undefined, undefined, signal))
      .projects,

  project: (e: string, pr: string, signal?: AbortSignal) =>
    request<Project>(
      "GET",
      p("/api/v1/projects/{entity}/{project}", `/api/v1/projects/${enc(e)}/${enc(pr)}`),
      undefined,
      undefined,
      signal,
    ),

  runsPage: (e: string, pr: string, q: Query<"/api/v1/projects/{entity}/{project}/runs">, signal?: AbortSignal) =>
    request<RunsPage>(
      "GET",
      p("/api/v1/projects/{entity}/{project}/runs", `/api/v1/projects/${enc(e)}/${enc(pr)}/runs`),
      q,
      undefined,
      signal,
    ),

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
    request<RunDetail>(
      "GET",
      p("/api/v1/runs/{entity}/{project}/{run_id}", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}`),
      undefined,
      undefined,
      signal,
    ),

  runKeys: async (e: string, pr: string, id: string, kind: "history" | "system" = "history", signal?: AbortSignal) =>
    (
      await request<{ keys: MetricKey[] }>(
        "GET",
        p("/api/v1/runs/{entity}/{project}/{run_id}/keys", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/keys`),
        { kind },
        undefined,
        signal,
      )
    ).keys,

  /** Project-wide metric names for auto panels: one request over all the project's runs (API-NEEDS #2). */
  projectKeys: async (e: string, pr: string, kind: "history" | "system" = "history", signal?: AbortSignal): Promise<ProjectKey[]> =>
    (
      await request<{ keys: ProjectKey[] }>(
        "GET",
        p("/api/v1/projects/{entity}/{project}/keys", `/api/v1/projects/${enc(e)}/${enc(pr)}/keys`),
        { kind },
        undefined,
        signal,
      )
    ).keys,

  /**
   * Bucketed history of one metric for several runs (the chart query), as msgpack (numeric columns
   * as raw little-endian arrays: ~40 % fewer bytes than JSON and no number parsing), queued by
   * `priority` (see `scheduled`).
   */
  history: async (
    e: string,
    pr: string,
    q: { key: string; runs: string[]; buckets: number; x_axis?: string; min?: number; max?: number; priority?: number },
    signal?: AbortSignal,
  ): Promise<{ grid: { a: number; b: number; buckets: number }; xAxis: string; series: BucketSeries[]; queryMs: number }> => {
    const query: Query<"/api/v1/projects/{entity}/{project}/history"> = {
      key: q.key,
      runs: q.runs.join(","),
      buckets: q.buckets,
      x_axis: q.x_axis,
      min: q.min,
      max: q.max,
    };
    const r = (await scheduled(q.priority ?? 1, signal, () =>
      requestPacked(
        p("/api/v1/projects/{entity}/{project}/history", `/api/v1/projects/${enc(e)}/${enc(pr)}/history`),
        query,
        signal,
      ),
    )) as unknown as PackedHistory;
    return {
      grid: { a: r.min, b: r.max, buckets: r.buckets },
      xAxis: r.x_axis,
      series: r.series.filter((s) => s.found).map(fromPacked),
      queryMs: r.query_ms,
    };
  },

  /** Bucketed history of a run (all keys or some), or its system metrics. */
  runHistory: async (
    e: string,
    pr: string,
    id: string,
    q: { keys?: string[]; buckets: number; x_axis?: string; min?: number; max?: number; system?: boolean },
    signal?: AbortSignal,
  ) => {
    const path = q.system
      ? p("/api/v1/runs/{entity}/{project}/{run_id}/system", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/system`)
      : p("/api/v1/runs/{entity}/{project}/{run_id}/history", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/history`);
    const r = await request<HistoryResponse>(
      "GET",
      path,
      { keys: q.keys?.join(","), buckets: q.buckets, x_axis: q.x_axis, min: q.min, max: q.max },
      undefined,
      signal,
    );
    return {
      grid: { a: r.min, b: r.max, buckets: r.buckets },
      xAxis: r.x_axis,
      series: r.series.filter((s) => s.found).map(fromWire),
    };
  },

  /** Every point logged after `afterStep` (live tail: new points only, never the whole history). */
  rawTail: async (e: string, pr: string, id: string, keys: string[], afterStep: number, signal?: AbortSignal) =>
    (
      await request<{ run: string; series: RawSeries[] }>(
        "GET",
        p("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/history/raw`),
        { keys: keys.join(","), min_step: Math.floor(afterStep) + 1 },
        undefined,
        signal,
      )
    ).series,

  /** Every point of some keys (numbers and logged dicts such as media values), optionally a step range. */
  rawValues: async (e: string, pr: string, id: string, keys: string[], range?: { min?: number; max?: number }, signal?: AbortSignal) =>
    (
      await request<{ run: string; series: RawSeries[] }>(
        "GET",
        p("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/history/raw`),
        { keys: keys.join(","), min_step: range?.min, max_step: range?.max },
        undefined,
        signal,
      )
    ).series,

  /** A run file's bytes as a Response (checked), fetched with the key. */
  fileResponse: async (e: string, pr: string, id: string, path: string, signal?: AbortSignal): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/files/${path.split("/").map(enc).join("/")}`, { headers: headers(), signal });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new ApiError(0, "unreachable", `Cannot reach the runyard server (${(err as Error).message})`);
    }
    if (!res.ok) throw new ApiError(res.status, res.status === 404 ? "unknown_file" : "error", `cannot read ${path} (${res.status})`);
    return res;
  },

  console: (e: string, pr: string, id: string, after = -1, limit = 5000, signal?: AbortSignal) =>
    request<{ lines: ConsoleLine[]; next_after: number | null }>(
      "GET",
      p("/api/v1/runs/{entity}/{project}/{run_id}/console", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/console`),
      { after, limit },
      undefined,
      signal,
    ),

  files: async (e: string, pr: string, id: string, signal?: AbortSignal) =>
    (
      await request<{ files: RunFile[] }>(
        "GET",
        p("/api/v1/runs/{entity}/{project}/{run_id}/files", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/files`),
        undefined,
        undefined,
        signal,
      )
    ).files,

  /** File contents as text (preview) -- fetched with the key, so it works without cookies. */
  fileText: async (e: string, pr: string, id: string, path: string, maxBytes = 256 * 1024): Promise<string> => {
    const res = await fetch(`${base}/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/files/${path.split("/").map(enc).join("/")}`, {
      headers: headers({ Range: `bytes=0-${maxBytes - 1}` }),
    });
    if (!res.ok && res.status !== 206) throw new ApiError(res.status, "error", `cannot read ${path}`);
    return res.text();
  },

  fileBlob: async (e: string, pr: string, id: string, path: string): Promise<Blob> => {
    const res = await fetch(`${base}/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/files/${path.split("/").map(enc).join("/")}`, {
      headers: headers(),
    });
    if (!res.ok) throw new ApiError(res.status, "error", `cannot download ${path}`);
    return res.blob();
  },


  // -- artifacts (docs/artifacts.md) ------------------------------------------------------------------
  artifacts: async (e: string, pr: string, signal?: AbortSignal) =>
    (
      await request<{ artifacts: ArtifactCollection[] }>(
        "GET",
        p("/api/v1/artifacts/{entity}/{project}", `/api/v1/artifacts/${enc(e)}/${enc(pr)}`),
        undefined,
        undefined,
        signal,
      )
    ).artifacts,

  artifactVersions: async (e: string, pr: string, name: string, signal?: AbortSignal) =>
    (
      await request<{ name: string; type: string; versions: ArtifactVersion[] }>(
        "GET",
        p("/api/v1/artifacts/{entity}/{project}/{name}", `/api/v1/artifacts/${enc(e)}/${enc(pr)}/${enc(name)}`),
        undefined,
        undefined,
        signal,
      )
    ).versions,

  /** One version (`vN`, an alias or a digest), with its manifest unless `manifest` is false. */
  artifactVersion: (e: string, pr: string, name: string, version: string, manifest = true, signal?: AbortSignal) =>
    request<ArtifactVersion>(
      "GET",
      p("/api/v1/artifacts/{entity}/{project}/{name}/{version}", `/api/v1/artifacts/${enc(e)}/${enc(pr)}/${enc(name)}/${enc(version)}`),
      manifest ? undefined : { manifest: "false" },
      undefined,
      signal,
    ),

  artifactLineage: (e: string, pr: string, name: string, version: string, signal?: AbortSignal) =>
    request<ArtifactLineage>(
      "GET",
      p("/api/v1/artifacts/{entity}/{project}/{name}/{version}/lineage", `/api/v1/artifacts/${enc(e)}/${enc(pr)}/${enc(name)}/${enc(version)}/lineage`),
      undefined,
      undefined,
      signal,
    ),

  runArtifacts: (e: string, pr: string, id: string, signal?: AbortSignal) =>
    request<{ logged: RunArtifactLink[]; used: RunArtifactLink[] }>(
      "GET",
      p("/api/v1/runs/{entity}/{project}/{run_id}/artifacts", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}/artifacts`),
      undefined,
      undefined,
      signal,
    ),

  /** A file of an artifact version, by blob digest (checked; `maxBytes` asks only for the start). */
  artifactBlob: async (e: string, pr: string, name: string, version: string, sha256: string, maxBytes?: number): Promise<Blob> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/artifacts/${enc(e)}/${enc(pr)}/${enc(name)}/${enc(version)}/blobs/${enc(sha256)}`, {
        headers: headers(maxBytes ? { Range: `bytes=0-${maxBytes - 1}` } : undefined),
      });
    } catch (err) {
      throw new ApiError(0, "unreachable", `Cannot reach the runyard server (${(err as Error).message})`);
    }
    if (!res.ok) throw new ApiError(res.status, res.status === 404 ? "unknown_file" : "error", `cannot read blob ${sha256.slice(0, 12)} (${res.status})`);
    return res.blob();
  },

  // -- writes -------------------------------------------------------------------------------------
  updateRun: (e: string, pr: string, id: string, patch: Partial<Pick<Run, "name" | "notes" | "tags" | "group" | "job_type">>) =>
    request<RunDetail>("PATCH", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}`, undefined, patch),

  /** Move a run to another project of its entity (created if needed); 409 run_exists on a clash. */
  moveRun: (e: string, pr: string, id: string, toProject: string) =>
    request<RunDetail>("PATCH", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}`, undefined, { project: toProject }),

  /** Add and/or remove aliases of a version; answers the version (without its manifest). */
  setArtifactAliases: (e: string, pr: string, name: string, version: string, change: { add?: string[]; remove?: string[] }) =>
    request<ArtifactVersion>(
      "POST",
      p("/api/v1/artifacts/{entity}/{project}/{name}/{version}/aliases", `/api/v1/artifacts/${enc(e)}/${enc(pr)}/${enc(name)}/${enc(version)}/aliases`),
      undefined,
      change,
    ),

  deleteRun: (e: string, pr: string, id: string) =>
    request<{ deleted: string }>("DELETE", `/api/v1/runs/${enc(e)}/${enc(pr)}/${enc(id)}`),
};

type PackedHistory = Omit<HistoryResponse, "series"> & { series: ({ run: string; key: string; found: boolean } & Record<string, Packed>)[] };

/** msgpack (or JSON) wire series -> core BucketSeries; non-finite values become null. */
export function fromPacked(s: { run: string; key: string } & Record<string, Packed>): BucketSeries {
  return {
    run: s.run,
    key: s.key,
    bucket: column(s.bucket) as number[],
    count: column(s.count) as number[],
    min: column(s.min, true),
    max: column(s.max, true),
    mean: column(s.mean, true),
    last: column(s.last, true),
    last_x: column(s.last_x ?? s.x) as number[],
  };
}

/** Wire series -> core BucketSeries (the "NaN"/"Infinity" strings the server uses for JSON become null). */
export function fromWire(s: WireSeries): BucketSeries {
  const num = (a: (number | string | null)[] | undefined) =>
    (a ?? []).map((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
  return {
    run: s.run,
    key: s.key,
    bucket: s.bucket ?? [],
    count: s.count ?? [],
    min: num(s.min),
    max: num(s.max),
    mean: num(s.mean),
    last: num(s.last),
    last_x: s.last_x ?? s.x ?? [],
  };
}

/**
 * Subscribe to live events of a project over SSE (read with fetch, so the API key header is sent).
 * Reconnects with backoff; returns an unsubscribe function.
 */
export function subscribe(
  project: string,
  onEvent: (ev: StreamEvent) => void,
  onStatus?: (connected: boolean) => void,
): () => void {
  let stopped = false;
  let ctrl: AbortController | null = null;
  let delay = 500;
  const loop = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch(url("/api/v1/stream", { project }), { headers: headers(), signal: ctrl.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onStatus?.(true);
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i: number;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block
              .split("\n")
              .filter((l) => l.startsWith("data:"))
              .map((l) => l.slice(5).trimStart())
              .join("\n");
            if (data) {
              try {
                onEvent(JSON.parse(data) as StreamEvent);
              } catch {
                /* ignore a malformed event */
              }
            }
          }
        }
      } catch {
        /* fall through to reconnect */
      }
      if (stopped) break;
      onStatus?.(false);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void loop();
  return () => {
    stopped = true;
    ctrl?.abort();
  };
}
