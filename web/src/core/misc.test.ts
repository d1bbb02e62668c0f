import { describe, expect, it } from "vitest";
import { collapseCR, parseAnsi, stripAnsi } from "./ansi";
import { assignColors, contrastRatio, DARK_PALETTE, LIGHT_PALETTE, PALETTE, runColor } from "./colors";
import { compareRuns } from "./diff";
import { flatten, getPath } from "./flatten";
import { describeValue, formatCompact, formatDuration, formatNumber, formatTicks, formatTimeTicks } from "./format";
import { loadPanelSettings, savePanelSettings, setPanel } from "./persist";
import { columnKeys, duration, fieldValue, knownField, naturalCompare, sortRuns, type RunLike } from "./runs";

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
    for (const c of LIGHT_PALETTE) expect(contrastRatio(c, "#ffffff")).toBeGreaterThanOrEqual(3);
    expect(PALETTE).toBe(LIGHT_PALETTE); // no document here: the light theme
  });
  it("the dark set is readable on the dark panels and media backgrounds (>= 4:1)", () => {
    for (const c of DARK_PALETTE) for (const bg of ["#16181c", "#1c1f24", "#23262b"]) expect(contrastRatio(c, bg)).toBeGreaterThanOrEqual(4);
  });
  it("has 20 colours, no two alike (CIELAB distance)", () => {
    const lab = (hex: string) => {
      const n = parseInt(hex.slice(1), 16);
      const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
        const c = v / 255;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      });
      const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
      const [x, y, z] = [(r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047, r * 0.2126 + g * 0.7152 + b * 0.0722, (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883];
      return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
    };
    for (const pal of [LIGHT_PALETTE, DARK_PALETTE]) {
      expect(new Set(pal).size).toBe(20);
      for (let i = 0; i < pal.length; i++)
        for (let j = 0; j < i; j++) {
          const [p, q] = [lab(pal[i]), lab(pal[j])];
          expect(Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2])).toBeGreaterThan(25);
        }
    }
  });
  it("go to runs in creation order, whatever order they come in", () => {
    const runs = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, created_at: 100 - i }));
    const a = assignColors(runs);
    expect(new Set(a.values()).size).toBe(20);
    expect(a.get("r19")).toBe(PALETTE[0]); // the oldest
    expect(assignColors(runs.slice().reverse())).toEqual(a);
    expect(runColor("r3", undefined, a)).toBe(a.get("r3"));
  });
});

describe("natural order", () => {
  it("compares numbers by value, decimals included", () => {
    const names = ["lr-0.001", "lr-0.0003", "lr-0.0001", "lr-1e-5", "loss_10", "loss_2", "Loss_3"];
    expect(names.slice().sort(naturalCompare)).toEqual(["loss_2", "Loss_3", "loss_10", "lr-1e-5", "lr-0.0001", "lr-0.0003", "lr-0.001"]);
  });
  it("sorts runs by name that way", () => {
    const rs = ["lr-0.001", "lr-0.0001", "lr-0.0003"].map((n, i) => run(`r${i}`, { name: n }));
    expect(sortRuns(rs, { key: "name", dir: "asc" }).map((r) => r.name)).toEqual(["lr-0.0001", "lr-0.0003", "lr-0.001"]);
  });
});

describe("tick labels", () => {
  it("are compact for large numbers and carry the increment's decimals", () => {
    expect(formatTicks([1_000_000, 1_250_000, 1_500_000], 250_000)).toEqual(["1.00M", "1.25M", "1.50M"]);
    expect(formatTicks([0, 500_000, 1_000_000], 500_000)).toEqual(["0", "0.5M", "1.0M"]);
    expect(formatTicks([2000, 4000], 2000)).toEqual(["2k", "4k"]);
    expect(formatTicks([0.25, 0.5, 0.75], 0.25)).toEqual(["0.25", "0.50", "0.75"]);
    expect(formatTicks([0, 1, 2], 1)).toEqual(["0", "1", "2"]);
    expect(formatTicks([1e-5, 2e-5], 1e-5)).toEqual(["1e-5", "2e-5"]);
    expect(formatCompact(2_500_000)).toBe("2.5M");
    expect(formatCompact(0.001)).toBe("0.001");
  });
  it("for wall time fit on one line", () => {
    const t0 = new Date(2026, 0, 5, 10, 0, 0).getTime() / 1000;
    expect(formatTimeTicks([t0, t0 + 60], 60)).toEqual(["10:00", "10:01"]);
    expect(formatTimeTicks([t0, t0 + 30], 30)).toEqual(["10:00:00", "10:00:30"]);
    expect(formatTimeTicks([t0, t0 + 86400], 86400)).toEqual(["Jan 5", "Jan 6"]);
    expect(formatTimeTicks([t0, t0 + 43200, t0 + 86400], 43200)).toEqual(["Jan 5 10:00", "Jan 5 22:00", "Jan 6 10:00"]);
  });
});

describe("describeValue", () => {
  it("describes histograms and media instead of dumping them", () => {
    expect(describeValue({ _type: "histogram", values: [1, 2, 3], bins: [0, 1, 2, 3] })).toBe("histogram · 3 bins · 6 values · 0 to 3");
    expect(describeValue({ _type: "image-file", width: 4, height: 3, path: "x.png" })).toBe("image-file 4×3");
    expect(describeValue(0.5)).toBe("0.5");
    expect(describeValue(Array.from({ length: 10 }, (_, i) => i))).toBe("[10 items]");
  });
});

describe("knownField", () => {
  const cols = { config: ["lr", "optimizer.name"], summary: ["train/loss"] };
  it("knows built-ins, config and summary keys and the dicts above them", () => {
    for (const k of ["name", "state", "config.lr", "config.optimizer", "summary.train/loss", "lr", "train/loss"]) expect(knownField(k, cols)).toBe(true);
    for (const k of ["config.lrr", "summary.eval/acc", "nope", "config.optim"]) expect(knownField(k, cols)).toBe(false);
  });
});

describe("summary aggregates", () => {
  it("a define_metric summary filters and sorts as its aggregate", () => {
    const a = run("a", { summary: { loss: { min: 0.1 }, acc: { max: 0.9, last: 0.8 }, img: { _type: "image-file" } } });
    expect(fieldValue(a, "summary.loss")).toBe(0.1);
    expect(fieldValue(a, "loss")).toBe(0.1);
    expect(fieldValue(a, "summary.acc")).toBe(0.8);
    expect(fieldValue(a, "summary.acc.max")).toBe(0.9);
    expect(fieldValue(a, "summary.img")).toEqual({ _type: "image-file" });
  });
});

describe("duration", () => {
  it("of a running run grows with the clock", () => {
    const r = run("a", { state: "running", created_at: 100, runtime: 5 });
    expect(duration(r, 200)).toBe(100);
    expect(duration({ ...r, state: "finished" }, 200)).toBe(5);
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
