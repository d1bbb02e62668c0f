/**
 * Grouping runs by a column (usually a config key) and aggregating their lines per bucket.
 *
 * Every series of one history query shares the bucket grid, so runs are aligned on bucket index
 * (not on raw x): the group line at bucket k is the mean of the members' values at k, with a band of
 * either the members' min..max or mean +- one standard deviation (population).
 */

import { fieldValue, naturalCompare, type RunLike } from "./runs";
import type { Col } from "./series";

export type GroupBand = "minmax" | "std" | "none";

export interface RunGroup<R extends RunLike = RunLike> {
  /** stable key: JSON of the value ("null" for runs without it) */
  key: string;
  label: string;
  value: unknown;
  runs: R[];
}

export function groupRuns<R extends RunLike>(runs: R[], by: string): RunGroup<R>[] {
  const map = new Map<string, RunGroup<R>>();
  for (const r of runs) {
    let v = fieldValue(r, by);
    if (v === undefined) v = null;
    const key = JSON.stringify(v);
    let g = map.get(key);
    if (!g) {
      g = { key, label: v === null ? `${by}: (none)` : `${by}: ${typeof v === "string" ? v : JSON.stringify(v)}`, value: v, runs: [] };
      map.set(key, g);
    }
    g.runs.push(r);
  }
  return [...map.values()].sort((a, b) => {
    if (a.value === null) return 1;
    if (b.value === null) return -1;
    if (typeof a.value === "number" && typeof b.value === "number") return a.value - b.value;
    return naturalCompare(String(a.value), String(b.value));
  });
}

export interface MemberLine {
  bucket: ArrayLike<number>;
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
}

export interface GroupLine {
  x: number[];
  mean: Col;
  lo: Col;
  hi: Col;
  /** how many members had a value in the bucket */
  n: number[];
}

/** Aggregate member lines on their shared bucket grid. */
export function aggregateGroup(members: MemberLine[], band: GroupBand): GroupLine {
  const acc = new Map<number, { xs: number; n: number; sum: number; sq: number; min: number; max: number }>();
  for (const m of members) {
    for (let i = 0; i < m.bucket.length; i++) {
      const y = m.y[i];
      if (y == null || !Number.isFinite(y)) continue;
      const k = m.bucket[i];
      let a = acc.get(k);
      if (!a) {
        a = { xs: 0, n: 0, sum: 0, sq: 0, min: Infinity, max: -Infinity };
        acc.set(k, a);
      }
      a.xs += m.x[i];
      a.n++;
      a.sum += y;
      a.sq += y * y;
      if (y < a.min) a.min = y;
      if (y > a.max) a.max = y;
    }
  }
  const keys = [...acc.keys()].sort((p, q) => p - q);
  const out: GroupLine = { x: [], mean: [], lo: [], hi: [], n: [] };
  for (const k of keys) {
    const a = acc.get(k)!;
    const mean = a.sum / a.n;
    out.x.push(a.xs / a.n);
    out.mean.push(mean);
    out.n.push(a.n);
    if (band === "minmax") {
      out.lo.push(a.min);
      out.hi.push(a.max);
    } else if (band === "std") {
      const sd = Math.sqrt(Math.max(0, a.sq / a.n - mean * mean));
      out.lo.push(mean - sd);
      out.hi.push(mean + sd);
    } else {
      out.lo.push(null);
      out.hi.push(null);
    }
  }
  return out;
}
