/** The run fields the core logic reads: a subset of the API's Run, so core needs no API import. */

import { flatten, getPath } from "./flatten";

export type RunState = "running" | "finished" | "failed" | "crashed" | "killed" | string;

export interface RunLike {
  id: string;
  name: string | null;
  state: RunState;
  created_at: number;
  heartbeat_at?: number | null;
  ended_at?: number | null;
  runtime?: number | null;
  tags: string[];
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  group?: string | null;
  job_type?: string | null;
  host?: string | null;
  notes?: string | null;
}

/** Built-in fields a filter, sort or column can name without a `config.`/`summary.` prefix. */
export const RUN_FIELDS = [
  "name",
  "id",
  "state",
  "tags",
  "created",
  "duration",
  "group",
  "job_type",
  "host",
  "notes",
] as const;
export type RunField = (typeof RUN_FIELDS)[number];

export function displayName(r: RunLike): string {
  return r.name || r.id;
}

/** Run duration in seconds: its runtime, which for a running run keeps growing with `now`. */
export function duration(r: RunLike, now = Date.now() / 1000): number {
  if (r.state === "running") return Math.max(r.runtime ?? 0, now - r.created_at);
  if (r.runtime != null) return r.runtime;
  const end = r.ended_at ?? (r.state === "running" ? now : (r.heartbeat_at ?? now));
  return Math.max(0, end - r.created_at);
}

/**
 * Value of a column/filter path on a run: built-in fields, `config.a.b`, `summary.x`; a bare name that
 * is no built-in looks in config, then summary.
 */
export function fieldValue(r: RunLike, path: string): unknown {
  switch (path) {
    case "name":
      return displayName(r);
    case "id":
      return r.id;
    case "state":
      return r.state;
    case "tags":
      return r.tags;
    case "created":
    case "created_at":
      return r.created_at;
    case "duration":
    case "runtime":
      return duration(r);
    case "group":
      return r.group ?? null;
    case "job_type":
      return r.job_type ?? null;
    case "host":
      return r.host ?? null;
    case "notes":
      return r.notes ?? null;
  }
  if (path.startsWith("config.")) return getPath(r.config, path.slice(7));
  if (path.startsWith("summary.")) return summaryValue(getPath(r.summary, path.slice(8)));
  const c = getPath(r.config, path);
  return c !== undefined ? c : summaryValue(getPath(r.summary, path));
}

const AGGREGATES = ["best", "last", "min", "max", "mean", "first"];

/**
 * A summary value as one number: a metric with a `define_metric` summary is stored as its aggregates
 * ({"min": 0.1} or {"min": .., "max": ..}); the one there is, else the first of AGGREGATES, stands for it.
 */
function summaryValue(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (!keys.length || !keys.every((k) => AGGREGATES.includes(k))) return v;
  const o = v as Record<string, unknown>;
  return o[AGGREGATES.find((k) => k in o)!];
}

/** Whether some run has `path` (a built-in field, or a config/summary key or a dict above keys of `cols`). */
export function knownField(path: string, cols: { config: string[]; summary: string[] }): boolean {
  if ((RUN_FIELDS as readonly string[]).includes(path) || path === "created_at" || path === "runtime") return true;
  const has = (keys: string[], k: string) => keys.some((x) => x === k || x.startsWith(`${k}.`));
  if (path.startsWith("config.")) return has(cols.config, path.slice(7));
  if (path.startsWith("summary.")) return has(cols.summary, path.slice(8));
  return has(cols.config, path) || has(cols.summary, path);
}

/** Every config and summary column across runs, flattened and sorted, for the column picker. */
export function columnKeys(runs: RunLike[], limitPerRun = 2000): { config: string[]; summary: string[] } {
  const cfg = new Set<string>();
  const sum = new Set<string>();
  for (const r of runs) {
    let n = 0;
    for (const k of Object.keys(flatten(r.config))) if (n++ < limitPerRun) cfg.add(k);
    n = 0;
    for (const k of Object.keys(flatten(r.summary))) if (!k.startsWith("_") && n++ < limitPerRun) sum.add(k);
  }
  return { config: [...cfg].sort(naturalCompare), summary: [...sum].sort(naturalCompare) };
}

const collator = new Intl.Collator(undefined, { sensitivity: "base" });
const NUMBER_RUN = /\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g;

/** A string cut into text and number pieces, compared piece by piece by `compareNaturalKeys`. */
export function naturalKey(s: string): (string | number)[] {
  const out: (string | number)[] = [];
  let at = 0;
  for (const m of s.matchAll(NUMBER_RUN)) {
    if (m.index! > at) out.push(s.slice(at, m.index));
    out.push(Number(m[0]));
    at = m.index! + m[0].length;
  }
  if (at < s.length) out.push(s.slice(at));
  return out;
}

export function compareNaturalKeys(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return x - y;
    } else if (typeof x === "number" || typeof y === "number") {
      return typeof x === "number" ? -1 : 1;
    } else {
      const c = collator.compare(x, y);
      if (c) return c;
    }
  }
  return a.length - b.length;
}

/** Natural order, numbers by value (decimals too): "loss_2" before "loss_10", "lr-0.0003" before "lr-0.001"; case-insensitive. */
export function naturalCompare(a: string, b: string): number {
  return compareNaturalKeys(naturalKey(a), naturalKey(b)) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Order for mixed cell values: numbers, then strings, then booleans/others, missing always last. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 1) return naturalCompare(a as string, b as string);
  return naturalCompare(String(a), String(b));
}

function rank(v: unknown): number {
  if (typeof v === "number") return Number.isNaN(v) ? 3 : 0;
  if (typeof v === "string") return 1;
  if (v === undefined || v === null) return 4;
  return 2;
}

export interface SortSpec {
  key: string;
  dir: "asc" | "desc";
}

/** Sort runs by a column; missing values stay last in both directions; ties keep newest first. */
export function sortRuns<R extends RunLike>(runs: R[], sort: SortSpec | null): R[] {
  if (!sort) return runs.slice().sort((a, b) => b.created_at - a.created_at);
  const sign = sort.dir === "asc" ? 1 : -1;
  // decorate once (10,000 runs: no field lookups, map gets or string splitting inside the comparator)
  const rows = runs.map((r) => {
    let v = fieldValue(r, sort.key);
    if (Array.isArray(v)) v = v.join(",");
    return { r, v, key: typeof v === "string" ? naturalKey(v) : null, missing: v === undefined || v === null, t: r.created_at };
  });
  rows.sort((a, b) => {
    if (a.missing !== b.missing) return a.missing ? 1 : -1;
    const c = a.key && b.key ? compareNaturalKeys(a.key, b.key) || (a.v! < b.v! ? -1 : a.v! > b.v! ? 1 : 0) : compareValues(a.v, b.v);
    return sign * c || b.t - a.t;
  });
  return rows.map((x) => x.r);
}

/** A run as the workspace holds it: the listing's fields it reads, and only the config and summary
 * values some column, filter, sort or grouping names (100,000 of these fit in a few tens of MB). */
export interface RunRow extends RunLike {
  last_step?: number | null;
}

const NO_VALUES: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_TAGS: string[] = Object.freeze([]) as unknown as string[];

/** The fields of `r` a RunRow keeps (empty documents and tag lists shared, not one per run). */
export function compactRun(r: RunRow): RunRow {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    created_at: r.created_at,
    heartbeat_at: r.heartbeat_at,
    ended_at: r.ended_at,
    runtime: r.runtime,
    tags: r.tags.length ? r.tags : NO_TAGS,
    config: Object.keys(r.config).length ? r.config : NO_VALUES,
    summary: Object.keys(r.summary).length ? r.summary : NO_VALUES,
    group: r.group,
    job_type: r.job_type,
    host: r.host,
    notes: r.notes,
    last_step: r.last_step,
  };
}

/** A page of the columns listing (the API's RunColumns, as core sees it). */
export interface RunColumnsLike {
  id: string[];
  name: (string | null)[];
  state: string[];
  created_at: number[];
  heartbeat_at: number[];
  ended_at: (number | null)[];
  runtime: (number | null)[];
  last_step: (number | null)[];
  tags: string[][];
  group: (string | null)[];
  job_type: (string | null)[];
  host: (string | null)[];
  notes: (string | null)[];
  values: Record<string, unknown[]>;
}

/** A document holding each asked value of run i (`config.opt.lr` -> {opt: {lr: v}}), none where it is null. */
function valuesOf(values: [string[], unknown[]][], i: number, root: string): Record<string, unknown> {
  let doc: Record<string, unknown> | null = null;
  for (const [path, vs] of values) {
    const v = vs[i];
    if (v === null || v === undefined || path[0] !== root) continue;
    doc ??= {};
    let at = doc;
    for (const k of path.slice(1, -1)) {
      if (!isDoc(at[k])) at[k] = {};
      at = at[k] as Record<string, unknown>;
    }
    at[path[path.length - 1]] = v;
  }
  return doc ?? NO_VALUES;
}

/** The rows of a columns page (a value the server answered null is left out, as a run without it). */
export function rowsOfColumns(c: RunColumnsLike): RunRow[] {
  const values = Object.entries(c.values).map(([f, vs]) => [f.split("."), vs] as [string[], unknown[]]);
  const out: RunRow[] = new Array(c.id.length);
  for (let i = 0; i < c.id.length; i++) {
    out[i] = {
      id: c.id[i],
      name: c.name[i],
      state: c.state[i],
      created_at: c.created_at[i],
      heartbeat_at: c.heartbeat_at[i],
      ended_at: c.ended_at[i],
      runtime: c.runtime[i],
      tags: c.tags[i].length ? c.tags[i] : NO_TAGS,
      config: valuesOf(values, i, "config"),
      summary: valuesOf(values, i, "summary"),
      group: c.group[i],
      job_type: c.job_type[i],
      host: c.host[i],
      notes: c.notes[i],
      last_step: c.last_step[i],
    };
  }
  return out;
}

/** The server's bounds on a listing's `fields` (runyard/wire/api_models/runs.py, MAX_FIELDS). */
const MAX_FIELDS = 100;
const MAX_FIELD_LENGTH = 300;
const MAX_FIELD_DEPTH = 8;

/**
 * The config/summary values (`config.a.b`, `summary.x`) a listing must return for these columns,
 * filter fields, sort key and grouping: built-in fields need none, a bare path is looked up in both
 * documents. Null when more are named than one listing returns: then whole documents are fetched.
 */
export function valueFields(paths: Iterable<string>): string[] | null {
  const out = new Set<string>();
  for (const p of paths) {
    if ((RUN_FIELDS as readonly string[]).includes(p) || p === "created_at" || p === "runtime") continue;
    const asked = p.startsWith("config.") || p.startsWith("summary.") ? [p] : [`config.${p}`, `summary.${p}`];
    for (const f of asked) {
      const keys = f.split(".").slice(1);
      // a path the server could not name matches no run here either: nothing to fetch
      if (f.length <= MAX_FIELD_LENGTH && keys.length <= MAX_FIELD_DEPTH && !keys.includes("")) out.add(f);
    }
  }
  return out.size > MAX_FIELDS ? null : [...out].sort();
}

function isDoc(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `a` with the values of `b` added (nested documents merged key by key; new objects, `a` unchanged). */
export function mergeValues(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(b).length) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isDoc(out[k]) && isDoc(v) ? mergeValues(out[k] as Record<string, unknown>, v) : v;
  return out;
}
