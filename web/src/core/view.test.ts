import { describe, expect, it } from "vitest";
import { DEFAULT_STATE, type WorkspaceState } from "./urlstate";
import { parseView, serializeView, viewKey, viewOfSearch, viewSearch, VIEW_VERSION, type WorkspaceView } from "./view";

const VIEW: WorkspaceView = {
  state: { ...DEFAULT_STATE, filter: "lr > 0.01", sort: { key: "summary.loss", dir: "asc" }, zoom: [10, 500], gridColumns: 2, visibility: { mode: "hide", ids: ["a,b"] } } as WorkspaceState,
  colors: { r1: "#ff0000" },
  panels: { "train/loss": { logY: true, smoothing: { kind: "ema", param: 0.6 }, xAxis: "_runtime" } },
};

describe("the workspace view object", () => {
  it("round-trips through its stored form and JSON", () => {
    const stored = serializeView(VIEW);
    expect(stored.version).toBe(VIEW_VERSION);
    expect(parseView(JSON.parse(JSON.stringify(stored)))).toEqual(VIEW);
  });
  it("drops what is malformed and keeps the rest", () => {
    const v = parseView({ version: 1, query: "q=x&grid=9", colors: { a: "red; background:url(x)", b: "#abc" }, panels: { m: { logY: "yes", xAxis: "_step", smoothing: { kind: "evil", param: 1 } }, n: 5 } });
    expect(v.state.filter).toBe("x");
    expect(v.state.gridColumns).toBe(0);
    expect(v.colors).toEqual({ b: "#abc" });
    expect(v.panels).toEqual({ m: { xAxis: "_step" } });
    expect(parseView(null)).toEqual({ state: DEFAULT_STATE, colors: {}, panels: {} });
  });
  it("compares views whatever the key order of the stored object", () => {
    const a = serializeView(VIEW);
    const b = { panels: a.panels, colors: a.colors, query: a.query, version: a.version };
    expect(viewKey(b)).toBe(viewKey(a));
    expect(viewKey({ ...a, colors: {} })).not.toBe(viewKey(a));
  });
  it("puts the view id first in the address and tells whether the URL has state of its own", () => {
    expect(viewSearch(7, DEFAULT_STATE)).toBe("view=7");
    expect(viewSearch(7, VIEW.state)).toMatch(/^view=7&q=/);
    expect(viewSearch(null, DEFAULT_STATE)).toBe("");
    expect(viewOfSearch("?view=7")).toEqual({ id: 7, ownState: false });
    expect(viewOfSearch("?view=7&q=x")).toEqual({ id: 7, ownState: true });
    expect(viewOfSearch("?view=x")).toEqual({ id: null, ownState: false });
  });
});
