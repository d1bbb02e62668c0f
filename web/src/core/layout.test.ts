import { describe, expect, it } from "vitest";
import { arrange, decodeLayout, EMPTY_LAYOUT, encodeLayout, LAYOUT_LIMITS, moveItem, withName, withSize } from "./layout";

describe("arrange", () => {
  it("keeps the default order when nothing is stored", () => {
    expect(arrange(["a", "b", "c"], undefined)).toEqual(["a", "b", "c"]);
    expect(arrange(["a", "b", "c"], [])).toEqual(["a", "b", "c"]);
  });
  it("follows the stored order and drops what no longer exists", () => {
    expect(arrange(["a", "b", "c"], ["c", "gone", "a", "b"])).toEqual(["c", "a", "b"]);
  });
  it("puts a new item after the one before it by default", () => {
    // d is new: by default it follows c, wherever c was moved
    expect(arrange(["a", "b", "c", "d"], ["c", "a", "b"])).toEqual(["c", "d", "a", "b"]);
    // a new first item goes first
    expect(arrange(["z", "a", "b"], ["b", "a"])).toEqual(["z", "b", "a"]);
  });
});

describe("layout edits", () => {
  it("moves an item onto another's place", () => {
    expect(moveItem(["a", "b", "c", "d"], "d", "b")).toEqual(["a", "d", "b", "c"]);
    expect(moveItem(["a", "b", "c"], "a", "c")).toEqual(["b", "c", "a"]);
  });
  it("sizes are bounded and 1 x 1 is the default", () => {
    let l = withSize(EMPTY_LAYOUT, "loss", 9, 2);
    expect(l.sizes).toEqual({ loss: { w: 4, h: 2 } });
    l = withSize(l, "loss", 1, 1);
    expect(l.sizes).toEqual({});
  });
  it("a blank name restores the section's own", () => {
    const l = withName(EMPTY_LAYOUT, "train", "  训练 ");
    expect(l.names).toEqual({ train: "训练" });
    expect(withName(l, "train", " ").names).toEqual({});
  });
});

describe("layout in the URL", () => {
  it("round-trips", () => {
    const l = { order: { eval: ["eval/b", "eval/a"] }, sizes: { "eval/a": { w: 3, h: 2 } }, names: { eval: "Validation" }, sections: ["eval", "Charts"] };
    expect(decodeLayout(encodeLayout(l))).toEqual(l);
    expect(encodeLayout(EMPTY_LAYOUT)).toBe("{}");
  });
  it("drops what is malformed and bounds the rest", () => {
    expect(decodeLayout("not json")).toEqual(EMPTY_LAYOUT);
    expect(decodeLayout("[1]")).toEqual(EMPTY_LAYOUT);
    const l = decodeLayout(JSON.stringify({ o: { a: ["x", 3, "x", ""], b: "no" }, s: { x: [0, 99], y: "big", z: [1, 1] }, n: { a: "  ", b: 5, c: "C" }, q: ["a", 1, "a"] }));
    expect(l).toEqual({ order: { a: ["x"] }, sizes: { x: { w: 1, h: 3 } }, names: { c: "C" }, sections: ["a"] });
    const many = decodeLayout(JSON.stringify({ o: { a: Array.from({ length: LAYOUT_LIMITS.keys + 50 }, (_, i) => `k${i}`) } }));
    expect(many.order.a.length).toBe(LAYOUT_LIMITS.keys);
  });
});
