/**
 * The user's arrangement of a workspace's sections and auto-created metric panels: panel order within
 * a section, panel sizes, section names and section order. Kept in the workspace state (the URL, and
 * so in saved views) as one bounded JSON value; what is not arranged keeps its default place, so a
 * metric or section that appears later slots in where it would have been.
 */

import { movePanel, sized } from "./panels";

export interface Layout {
  /** section id -> its panels' metrics in the user's order */
  order: Record<string, string[]>;
  /** metric -> size in the grid (columns spanned, height steps); 1 x 1 is left out */
  sizes: Record<string, { w: number; h: number }>;
  /** section id -> the name the user gave it */
  names: Record<string, string>;
  /** section ids in the user's order */
  sections: string[];
}

export const EMPTY_LAYOUT: Layout = { order: {}, sizes: {}, names: {}, sections: [] };

/** Bounds on what a (possibly hand-edited or shared) URL can hold. */
export const LAYOUT_LIMITS = { sections: 200, keys: 2000, sizes: 1000, text: 200 };

/**
 * `defaults` arranged by `stored`: the stored items that still exist, in stored order, and every
 * other item placed right after the item that precedes it in `defaults` (at the start when none does).
 */
export function arrange(defaults: readonly string[], stored: readonly string[] | undefined): string[] {
  if (!stored?.length) return [...defaults];
  const exists = new Set(defaults);
  const out = [...new Set(stored.filter((k) => exists.has(k)))];
  const placed = new Set(out);
  let prev: string | null = null;
  for (const k of defaults) {
    if (!placed.has(k)) {
      out.splice(prev === null ? 0 : out.indexOf(prev) + 1, 0, k);
      placed.add(k);
    }
    prev = k;
  }
  return out;
}

/** `full` with item `from` moved to where item `to` is (both items of `full`). */
export function moveItem(full: readonly string[], from: string, to: string): string[] {
  return movePanel([...full], full.indexOf(from), full.indexOf(to));
}

/** The layout with a metric's size set (1 x 1 removes the entry). */
export function withSize(l: Layout, key: string, w: number, h: number): Layout {
  const sizes = { ...l.sizes };
  const s = sized(w, h);
  if (s.w === 1 && s.h === 1) delete sizes[key];
  else sizes[key] = s;
  return { ...l, sizes };
}

/** The layout with a section's name set (blank: back to its own name). */
export function withName(l: Layout, section: string, name: string): Layout {
  const names = { ...l.names };
  const n = name.trim().slice(0, LAYOUT_LIMITS.text);
  if (n) names[section] = n;
  else delete names[section];
  return { ...l, names };
}

export function isEmptyLayout(l: Layout): boolean {
  return !Object.keys(l.order).length && !Object.keys(l.sizes).length && !Object.keys(l.names).length && !l.sections.length;
}

const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
const text = (x: unknown): x is string => typeof x === "string" && x.length > 0 && x.length <= LAYOUT_LIMITS.text;

/** A layout from the URL: anything malformed is dropped, everything is bounded. */
export function decodeLayout(raw: string | null): Layout {
  if (!raw) return EMPTY_LAYOUT;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return EMPTY_LAYOUT;
  }
  if (!isObj(v)) return EMPTY_LAYOUT;
  const out: Layout = { order: {}, sizes: {}, names: {}, sections: [] };
  let budget = LAYOUT_LIMITS.keys;
  if (isObj(v.o))
    for (const [sec, keys] of Object.entries(v.o).slice(0, LAYOUT_LIMITS.sections)) {
      if (!text(sec) || !Array.isArray(keys)) continue;
      const ks = [...new Set(keys.filter(text))].slice(0, Math.max(0, budget));
      budget -= ks.length;
      if (ks.length) out.order[sec] = ks;
    }
  if (isObj(v.s))
    for (const [key, wh] of Object.entries(v.s).slice(0, LAYOUT_LIMITS.sizes)) {
      if (!text(key) || !Array.isArray(wh)) continue;
      const s = sized(wh[0], wh[1]);
      if (s.w !== 1 || s.h !== 1) out.sizes[key] = s;
    }
  if (isObj(v.n))
    for (const [sec, name] of Object.entries(v.n).slice(0, LAYOUT_LIMITS.sections)) if (text(sec) && typeof name === "string" && name.trim()) out.names[sec] = name.trim().slice(0, LAYOUT_LIMITS.text);
  if (Array.isArray(v.q)) out.sections = [...new Set(v.q.filter(text))].slice(0, LAYOUT_LIMITS.sections);
  return out;
}

/** A layout for the URL (short keys; empty parts left out). */
export function encodeLayout(l: Layout): string {
  const o: Record<string, unknown> = {};
  if (Object.keys(l.order).length) o.o = l.order;
  if (Object.keys(l.sizes).length) o.s = Object.fromEntries(Object.entries(l.sizes).map(([k, s]) => [k, [s.w, s.h]]));
  if (Object.keys(l.names).length) o.n = l.names;
  if (l.sections.length) o.q = l.sections;
  return JSON.stringify(o);
}
