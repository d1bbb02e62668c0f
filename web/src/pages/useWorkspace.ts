/** The workspace page's state and data, as hooks (the page component only lays them out). */

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import type { SavedView } from "../api/types";
import { compactRun, mergeValues, type RunRow } from "../core/runs";
import { loadPanelSettings, savePanelSettings, setPanel, type PanelSettings } from "../core/persist";
import { decodeState, type WorkspaceState } from "../core/urlstate";
import { parseView, serializeView, viewOfSearch, viewSearch } from "../core/view";
import { setSearch } from "../router";
import { useAsync } from "../hooks";

/** how long created events wait for others to share a request (`useProjectRuns`) */
const CREATED_BATCH_MS = 200;
/** the most created runs asked for by id in one request (a page of the runs listing) */
const CREATED_MAX = 1000;

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

/**
 * Every run of the project as compact rows (shown as they load), with the config/summary values of
 * `fields` only (null: whole documents); `reload` asks again. A field added later (a new column, a
 * filter on another key) is fetched then, for every run, and merged into the rows.
 */
export function useProjectRuns(entity: string, project: string, fields: string[] | null) {
  const [runs, setRuns] = useState<RunRow[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const [fieldsTick, setFieldsTick] = useState(0);
  // the fields the rows hold ("*": whole documents); read by the effects, not a dependency of the load
  const have = useRef<{ fields: Set<string> | "*"; loaded: boolean }>({ fields: new Set(), loaded: false });
  const want = useRef(fields);
  want.current = fields;
  // runs created once the rows are loaded come alone, by id, and go first (the rows are newest
  // first): a 100k-run project reloaded every row for each new run. Created events close together
  // share one request; those during a load are asked for when it ends (its pages may lack them).
  // More than a listing page of them at once (a burst, a long load) loads every row again.
  const created = useRef({ ids: new Set<string>(), timer: null as number | null });
  const fetchCreated = useCallback(() => {
    const c = created.current;
    c.timer = null;
    if (!c.ids.size) return;
    if (c.ids.size > CREATED_MAX) {
      c.ids.clear();
      setTick((t) => t + 1);
      return;
    }
    const filter = { id: { $in: [...c.ids] } };
    c.ids.clear();
    const held = have.current.fields;
    const load =
      held === "*" ? api.allRuns(entity, project, { filter, row: compactRun }) : api.allRunRows(entity, project, { fields: [...held], filter });
    load.then(
      (rows) =>
        setRuns((rs) => {
          if (!rs) return rs;
          const known = new Set(rs.map((r) => r.id));
          const fresh = rows.filter((r) => !known.has(r.id));
          return fresh.length ? [...fresh, ...rs] : rs;
        }),
      (e: Error) => e.name !== "AbortError" && setError(e),
    );
  }, [entity, project]);
  useEffect(() => {
    const c = created.current;
    return () => {
      if (c.timer !== null) window.clearTimeout(c.timer);
      c.timer = null;
      c.ids.clear();
    };
  }, [entity, project]);
  useEffect(() => {
    const ctrl = new AbortController();
    const asked = want.current;
    have.current = { fields: asked ? new Set(asked) : "*", loaded: false };
    setFieldsTick((t) => t + 1);
    const load = asked
      ? api.allRunRows(entity, project, { signal: ctrl.signal, fields: asked, onPage: setRuns })
      : api.allRuns(entity, project, { signal: ctrl.signal, row: compactRun, onPage: setRuns });
    load.then(
      (rs) => {
        have.current.loaded = true;
        setRuns(rs);
        setError(null);
        fetchCreated(); // runs created while the pages came
        setFieldsTick((t) => t + 1); // fields asked for while this load ran are fetched now
      },
      (e: Error) => e.name !== "AbortError" && setError(e),
    );
    return () => ctrl.abort();
  }, [entity, project, tick, fetchCreated]);

  const key = fields ? fields.join("\n") : "*";
  useEffect(() => {
    const h = have.current;
    if (!h.loaded || h.fields === "*") return;
    const held = h.fields;
    const missing = fields ? fields.filter((f) => !held.has(f)) : null;
    if (missing && !missing.length) return;
    if (!missing) {
      setTick((t) => t + 1); // more fields than one listing returns: load whole documents
      return;
    }
    const ctrl = new AbortController();
    api.allRunRows(entity, project, { signal: ctrl.signal, fields: missing }).then(
      (more) => {
        const values = new Map(more.map((r) => [r.id, r]));
        for (const f of missing) held.add(f);
        setRuns((rs) =>
          rs
            ? rs.map((r) => {
                const v = values.get(r.id);
                return v ? { ...r, config: mergeValues(r.config, v.config), summary: mergeValues(r.summary, v.summary) } : r;
              })
            : rs,
        );
      },
      (e: Error) => e.name !== "AbortError" && setError(e),
    );
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for `fields`
  }, [entity, project, key, fieldsTick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const added = useCallback(
    (runId: string) => {
      const c = created.current;
      c.ids.add(runId);
      if (c.timer === null && have.current.loaded) c.timer = window.setTimeout(fetchCreated, CREATED_BATCH_MS);
    },
    [fetchCreated],
  );
  // whether the rows hold these values yet (a filter or sort on a value still loading waits for it);
  // each change of `have` comes with a state update, so a render reads the current one
  const holds = useCallback((f: string[] | null) => {
    const held = have.current.fields;
    return held === "*" || (f !== null && f.every((x) => held.has(x)));
  }, []);
  return { runs, setRuns, error, reload, added, tick, holds };
}

/**
 * Whole runs (every config and summary value) for what draws them, the Parameters section, scalar
 * cards and media panels: the newest 1000 of the project (also the sample the column picker lists
 * keys from), and those of `ids` not among them, fetched when asked for (at most a page of them).
 */
export function useRunDocs(entity: string, project: string, ids: string[], tick: number) {
  const sample = useAsync(
    async (signal) => (await api.runsQuery(entity, project, { limit: 1000, order: "-created_at" }, signal)).runs,
    [entity, project, tick],
  );
  const inSample = useMemo(() => new Map((sample.data ?? []).map((r) => [r.id, r])), [sample.data]);
  const missing = sample.data ? ids.filter((id) => !inSample.has(id)).slice(0, 1000) : [];
  const others = useAsync(
    async (signal) =>
      missing.length ? (await api.runsQuery(entity, project, { limit: 1000, filter: { id: { $in: missing } } }, signal)).runs : [],
    [entity, project, tick, missing.join("\n")],
  );
  const docs = useMemo(() => {
    const m = new Map(inSample);
    for (const r of others.data ?? []) m.set(r.id, r);
    return m;
  }, [inSample, others.data]);
  return { sample: sample.data ?? null, docs };
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
