/**
 * The workspace's view: everything a user arranges in a project's workspace, as ONE versioned,
 * serialisable object. This module owns its shape; the URL (core/urlstate.ts) carries the `state`
 * part, the browser keeps `colors` and `panels` per project, and a saved view (server,
 * `/api/v1/views`) stores the whole object.
 *
 *   state   filter, sort, grouping, band, smoothing, x axis, zoom, log y, outliers, hidden/shown runs,
 *           table columns, collapsed sections, panel search, full-screen panel, grid columns,
 *           added panels, the auto-created panels' order and sizes, section names and order
 *   colors  run id -> colour chosen by the user
 *   panels  metric -> that panel's own settings (log y, smoothing, x axis, ...)
 *
 * On the wire the state is its URL query (`encodeState`), so one codec validates both and a view
 * saved by an older UI decodes with today's defaults for what it lacks. `version` names the layout
 * of this object; `parseView` turns any stored version into the current one.
 */

import type { PanelSettings } from "./persist";
import { SMOOTHING_DEFAULTS, type SmoothingKind } from "./smoothing";
import { decodeState, encodeState, type WorkspaceState } from "./urlstate";

export const VIEW_VERSION = 1;

export interface WorkspaceView {
  state: WorkspaceState;
  colors: Record<string, string>;
  panels: Record<string, PanelSettings>;
}

/** What is stored: `{version, query, colors, panels}`. */
export interface StoredView {
  version: number;
  query: string;
  colors: Record<string, string>;
  panels: Record<string, PanelSettings>;
}

export function serializeView(v: WorkspaceView): StoredView {
  return { version: VIEW_VERSION, query: encodeState(v.state), colors: { ...v.colors }, panels: { ...v.panels } };
}

const COLOR = /^#[0-9a-fA-F]{3,8}$/;
const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);

function panelSettings(raw: unknown): PanelSettings | null {
  if (!isObj(raw)) return null;
  const out: PanelSettings = {};
  if (typeof raw.logY === "boolean") out.logY = raw.logY;
  if (typeof raw.ignoreOutliers === "boolean") out.ignoreOutliers = raw.ignoreOutliers;
  if (typeof raw.envelope === "boolean") out.envelope = raw.envelope;
  if (typeof raw.xAxis === "string") out.xAxis = raw.xAxis;
  const sm = raw.smoothing;
  if (isObj(sm) && typeof sm.kind === "string" && sm.kind in SMOOTHING_DEFAULTS && typeof sm.param === "number" && Number.isFinite(sm.param))
    out.smoothing = { kind: sm.kind as SmoothingKind, param: sm.param };
  return out;
}

/** A stored view (from the server or a file) as the current `WorkspaceView`; what is malformed is dropped. */
export function parseView(raw: unknown): WorkspaceView {
  const r = isObj(raw) ? raw : {};
  const state = decodeState(typeof r.query === "string" ? r.query : "");
  const colors: Record<string, string> = {};
  if (isObj(r.colors)) for (const [id, c] of Object.entries(r.colors)) if (typeof c === "string" && COLOR.test(c)) colors[id] = c;
  return { state, colors, panels: parsePanels(r.panels) };
}

/** Stored per-panel settings (a view's `panels`, a report block's `panel_settings`): metric -> that
 * panel's own settings; what is malformed is dropped. */
export function parsePanels(raw: unknown): Record<string, PanelSettings> {
  const panels: Record<string, PanelSettings> = {};
  if (isObj(raw))
    for (const [k, s] of Object.entries(raw)) {
      const p = panelSettings(s);
      if (p) panels[k] = p;
    }
  return panels;
}

/** The query string of the address bar: the loaded view's id (if any), then the state. */
export function viewSearch(viewId: number | null, state: WorkspaceState): string {
  const q = encodeState(state);
  if (viewId === null) return q;
  return q ? `view=${viewId}&${q}` : `view=${viewId}`;
}

/** The view id in a query string, and whether the query carries state of its own besides it. */
export function viewOfSearch(search: string): { id: number | null; ownState: boolean } {
  const p = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  const raw = p.get("view");
  const id = raw && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
  p.delete("view");
  return { id, ownState: [...p.keys()].length > 0 };
}

/** A canonical text of a stored view (key order is not kept by every database): equal views, equal texts. */
export function viewKey(raw: unknown): string {
  const v = serializeView(parseView(raw));
  const sorted = (o: Record<string, unknown>) => Object.keys(o).sort().map((k) => [k, o[k]]);
  const panels = sorted(v.panels).map(([k, p]) => [k, sorted(p as Record<string, unknown>)]);
  return JSON.stringify([v.version, v.query, sorted(v.colors), panels]);
}
