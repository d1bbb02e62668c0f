/**
 * The plain logic of the sweep views: axes of a parallel-coordinates plot (numeric or categorical),
 * brushing (a range per axis keeps the rows inside every range), scales, best-so-far of a metric, and
 * the parameter names of nested configs. Components in components/ParallelCoordinates.tsx and
 * components/Scatter.tsx draw what this computes.
 */

export type Value = number | string | boolean | null | undefined;

/** One line of a parallel-coordinates plot / one point of a scatter: a trial or a run. */
export interface Row {
  id: string;
  label: string;
  color: string;
  values: Record<string, Value>;
}

export type Axis =
  | { key: string; kind: "number"; min: number; max: number; log: boolean }
  | { key: string; kind: "category"; categories: string[] };

/** A brush keeps the rows whose value on `key` lies in [lo, hi] (as a 0..1 position on the axis). */
export interface Brush {
  key: string;
  lo: number;
  hi: number;
}

const isNum = (v: Value): v is number => typeof v === "number" && Number.isFinite(v);

/** The axis of `key` over `rows`: numeric when every present value is a number, else categorical. */
export function makeAxis(key: string, rows: Row[]): Axis | null {
  const present = rows.map((r) => r.values[key]).filter((v) => v !== null && v !== undefined);
  if (!present.length) return null;
  if (present.every(isNum)) {
    const nums = present as number[];
    let min = Math.min(...nums);
    let max = Math.max(...nums);
    // a positive range spanning more than two decades reads better on a log axis (learning rates)
    const log = min > 0 && max / min > 100;
    if (min === max) {
      min -= 0.5;
      max += 0.5;
    }
    return { key, kind: "number", min, max, log };
  }
  const cats = [...new Set(present.map((v) => String(v)))].sort();
  return { key, kind: "category", categories: cats };
}

/** Where `v` lies on `axis`, 0 (bottom) .. 1 (top); null when the row has no value there. */
export function position(axis: Axis, v: Value): number | null {
  if (v === null || v === undefined) return null;
  if (axis.kind === "category") {
    const i = axis.categories.indexOf(String(v));
    if (i < 0) return null;
    return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
  }
  if (!isNum(v)) return null;
  if (axis.log) {
    if (v <= 0) return null;
    return (Math.log(v) - Math.log(axis.min)) / (Math.log(axis.max) - Math.log(axis.min));
  }
  return (v - axis.min) / (axis.max - axis.min);
}

/** The value at position `p` of a numeric axis (tick labels, brush labels). */
export function valueAt(axis: Axis, p: number): number | string {
  if (axis.kind === "category") return axis.categories[Math.round(p * (axis.categories.length - 1))] ?? "";
  if (axis.log) return Math.exp(Math.log(axis.min) + p * (Math.log(axis.max) - Math.log(axis.min)));
  return axis.min + p * (axis.max - axis.min);
}

/** The rows inside every brush (a row without a value on a brushed axis is out). */
export function brushed(rows: Row[], axes: Axis[], brushes: Brush[]): Row[] {
  if (!brushes.length) return rows;
  const byKey = new Map(axes.map((a) => [a.key, a]));
  return rows.filter((r) =>
    brushes.every((b) => {
      const axis = byKey.get(b.key);
      if (!axis) return true;
      const p = position(axis, r.values[b.key]);
      return p !== null && p >= b.lo - 1e-9 && p <= b.hi + 1e-9;
    }),
  );
}

/** Whether two brushed sets (null: no brush) hold the same ids: a workspace keeps its table's filter
 * when a redraw brushes the same runs again. */
export function sameIds(a: Set<string> | null, b: Set<string> | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && [...a].every((id) => b.has(id));
}

/** Replaces the brush of `key` (a range under a few pixels clears it: a click on the axis). */
export function setBrush(brushes: Brush[], key: string, a: number, b: number, minSpan = 0.01): Brush[] {
  const rest = brushes.filter((x) => x.key !== key);
  const lo = Math.max(0, Math.min(a, b));
  const hi = Math.min(1, Math.max(a, b));
  return hi - lo < minSpan ? rest : [...rest, { key, lo, hi }];
}

/** The running best of a metric over trials in order (null until a first value). */
export function bestSoFar(values: (number | null)[], goal: "minimize" | "maximize"): (number | null)[] {
  let best: number | null = null;
  return values.map((v) => {
    if (v !== null && Number.isFinite(v) && (best === null || (goal === "minimize" ? v < best : v > best))) best = v;
    return best;
  });
}

/** `{a: {b: 1}, c: 2}` -> `{"a.b": 1, c: 2}`: nested sweep parameters as dotted names. */
export function flattenParams(params: Record<string, unknown>, prefix = ""): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v && typeof v === "object" && !Array.isArray(v)) Object.assign(out, flattenParams(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[prefix + k] = Array.isArray(v) ? JSON.stringify(v) : (v as Value);
  }
  return out;
}

/** A short label for an axis tick. */
export function tick(v: Value): string {
  if (typeof v !== "number") {
    const s = String(v ?? "");
    return s.length > 12 ? `${s.slice(0, 11)}…` : s;
  }
  const a = Math.abs(v);
  if (a < 1e-12) return "0"; // a correlation of 1e-16 is float noise around 0
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** A colour from best (0: blue) to worst (1: orange) for a metric's rank; grey without a value. */
export function rampColor(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "#9aa0a6";
  const q = Math.max(0, Math.min(1, p));
  return `hsl(${Math.round(215 - 190 * q)} 75% 48%)`;
}
