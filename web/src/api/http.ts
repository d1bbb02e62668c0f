/**
 * HTTP to the server: credentials, URLs, one `send` with one error mapping (every JSON call, chart
 * query and file goes through it), and the chart-query wire format.
 *
 * Auth: the browser session, an HttpOnly cookie set by sign-in that scripts never see (the API key
 * never enters the browser). State-changing requests carry the session's CSRF token, read from the
 * `runyard_csrf` cookie, in `X-CSRF-Token` (docs/teams.md, "Browser sign-in").
 */

import { decode, type Packed } from "../core/msgpack";
import type { components } from "./schema.gen";

/** The error envelope's fields beyond code and message (a 409 version_conflict carries `current`). */
export type ErrorExtra = Partial<components["schemas"]["ErrorBody"]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: ErrorExtra = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
  /** The server could not be reached at all (network error, server down). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

export const enc = encodeURIComponent;

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The session's CSRF token (null when signed out). */
export function csrfToken(): string | null {
  const m = /(?:^|;\s*)runyard_csrf=([^;]*)/.exec(typeof document !== "undefined" ? document.cookie : "");
  return m ? decodeURIComponent(m[1]) : null;
}

let shareToken: string | null = null;

/**
 * The page of a report's share link (`/shared/<token>`) reads with the link's token instead of a
 * session: every call (and the live stream) carries it in `X-Runyard-Share`; the server lets it read
 * that report and the data it shows, nothing else.
 */
export function setShareToken(token: string | null): void {
  shareToken = token;
}

/** Headers every call carries: the share link's token on a share link's page. */
export function baseHeaders(extra?: HeadersInit): Headers {
  const h = new Headers(extra);
  if (shareToken) h.set("X-Runyard-Share", shareToken);
  return h;
}

function headers(method: string, extra?: HeadersInit): Headers {
  const h = baseHeaders(extra);
  const token = SAFE.has(method) ? null : csrfToken();
  if (token) h.set("X-CSRF-Token", token);
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
  /** a body sent as is (with its own Content-Type header) instead of JSON */
  raw?: string;
  signal?: AbortSignal;
  headers?: HeadersInit;
}

/**
 * One request; a failure is an ApiError carrying the server's error code and message (status 0 and
 * code "unreachable" when no server answered, also for a proxy's 502/503/504).
 */
export async function send(method: string, path: string, o: SendOptions = {}): Promise<Response> {
  let res: Response;
  const h = headers(method, o.headers);
  if (o.body !== undefined) h.set("Content-Type", "application/json");
  try {
    res = await fetch(url(path, o.query), {
      method,
      headers: h,
      credentials: "same-origin",
      body: o.raw ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
      signal: o.signal,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "unreachable", `Cannot reach the runyard server (${(e as Error).message})`);
  }
  if (!res.ok) {
    let code = "error";
    let message = `${res.status} ${res.statusText}`;
    let extra: ErrorExtra = {};
    try {
      const j = await res.json();
      if (j?.error) {
        code = j.error.code ?? code;
        message = j.error.message ?? message;
        extra = j.error;
      }
    } catch {
      /* not JSON: a proxy page */
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) code = "unreachable";
    throw new ApiError(res.status, code, message, extra);
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
 * The chart queries' wire format: msgpack (numeric columns as raw little-endian arrays: 40 % fewer
 * bytes, no number parsing; measured in docs/benchmarks.md, "Web UI", and docs/reports.md) unless
 * localStorage "runyard:chart-format" is "json".
 */
function chartFormat(): "json" | "msgpack" {
  try {
    return localStorage.getItem("runyard:chart-format") === "json" ? "json" : "msgpack";
  } catch {
    return "msgpack";
  }
}

/** A GET of a columnar answer in the chart format, decoded (JSON when a server ignores the format). */
export async function requestPacked(path: string, query: Record<string, unknown>, signal?: AbortSignal): Promise<Packed> {
  const fmt = chartFormat();
  const res = await send("GET", path, { query: fmt === "json" ? query : { ...query, format: fmt }, signal });
  if (!(res.headers.get("Content-Type") ?? "").includes("msgpack")) return (await res.json()) as Packed;
  return decode(await res.arrayBuffer());
}
