import { describe, expect, it } from "vitest";
import { compileFilter } from "./filter";
import { sortRuns, type RunLike } from "./runs";
import { alignColumns } from "./series";

// Not a benchmark (that belongs in bench/): a guard that the table's per-keystroke work stays well
// inside a frame budget at the 10,000 runs, and 20 overlaid runs align quickly.
describe("scale", () => {
  const runs: RunLike[] = Array.from({ length: 10_000 }, (_, i) => ({
    id: `r${i}`, name: `run-${i}`, state: i % 7 ? "finished" : "running", created_at: i, tags: i % 2 ? ["grpo"] : ["ppo"],
    config: { lr: 10 ** -(1 + (i % 5)), optimizer: { name: i % 3 ? "adam" : "sgd" } }, summary: { "train/loss": 1 / (i + 1) },
  }));
  it("filters and sorts 10,000 runs fast", () => {
    const f = compileFilter('config.lr > 1e-4 and tags contains "grpo"');
    const t0 = performance.now();
    const out = sortRuns(runs.filter(f), { key: "summary.train/loss", dir: "asc" });
    const ms = performance.now() - t0;
    expect(out.length).toBe(3000);
    expect(ms).toBeLessThan(250);
  });
  it("aligns 20 series x 2,000 buckets fast", () => {
    const sets = Array.from({ length: 20 }, (_, k) => {
      const x = Array.from({ length: 2000 }, (_, i) => i * 50 + k);
      return { x, cols: [x.map((v) => v * 0.1), x.map((v) => v * 0.2)] };
    });
    const t0 = performance.now();
    const a = alignColumns(sets);
    expect(a.cols.length).toBe(40);
    expect(performance.now() - t0).toBeLessThan(250);
  });
});
