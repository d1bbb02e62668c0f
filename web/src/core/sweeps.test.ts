import { describe, expect, it } from "vitest";
import { bestSoFar, brushed, flattenParams, makeAxis, position, sameIds, setBrush, type Row } from "./sweeps";

const rows: Row[] = [
  { id: "a", label: "a", color: "#000", values: { lr: 0.0001, opt: "adam", loss: 1 } },
  { id: "b", label: "b", color: "#000", values: { lr: 0.01, opt: "sgd", loss: 0.5 } },
  { id: "c", label: "c", color: "#000", values: { lr: 0.1, opt: "adam", loss: null } },
];

describe("sweep axes and brushing", () => {
  it("numeric axes go log over wide positive ranges, strings are categories", () => {
    const lr = makeAxis("lr", rows)!;
    expect(lr).toMatchObject({ kind: "number", log: true, min: 0.0001, max: 0.1 });
    expect(position(lr, 0.0001)).toBe(0);
    expect(position(lr, 0.1)).toBe(1);
    const opt = makeAxis("opt", rows)!;
    expect(opt).toEqual({ key: "opt", kind: "category", categories: ["adam", "sgd"] });
    expect(position(opt, "sgd")).toBe(1);
    expect(makeAxis("missing", rows)).toBeNull();
  });

  it("a brush keeps rows inside every range; a tiny range clears it", () => {
    const axes = ["lr", "opt", "loss"].map((k) => makeAxis(k, rows)!);
    let b = setBrush([], "opt", 0, 0.2); // adam only
    expect(brushed(rows, axes, b).map((r) => r.id)).toEqual(["a", "c"]);
    b = setBrush(b, "loss", 0.9, 1); // and loss near 1: c has no loss
    expect(brushed(rows, axes, b).map((r) => r.id)).toEqual(["a"]);
    expect(setBrush(b, "loss", 0.5, 0.5)).toEqual([{ key: "opt", lo: 0, hi: 0.2 }]);
  });

  it("best so far and nested parameter names", () => {
    expect(bestSoFar([null, 3, 4, 1, 2], "minimize")).toEqual([null, 3, 3, 1, 1]);
    expect(bestSoFar([1, 3, 2], "maximize")).toEqual([1, 3, 3]);
    expect(flattenParams({ opt: { m: 0.9, name: "adam" }, lr: 1, l: [1, 2] })).toEqual({ "opt.m": 0.9, "opt.name": "adam", lr: 1, l: "[1,2]" });
  });

  it("brushed sets compare by their ids", () => {
    expect(sameIds(null, null)).toBe(true);
    expect(sameIds(new Set(), null)).toBe(false);
    expect(sameIds(new Set(["a", "b"]), new Set(["b", "a"]))).toBe(true);
    expect(sameIds(new Set(["a", "b"]), new Set(["a", "c"]))).toBe(false);
    expect(sameIds(new Set(["a"]), new Set(["a", "b"]))).toBe(false);
  });
});
