import { describe, expect, it } from "vitest";
import { compactRun, mergeValues, rowsOfColumns, valueFields, type RunRow } from "./runs";

describe("valueFields", () => {
  it("asks config/summary values only, a bare path in both documents", () => {
    expect(valueFields(["name", "state", "created", "config.lr", "summary.loss", "acc", "config.lr"])).toEqual([
      "config.acc",
      "config.lr",
      "summary.acc",
      "summary.loss",
    ]);
  });
  it("leaves out paths the server cannot name, and asks whole documents past its bound", () => {
    expect(valueFields(["config.a..b", "summary.", `config.${"k".repeat(300)}`, "config.a.b.c.d.e.f.g.h.i"])).toEqual([]);
    expect(valueFields(Array.from({ length: 101 }, (_, i) => `summary.m${i}`))).toBeNull();
  });
});

describe("mergeValues", () => {
  it("adds values key by key, nested documents merged, the original unchanged", () => {
    const a = { opt: { name: "adam" }, lr: 1 };
    expect(mergeValues(a, { opt: { beta: 0.9 }, acc: 2 })).toEqual({ opt: { name: "adam", beta: 0.9 }, lr: 1, acc: 2 });
    expect(a).toEqual({ opt: { name: "adam" }, lr: 1 });
  });
});

describe("compactRun", () => {
  it("keeps the fields the workspace reads and shares empty documents", () => {
    const run = { id: "a", name: null, state: "finished", created_at: 1, tags: [], config: {}, summary: { x: 1 }, program: "p.py" } as RunRow;
    const b = compactRun({ ...run, id: "b" });
    const a = compactRun(run);
    expect(a).not.toHaveProperty("program");
    expect(a.summary).toEqual({ x: 1 });
    expect(a.config).toBe(b.config);
    expect(a.tags).toBe(b.tags);
  });
});

describe("rowsOfColumns", () => {
  it("gives run i of every column, the asked values nested, nulls left out", () => {
    const page = {
      id: ["a", "b"],
      name: ["x", null],
      state: ["finished", "running"],
      created_at: [2, 1],
      heartbeat_at: [2, 1],
      ended_at: [3, null],
      runtime: [1, null],
      last_step: [9, null],
      tags: [["t"], []],
      group: [null, "g"],
      job_type: [null, null],
      host: [null, null],
      notes: [null, null],
      values: { "config.lr": [0.1, null], "config.opt.name": ["adam", "sgd"], "summary.loss": [null, 2] },
    };
    const [a, b] = rowsOfColumns(page);
    expect(a).toMatchObject({ id: "a", name: "x", tags: ["t"], config: { lr: 0.1, opt: { name: "adam" } }, summary: {}, last_step: 9 });
    expect(b).toMatchObject({ id: "b", group: "g", config: { opt: { name: "sgd" } }, summary: { loss: 2 } });
  });
});
