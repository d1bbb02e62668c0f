/** The workspace page's state and data, as hooks (the page component only lays them out). */

import { useCallback, useEffect, useMemo, useState } from "react";
import { api } from "../api/client";
import type { Run, SavedView } from "../api/types";
import { loadPanelSettings, savePanelSettings, setPanel, type PanelSettings } from "../core/persist";
import { decodeState, type WorkspaceState } from "../core/urlstate";
import { parseView, serializeView, viewOfSearch, viewSearch } from "../core/view";
import { setSearch } from "../router";

/**
 * The workspace's view (core/view.ts), one object: the state in the URL, run colours and panel
 * settings in this browser, and the saved view they came from (`?view=ID` in the URL), which is loaded
 * before the workspace shows so that a shared link opens exactly that view.
 */
export function useWorkspaceView(projectKey: string) {
  const [st, setSt] = useState<WorkspaceState>(() => decodeState(location.search));
  const update = useCallback((patch: Partial<WorkspaceState>) => setSt((s) => ({ ...s, ...patch })), []);
  const [initial] = useState(() => viewOfSearch(location.search));
  const [viewId, setViewId] = useState<number | null>(initial.id);
  const [saved, setSaved] = useState<SavedView | null>(null);
  const [loading, setLoading] = useState(initial.id !== null);
  const [viewError, setViewError] = useState<Error | null>(null);
  const [colors, setColors] = useStored<Record<string, string>>(`runyard:colors:${projectKey}`, {});
  const [panels, panelSetter, setPanels] = usePanelSettings(projectKey);

  useEffect(() => {
    setSearch(viewSearch(viewId, st));
  }, [viewId, st]);

  /** Show a saved view: its colours and panels, and its state unless `keepState` (the URL's own). */
  const apply = useCallback(
    (v: SavedView, keepState = false) => {
      const parsed = parseView(v.state);
      if (!keepState) setSt(parsed.state);
      setColors(parsed.colors);
      setPanels(parsed.panels);
      setViewId(v.id);
      setSaved(v);
    },
    [setColors, setPanels],
  );
  const detach = useCallback(() => {
    setViewId(null);
    setSaved(null);
  }, []);

  useEffect(() => {
    if (initial.id === null) return;
    const ctrl = new AbortController();
    api.view(initial.id, ctrl.signal).then(
      (v) => {
        // a URL with state besides the view is that view, changed: the URL's state is the current one
        apply(v, initial.ownState);
        setLoading(false);
      },
      (e: Error) => {
        if (e.name === "AbortError") return;
        setViewError(e);
        setViewId(null);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [initial, apply]);

  const current = useMemo(() => serializeView({ state: st, colors, panels }), [st, colors, panels]);
  return { st, update, colors, setColors, panels, panelSetter, viewId, saved, setSaved, loading, viewError, apply, detach, current };
}

/** Every run of the project (shown page by page as they load); `reload` asks again. */
export function useProjectRuns(entity: string, project: string) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    api.allRuns(entity, project, ctrl.signal, (partial) => setRuns(partial)).then(
      (rs) => {
        setRuns(rs);
        setError(null);
      },
      (e: Error) => e.name !== "AbortError" && setError(e),
    );
    return () => ctrl.abort();
  }, [entity, project, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { runs, setRuns, error, reload, tick };
}

/** A JSON value kept in localStorage under `key`. */
export function useStored<T>(key: string, initial: T): [T, (v: T) => void] {
  const [v, setV] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      return raw ? (JSON.parse(raw) as T) : initial;
    } catch {
      return initial;
    }
  });
  const set = useCallback(
    (nv: T) => {
      setV(nv);
      try {
        localStorage.setItem(key, JSON.stringify(nv));
      } catch {
        /* storage full or unavailable: the value lives for this page */
      }
    },
    [key],
  );
  return [v, set];
}

/**
 * Per-panel settings of a project (saved in localStorage), and a stable setter per metric so that
 * memoized panels do not re-render when another panel's settings change.
 */
export function usePanelSettings(
  projectKey: string,
): [Record<string, PanelSettings>, (metric: string) => (s: PanelSettings) => void, (all: Record<string, PanelSettings>) => void] {
  const [all, setAll] = useState<Record<string, PanelSettings>>(() => loadPanelSettings(localStorage, projectKey));
  const setter = useMemo(() => {
    const m = new Map<string, (s: PanelSettings) => void>();
    return (metric: string) => {
      let f = m.get(metric);
      if (!f)
        m.set(
          metric,
          (f = (s: PanelSettings) =>
            setAll((cur) => {
              const next = setPanel(cur, metric, { logY: undefined, smoothing: undefined, ignoreOutliers: undefined, envelope: undefined, xAxis: undefined, ...s });
              savePanelSettings(localStorage, projectKey, next);
              return next;
            })),
        );
      return f;
    };
  }, [projectKey]);
  const replace = useCallback(
    (next: Record<string, PanelSettings>) => {
      setAll(next);
      savePanelSettings(localStorage, projectKey, next);
    },
    [projectKey],
  );
  return [all, setter, replace];
}

/** The workspace's keyboard shortcuts, outside text fields: "/" filter, "?" help, "z" reset zoom. */
export function useWorkspaceShortcuts(on: { filter: () => void; help: () => void; resetZoom: (() => void) | null }) {
  const { filter, help, resetZoom } = on;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.closest("input, textarea, select, [contenteditable]")) return;
      if (e.key === "/") {
        e.preventDefault();
        filter();
      } else if (e.key === "?") help();
      else if (e.key === "z" && resetZoom) resetZoom();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [filter, help, resetZoom]);
}
