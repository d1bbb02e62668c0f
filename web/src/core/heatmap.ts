/**
 * Histograms over steps as one heatmap: x = step, y = value bins, colour = count. Each logged
 * histogram has its own bin edges, so every one is re-binned onto a common y grid by overlap
 * (a bin's count is spread evenly over its width), which keeps totals exact.
 */

export interface Hist {
  values: number[];
  bins: number[];
}

export interface HeatGrid {
  steps: number[];
  /** y edges, ny + 1 ascending */
  edges: number[];
  ny: number;
  /** counts[col * ny + row], row 0 = lowest bin */
  counts: Float64Array;
  max: number;
}

/** Read a logged `histogram` value ({values, bins}); null when malformed. */
export function asHist(v: unknown): Hist | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.values) || !Array.isArray(o.bins) || o.bins.length !== o.values.length + 1) return null;
  const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : 0);
  return { values: o.values.map(num), bins: o.bins.map(num) };
}

export function heatGrid(steps: number[], hists: Hist[], ny = 64): HeatGrid {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of hists) {
    if (!h.bins.length) continue;
    lo = Math.min(lo, h.bins[0]);
    hi = Math.max(hi, h.bins[h.bins.length - 1]);
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = Array.from({ length: ny + 1 }, (_, i) => lo + ((hi - lo) * i) / ny);
  const counts = new Float64Array(steps.length * ny);
  const dy = (hi - lo) / ny;
  let max = 0;
  hists.forEach((h, col) => {
    for (let b = 0; b < h.values.length; b++) {
      const c = h.values[b];
      if (!c) continue;
      const a0 = h.bins[b];
      const a1 = h.bins[b + 1];
      const w = a1 - a0;
      if (w <= 0) {
        const r = Math.min(ny - 1, Math.max(0, Math.floor((a0 - lo) / dy)));
        counts[col * ny + r] += c;
        continue;
      }
      const r0 = Math.max(0, Math.floor((a0 - lo) / dy));
      const r1 = Math.min(ny - 1, Math.ceil((a1 - lo) / dy) - 1);
      for (let r = r0; r <= r1; r++) {
        const ov = Math.min(a1, edges[r + 1]) - Math.max(a0, edges[r]);
        if (ov > 0) counts[col * ny + r] += (c * ov) / w;
      }
    }
  });
  for (let i = 0; i < counts.length; i++) if (counts[i] > max) max = counts[i];
  return { steps, edges, ny, counts, max };
}

/** Colour scale (viridis, 9 stops, linear between): t in [0, 1] -> [r, g, b]. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [72, 36, 117], [64, 67, 135], [52, 94, 141], [41, 120, 142], [32, 144, 140], [34, 167, 132], [68, 190, 112], [121, 209, 81], [189, 222, 38], [253, 231, 37],
];

export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** Count -> colour position: sqrt scale so small counts stay visible next to a tall peak. */
export function heatLevel(count: number, max: number): number {
  return max > 0 && count > 0 ? Math.sqrt(count / max) : 0;
}
