import { describe, expect, it } from "vitest";
import { buildPlot } from "./plot";
import type { BucketSeries } from "./series";

const s = (run: string, xs: number[], ys: number[], count = 1): BucketSeries => ({
  run,
  key: "loss",
  bucket: xs.map((_, i) => i),
  count: xs.map(() => count),
  min: ys.map((y) => y - 1),
  max: ys.map((y) => y + 1),
  mean: ys,
  last: ys,
  last_x: xs,
});
const runs = [
  { id: "a", label: "A", color: "#1f6fd1" },
  { id: "b", label: "B", color: "#d1461f" },
];

describe("buildPlot", () => {
  it("one line per run, envelopes as bands when buckets hold several points", () => {
    const m = buildPlot([s("a", [0, 1], [1, 2], 5), s("b", [0, 2], [3, 4])], runs, { smoothing: { kind: "none", param: 0 }, envelope: true, logY: false });
    expect(m.series.map((x) => x.role)).toEqual(["env-hi", "env-lo", "line", "line"]);
    expect(m.bands).toEqual([{ hi: 1, lo: 2, fill: "rgba(31, 111, 209, 0.12)" }]);
    expect(m.data[0]).toEqual([0, 1, 2]);
    expect(m.data[3]).toEqual([1, 2, null]);
    expect(m.data[4]).toEqual([3, null, 4]);
  });
  it("smoothing keeps the raw line faint behind the smoothed one", () => {
    const m = buildPlot([s("a", [0, 1, 2], [1, 2, 3])], runs, { smoothing: { kind: "ema", param: 0.5 }, envelope: true, logY: false });
    expect(m.series.map((x) => [x.role, x.legend])).toEqual([["raw", false], ["line", true]]);
    expect(m.series[0].stroke).toBe("rgba(31, 111, 209, 0.25)");
    expect(m.data[1]).toEqual([1, 2, 3]);
    expect(m.data[2][2]).toBeCloseTo(2.125 / 0.875);
  });
  it("groups draw a mean line with a band instead of member lines", () => {
    const m = buildPlot([s("a", [0, 1], [1, 3]), s("b", [0, 1], [3, 5])], runs, {
      smoothing: { kind: "none", param: 0 },
      envelope: true,
      logY: false,
      groups: [{ key: "g", label: "lr: 0.1", color: "#138a4b", runIds: ["a", "b"] }],
      band: "minmax",
    });
    expect(m.series.map((x) => x.role)).toEqual(["band-hi", "band-lo", "group"]);
    expect(m.data[3]).toEqual([2, 4]);
    expect(m.data[1]).toEqual([3, 5]);
    expect(m.data[2]).toEqual([1, 3]);
  });
  it("log scale drops non-positive values", () => {
    const m = buildPlot([s("a", [0, 1], [0, 2])], runs, { smoothing: { kind: "none", param: 0 }, envelope: false, logY: true });
    expect(m.data[1]).toEqual([null, 2]);
  });
});
