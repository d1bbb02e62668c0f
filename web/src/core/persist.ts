/** Panel settings persisted per project (localStorage in the browser; any Storage in tests). */

import type { Smoothing } from "./smoothing";

export interface PanelSettings {
  logY?: boolean;
  smoothing?: Smoothing;
  ignoreOutliers?: boolean;
  envelope?: boolean;
  xAxis?: string;
}

export interface KV {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
}

const keyOf = (project: string) => `runyard:panels:${project}`;

export function loadPanelSettings(store: KV | undefined, project: string): Record<string, PanelSettings> {
  if (!store) return {};
  try {
    const raw = store.getItem(keyOf(project));
    const v = raw ? JSON.parse(raw) : {};
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function savePanelSettings(
  store: KV | undefined,
  project: string,
  all: Record<string, PanelSettings>,
): void {
  if (!store) return;
  try {
    store.setItem(keyOf(project), JSON.stringify(all));
  } catch {
    /* quota or private mode: settings just don't persist */
  }
}

export function setPanel(
  all: Record<string, PanelSettings>,
  metric: string,
  patch: PanelSettings,
): Record<string, PanelSettings> {
  const next = { ...all[metric], ...patch };
  for (const k of Object.keys(next) as (keyof PanelSettings)[]) if (next[k] === undefined) delete next[k];
  return { ...all, [metric]: next };
}
