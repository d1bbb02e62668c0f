/**
 * `runyard.plot.*` custom charts (config `_wandb.visualize[K]` + the table logged under K) and Plotly
 * figures -> a small chart model that the components draw with uPlot (x/y charts, bars) or a grid
 * (confusion matrix).
 */

import { isDict, type Dict } from "./media";
import type { TableData } from "./table";

export interface XYSeries {
  label: string;
  x: number[];
  y: number[];
}

export type ChartSpec =
  | { kind: "xy"; mode: "line" | "points"; title: string; xLabel: string; yLabel: string; series: XYSeries[] }
  | { kind: "bar"; title: string; xLabel: string; yLabel: string; labels: string[]; values: number[] }
  | { kind: "matrix"; title: string; actual: string[]; predicted: string[]; counts: number[][] };

function toNum(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function col(t: TableData, name: unknown): number {
  return typeof name === "string" ? t.columns.indexOf(name) : -1;
}

function need(i: number, name: unknown, t: TableData): void {
  if (i < 0) throw new Error(`the chart's table has no column "${String(name)}" (columns: ${t.columns.join(", ")})`);
}

/** Points of a series, sorted by x for lines. */
function xy(t: TableData, xi: number, yi: number, rows: number[], sort: boolean): { x: number[]; y: number[] } {
  const pts: [number, number][] = [];
  for (const r of rows) {
    const x = toNum(t.rows[r][xi]);
    const y = toNum(t.rows[r][yi]);
    if (x !== null && y !== null) pts.push([x, y]);
  }
  if (sort) pts.sort((a, b) => a[0] - b[0]);
  return { x: pts.map((p) => p[0]), y: pts.map((p) => p[1]) };
}

function groupRows(t: TableData, gi: number): Map<string, number[]> {
  const m = new Map<string, number[]>();
  t.rows.forEach((r, i) => {
    const k = gi < 0 ? "" : String(r[gi] ?? "");
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(i);
  });
  return m;
}

/** Equal-width bins (Sturges, 5..50) of numbers: bar labels "a–b" and counts. */
export function binValues(values: number[], nbins?: number): { labels: string[]; values: number[]; edges: number[] } {
  if (!values.length) return { labels: [], values: [], edges: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const n = nbins ?? Math.min(50, Math.max(5, Math.ceil(Math.log2(values.length) + 1)));
  if (hi === lo) hi = lo + 1;
  const w = (hi - lo) / n;
  const counts = new Array(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - lo) / w))]++;
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + w * i);
  const f = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toPrecision(2) : String(Math.round(x * 100) / 100));
  return { labels: counts.map((_, i) => `${f(edges[i])}–${f(edges[i + 1])}`), values: counts, edges };
}

/**
 * The chart of a custom-chart config (`{panel_type, panel_config: {panelDefId, fieldSettings,
 * stringSettings}}`) over its table. Throws with a readable message for an unknown chart or a
 * missing column.
 */
export function chartFromVisualize(vis: Dict, t: TableData): ChartSpec {
  const pc = isDict(vis.panel_config) ? vis.panel_config : {};
  const id = String(pc.panelDefId ?? "");
  const f = isDict(pc.fieldSettings) ? pc.fieldSettings : {};
  const s = isDict(pc.stringSettings) ? pc.stringSettings : {};
  const title = typeof s.title === "string" ? s.title : "";
  switch (id) {
    case "wandb/line/v0":
    case "wandb/scatter/v0": {
      const xi = col(t, f.x);
      const yi = col(t, f.y);
      need(xi, f.x, t);
      need(yi, f.y, t);
      const line = id === "wandb/line/v0";
      const gi = line ? col(t, f.stroke) : -1;
      const series = [...groupRows(t, gi)].map(([k, rows]) => ({ label: k || String(f.y), ...xy(t, xi, yi, rows, line) }));
      return { kind: "xy", mode: line ? "line" : "points", title, xLabel: String(f.x), yLabel: String(f.y), series };
    }
    case "wandb/lineseries/v0": {
      const xi = col(t, f.step ?? "step");
      const ki = col(t, f.lineKey ?? "lineKey");
      const yi = col(t, f.lineVal ?? "lineVal");
      need(xi, f.step, t);
      need(yi, f.lineVal, t);
      const series = [...groupRows(t, ki)].map(([k, rows]) => ({ label: k, ...xy(t, xi, yi, rows, true) }));
      return { kind: "xy", mode: "line", title, xLabel: typeof s.xname === "string" ? s.xname : "x", yLabel: "", series };
    }
    case "wandb/area-under-curve/v0": {
      const xi = col(t, f.x);
      const yi = col(t, f.y);
      const ki = col(t, f.class ?? "class");
      need(xi, f.x, t);
      need(yi, f.y, t);
      const series = [...groupRows(t, ki)].map(([k, rows]) => ({ label: k, ...xy(t, xi, yi, rows, false) }));
      const xl = typeof s["x-axis-title"] === "string" ? s["x-axis-title"] : String(f.x);
      const yl = typeof s["y-axis-title"] === "string" ? s["y-axis-title"] : String(f.y);
      return { kind: "xy", mode: "line", title, xLabel: xl, yLabel: yl, series };
    }
    case "wandb/bar/v0": {
      const li = col(t, f.label);
      const vi = col(t, f.value);
      need(li, f.label, t);
      need(vi, f.value, t);
      const labels: string[] = [];
      const values: number[] = [];
      for (const r of t.rows) {
        const v = toNum(r[vi]);
        if (v === null) continue;
        labels.push(String(r[li] ?? ""));
        values.push(v);
      }
      return { kind: "bar", title, xLabel: String(f.label), yLabel: String(f.value), labels, values };
    }
    case "wandb/histogram/v0": {
      const vi = col(t, f.value);
      need(vi, f.value, t);
      const vals = t.rows.map((r) => toNum(r[vi])).filter((v): v is number => v !== null);
      const b = binValues(vals);
      return { kind: "bar", title, xLabel: String(f.value), yLabel: "count", labels: b.labels, values: b.values };
    }
    case "wandb/confusion_matrix/v1":
    case "wandb/confusion_matrix/v0": {
      const ai = col(t, f.Actual ?? "Actual");
      const pi = col(t, f.Predicted ?? "Predicted");
      const ni = col(t, f.nPredictions ?? "nPredictions");
      need(ai, "Actual", t);
      need(pi, "Predicted", t);
      need(ni, "nPredictions", t);
      const actual: string[] = [];
      const predicted: string[] = [];
      for (const r of t.rows) {
        const a = String(r[ai]);
        const p = String(r[pi]);
        if (!actual.includes(a)) actual.push(a);
        if (!predicted.includes(p)) predicted.push(p);
      }
      const counts = actual.map(() => predicted.map(() => 0));
      for (const r of t.rows) counts[actual.indexOf(String(r[ai]))][predicted.indexOf(String(r[pi]))] += toNum(r[ni]) ?? 0;
      return { kind: "matrix", title, actual, predicted, counts };
    }
    default:
      throw new Error(`chart type "${id || "?"}" is not supported; its table is shown instead`);
  }
}

/**
 * Several series with their own x onto one ascending x column (uPlot's aligned data): nulls where a
 * series has no point. Repeated x within a series (a vertical step of an ROC curve) is nudged by a
 * negligible epsilon so no point is lost.
 */
export function alignXY(series: XYSeries[]): { x: number[]; ys: (number | null)[][] } {
  const nudged = series.map((s) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of s.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const eps = (hi > lo ? hi - lo : 1) * 1e-9;
    const x: number[] = [];
    let prev = -Infinity;
    let streak = 0;
    for (const v of s.x) {
      streak = v === prev ? streak + 1 : 0;
      prev = v;
      x.push(v + streak * eps);
    }
    return x;
  });
  const all = new Set<number>();
  for (const x of nudged) for (const v of x) all.add(v);
  const x = [...all].sort((a, b) => a - b);
  const pos = new Map(x.map((v, i) => [v, i]));
  const ys = series.map((s, k) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    nudged[k].forEach((v, i) => (y[pos.get(v)!] = s.y[i]));
    return y;
  });
  return { x, ys };
}

/** A Plotly figure ({data: [traces], layout}) -> a chart, for scatter/line and bar traces; null otherwise. */
export function chartFromPlotly(fig: unknown): ChartSpec | null {
  if (!isDict(fig) || !Array.isArray(fig.data)) return null;
  const layout = isDict(fig.layout) ? fig.layout : {};
  const text = (v: unknown): string => (typeof v === "string" ? v : isDict(v) && typeof v.text === "string" ? v.text : "");
  const title = text(layout.title);
  const xLabel = text(isDict(layout.xaxis) ? layout.xaxis.title : "");
  const yLabel = text(isDict(layout.yaxis) ? layout.yaxis.title : "");
  const traces = fig.data.filter(isDict);
  if (!traces.length) return null;
  if (traces.every((t) => t.type === "bar")) {
    const t = traces[0];
    const xs = Array.isArray(t.x) ? t.x : [];
    const ys = Array.isArray(t.y) ? t.y : [];
    return { kind: "bar", title, xLabel, yLabel, labels: xs.map(String), values: ys.map((v) => toNum(v) ?? 0) };
  }
  if (!traces.every((t) => t.type === undefined || t.type === "scatter" || t.type === "scattergl")) return null;
  const series: XYSeries[] = traces.map((t, i) => {
    const ys = Array.isArray(t.y) ? t.y : [];
    const xs = Array.isArray(t.x) ? t.x : ys.map((_, j) => j);
    const x: number[] = [];
    const y: number[] = [];
    xs.forEach((xv, j) => {
      const a = toNum(xv);
      const b = toNum(ys[j]);
      if (a !== null && b !== null) {
        x.push(a);
        y.push(b);
      }
    });
    return { label: typeof t.name === "string" ? t.name : `trace ${i}`, x, y };
  });
  const lines = traces.some((t) => typeof t.mode !== "string" || t.mode.includes("lines"));
  return { kind: "xy", mode: lines ? "line" : "points", title, xLabel, yLabel, series };
}
