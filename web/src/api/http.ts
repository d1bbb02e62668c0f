/**
 * HTTP to the server: the API key, URLs, one `send` with one error mapping (every JSON call, chart
 * query and file goes through it), and the chart-query wire format.
 *
 * Auth: the API key is kept in localStorage ("runyard:key") and sent as `Authorization: Bearer`.
 */

import { decode, type Packed } from "../core/msgpack";

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

export const enc = encodeURIComponent;

export function headers(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  const key = getApiKey();
  if (key) h.set("Authorization", `Bearer ${key}`);
  return h;
}

/** A same-origin API URL with the defined query values. */
export function url(path: string, query?: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return `${path}${s ? `?${s}` : ""}`;
}

export interface SendOptions {
  query?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: HeadersInit;
}

/**
 * One request; a failure is an ApiError carrying the server's error code and message (status 0 and
 * code "unreachable" when no server answered, also for a proxy's 502/503/504).
 */
export async function send(method: string, path: string, o: SendOptions = {}): Promise<Response> {
  let res: Response;
  const h = headers(o.headers);
  if (o.body !== undefined) h.set("Content-Type", "application/json");
  try {
    res = await fetch(url(path, o.query), {
      method,
      headers: h,
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
      signal: o.signal,
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

export async function request<T>(method: string, path: string, o?: SendOptions): Promise<T> {
  return (await send(method, path, o)).json() as Promise<T>;
}

/** A file's bytes (run file or artifact blob); `maxBytes` asks only for its start. */
export function fetchFile(path: string, o: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<Response> {
  return send("GET", path, { signal: o.signal, headers: o.maxBytes ? { Range: `bytes=0-${o.maxBytes - 1}` } : undefined });
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
export async function requestPacked(path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<Packed> {
  const fmt = chartFormat();
  const res = await send("GET", path, { query: fmt === "json" ? query : { ...query, format: fmt }, signal });
  if (!(res.headers.get("Content-Type") ?? "").includes("msgpack")) return (await res.json()) as Packed;
  return decode(await res.arrayBuffer());
}
