/**
 * Server-bucketed history -> uPlot columns.
 *
 * A history query over x in [a, b] with B buckets returns, per (run, key), the non-empty buckets with
 * count/min/max/mean/last and last_x (the x of the bucket's last point). A line is drawn through
 * (last_x, mean) -- with one point per bucket that is the exact point -- and the min/max envelope is
 * kept per bucket, so no extreme is ever thinned away. Live points are merged into the same grid
 * exactly (`appendPoints`), and the grid is coarsened by whole pairs of buckets when it grows
 * (`coarsen`), which keeps min/max exact too.
 */

export interface BucketSeries {
  run: string;
  key: string;
  /** bucket index in [0, B) for each non-empty bucket, ascending */
  bucket: number[];
  count: number[];
  min: (number | null)[];
  max: (number | null)[];
  mean: (number | null)[];
  last: (number | null)[];
  last_x: number[];
}

export interface BucketGrid {
  a: number;
  b: number;
  buckets: number;
}

export type Col = (number | null)[];

export interface Line {
  x: number[];
  y: Col;
  min: Col;
  max: Col;
  bucket: number[];
  count: number[];
}

/** The drawable line of one series: x = last_x, y = mean (or last), plus its envelope. */
export function toLine(s: BucketSeries, use: "mean" | "last" = "mean"): Line {
  return {
    x: s.last_x.slice(),
    y: (use === "last" ? s.last : s.mean).map(nn),
    min: s.min.map(nn),
    max: s.max.map(nn),
    bucket: s.bucket.slice(),
    count: s.count.slice(),
  };
}

/**
 * Join several (x ascending, columns) sets on the union of their x values: the layout uPlot wants
 * (one shared x column, one y column per series, null where a series has no point at that x).
 * Where one set repeats an x, its last row wins.
 */
export function alignColumns(sets: { x: ArrayLike<number>; cols: ArrayLike<number | null>[] }[]): {
  x: number[];
  cols: Col[];
} {
  let total = 0;
  for (const s of sets) total += s.x.length;
  const all = new Float64Array(total);
  let o = 0;
  for (const s of sets) for (let i = 0; i < s.x.length; i++) all[o++] = s.x[i];
  all.sort();
  const x: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const v = all[i];
    if (Number.isNaN(v)) continue;
    if (x.length === 0 || x[x.length - 1] !== v) x.push(v);
  }
  const cols: Col[] = [];
  for (const s of sets) {
    const out: Col[] = s.cols.map(() => new Array<number | null>(x.length).fill(null));
    let j = 0;
    for (let i = 0; i < s.x.length; i++) {
      const xi = s.x[i];
      if (Number.isNaN(xi)) continue;
      while (x[j] < xi) j++;
      for (let c = 0; c < s.cols.length; c++) out[c][j] = nn(s.cols[c][i]);
    }
    cols.push(...out);
  }
  return { x, cols };
}

/** Bucket index of x in the grid (the last bucket also holds x == b), as the server computes it. */
export function bucketOf(g: BucketGrid, x: number): number {
  if (g.b <= g.a) return 0;
  const i = Math.floor(((x - g.a) / (g.b - g.a)) * g.buckets);
  return Math.min(Math.max(i, 0), g.buckets - 1);
}

/**
 * Merge live points (ascending x) into a bucketed series on grid `g`, exactly as if the server had
 * bucketed them too. Points past `b` extend the grid by whole buckets (same width); the new grid is
 * returned. Points before `a` are ignored (the chart is zoomed past them).
 */
export function appendPoints(
  s: BucketSeries,
  g: BucketGrid,
  xs: ArrayLike<number>,
  vs: ArrayLike<number | null>,
): { series: BucketSeries; grid: BucketGrid } {
  const out: BucketSeries = {
    ...s,
    bucket: s.bucket.slice(),
    count: s.count.slice(),
    min: s.min.slice(),
    max: s.max.slice(),
    mean: s.mean.slice(),
    last: s.last.slice(),
    last_x: s.last_x.slice(),
  };
  let grid = { ...g };
  const width = g.b > g.a ? (g.b - g.a) / g.buckets : 1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const v = nn(vs[i]);
    if (x < grid.a) continue;
    if (x > grid.b) {
      const extra = Math.ceil((x - grid.b) / width);
      grid = { a: grid.a, b: grid.b + extra * width, buckets: grid.buckets + extra };
    }
    const k = bucketOf(grid, x);
    const n = out.bucket.length;
    let at = n - 1;
    if (n === 0 || out.bucket[at] < k) {
      out.bucket.push(k);
      out.count.push(0);
      out.min.push(null);
      out.max.push(null);
      out.mean.push(null);
      out.last.push(null);
      out.last_x.push(x);
      at = n;
    } else if (out.bucket[at] > k) {
      at = lowerBound(out.bucket, k);
      if (out.bucket[at] !== k) {
        out.bucket.splice(at, 0, k);
        out.count.splice(at, 0, 0);
        out.min.splice(at, 0, null);
        out.max.splice(at, 0, null);
        out.mean.splice(at, 0, null);
        out.last.splice(at, 0, null);
        out.last_x.splice(at, 0, x);
      }
    }
    const c = out.count[at];
    out.count[at] = c + 1;
    if (v !== null) {
      const m = out.mean[at];
      // count includes NaN points on the server too; close enough for a live tail
      out.mean[at] = m === null ? v : m + (v - m) / (c + 1);
      out.min[at] = out.min[at] === null ? v : Math.min(out.min[at] as number, v);
      out.max[at] = out.max[at] === null ? v : Math.max(out.max[at] as number, v);
    }
    if (x >= out.last_x[at]) {
      out.last[at] = v;
      out.last_x[at] = x;
    }
  }
  return { series: out, grid };
}

/**
 * Merge every `factor` adjacent buckets into one (bucket k -> floor((k) / factor)), exactly:
 * min of mins, max of maxes, count-weighted mean, last of the bucket with the greatest last_x.
 */
export function coarsen(s: BucketSeries, factor: number): BucketSeries {
  const out: BucketSeries = {
    run: s.run,
    key: s.key,
    bucket: [],
    count: [],
    min: [],
    max: [],
    mean: [],
    last: [],
    last_x: [],
  };
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < s.bucket.length; i++) {
    const k = Math.floor(s.bucket[i] / factor);
    const n = out.bucket.length;
    if (n === 0 || out.bucket[n - 1] !== k) {
      if (n > 0) out.mean[n - 1] = wsum > 0 ? sum / wsum : null;
      out.bucket.push(k);
      out.count.push(0);
      out.min.push(null);
      out.max.push(null);
      out.mean.push(null);
      out.last.push(null);
      out.last_x.push(-Infinity);
      sum = 0;
      wsum = 0;
    }
    const at = out.bucket.length - 1;
    out.count[at] += s.count[i];
    const mn = s.min[i];
    const mx = s.max[i];
    if (mn !== null) out.min[at] = out.min[at] === null ? mn : Math.min(out.min[at] as number, mn);
    if (mx !== null) out.max[at] = out.max[at] === null ? mx : Math.max(out.max[at] as number, mx);
    const me = s.mean[i];
    if (me !== null) {
      sum += me * s.count[i];
      wsum += s.count[i];
    }
    if (s.last_x[i] >= out.last_x[at]) {
      out.last_x[at] = s.last_x[i];
      out.last[at] = s.last[i];
    }
  }
  if (out.bucket.length) out.mean[out.bucket.length - 1] = wsum > 0 ? sum / wsum : null;
  return out;
}

/** Coarsen a grown grid back to at most `target` buckets (by the smallest whole factor). */
export function fitGrid(
  series: BucketSeries[],
  g: BucketGrid,
  target: number,
): { series: BucketSeries[]; grid: BucketGrid } {
  if (g.buckets <= target) return { series, grid: g };
  const factor = Math.ceil(g.buckets / target);
  const buckets = Math.ceil(g.buckets / factor);
  const width = (g.b - g.a) / g.buckets;
  return {
    series: series.map((s) => coarsen(s, factor)),
    grid: { a: g.a, b: g.a + buckets * factor * width, buckets },
  };
}

/** y range of lines, optionally ignoring outliers (the 5th..95th percentile of all values, W&B-style). */
export function yRange(cols: ArrayLike<number | null>[], ignoreOutliers = false, logY = false): [number, number] | null {
  const vals: number[] = [];
  for (const c of cols)
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      if (v != null && Number.isFinite(v) && (!logY || v > 0)) vals.push(v);
    }
  if (!vals.length) return null;
  if (!ignoreOutliers) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of vals) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  }
  vals.sort((p, q) => p - q);
  return [quantile(vals, 0.05), quantile(vals, 0.95)];
}

export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function nn(v: number | null | undefined): number | null {
  return v == null || Number.isNaN(v) ? null : v;
}
