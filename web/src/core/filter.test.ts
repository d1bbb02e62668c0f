import { describe, expect, it } from "vitest";
import { compileFilter, FilterError, parseFilter, tryCompileFilter } from "./filter";
import type { RunLike } from "./runs";

const run = (p: Partial<RunLike>): RunLike => ({
  id: "r0",
  name: "run",
  state: "finished",
  created_at: 1000,
  tags: [],
  config: {},
  summary: {},
  ...p,
});

const runs: RunLike[] = [
  run({ id: "a1", name: "grpo-small", state: "running", tags: ["grpo", "small"], config: { lr: 3e-4, optimizer: { name: "adam", lr: 3e-4 } }, summary: { "eval/acc": 0.91 } }),
  run({ id: "b2", name: "ppo-base", state: "finished", tags: ["ppo"], config: { lr: 1e-5, optimizer: { name: "sgd" } }, summary: { "eval/acc": 0.7 } }),
  run({ id: "c3", name: "grpo-large", state: "failed", tags: ["grpo"], config: { lr: 1e-3 }, summary: {}, host: "gpu-07" }),
];
const ids = (q: string) => runs.filter(compileFilter(q)).map((r) => r.id);

describe("filter language", () => {
  it("handles the documented filter examples", () => {
    expect(ids('config.lr > 1e-4 and tags contains "grpo"')).toEqual(["a1", "c3"]);
    expect(ids("state = running")).toEqual(["a1"]);
    expect(ids("large")).toEqual(["c3"]);
  });
  it("compares numbers numerically and strings case-insensitively", () => {
    expect(ids("config.lr <= 3e-4")).toEqual(["a1", "b2"]);
    expect(ids("config.lr == 0.001")).toEqual(["c3"]);
    expect(ids("state = RUNNING")).toEqual(["a1"]);
    expect(ids("state != running")).toEqual(["b2", "c3"]);
  });
  it("walks nested config and quoted summary keys", () => {
    expect(ids("config.optimizer.name = adam")).toEqual(["a1"]);
    expect(ids("summary.`eval/acc` > 0.8")).toEqual(["a1"]);
    expect(ids("summary.eval/acc > 0.8")).toEqual(["a1"]);
  });
  it("resolves a bare path in config, then summary", () => {
    expect(ids("lr > 1e-4")).toEqual(["a1", "c3"]);
    expect(ids("eval/acc < 0.8")).toEqual(["b2"]);
  });
  it("supports or, not, parentheses, implicit and, in-lists and regex", () => {
    expect(ids("state = failed or config.lr < 1e-4")).toEqual(["b2", "c3"]);
    expect(ids("not tags contains grpo")).toEqual(["b2"]);
    expect(ids("grpo (state = running or state = failed) not small")).toEqual(["c3"]);
    expect(ids("state in [running, failed]")).toEqual(["a1", "c3"]);
    expect(ids('host ~ "^gpu-0"')).toEqual(["c3"]);
    expect(ids('name !~ "grpo"')).toEqual(["b2"]);
    expect(ids("tags = ppo")).toEqual(["b2"]);
  });
  it("missing values never match ordering and equal null", () => {
    expect(ids("summary.`eval/acc` < 10")).toEqual(["a1", "b2"]);
    expect(ids("summary.`eval/acc` = null")).toEqual(["c3"]);
  });
  it("an empty filter matches everything", () => {
    expect(ids("   ")).toEqual(["a1", "b2", "c3"]);
  });
  it("free text matches id too", () => {
    expect(ids("b2")).toEqual(["b2"]);
  });
});

describe("filter parse errors", () => {
  const err = (q: string) => {
    try {
      parseFilter(q);
    } catch (e) {
      expect(e).toBeInstanceOf(FilterError);
      return e as FilterError;
    }
    throw new Error(`no error for ${q}`);
  };
  it("points at the problem with a clear message", () => {
    let e = err("config.lr >");
    expect(e.message).toBe("Expected a value after '>'");
    expect([e.start, e.end]).toEqual([10, 11]);
    e = err('name = "abc');
    expect(e.message).toMatch(/Unterminated string/);
    expect(e.start).toBe(7);
    e = err("(state = running");
    expect(e.message).toMatch(/Missing '\)'/);
    expect(e.start).toBe(0);
    e = err("state = running)");
    expect(e.message).toMatch(/no matching '\('/);
    expect(e.start).toBe(15);
    expect(err("and state = x").message).toMatch(/needs a condition/);
    expect(err("state = running and").message).toMatch(/Expected a condition/);
    expect(err("> 3").message).toMatch(/field name before '>'/);
    expect(err("host ~ \"(\"").message).toMatch(/Invalid regular expression/);
    expect(err("state in running").message).toMatch(/Expected '\['/);
    expect(err("a = b $").message).toMatch(/Unexpected character '\$'/);
  });
  it("tryCompileFilter reports instead of throwing", () => {
    const r = tryCompileFilter("lr >");
    expect(r.error).toBeInstanceOf(FilterError);
    expect(r.predicate(runs[0])).toBe(true);
    expect(tryCompileFilter("lr > 1").error).toBeNull();
  });
  it("lists the fields a filter names", () => {
    expect(tryCompileFilter('config.lr > 1 and not (summary.acc < 2 or tags contains "x") and config.lr < 5 and run').fields).toEqual([
      "config.lr",
      "summary.acc",
      "tags",
    ]);
    expect(tryCompileFilter("lr >").fields).toEqual([]);
  });
});
