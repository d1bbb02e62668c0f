import { describe, expect, it } from "vitest";
import { diffCounts, diffManifests, fileKind, groupByType } from "./artifacts";
import { assignLayers, layoutGraph, NODE_W } from "./lineage";

describe("diffManifests", () => {
  it("finds added, removed, changed and unchanged files by digest", () => {
    const a = [
      { path: "config.json", sha256: "aa", size: 1 },
      { path: "weights.bin", sha256: "bb", size: 2 },
      { path: "old.txt", sha256: "cc", size: 3 },
    ];
    const b = [
      { path: "config.json", sha256: "aa", size: 1 },
      { path: "weights.bin", sha256: "dd", size: 2 },
      { path: "new.txt", sha256: "ee", size: 4 },
    ];
    const d = diffManifests(a, b);
    expect(d.map((r) => [r.path, r.status])).toEqual([
      ["config.json", "same"],
      ["new.txt", "added"],
      ["old.txt", "removed"],
      ["weights.bin", "changed"],
    ]);
    expect(diffCounts(d)).toEqual({ added: 1, removed: 1, changed: 1, same: 1 });
  });
  it("compares references by URI", () => {
    const d = diffManifests([{ path: "r", sha256: null, size: 0, ref: "s3://a" }], [{ path: "r", sha256: null, size: 0, ref: "s3://b" }]);
    expect(d[0].status).toBe("changed");
  });
});

describe("helpers", () => {
  it("classifies previewable files", () => {
    expect(fileKind("a/b.PNG")).toBe("image");
    expect(fileKind("notes.txt")).toBe("text");
    expect(fileKind("weights.bin")).toBeNull();
  });
  it("groups by type, types sorted", () => {
    const g = groupByType([{ type: "model", n: 1 }, { type: "dataset", n: 2 }, { type: "model", n: 3 }]);
    expect(g.map(([t, xs]) => [t, xs.map((x) => x.n)])).toEqual([["dataset", [2]], ["model", [1, 3]]]);
  });
});

describe("lineage layout", () => {
  const n = (id: string, kind: "run" | "artifact" = "run") => ({ id, kind, label: id });
  it("layers a chain by longest path", () => {
    const nodes = [n("ds", "artifact"), n("prep"), n("train"), n("ckpt", "artifact"), n("eval")];
    const edges = [
      { from: "prep", to: "ds" },
      { from: "ds", to: "train" },
      { from: "train", to: "ckpt" },
      { from: "ckpt", to: "eval" },
      { from: "ds", to: "eval" },
    ];
    const l = assignLayers(nodes, edges);
    expect(["prep", "ds", "train", "ckpt", "eval"].map((id) => l.get(id))).toEqual([0, 1, 2, 3, 4]);
    const g = layoutGraph(nodes, edges);
    expect(g.nodes.find((x) => x.id === "eval")!.x).toBeGreaterThan(g.nodes.find((x) => x.id === "ckpt")!.x + NODE_W - 1);
    expect(g.edges).toHaveLength(5);
    expect(g.width).toBeGreaterThan(4 * NODE_W);
  });
  it("survives cycles, duplicate and dangling edges", () => {
    const nodes = [n("a"), n("b", "artifact"), n("c")];
    const edges = [
      { from: "a", to: "b" },
      { from: "b", to: "a" },
      { from: "a", to: "b" },
      { from: "b", to: "zz" },
      { from: "c", to: "c" },
    ];
    const g = layoutGraph(nodes, edges);
    expect(g.nodes).toHaveLength(3);
    expect(new Set(g.nodes.map((x) => x.id))).toEqual(new Set(["a", "b", "c"]));
    expect(g.edges.length).toBe(2);
    for (const x of g.nodes) expect(Number.isFinite(x.x) && Number.isFinite(x.y)).toBe(true);
  });
  it("orders a layer by its predecessors' rows", () => {
    const nodes = [n("r1"), n("r2"), n("y", "artifact"), n("x", "artifact")];
    const edges = [
      { from: "r1", to: "x" },
      { from: "r2", to: "y" },
    ];
    const g = layoutGraph(nodes, edges);
    const y = (id: string) => g.nodes.find((q) => q.id === id)!.y;
    expect(y("x")).toBeLessThan(y("y"));
  });
  it("handles an empty graph", () => {
    expect(layoutGraph([], [])).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
  });
});
