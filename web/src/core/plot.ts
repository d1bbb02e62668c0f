/**
 * Building one chart's columns and series list from bucketed lines: raw vs smoothed, envelopes,
 * grouped mean lines with bands. Pure: the LineChart component maps the result onto uPlot.
 */

import { withAlpha } from "./colors";
import { aggregateGroup, type GroupBand } from "./grouping";
import { alignColumns, toLine, type BucketSeries, type Col } from "./series";
import { smooth, type Smoothing } from "./smoothing";

export type SeriesRole = "raw" | "line" | "env-lo" | "env-hi" | "group" | "band-lo" | "band-hi";

export interface SeriesSpec {
  label: string;
  role: SeriesRole;
  stroke: string;
  width: number;
  /** run id (raw/line/env) or group key */
  id: string;
  /** shown in the hover legend */
  legend: boolean;
  /** dash pattern (a metric's line among several per run) */
  dash?: number[];
}

export interface PlotModel {
  data: [number[], ...Col[]];
  series: SeriesSpec[];
  /** pairs of series indexes (1-based, as uPlot counts them: 0 is x) to fill between */
  bands: { hi: number; lo: number; fill: string }[];
}

export interface PlotRun {
  id: string;
  label: string;
  color: string;
  dash?: number[];
}

export interface PlotGroup {
  key: string;
  label: string;
  color: string;
  dash?: number[];
  runIds: string[];
}

export interface PlotOptions {
  smoothing: Smoothing;
  envelope: boolean;
  logY: boolean;
  groups?: PlotGroup[] | null;
  band?: GroupBand;
  /** x range the smoothing measures time-weighted steps against (the visible window) */
  xRange?: number;
}

export function buildPlot(series: BucketSeries[], runs: PlotRun[], opt: PlotOptions): PlotModel {
  const byRun = new Map(series.map((s) => [s.run, s]));
  const sets: { x: number[]; cols: Col[] }[] = [];
  const specs: SeriesSpec[] = [];
  const bandPairs: { hi: number; lo: number; fill: string }[] = [];
  const smoothing = opt.smoothing.kind !== "none";
  const pos = (v: Col) => (opt.logY ? v.map((y) => (y !== null && y > 0 ? y : null)) : v);

  const smoothed = new Map<string, { x: number[]; bucket: number[]; y: Col }>();
  for (const r of runs) {
    const s = byRun.get(r.id);
    if (!s || !s.bucket.length) continue;
    const l = toLine(s);
    const y = smoothing ? smooth(l.x, l.y, opt.smoothing, opt.xRange) : l.y;
    smoothed.set(r.id, { x: l.x, bucket: l.bucket, y });
    if (opt.groups) continue;
    const cols: Col[] = [];
    if (opt.envelope && l.count.some((c) => c > 1)) {
      cols.push(pos(l.max), pos(l.min));
      specs.push({ label: `${r.label} max`, role: "env-hi", stroke: withAlpha(r.color, 0), width: 0, id: r.id, legend: false });
      specs.push({ label: `${r.label} min`, role: "env-lo", stroke: withAlpha(r.color, 0), width: 0, id: r.id, legend: false });
      bandPairs.push({ hi: specs.length - 1, lo: specs.length, fill: withAlpha(r.color, 0.12) });
    }
    if (smoothing) {
      cols.push(pos(l.y));
      specs.push({ label: `${r.label} (raw)`, role: "raw", stroke: withAlpha(r.color, 0.25), width: 1, id: r.id, legend: false });
    }
    cols.push(pos(y));
    specs.push({ label: r.label, role: "line", stroke: r.color, width: 1.5, id: r.id, legend: true, dash: r.dash });
    sets.push({ x: l.x, cols });
  }

  if (opt.groups) {
    for (const g of opt.groups) {
      const members = g.runIds.map((id) => smoothed.get(id)).filter((m) => m !== undefined);
      if (!members.length) continue;
      const agg = aggregateGroup(members, opt.band ?? "minmax");
      const cols: Col[] = [];
      if ((opt.band ?? "minmax") !== "none") {
        cols.push(pos(agg.hi), pos(agg.lo));
        specs.push({ label: `${g.label} hi`, role: "band-hi", stroke: withAlpha(g.color, 0), width: 0, id: g.key, legend: false });
        specs.push({ label: `${g.label} lo`, role: "band-lo", stroke: withAlpha(g.color, 0), width: 0, id: g.key, legend: false });
        bandPairs.push({ hi: specs.length - 1, lo: specs.length, fill: withAlpha(g.color, 0.18) });
      }
      cols.push(pos(agg.mean));
      specs.push({ label: `${g.label} (${members.length})`, role: "group", stroke: g.color, width: 2, id: g.key, legend: true, dash: g.dash });
      sets.push({ x: agg.x, cols });
    }
  }

  const { x, cols } = alignColumns(sets);
  return { data: [x, ...cols], series: specs, bands: bandPairs };
}
