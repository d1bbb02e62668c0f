/**
 * Workspace state <-> URL query string, so a view can be bookmarked and shared.
 *
 * Defaults are left out of the URL; lists are comma-joined with each item percent-escaped, so run ids
 * and metric names with commas survive. `decode(encode(s))` equals `s` for every valid state.
 */

import type { GroupBand } from "./grouping";
import { decodeLayout, EMPTY_LAYOUT, encodeLayout, isEmptyLayout, type Layout } from "./layout";
import { decodePanels, encodePanels, type PanelSpec } from "./panels";
import type { SortSpec } from "./runs";
import { SMOOTHING_DEFAULTS, type Smoothing, type SmoothingKind } from "./smoothing";

export type Visibility = { mode: "all" } | { mode: "hide"; ids: string[] } | { mode: "only"; ids: string[] };

export interface WorkspaceState {
  filter: string;
  sort: SortSpec | null;
  groupBy: string | null;
  band: GroupBand;
  smoothing: Smoothing;
  xAxis: string;
  zoom: [number, number] | null;
  logY: boolean;
  ignoreOutliers: boolean;
  visibility: Visibility;
  /** extra table columns (config.x / summary.y); null = the default set */
  columns: string[] | null;
  collapsed: string[];
  search: string;
  /** metric shown full screen */
  panel: string | null;
  /** panel grid columns, 1-4; 0 = as many as fit */
  gridColumns: number;
  /** panels the user added (multi-metric line plots, scalar cards), shown first */
  custom: PanelSpec[];
  /** order and size of the auto-created panels, section names and order (core/layout.ts) */
  layout: Layout;
}

export const DEFAULT_STATE: WorkspaceState = {
  filter: "",
  sort: null,
  groupBy: null,
  band: "minmax",
  smoothing: { kind: "none", param: 0 },
  xAxis: "_step",
  zoom: null,
  logY: false,
  ignoreOutliers: false,
  visibility: { mode: "all" },
  columns: null,
  collapsed: [],
  search: "",
  panel: null,
  gridColumns: 0,
  custom: [],
  layout: EMPTY_LAYOUT,
};

const KINDS: SmoothingKind[] = ["none", "ema", "twema", "running", "gaussian"];
const BANDS: GroupBand[] = ["minmax", "std", "none"];

const escItem = (s: string) => s.replace(/%/g, "%25").replace(/,/g, "%2C");
const unescItem = (s: string) => s.replace(/%2C/gi, ",").replace(/%25/g, "%");
const joinList = (xs: string[]) => xs.map(escItem).join(",");
const splitList = (s: string) => (s === "" ? [] : s.split(",").map(unescItem));

export function encodeState(s: WorkspaceState): string {
  const p = new URLSearchParams();
  if (s.filter) p.set("q", s.filter);
  if (s.sort) p.set("sort", `${s.sort.dir === "desc" ? "-" : ""}${s.sort.key}`);
  if (s.groupBy) p.set("group", s.groupBy);
  if (s.band !== DEFAULT_STATE.band) p.set("band", s.band);
  if (s.smoothing.kind !== "none") p.set("smooth", `${s.smoothing.kind}:${s.smoothing.param}`);
  if (s.xAxis !== DEFAULT_STATE.xAxis) p.set("x", s.xAxis);
  if (s.zoom) p.set("zoom", `${s.zoom[0]}~${s.zoom[1]}`);
  if (s.logY) p.set("logy", "1");
  if (s.ignoreOutliers) p.set("outliers", "ignore");
  if (s.visibility.mode === "hide") p.set("hide", joinList(s.visibility.ids));
  if (s.visibility.mode === "only") p.set("only", joinList(s.visibility.ids));
  if (s.columns) p.set("cols", joinList(s.columns));
  if (s.collapsed.length) p.set("collapsed", joinList(s.collapsed));
  if (s.search) p.set("search", s.search);
  if (s.panel) p.set("panel", s.panel);
  if (s.gridColumns) p.set("grid", String(s.gridColumns));
  if (s.custom.length) p.set("panels", encodePanels(s.custom));
  if (!isEmptyLayout(s.layout)) p.set("layout", encodeLayout(s.layout));
  return p.toString();
}

export function decodeState(query: string): WorkspaceState {
  const p = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  const s: WorkspaceState = { ...DEFAULT_STATE, smoothing: { ...DEFAULT_STATE.smoothing } };
  s.filter = p.get("q") ?? "";
  const sort = p.get("sort");
  if (sort) s.sort = sort.startsWith("-") ? { key: sort.slice(1), dir: "desc" } : { key: sort, dir: "asc" };
  s.groupBy = p.get("group") || null;
  const band = p.get("band") as GroupBand | null;
  if (band && BANDS.includes(band)) s.band = band;
  const sm = p.get("smooth");
  if (sm) {
    const [kind, param] = sm.split(":");
    if (KINDS.includes(kind as SmoothingKind)) {
      const k = kind as SmoothingKind;
      const v = Number(param);
      s.smoothing = { kind: k, param: Number.isFinite(v) && param !== "" ? v : SMOOTHING_DEFAULTS[k].param };
    }
  }
  s.xAxis = p.get("x") || DEFAULT_STATE.xAxis;
  const zoom = p.get("zoom");
  if (zoom) {
    const [a, b] = zoom.split("~").map(Number);
    if (Number.isFinite(a) && Number.isFinite(b) && b > a) s.zoom = [a, b];
  }
  s.logY = p.get("logy") === "1";
  s.ignoreOutliers = p.get("outliers") === "ignore";
  if (p.has("only")) s.visibility = { mode: "only", ids: splitList(p.get("only")!) };
  else if (p.has("hide")) s.visibility = { mode: "hide", ids: splitList(p.get("hide")!) };
  if (p.has("cols")) s.columns = splitList(p.get("cols")!);
  if (p.has("collapsed")) s.collapsed = splitList(p.get("collapsed")!);
  s.search = p.get("search") ?? "";
  s.panel = p.get("panel") || null;
  const grid = Number(p.get("grid"));
  if (Number.isInteger(grid) && grid >= 1 && grid <= 4) s.gridColumns = grid;
  s.custom = decodePanels(p.get("panels"));
  s.layout = decodeLayout(p.get("layout"));
  return s;
}

export function isVisible(v: Visibility, id: string): boolean {
  if (v.mode === "all") return true;
  if (v.mode === "hide") return !v.ids.includes(id);
  return v.ids.includes(id);
}

/** Flip one run's eye, keeping the URL short: hide-lists while most runs are shown, only-lists otherwise. */
export function toggleVisible(v: Visibility, id: string, allIds: string[]): Visibility {
  const shown = new Set(allIds.filter((x) => isVisible(v, x)));
  if (shown.has(id)) shown.delete(id);
  else shown.add(id);
  return fromShown(shown, allIds);
}

export function fromShown(shown: Set<string>, allIds: string[]): Visibility {
  if (shown.size === allIds.length && allIds.every((x) => shown.has(x))) return { mode: "all" };
  const hidden = allIds.filter((x) => !shown.has(x));
  if (hidden.length <= shown.size) return { mode: "hide", ids: hidden };
  return { mode: "only", ids: allIds.filter((x) => shown.has(x)) };
}
