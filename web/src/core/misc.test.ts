import { describe, expect, it } from "vitest";
import { collapseCR, parseAnsi, stripAnsi } from "./ansi";
import { contrastRatio, PALETTE, runColor } from "./colors";
import { compareRuns } from "./diff";
import { flatten, getPath } from "./flatten";
import { formatDuration, formatNumber } from "./format";
import { loadPanelSettings, savePanelSettings, setPanel } from "./persist";
import { columnKeys, sortRuns, type RunLike } from "./runs";

const run = (id: string, p: Partial<RunLike> = {}): RunLike => ({ id, name: id, state: "finished", created_at: 0, tags: [], config: {}, summary: {}, ...p });

describe("flatten", () => {
  it("flattens nested config to dotted keys, leaving arrays and media refs whole", () => {
    expect(flatten({ optimizer: { lr: 1e-3, betas: [0.9, 0.99] }, seed: 1, m: { _type: "image-file", path: "x" } })).toEqual({
      "optimizer.lr": 1e-3,
      "optimizer.betas": [0.9, 0.99],
      seed: 1,
      m: { _type: "image-file", path: "x" },
    });
  });
  it("getPath walks objects and finds keys that contain dots", () => {
    expect(getPath({ a: { b: 2 } }, "a.b")).toBe(2);
    expect(getPath({ "a.b": 3 }, "a.b")).toBe(3);
    expect(getPath({ "gpu.0": { util: 5 } }, "gpu.0.util")).toBe(5);
    expect(getPath({ a: 1 }, "a.b")).toBeUndefined();
  });
});

describe("runs table helpers", () => {
  it("sorts numbers, keeps missing last in both directions", () => {
    const rs = [run("a", { config: { lr: 2 } }), run("b"), run("c", { config: { lr: 1 } })];
    expect(sortRuns(rs, { key: "config.lr", dir: "asc" }).map((r) => r.id)).toEqual(["c", "a", "b"]);
    expect(sortRuns(rs, { key: "config.lr", dir: "desc" }).map((r) => r.id)).toEqual(["a", "c", "b"]);
  });
  it("sorts names naturally", () => {
    const rs = [run("x10"), run("x2"), run("x1")];
    expect(sortRuns(rs, { key: "name", dir: "asc" }).map((r) => r.id)).toEqual(["x1", "x2", "x10"]);
  });
  it("lists config and summary columns, hiding _ keys", () => {
    const c = columnKeys([run("a", { config: { opt: { lr: 1 } }, summary: { _step: 3, loss: 1 } })]);
    expect(c).toEqual({ config: ["opt.lr"], summary: ["loss"] });
  });
});

describe("compareRuns", () => {
  const rs = [run("a", { config: { lr: 1, seed: 0, opt: { b: 1 } } }), run("b", { config: { lr: 2, seed: 0 } })];
  it("puts runs side by side and flags differences", () => {
    const rows = compareRuns(rs, "config");
    expect(rows.map((r) => [r.key, r.differs])).toEqual([["lr", true], ["opt.b", true], ["seed", false]]);
    expect(rows[1].values).toEqual([1, undefined]);
    expect(compareRuns(rs, "config", true).map((r) => r.key)).toEqual(["lr", "opt.b"]);
  });
});

describe("console output", () => {
  it("collapses carriage-return progress lines", () => {
    expect(collapseCR("10%\r50%\r100%")).toBe("100%");
    expect(collapseCR("abcdef\rXY")).toBe("XYcdef");
    expect(collapseCR("done\r\n")).toBe("done");
    expect(collapseCR("\x1b[32m10%\x1b[0m\r\x1b[32m90%\x1b[0m\r")).toBe("\x1b[32m90%\x1b[0m");
  });
  it("parses SGR colours into spans", () => {
    const { spans, state } = parseAnsi("ok \x1b[1;31mERROR\x1b[0m done \x1b[38;5;208mX\x1b[38;2;1;2;3mY");
    expect(spans).toEqual([
      { text: "ok " },
      { text: "ERROR", bold: true, fg: "#cd3131" },
      { text: " done " },
      { text: "X", fg: "#ff8700" },
      { text: "Y", fg: "#010203" },
    ]);
    expect(state).toEqual({ fg: "#010203" });
    expect(stripAnsi("\x1b[2K\x1b[1Ghi")).toBe("hi");
  });
});

describe("format", () => {
  it("numbers and durations", () => {
    expect(formatNumber(0.000123456)).toBe("1.235e-4");
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(3)).toBe("3");
    expect(formatNumber(null)).toBe("");
    expect(formatDuration(3725)).toBe("1h 2m");
    expect(formatDuration(59)).toBe("59s");
  });
});

describe("colours", () => {
  it("are stable per run and readable on white (>= 3:1)", () => {
    expect(runColor("abc")).toBe(runColor("abc"));
    expect(runColor("abc", { abc: "#000000" })).toBe("#000000");
    for (const c of PALETTE) expect(contrastRatio(c, "#ffffff")).toBeGreaterThanOrEqual(3);
  });
});

describe("panel settings persistence", () => {
  it("saves per project and survives bad data", () => {
    const m = new Map<string, string>();
    const kv = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    const s = setPanel({}, "train/loss", { logY: true, smoothing: { kind: "ema", param: 0.5 } });
    savePanelSettings(kv, "me/proj", s);
    expect(loadPanelSettings(kv, "me/proj")).toEqual(s);
    expect(loadPanelSettings(kv, "me/other")).toEqual({});
    m.set("runyard:panels:me/bad", "{not json");
    expect(loadPanelSettings(kv, "me/bad")).toEqual({});
  });
});
