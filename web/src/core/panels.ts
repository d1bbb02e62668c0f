/**
 * Panels the user adds to a workspace (W&B's "Add panel"): a line plot of several metrics, named
 * one by one or picked by a regular expression over the project's metric names, or a scalar card
 * (one summary value per run, aggregated into one big number). Kept in the workspace state (the URL).
 */

import { PALETTE } from "./colors";
import type { PlotGroup, PlotRun } from "./plot";

export type PanelKind = "line" | "scalar";
export type ScalarAgg = "first" | "mean" | "min" | "max";

export interface PanelSpec {
  /** stable within a workspace: "p1", "p2", ... */
  id: string;
  kind: PanelKind;
  title: string;
  /** metrics named one by one */
  metrics: string[];
  /** and/or every metric whose name matches (JavaScript syntax, case-sensitive, like W&B's) */
  regex: string;
  /** scalar cards: how the runs' values become the big number */
  agg: ScalarAgg;
  /** size in the grid: columns spanned (1-4) and height steps (1-3) */
  w: number;
  h: number;
}

/** Bounds on what a (possibly hand-edited or shared) URL can ask the page to draw. */
export const PANEL_LIMITS = { panels: 30, metrics: 20, text: 200, w: 4, h: 3 };

const KINDS: PanelKind[] = ["line", "scalar"];
const AGGS: ScalarAgg[] = ["first", "mean", "min", "max"];

export function newPanel(existing: PanelSpec[], kind: PanelKind = "line"): PanelSpec {
  let n = existing.length + 1;
  while (existing.some((p) => p.id === `p${n}`)) n++;
  return { id: `p${n}`, kind, title: "", metrics: [], regex: "", agg: "first", w: 1, h: 1 };
}

/** A compiled regex, or the reason it is not one. */
export function compileRegex(src: string): { re: RegExp | null; error: string | null } {
  if (!src) return { re: null, error: null };
  try {
    return { re: new RegExp(src), error: null };
  } catch (e) {
    return { re: null, error: (e as Error).message };
  }
}

/** The metrics a panel shows: the named ones, then the regex's matches among `keys`, at most PANEL_LIMITS.metrics. */
export function panelMetrics(spec: PanelSpec, keys: readonly string[]): string[] {
  const out = new Set(spec.metrics);
  const { re } = compileRegex(spec.regex);
  if (re) for (const k of keys) if (!k.startsWith("_") && re.test(k)) out.add(k);
  return [...out].slice(0, PANEL_LIMITS.metrics);
}

/** A panel's heading: its title, else what it shows. */
export function panelTitle(spec: PanelSpec, metrics: string[]): string {
  if (spec.title) return spec.title;
  if (spec.regex && !spec.metrics.length) return `/${spec.regex}/`;
  return metrics.join(", ");
}

/** Series id of one run's line of one metric in a multi-metric panel. */
export const seriesId = (run: string, metric: string) => `${run}\u001f${metric}`;

const DASHES: (number[] | undefined)[] = [undefined, [6, 4], [2, 3], [10, 3, 2, 3], [1, 6]];

/**
 * One plot line per (run, metric). With one run the metrics take the palette's colours; with several
 * runs every run keeps its colour and each metric gets its own dash pattern, so both stay readable.
 */
export function expandRuns(runs: PlotRun[], metrics: string[]): PlotRun[] {
  if (metrics.length <= 1) return runs;
  const out: PlotRun[] = [];
  metrics.forEach((m, i) => {
    for (const r of runs) {
      const one = runs.length === 1;
      out.push({
        id: seriesId(r.id, m),
        label: one ? m : `${r.label} · ${m}`,
        color: one ? PALETTE[i % PALETTE.length] : r.color,
        dash: one ? undefined : DASHES[i % DASHES.length],
      });
    }
  });
  return out;
}

/** The big number of a scalar card from the runs' values (in table order). */
export function aggregate(values: (number | null)[], agg: ScalarAgg): number | null {
  const xs = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (!xs.length) return null;
  if (agg === "first") return xs[0];
  if (agg === "min") return Math.min(...xs);
  if (agg === "max") return Math.max(...xs);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** A size within the bounds (anything else: the default, 1). */
export function sized(w: unknown, h: unknown): { w: number; h: number } {
  const clamp = (v: unknown, max: number) => (typeof v === "number" && Number.isFinite(v) ? Math.min(max, Math.max(1, Math.round(v))) : 1);
  return { w: clamp(w, PANEL_LIMITS.w), h: clamp(h, PANEL_LIMITS.h) };
}

/** The list with the panel at `from` moved to `to` (indexes into the list). */
export function movePanel<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || from >= list.length) return list;
  const out = list.slice();
  const [x] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(out.length, to)), 0, x);
  return out;
}

const str = (v: unknown, max = PANEL_LIMITS.text) => (typeof v === "string" ? v.slice(0, max) : "");

/** Panels from the URL: anything malformed is dropped, sizes are capped. */
export function decodePanels(raw: string | null): PanelSpec[] {
  if (!raw) return [];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  const out: PanelSpec[] = [];
  for (const x of v.slice(0, PANEL_LIMITS.panels)) {
    if (!x || typeof x !== "object") continue;
    const o = x as Record<string, unknown>;
    const id = str(o.id, 20);
    if (!/^p\d+$/.test(id) || out.some((p) => p.id === id)) continue;
    const kind = KINDS.includes(o.kind as PanelKind) ? (o.kind as PanelKind) : "line";
    const metrics = Array.isArray(o.metrics) ? o.metrics.filter((m): m is string => typeof m === "string" && m.length > 0).map((m) => m.slice(0, PANEL_LIMITS.text)).slice(0, PANEL_LIMITS.metrics) : [];
    const agg = AGGS.includes(o.agg as ScalarAgg) ? (o.agg as ScalarAgg) : "first";
    out.push({ id, kind, title: str(o.title), metrics, regex: str(o.regex), agg, ...sized(o.w, o.h) });
  }
  return out;
}

/** Panels for the URL: defaults left out to keep it short. */
export function encodePanels(ps: PanelSpec[]): string {
  return JSON.stringify(
    ps.map((p) => {
      const o: Record<string, unknown> = { id: p.id };
      if (p.kind !== "line") o.kind = p.kind;
      if (p.title) o.title = p.title;
      if (p.metrics.length) o.metrics = p.metrics;
      if (p.regex) o.regex = p.regex;
      if (p.agg !== "first") o.agg = p.agg;
      if (p.w !== 1) o.w = p.w;
      if (p.h !== 1) o.h = p.h;
      return o;
    }),
  );
}

/** Groups of a multi-metric panel: one per (group, metric), its members' lines of that metric. */
export function expandGroups(groups: PlotGroup[] | null, metrics: string[]): PlotGroup[] | null {
  if (!groups || metrics.length <= 1) return groups;
  return metrics.flatMap((m, i) =>
    groups.map((g) => ({ key: seriesId(g.key, m), label: `${g.label} · ${m}`, color: g.color, dash: DASHES[i % DASHES.length], runIds: g.runIds.map((id) => seriesId(id, m)) })),
  );
}

/** A multi-metric panel's series, each under its (run, metric) line id. */
export function tagSeries<T extends { run: string; key: string }>(series: T[], metrics: string[]): T[] {
  return metrics.length <= 1 ? series : series.map((s) => ({ ...s, run: seriesId(s.run, s.key) }));
}
