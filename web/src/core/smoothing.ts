/**
 * Line smoothing, as W&B defines it (docs: "Smooth line plots").
 *
 * Every function takes the x and y columns of one series (y may hold null/NaN gaps) and returns a new
 * y column of the same length. Gaps stay gaps and do not disturb the smoothing state.
 */

export type SmoothingKind = "none" | "ema" | "twema" | "running" | "gaussian";

export interface Smoothing {
  kind: SmoothingKind;
  /** ema/twema: weight in [0, 1); running: window in points; gaussian: standard deviation in x units. */
  param: number;
}

export const NO_SMOOTHING: Smoothing = { kind: "none", param: 0 };

/** W&B's VIEWPORT_SCALE: time-weighted EMA measures x steps in thousandths of the visible x range. */
export const VIEWPORT_SCALE = 1000;

type Num = number | null | undefined;
export type YCol = ArrayLike<Num>;

const ok = (v: Num): v is number => v != null && Number.isFinite(v);

/**
 * Debiased exponential moving average (TensorBoard's, W&B's "EMA"):
 * `last = last * w + (1 - w) * y; out = last / (1 - w^n)`, n counting the finite points so far.
 */
export function ema(y: YCol, weight: number): (number | null)[] {
  const w = clampWeight(weight);
  let last = 0;
  let n = 0;
  const out: (number | null)[] = new Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!ok(v)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    const debias = 1 - Math.pow(w, n);
    out[i] = debias === 0 ? v : last / debias;
  }
  return out;
}

/**
 * W&B's time-weighted EMA (the default): the decay per point is `sqrt(param)` (capped at 0.999) raised
 * to the x distance from the previous point in thousandths of the series' x range, so lines with
 * different point densities smooth alike. Debiased by the running sum of weights.
 */
export function twema(x: YCol, y: YCol, param: number, rangeOfX?: number): (number | null)[] {
  const w = Math.min(Math.sqrt(Math.max(param || 0, 0)), 0.999);
  const range = rangeOfX ?? xRange(x, y);
  let lastY = 0;
  let debias = 0;
  let prevX: number | null = null;
  const out: (number | null)[] = new Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const xi = x[i];
    if (!ok(v) || !ok(xi)) {
      out[i] = null;
      continue;
    }
    const dx = prevX === null || range <= 0 ? 0 : ((xi - prevX) / range) * VIEWPORT_SCALE;
    const adj = Math.pow(w, dx);
    lastY = lastY * adj + v;
    debias = debias * adj + 1;
    out[i] = lastY / debias;
    prevX = xi;
  }
  return out;
}

/** Centred running average over `window` points (the point, and up to window/2 finite points each side). */
export function runningAverage(y: YCol, window: number): (number | null)[] {
  const idx: number[] = [];
  for (let i = 0; i < y.length; i++) if (ok(y[i])) idx.push(i);
  const out: (number | null)[] = new Array(y.length).fill(null);
  const win = Math.max(1, Math.round(window));
  const before = Math.floor((win - 1) / 2);
  const after = win - 1 - before;
  const prefix = new Float64Array(idx.length + 1);
  for (let k = 0; k < idx.length; k++) prefix[k + 1] = prefix[k] + (y[idx[k]] as number);
  for (let k = 0; k < idx.length; k++) {
    const lo = Math.max(0, k - before);
    const hi = Math.min(idx.length - 1, k + after);
    out[idx[k]] = (prefix[hi + 1] - prefix[lo]) / (hi - lo + 1);
  }
  return out;
}

/**
 * Gaussian kernel smoothing over x: each output is the average of the points within 3 sigma of it,
 * weighted by exp(-dx^2 / (2 sigma^2)). x must be ascending (chart columns are).
 */
export function gaussian(x: YCol, y: YCol, sigma: number): (number | null)[] {
  const out: (number | null)[] = new Array(y.length).fill(null);
  if (!(sigma > 0)) {
    for (let i = 0; i < y.length; i++) out[i] = ok(y[i]) ? (y[i] as number) : null;
    return out;
  }
  const xs: number[] = [];
  const ys: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const xi = x[i];
    const yi = y[i];
    if (ok(xi) && ok(yi)) {
      xs.push(xi);
      ys.push(yi);
      at.push(i);
    }
  }
  const reach = 3 * sigma;
  const inv = 1 / (2 * sigma * sigma);
  let lo = 0;
  for (let k = 0; k < xs.length; k++) {
    while (xs[lo] < xs[k] - reach) lo++;
    let sw = 0;
    let s = 0;
    for (let j = lo; j < xs.length && xs[j] <= xs[k] + reach; j++) {
      const d = xs[j] - xs[k];
      const wgt = Math.exp(-d * d * inv);
      sw += wgt;
      s += wgt * ys[j];
    }
    out[at[k]] = s / sw;
  }
  return out;
}

export function smooth(x: YCol, y: YCol, s: Smoothing, rangeOfX?: number): (number | null)[] {
  switch (s.kind) {
    case "ema":
      return ema(y, s.param);
    case "twema":
      return twema(x, y, s.param, rangeOfX);
    case "running":
      return runningAverage(y, s.param);
    case "gaussian":
      return gaussian(x, y, s.param);
    default:
      return Array.from(y, (v) => (ok(v) ? v : null));
  }
}

/** Default parameter per kind, and the slider's bounds. */
export const SMOOTHING_DEFAULTS: Record<SmoothingKind, { param: number; min: number; max: number; step: number }> = {
  none: { param: 0, min: 0, max: 0, step: 0 },
  ema: { param: 0.6, min: 0, max: 0.99, step: 0.01 },
  twema: { param: 0.6, min: 0, max: 0.99, step: 0.01 },
  running: { param: 10, min: 1, max: 200, step: 1 },
  gaussian: { param: 5, min: 0, max: 1000, step: 1 },
};

function clampWeight(w: number): number {
  return Math.min(Math.max(Number.isFinite(w) ? w : 0, 0), 0.999999);
}

function xRange(x: YCol, y: YCol): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (ok(xi) && ok(y[i])) {
      if (xi < lo) lo = xi;
      if (xi > hi) hi = xi;
    }
  }
  return hi > lo ? hi - lo : 0;
}
