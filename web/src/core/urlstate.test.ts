import { describe, expect, it } from "vitest";
import { DEFAULT_STATE, decodeState, encodeState, fromShown, isVisible, toggleVisible, type WorkspaceState } from "./urlstate";

describe("workspace URL state", () => {
  it("the default state is an empty query", () => {
    expect(encodeState(DEFAULT_STATE)).toBe("");
    expect(decodeState("")).toEqual(DEFAULT_STATE);
  });
  it("round-trips every field", () => {
    const s: WorkspaceState = {
      filter: 'config.lr > 1e-4 and tags contains "grpo"',
      sort: { key: "summary.eval/acc", dir: "desc" },
      groupBy: "config.optimizer.name",
      band: "std",
      smoothing: { kind: "twema", param: 0.85 },
      xAxis: "_runtime",
      zoom: [100.5, 2000],
      logY: true,
      ignoreOutliers: true,
      visibility: { mode: "hide", ids: ["run,1", "b%2"] },
      columns: ["config.lr", "summary.train/loss"],
      collapsed: ["system", "eval"],
      search: "loss",
      panel: "train/loss",
      gridColumns: 3,
      custom: [
        { id: "p1", kind: "line", title: "", metrics: ["train/loss", "eval/loss"], regex: "", agg: "first", w: 2, h: 1 },
        { id: "p2", kind: "scalar", title: "best, acc", metrics: [], regex: "^eval/acc", agg: "max", w: 1, h: 3 },
      ],
      layout: {
        order: { train: ["train/lr", "train/loss"] },
        sizes: { "train/loss": { w: 2, h: 3 } },
        names: { train: "训练", "(media)": "samples" },
        sections: ["eval", "(media)", "train"],
      },
    };
    const q = encodeState(s);
    expect(decodeState(q)).toEqual(s);
    expect(decodeState("?" + q)).toEqual(s);
    const only: WorkspaceState = { ...DEFAULT_STATE, visibility: { mode: "only", ids: [] } };
    expect(decodeState(encodeState(only))).toEqual(only);
  });
  it("ignores malformed values", () => {
    const s = decodeState("smooth=bogus:1&zoom=5~1&band=nope");
    expect(s.smoothing.kind).toBe("none");
    expect(s.zoom).toBeNull();
    expect(s.band).toBe("minmax");
    expect(decodeState("smooth=ema").smoothing).toEqual({ kind: "ema", param: 0.6 });
  });
});

describe("visibility", () => {
  const all = ["a", "b", "c", "d"];
  it("toggles with the shorter list", () => {
    let v = toggleVisible({ mode: "all" }, "b", all);
    expect(v).toEqual({ mode: "hide", ids: ["b"] });
    expect(isVisible(v, "b")).toBe(false);
    v = toggleVisible(v, "b", all);
    expect(v).toEqual({ mode: "all" });
    expect(fromShown(new Set(["c"]), all)).toEqual({ mode: "only", ids: ["c"] });
    expect(fromShown(new Set(), all)).toEqual({ mode: "only", ids: [] });
  });
});
