import { describe, expect, it } from "vitest";
import { alignColumns, appendPoints, bucketOf, coarsen, fitGrid, toLine, yRange, type BucketSeries } from "./series";

const empty = (run = "r"): BucketSeries => ({ run, key: "loss", bucket: [], count: [], min: [], max: [], mean: [], last: [], last_x: [] });

/** Reference: bucket raw points on a grid the way the server does. */
function reference(xs: number[], vs: number[], a: number, b: number, B: number): BucketSeries {
  const s = empty();
  const g = { a, b, buckets: B };
  const acc = new Map<number, number[]>();
  xs.forEach((x, i) => {
    const k = bucketOf(g, x);
    acc.set(k, [...(acc.get(k) ?? []), i]);
  });
  for (const k of [...acc.keys()].sort((p, q) => p - q)) {
    const idx = acc.get(k)!;
    const v = idx.map((i) => vs[i]);
    s.bucket.push(k);
    s.count.push(idx.length);
    s.min.push(Math.min(...v));
    s.max.push(Math.max(...v));
    s.mean.push(v.reduce((p, q) => p + q, 0) / v.length);
    s.last.push(vs[idx[idx.length - 1]]);
    s.last_x.push(xs[idx[idx.length - 1]]);
  }
  return s;
}

describe("toLine", () => {
  it("draws through (last_x, mean) and keeps the envelope", () => {
    const s = reference([0, 1, 2, 3], [4, 1, 5, 9], 0, 4, 2);
    const l = toLine(s);
    expect(l.x).toEqual([1, 3]);
    expect(l.y).toEqual([2.5, 7]);
    expect(l.min).toEqual([1, 5]);
    expect(l.max).toEqual([4, 9]);
    expect(toLine(s, "last").y).toEqual([1, 9]);
  });
});

describe("alignColumns", () => {
  it("joins on the union of x with nulls where a series has no point", () => {
    const out = alignColumns([
      { x: [0, 2, 4], cols: [[1, 2, 3]] },
      { x: [1, 2], cols: [[10, 20], [-1, -2]] },
    ]);
    expect(out.x).toEqual([0, 1, 2, 4]);
    expect(out.cols).toEqual([
      [1, null, 2, 3],
      [null, 10, 20, null],
      [null, -1, -2, null],
    ]);
  });
  it("maps NaN values to null", () => {
    expect(alignColumns([{ x: [0], cols: [[NaN]] }]).cols).toEqual([[null]]);
  });
});

describe("appendPoints (live tail)", () => {
  it("gives what the server would have bucketed", () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7];
    const vs = [5, 3, 8, 1, 9, 2, 7, 4];
    const whole = reference(xs, vs, 0, 8, 4);
    const first = reference(xs.slice(0, 3), vs.slice(0, 3), 0, 8, 4);
    const { series } = appendPoints(first, { a: 0, b: 8, buckets: 4 }, xs.slice(3), vs.slice(3));
    expect(series.bucket).toEqual(whole.bucket);
    expect(series.count).toEqual(whole.count);
    expect(series.min).toEqual(whole.min);
    expect(series.max).toEqual(whole.max);
    expect(series.last).toEqual(whole.last);
    series.mean.forEach((m, i) => expect(m).toBeCloseTo(whole.mean[i] as number, 12));
  });
  it("extends the grid by whole buckets past b", () => {
    const s = reference([0, 1], [1, 2], 0, 4, 4);
    const { series, grid } = appendPoints(s, { a: 0, b: 4, buckets: 4 }, [6.5], [3]);
    expect(grid).toEqual({ a: 0, b: 7, buckets: 7 });
    expect(series.bucket).toEqual([0, 1, 6]);
  });
  it("ignores points before a (zoomed past them)", () => {
    const { series } = appendPoints(empty(), { a: 10, b: 20, buckets: 10 }, [5], [1]);
    expect(series.bucket).toEqual([]);
  });
});

describe("coarsen / fitGrid", () => {
  it("merges pairs of buckets exactly", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const vs = xs.map((x) => Math.sin(x) * x);
    const fine = reference(xs, vs, 0, 100, 20);
    const coarse = reference(xs, vs, 0, 100, 10);
    const merged = coarsen(fine, 2);
    expect(merged.bucket).toEqual(coarse.bucket);
    expect(merged.min).toEqual(coarse.min);
    expect(merged.max).toEqual(coarse.max);
    expect(merged.count).toEqual(coarse.count);
    expect(merged.last).toEqual(coarse.last);
    merged.mean.forEach((m, i) => expect(m).toBeCloseTo(coarse.mean[i] as number, 9));
  });
  it("brings a grown grid back under the target, keeping every extreme", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    const vs = xs.map((x) => (x === 777 ? 1e6 : x % 7));
    const s = reference(xs, vs, 0, 1000, 1000);
    const { series, grid } = fitGrid([s], { a: 0, b: 1000, buckets: 1000 }, 300);
    expect(grid.buckets).toBeLessThanOrEqual(300);
    expect(Math.max(...(series[0].max as number[]))).toBe(1e6);
    expect(series[0].count.reduce((p, q) => p + q, 0)).toBe(1000);
  });
});

describe("yRange", () => {
  it("spans all values, or the 5..95th percentile when ignoring outliers", () => {
    const col = Array.from({ length: 101 }, (_, i) => i);
    col[50] = 1e9;
    expect(yRange([col])).toEqual([0, 1e9]);
    const [lo, hi] = yRange([col], true)!;
    expect(lo).toBeCloseTo(5, 6);
    expect(hi).toBeLessThan(100);
  });
  it("drops non-positive values on a log axis", () => {
    expect(yRange([[-1, 0, 2, 8]], false, true)).toEqual([2, 8]);
    expect(yRange([[null]])).toBeNull();
  });
});
