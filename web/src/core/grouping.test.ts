import { describe, expect, it } from "vitest";
import { aggregateGroup, groupRuns } from "./grouping";
import type { RunLike } from "./runs";

const run = (id: string, config: Record<string, unknown>): RunLike => ({ id, name: id, state: "finished", created_at: 0, tags: [], config, summary: {} });

describe("groupRuns", () => {
  it("groups by a config key in value order, missing last", () => {
    const g = groupRuns([run("a", { lr: 0.1 }), run("b", { lr: 0.01 }), run("c", {}), run("d", { lr: 0.1 })], "config.lr");
    expect(g.map((x) => x.runs.map((r) => r.id))).toEqual([["b"], ["a", "d"], ["c"]]);
    expect(g[0].label).toBe("config.lr: 0.01");
    expect(g[2].label).toBe("config.lr: (none)");
  });
  it("groups by nested keys and built-in fields", () => {
    const g = groupRuns([run("a", { opt: { name: "adam" } }), run("b", { opt: { name: "sgd" } })], "opt.name");
    expect(g.map((x) => x.value)).toEqual(["adam", "sgd"]);
  });
});

describe("aggregateGroup", () => {
  const members = [
    { bucket: [0, 1, 2], x: [0, 10, 20], y: [1, 2, 3] },
    { bucket: [0, 1, 2], x: [2, 12, 22], y: [3, 4, null] },
    { bucket: [1, 3], x: [14, 30], y: [6, 8] },
  ];
  it("mean with a min-max band, aligned on the bucket grid", () => {
    const g = aggregateGroup(members, "minmax");
    expect(g.x).toEqual([1, 12, 20, 30]);
    expect(g.mean).toEqual([2, 4, 3, 8]);
    expect(g.lo).toEqual([1, 2, 3, 8]);
    expect(g.hi).toEqual([3, 6, 3, 8]);
    expect(g.n).toEqual([2, 3, 1, 1]);
  });
  it("mean +- population standard deviation", () => {
    const g = aggregateGroup(members, "std");
    const sd = Math.sqrt(((2 - 4) ** 2 + (4 - 4) ** 2 + (6 - 4) ** 2) / 3);
    expect(g.lo[1]).toBeCloseTo(4 - sd, 12);
    expect(g.hi[1]).toBeCloseTo(4 + sd, 12);
    expect(g.lo[0]).toBeCloseTo(1, 12);
  });
});
