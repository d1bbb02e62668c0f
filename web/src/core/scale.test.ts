import { describe, expect, it } from "vitest";
import { compileFilter } from "./filter";
import { sortRuns, type RunLike } from "./runs";
import { alignColumns } from "./series";

// The table's per-keystroke work over 10,000 runs and 20 overlaid runs' alignment give the right
// answers at that size. How fast they are is measured in bench/bench_ui.py, not asserted here: a
// wall-clock threshold fails on a loaded machine.
describe("scale", () => {
  const runs: RunLike[] = Array.from({ length: 10_000 }, (_, i) => ({
    id: `r${i}`, name: `run-${i}`, state: i % 7 ? "finished" : "running", created_at: i, tags: i % 2 ? ["grpo"] : ["ppo"],
    config: { lr: 10 ** -(1 + (i % 5)), optimizer: { name: i % 3 ? "adam" : "sgd" } }, summary: { "train/loss": 1 / (i + 1) },
  }));
  it("filters and sorts 10,000 runs", () => {
    const f = compileFilter('config.lr > 1e-4 and tags contains "grpo"');
    const out = sortRuns(runs.filter(f), { key: "summary.train/loss", dir: "asc" });
    expect(out.length).toBe(3000);
    expect(out[0].summary["train/loss"]).toBeLessThan(out[1].summary["train/loss"] as number);
  });
  it("aligns 20 series x 2,000 buckets", () => {
    const sets = Array.from({ length: 20 }, (_, k) => {
      const x = Array.from({ length: 2000 }, (_, i) => i * 50 + k);
      return { x, cols: [x.map((v) => v * 0.1), x.map((v) => v * 0.2)] };
    });
    const a = alignColumns(sets);
    expect(a.cols.length).toBe(40);
    expect(a.x.length).toBe(40_000);
  });
});
