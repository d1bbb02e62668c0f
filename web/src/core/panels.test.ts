import { describe, expect, it } from "vitest";
import { buildPlot } from "./plot";
import { aggregate, decodePanels, encodePanels, expandRuns, movePanel, newPanel, PANEL_LIMITS, panelMetrics, panelTitle, seriesId, sized, tagSeries, type PanelSpec } from "./panels";

const spec = (p: Partial<PanelSpec>): PanelSpec => ({ id: "p1", kind: "line", title: "", metrics: [], regex: "", agg: "first", w: 1, h: 1, ...p });
const KEYS = ["_step", "train/loss", "train/acc", "eval/loss", "eval/acc", "lr"];

describe("added panels", () => {
  it("named metrics first, then the regex's matches, never underscore keys, capped", () => {
    expect(panelMetrics(spec({ metrics: ["lr"], regex: "loss$" }), KEYS)).toEqual(["lr", "train/loss", "eval/loss"]);
    expect(panelMetrics(spec({ regex: "^_|step" }), KEYS)).toEqual([]);
    expect(panelMetrics(spec({ regex: "(" }), KEYS)).toEqual([]);
    const many = Array.from({ length: 50 }, (_, i) => `m${i}`);
    expect(panelMetrics(spec({ regex: "^m" }), many)).toHaveLength(PANEL_LIMITS.metrics);
  });
  it("titles: the user's, else the regex, else the metrics", () => {
    expect(panelTitle(spec({ title: "Losses", regex: "loss" }), ["a"])).toBe("Losses");
    expect(panelTitle(spec({ regex: "loss$" }), ["train/loss"])).toBe("/loss$/");
    expect(panelTitle(spec({ metrics: ["a", "b"] }), ["a", "b"])).toBe("a, b");
  });
  it("new ids never collide", () => {
    expect(newPanel([spec({ id: "p2" })]).id).toBe("p3");
    expect(newPanel([]).id).toBe("p1");
  });
  it("one run: a colour per metric; several runs: run colours and a dash per metric", () => {
    const one = expandRuns([{ id: "r", label: "run", color: "#111111" }], ["a", "b"]);
    expect(one.map((r) => [r.id, r.label])).toEqual([[seriesId("r", "a"), "a"], [seriesId("r", "b"), "b"]]);
    expect(one[0].color).not.toBe(one[1].color);
    const two = expandRuns([{ id: "r", label: "run", color: "#111111" }, { id: "s", label: "sun", color: "#222222" }], ["a", "b"]);
    expect(two.map((r) => r.label)).toEqual(["run · a", "sun · a", "run · b", "sun · b"]);
    expect(two.map((r) => r.color)).toEqual(["#111111", "#222222", "#111111", "#222222"]);
    expect(two[0].dash).toBeUndefined();
    expect(two[2].dash).toBeDefined();
    expect(expandRuns(two, ["a"])).toBe(two);
  });
  it("a two-metric plot has one line per run and metric", () => {
    const s = (run: string, key: string, y: number) => ({ run, key, bucket: [0, 1], count: [1, 1], min: [y, y], max: [y, y], mean: [y, y], last: [y, y], last_x: [0, 1] });
    const metrics = ["a", "b"];
    const m = buildPlot(tagSeries([s("r", "a", 1), s("r", "b", 2)], metrics), expandRuns([{ id: "r", label: "run", color: "#111111" }], metrics), {
      smoothing: { kind: "none", param: 0 },
      envelope: false,
      logY: false,
    });
    expect(m.series.map((x) => x.label)).toEqual(["a", "b"]);
    expect(m.data.slice(1)).toEqual([[1, 1], [2, 2]]);
  });
  it("scalar values aggregate over the runs that have one", () => {
    expect(aggregate([null, 3, 1, 2], "first")).toBe(3);
    expect(aggregate([3, 1, null, 2], "mean")).toBe(2);
    expect(aggregate([3, 1, 2], "min")).toBe(1);
    expect(aggregate([3, 1, 2], "max")).toBe(3);
    expect(aggregate([null, NaN], "max")).toBeNull();
  });
  it("move and resize stay within bounds", () => {
    expect(movePanel(["a", "b", "c"], 0, 2)).toEqual(["b", "c", "a"]);
    expect(movePanel(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(movePanel(["a", "b", "c"], 1, 9)).toEqual(["a", "c", "b"]);
    expect(sized(9, 0)).toEqual({ w: PANEL_LIMITS.w, h: 1 });
    expect(sized("2", 2.4)).toEqual({ w: 1, h: 2 });
  });
  it("URL form round-trips and drops what is malformed or too big", () => {
    const ps = [spec({ metrics: ["a,b", "c"], w: 2 }), spec({ id: "p2", kind: "scalar", regex: "^x", agg: "mean", title: "X", h: 3 })];
    expect(decodePanels(encodePanels(ps))).toEqual(ps);
    expect(decodePanels("not json")).toEqual([]);
    expect(decodePanels('{"id":"p1"}')).toEqual([]);
    expect(decodePanels('[{"id":"x1"},{"id":"p1","kind":"pie","agg":"sum","metrics":[1,"a"]},{"id":"p1"}]')).toEqual([spec({ metrics: ["a"] })]);
    const big = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ id: `p${i}`, title: "t".repeat(1000) })));
    const d = decodePanels(big);
    expect(d).toHaveLength(PANEL_LIMITS.panels);
    expect(d[0].title).toHaveLength(PANEL_LIMITS.text);
  });
});
