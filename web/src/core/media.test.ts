import { describe, expect, it } from "vitest";
import { alignXY, binValues, chartFromPlotly, chartFromVisualize } from "./charts";
import { asHist, heatGrid, heatLevel, viridis } from "./heatmap";
import { boxRect, classLabels, indexAt, mediaItems, mediaKeys, mediaKind, mediaSeries, paintMask, parseBoxes, unionSteps } from "./media";
import { cellKind, cellText, filterIndex, parseFilter, parseTable, sortIndex, visibleRange } from "./table";
import { peaks } from "./waveform";

const img = (p: string, extra: Record<string, unknown> = {}) => ({ _type: "image-file", path: p, width: 48, height: 32, format: "png", ...extra });

describe("media values", () => {
  it("recognises the SDK's types", () => {
    expect(mediaKind(img("a.png"))).toBe("image");
    expect(mediaKind({ _type: "images/separated", filenames: [] })).toBe("image");
    expect(mediaKind({ _type: "histogram", values: [], bins: [0] })).toBe("histogram");
    expect(mediaKind({ _type: "table-file", path: "t.json" })).toBe("table");
    expect(mediaKind({ _type: "html-file", path: "x.html" })).toBe("html");
    expect(mediaKind({ _type: "object3D-file", path: "x.pts.json" })).toBe("object3d");
    expect(mediaKind({ _type: "nope" })).toBeNull();
    expect(mediaKind(1.5)).toBeNull();
    expect(mediaKind(null)).toBeNull();
  });

  it("finds media keys in summaries, custom charts as plots", () => {
    const runs = [
      { summary: { loss: 1, img: img("a"), tab: { _type: "table-file", path: "t" }, pr: { _type: "table-file", path: "p" } }, config: { _wandb: { visualize: { pr: { panel_type: "Vega2" } } } } },
      { summary: { h: { _type: "histogram", values: [1], bins: [0, 1] } }, config: {} },
    ];
    expect(mediaKeys(runs)).toEqual([
      { key: "h", kind: "histogram" },
      { key: "img", kind: "image" },
      { key: "pr", kind: "plot" },
      { key: "tab", kind: "table" },
    ]);
  });

  it("expands lists of images with captions and overlays", () => {
    const v = { _type: "images/separated", width: 4, height: 3, count: 2, filenames: ["a.png", "b.png"], captions: ["x", "y"], all_masks: [{ m: { path: "m.png" } }, null] };
    const items = mediaItems(v);
    expect(items.map((i) => [i.path, i.caption, i.width])).toEqual([["a.png", "x", 4], ["b.png", "y", 4]]);
    expect(items[0].masks).toEqual({ m: "m.png" });
    expect(items[1].masks).toBeUndefined();
    const one = mediaItems(img("c.png", { caption: "<b>c</b>", boxes: { gt: { _type: "boxes2D", path: "b.json" } } }));
    expect(one[0]).toMatchObject({ path: "c.png", caption: "<b>c</b>", boxes: { gt: "b.json" } });
    expect(mediaItems({ _type: "audio", audio: [{ path: "a.wav" }], sampleRates: [16000], durations: [1.5] })[0]).toMatchObject({ path: "a.wav", sampleRate: 16000, duration: 1.5 });
  });

  it("picks the value shown at a step", () => {
    expect(indexAt([0, 10, 20], 15)).toBe(1);
    expect(indexAt([0, 10, 20], 20)).toBe(2);
    expect(indexAt([0, 10, 20], 99)).toBe(2);
    expect(indexAt([5, 10], 0)).toBe(-1);
    expect(indexAt([1, 1, 2], 1)).toBe(1);
    expect(unionSteps([{ steps: [0, 10], values: [] }, { steps: [5, 10], values: [] }])).toEqual([0, 5, 10]);
    expect(mediaSeries([0, 1, 2], [img("a"), 3, img("b")]).steps).toEqual([0, 2]);
  });

  it("computes boxes in both position forms and domains", () => {
    expect(boxRect({ position: { minX: 0.1, maxX: 0.5, minY: 0.2, maxY: 0.6 } }, 100, 50)).toEqual({ x: 10, y: 10, w: 40, h: 20 });
    expect(boxRect({ position: { middle: [50, 20], width: 20, height: 10 }, domain: "pixel" }, 100, 50)).toEqual({ x: 40, y: 15, w: 20, h: 10 });
    expect(boxRect({ position: { minX: "a" } }, 10, 10)).toBeNull();
    const { boxes } = parseBoxes({ box_data: [{ position: { minX: 0, maxX: 1, minY: 0, maxY: 1 }, class_id: 2, box_caption: "cat", scores: { p: 0.9 } }], class_labels: { 2: "cat" } }, 10, 10);
    expect(boxes[0]).toMatchObject({ w: 10, label: "cat", caption: "cat", scores: { p: 0.9 } });
  });

  it("reads class labels from config and paints masks with toggles", () => {
    const cfg = { _wandb: { "mask/class_labels": { img_wandb_delimeter_pred: { 0: "bg", 1: "cat" } } } };
    expect(classLabels(cfg, "mask", "img", "pred")).toEqual({ 0: "bg", 1: "cat" });
    expect(classLabels({}, "mask", "img", "pred")).toEqual({});
    const out = new Uint8ClampedArray(12);
    const present = paintMask([0, 1, 1], out, new Set([0]));
    expect([...present].sort()).toEqual([0, 1]);
    expect(out[3]).toBe(0);
    expect(out[7]).toBeGreaterThan(0);
  });
});

describe("histogram heatmap", () => {
  it("re-bins onto a common grid keeping totals", () => {
    const a = asHist({ values: [2, 2], bins: [0, 1, 2] })!;
    const b = asHist({ values: [4], bins: [1, 3] })!;
    const g = heatGrid([0, 1], [a, b], 3);
    expect(g.edges).toEqual([0, 1, 2, 3]);
    expect([...g.counts]).toEqual([2, 2, 0, 0, 2, 2]);
    expect(g.max).toBe(2);
    expect(asHist({ values: [1], bins: [0] })).toBeNull();
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(heatLevel(0, 5)).toBe(0);
    expect(heatLevel(5, 5)).toBe(1);
  });
});

describe("tables", () => {
  const t = parseTable({ columns: ["id", "label", "score", "img"], data: [[1, "cat", 0.9, img("a")], [2, "dog", null, null], [3, "<b>cat</b>", 0.1, img("b")]] });
  const all = [0, 1, 2];
  it("sorts numbers, text, empty cells last", () => {
    expect(sortIndex(t, all, 2, "asc")).toEqual([2, 0, 1]);
    expect(sortIndex(t, all, 2, "desc")).toEqual([0, 2, 1]);
    expect(sortIndex(t, all, 1, "asc")).toEqual([2, 0, 1]);
  });
  it("filters by text, column and comparisons", () => {
    expect(filterIndex(t, "cat")).toEqual([0, 2]);
    expect(filterIndex(t, "label:dog")).toEqual([1]);
    expect(filterIndex(t, "score>0.5")).toEqual([0]);
    expect(filterIndex(t, "label=cat")).toEqual([0]);
    expect(filterIndex(t, 'label!=cat id<3')).toEqual([1]);
    expect(filterIndex(t, "")).toEqual(all);
    expect(() => parseFilter("nope:1", t.columns)).toThrow(/unknown column "nope"/);
  });
  it("kinds and text of cells", () => {
    expect(cellKind(img("a"))).toBe("media");
    expect(cellKind("NaN")).toBe("number");
    expect(cellKind([1, 2])).toBe("json");
    expect(cellText([1, 2])).toBe("[1,2]");
    expect(cellText(null)).toBe("");
  });
  it("virtualizes rows", () => {
    expect(visibleRange(0, 100, 20, 10_000, 2)).toEqual([0, 7]);
    expect(visibleRange(199_900, 100, 20, 10_000, 2)).toEqual([9993, 10_000]);
  });
  // correctness at size only: how fast is a benchmark's question, not a test's
  it("sorts and filters 10,000 rows", () => {
    const big = parseTable({ columns: ["i", "s"], data: Array.from({ length: 10_000 }, (_, i) => [(i * 7919) % 10_000, `row ${i}`]) });
    const idx = sortIndex(big, big.rows.map((_, i) => i), 0, "asc");
    const f = filterIndex(big, 's:"row 99"');
    expect(big.rows[idx[0]][0]).toBe(0);
    expect(f.length).toBe(111);
  });
});

describe("charts", () => {
  const vis = (id: string, fields: Record<string, unknown>, strings: Record<string, unknown> = { title: "T" }) => ({ panel_type: "Vega2", panel_config: { panelDefId: id, fieldSettings: fields, stringSettings: strings } });
  it("line, scatter, line series, bar, histogram", () => {
    const t = parseTable({ columns: ["x", "y", "k"], data: [[2, 4, "a"], [1, 1, "a"], [1, 2, "b"]] });
    const line = chartFromVisualize(vis("wandb/line/v0", { x: "x", y: "y", stroke: "k" }), t);
    expect(line).toMatchObject({ kind: "xy", mode: "line", series: [{ label: "a", x: [1, 2], y: [1, 4] }, { label: "b", x: [1], y: [2] }] });
    expect(chartFromVisualize(vis("wandb/scatter/v0", { x: "x", y: "y" }), t)).toMatchObject({ mode: "points", series: [{ x: [2, 1, 1] }] });
    const ls = parseTable({ columns: ["step", "lineKey", "lineVal"], data: [[0, "k0", 1], [1, "k0", 2], [0, "k1", 3]] });
    expect(chartFromVisualize(vis("wandb/lineseries/v0", { step: "step", lineKey: "lineKey", lineVal: "lineVal" }, { xname: "epoch" }), ls)).toMatchObject({ xLabel: "epoch", series: [{ label: "k0" }, { label: "k1" }] });
    const bt = parseTable({ columns: ["l", "v"], data: [["a", 1], ["b", 2]] });
    expect(chartFromVisualize(vis("wandb/bar/v0", { label: "l", value: "v" }), bt)).toMatchObject({ kind: "bar", labels: ["a", "b"], values: [1, 2] });
    const h = chartFromVisualize(vis("wandb/histogram/v0", { value: "v" }), bt);
    expect(h.kind).toBe("bar");
    expect(h.kind === "bar" && h.values.reduce((a, b) => a + b, 0)).toBe(2);
    expect(() => chartFromVisualize(vis("wandb/line/v0", { x: "nope", y: "y" }), t)).toThrow(/no column "nope"/);
    expect(() => chartFromVisualize(vis("custom/x", {}), t)).toThrow(/not supported/);
  });
  it("confusion matrix and curves", () => {
    const cm = parseTable({ columns: ["Actual", "Predicted", "nPredictions"], data: [["a", "a", 3], ["a", "b", 1], ["b", "a", 0], ["b", "b", 5]] });
    expect(chartFromVisualize(vis("wandb/confusion_matrix/v1", { Actual: "Actual", Predicted: "Predicted", nPredictions: "nPredictions" }), cm)).toMatchObject({ kind: "matrix", actual: ["a", "b"], counts: [[3, 1], [0, 5]] });
    const roc = parseTable({ columns: ["class", "fpr", "tpr"], data: [["c", 0, 0], ["c", 0, 0.5], ["c", 1, 1]] });
    const c = chartFromVisualize(vis("wandb/area-under-curve/v0", { x: "fpr", y: "tpr", class: "class" }, { "x-axis-title": "FPR" }), roc);
    expect(c).toMatchObject({ kind: "xy", xLabel: "FPR", series: [{ label: "c", y: [0, 0.5, 1] }] });
  });
  it("aligns series and keeps repeated x", () => {
    const a = alignXY([{ label: "a", x: [0, 0, 1], y: [0, 0.5, 1] }, { label: "b", x: [0.5], y: [2] }]);
    expect(a.x.length).toBe(4);
    expect(a.ys[0].filter((v) => v !== null)).toEqual([0, 0.5, 1]);
    expect(a.ys[1].filter((v) => v !== null)).toEqual([2]);
    expect(binValues([0, 1, 2, 3], 2).values).toEqual([2, 2]);
  });
  it("reads plotly scatter and bar figures", () => {
    expect(chartFromPlotly({ data: [{ type: "scatter", x: [1, 2], y: [3, 4], mode: "lines", name: "s" }], layout: { title: { text: "P" } } })).toMatchObject({ kind: "xy", title: "P", series: [{ label: "s", x: [1, 2] }] });
    expect(chartFromPlotly({ data: [{ type: "bar", x: ["a"], y: [1] }] })).toMatchObject({ kind: "bar", labels: ["a"] });
    expect(chartFromPlotly({ data: [{ type: "surface", z: [[1]] }] })).toBeNull();
  });
});

describe("waveform", () => {
  it("min/max per column", () => {
    const p = peaks(new Float32Array([0, 1, -1, 0.5]), 2);
    expect([...p.min]).toEqual([0, -1]);
    expect([...p.max]).toEqual([1, 0.5]);
    expect(peaks([], 3).min.length).toBe(3);
  });
});
