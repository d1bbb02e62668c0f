import { describe, expect, it } from "vitest";
import { ema, gaussian, runningAverage, smooth, twema } from "./smoothing";

const close = (got: (number | null)[], want: (number | null)[], digits = 9) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (want[i] === null) expect(g).toBeNull();
    else expect(g).toBeCloseTo(want[i] as number, digits);
  });
};

describe("ema (TensorBoard / W&B debiased)", () => {
  it("matches hand-computed values", () => {
    // last = last*w + (1-w)*y; out = last / (1 - w^n)
    close(ema([1, 2, 3], 0.5), [1, 1.25 / 0.75, 2.125 / 0.875]);
  });
  it("first point is unbiased and weight 0 is the identity", () => {
    expect(ema([7, 1], 0.9)[0]).toBeCloseTo(7);
    close(ema([3, 1, 4, 1, 5], 0), [3, 1, 4, 1, 5]);
  });
  it("a constant series stays constant at any weight", () => {
    close(ema([2, 2, 2, 2], 0.99), [2, 2, 2, 2]);
  });
  it("gaps stay gaps and do not reset the state", () => {
    close(ema([1, null, NaN, 2], 0.5), [1, null, null, 1.25 / 0.75]);
  });
});

describe("twema (W&B time-weighted EMA)", () => {
  it("matches W&B's sample code on known values", () => {
    // w = sqrt(0.25) = 0.5; dx = 1/1000 of the range -> adj = 0.5 per point
    close(twema([0, 1, 2], [1, 2, 3], 0.25, 1000), [1, 2.5 / 1.5, 4.25 / 1.75]);
  });
  it("equals EMA(sqrt(param)) on evenly spaced points one thousandth of the range apart", () => {
    const y = Array.from({ length: 50 }, (_, i) => Math.sin(i) + i / 10);
    const x = y.map((_, i) => i * 3);
    close(twema(x, y, 0.36, 3000), ema(y, 0.6), 9);
  });
  it("smooths alike whatever the point density", () => {
    const dense = Array.from({ length: 1001 }, (_, i) => i);
    const sparse = Array.from({ length: 101 }, (_, i) => i * 10);
    const f = (x: number) => (x < 500 ? 0 : 1);
    const d = twema(dense, dense.map(f), 0.9);
    const s = twema(sparse, sparse.map(f), 0.9);
    // the smoothed value at x = 700 agrees within a few percent between 1001 and 101 points
    expect(d[700]).toBeCloseTo(s[70] as number, 1);
  });
  it("caps the weight at 0.999 and keeps gaps", () => {
    const out = twema([0, 1, 2, 3], [1, null, 3, 5], 1);
    expect(out[1]).toBeNull();
    expect(out[0]).toBe(1);
    expect(out[3]).toBeGreaterThan(1);
  });
});

describe("running average", () => {
  it("is a centred window over finite points", () => {
    close(runningAverage([1, 2, 3, 4, 5], 3), [1.5, 2, 3, 4, 4.5]);
    close(runningAverage([1, 2, 3, 4], 1), [1, 2, 3, 4]);
    close(runningAverage([1, null, 3, 5], 3), [2, null, 3, 4]);
  });
});

describe("gaussian", () => {
  it("weights neighbours by exp(-dx^2 / 2 sigma^2)", () => {
    const w1 = Math.exp(-0.5);
    const w2 = Math.exp(-2);
    const out = gaussian([0, 1, 2], [0, 0, 3], 1);
    expect(out[0]).toBeCloseTo((3 * w2) / (1 + w1 + w2), 12);
    expect(out[1]).toBeCloseTo((3 * w1) / (1 + 2 * w1), 12);
  });
  it("uses x distance, not index distance", () => {
    const out = gaussian([0, 1, 100], [0, 2, 50], 1);
    expect(out[2]).toBeCloseTo(50, 6);
  });
  it("sigma 0 is the identity", () => {
    close(gaussian([0, 1], [4, 5], 0), [4, 5]);
  });
});

describe("smooth dispatch", () => {
  it("none copies and nulls non-finite values", () => {
    close(smooth([0, 1], [1, NaN], { kind: "none", param: 0 }), [1, null]);
    close(smooth([0, 1, 2], [1, 2, 3], { kind: "ema", param: 0.5 }), ema([1, 2, 3], 0.5));
  });
});
