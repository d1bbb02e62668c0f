/** A metric panel's data: its bucket count, the server query for its window, and live points merged in. */

import { startTransition, useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { api } from "../api/client";
import { appendPoints, fitGrid, type BucketGrid, type BucketSeries } from "../core/series";
import type { PanelProps } from "./Panel";

/**
 * Buckets to ask for at a chart width: one per device pixel, in steps of 100 (so small resizes don't
 * re-query). The first width is used at once, later resizes are debounced.
 */
export function useBucketCount(width: number): number {
  const [buckets, setBuckets] = useState(0);
  useEffect(() => {
    if (!width) return;
    // one bucket per device pixel (at least 2 per CSS pixel below 2x screens would only double
    // the bytes: a bucket's min/max band already covers every point under its pixel)
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const b = Math.min(2000, Math.max(100, Math.round((width * dpr) / 100) * 100));
    if (!buckets) {
      setBuckets(b);
      return;
    }
    const t = setTimeout(() => setBuckets(b), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [width]);
  return buckets;
}

export interface OtherProjectRuns {
  entity: string;
  project: string;
  /** run ids in that project */
  runs: string[];
}

/** A run's id in a chart that mixes projects (runs of the panel's own project keep their plain id). */
export const mixedRunId = (entity: string, project: string, run: string) => `${entity}/${project}/${run}`;

/** The project a chart's run id was asked of: "" for the panel's own, else `entity/project`. */
const sourceOf = (id: string) => id.slice(0, Math.max(0, id.lastIndexOf("/")));

/** Each answer has its own grid: a metric's series from another project sit on that answer's grid. */
const gridKey = (metric: string, source: string) => (source ? `${metric}\n${source}` : metric);

/** A live run's system panels are asked again at most this often (their x axis is time, not steps). */
const SYSTEM_REFRESH_MS = 5000;

/**
 * A counter that goes up when a run whose system metrics a panel shows has logged again (at most
 * once per SYSTEM_REFRESH_MS): system samples have no step, so they are re-queried rather than merged.
 */
function useSystemRefresh(p: PanelProps): number {
  const [n, setN] = useState(0);
  const run = p.runScope?.system ? p.runScope.run : null;
  useEffect(() => {
    if (!p.live || !run) return;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stop = p.live.onRun((id) => {
      if (id !== run || timer) return;
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        setN((x) => x + 1);
      }, Math.max(0, last + SYSTEM_REFRESH_MS - Date.now()));
    });
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }, [p.live, run]);
  return n;
}

export interface PanelData {
  /** every metric's series (each tagged with its `key`) */
  series: BucketSeries[];
  /** the first metric's grid (bucket count, x range for smoothing) */
  grid: BucketGrid;
  /** the grid of each metric (`gridKey`: and source project): live points merge into their own */
  grids: Record<string, BucketGrid>;
  ms: number;
  /** the window the data was queried for (what the chart shows until the next answer) */
  zoom: [number, number] | null;
}

/**
 * Query the panel's window while it is on screen (`inView`), once per distinct query (one request
 * per metric); follow live points on the step axis; report the chart's own zooms with priority.
 */
export function usePanelData(p: PanelProps, metrics: string[], xAxis: string, inView: boolean, buckets: number, vref: RefObject<HTMLElement | null>) {
  const runIds = p.runs.map((r) => r.id).join(",");
  const metricList = metrics.join("\n");
  const [data, setData] = useState<PanelData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const dataRef = useRef(data);
  dataRef.current = data;
  // the query the shown data answers: a panel scrolled back into view re-queries only if it changed
  const shownQuery = useRef("");
  const refresh = useSystemRefresh(p);
  // set when this panel's own chart was dragged: its re-query goes to the front of the queue
  const zoomedHere = useRef(false);
  // the zoom this panel's own drag (or double-click) asked for: shown at once, before the answer
  const ownZoom = useRef<[number, number] | null | undefined>(undefined);
  const onZoom = p.onZoom;
  const onChartZoom = useCallback(
    (z: [number, number] | null) => {
      zoomedHere.current = true;
      ownZoom.current = z;
      onZoom(z);
    },
    [onZoom],
  );

  useEffect(() => {
    if (!inView || !buckets || !runIds || !metricList) {
      if (!runIds || !metricList) {
        setData(null);
        shownQuery.current = "";
      }
      return;
    }
    const others = p.otherProjects ?? [];
    const qkey = JSON.stringify([runIds, metricList, xAxis, p.zoom, buckets, p.entity, p.project, p.runScope, refresh, others]);
    if (qkey === shownQuery.current) return;
    const ctrl = new AbortController();
    setLoading(true);
    const t0 = performance.now();
    const priority = zoomedHere.current ? 0 : 1;
    zoomedHere.current = false;
    const q = { buckets, x_axis: xAxis, min: p.zoom?.[0], max: p.zoom?.[1] };
    // runs of other projects (ids `entity/project/run`) are asked of their own project, in the same window
    const mixed = new Set(others.map((o) => o.runs.map((r) => mixedRunId(o.entity, o.project, r))).flat());
    const own = runIds.split(",").filter((id) => !mixed.has(id));
    const fromOthers = (metric: string) =>
      others.map((o) =>
        api.history(o.entity, o.project, { ...q, key: metric, runs: o.runs, priority }, ctrl.signal).then((h) => ({
          ...h,
          series: h.series.map((s) => ({ ...s, run: mixedRunId(o.entity, o.project, s.run) })),
        })),
      );
    const one = async (metric: string) => {
      if (p.runScope) {
        const h = await api.runHistory(p.entity, p.project, p.runScope.run, { ...q, keys: [metric], system: p.runScope.system, x_axis: p.runScope.system ? undefined : xAxis, priority }, ctrl.signal);
        return { grid: h.grid, series: h.series, grids: [[metric, h.grid]] };
      }
      const mine = own.length ? [api.history(p.entity, p.project, { ...q, key: metric, runs: own, priority }, ctrl.signal)] : [];
      const all = await Promise.all([...mine, ...fromOthers(metric)]);
      // each answer's series sit on its own grid (the chart aligns them by x), live points merge into theirs
      const grids = all.flatMap((h) => (h.series.length ? [[gridKey(metric, sourceOf(h.series[0].run)), h.grid]] : []));
      return { grid: all[0].grid, series: all.flatMap((h) => h.series), grids };
    };
    const keys = metricList.split("\n");
    Promise.all(keys.map(one)).then(
      (rs) => {
        const t1 = performance.now();
        shownQuery.current = qkey;
        if (vref.current) vref.current.dataset.readyAt = String(t1);
        const grids: Record<string, BucketGrid> = Object.fromEntries(rs.flatMap((r) => r.grids));
        const apply = () => {
          setData({ series: rs.flatMap((r) => r.series), grid: rs[0].grid, grids, ms: t1 - t0, zoom: q.min !== undefined && q.max !== undefined ? [q.min, q.max] : null });
          setError(null);
          setLoading(false);
        };
        // building the chart model (smoothing, aligning up to 100 runs) is interruptible work,
        // except for the panel the user just zoomed: its answer is drawn at once
        if (priority === 0) apply();
        else startTransition(apply);
      },
      (e: Error) => {
        if (e.name === "AbortError") return;
        setError(e.message);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `others` is in qkey (by value)
  }, [inView, runIds, metricList, xAxis, p.zoom?.[0], p.zoom?.[1], buckets, p.entity, p.project, p.runScope?.run, p.runScope?.system, refresh, JSON.stringify(p.otherProjects ?? [])]);

  // live points: merged into the metric's grid client-side (step axis, not zoomed)
  useEffect(() => {
    const live = p.live;
    if (!live || xAxis !== "_step" || p.zoom || !metricList) return;
    const keys = metricList.split("\n");
    const stops = keys.map((metric) =>
      live.subscribe(metric, (pts) => {
        const d = dataRef.current;
        if (!d || !runIds.split(",").includes(pts.run)) return;
        const gk = gridKey(metric, sourceOf(pts.run));
        let grid = d.grids[gk] ?? d.grids[metric] ?? d.grid;
        // this metric's series from the run's project (on their grid); the others are kept as they are
        const mine = d.series.filter((s) => s.key === metric && gridKey(s.key, sourceOf(s.run)) === gk);
        const others = d.series.filter((s) => !(s.key === metric && gridKey(s.key, sourceOf(s.run)) === gk));
        let i = mine.findIndex((s) => s.run === pts.run);
        if (i < 0) {
          mine.push({ run: pts.run, key: metric, bucket: [], count: [], min: [], max: [], mean: [], last: [], last_x: [] });
          i = mine.length - 1;
        }
        if (grid.b <= grid.a && pts.steps.length) grid = { a: Math.min(grid.a, pts.steps[0]), b: Math.max(grid.b, pts.steps[0] + 1), buckets: grid.buckets };
        const r = appendPoints(mine[i], grid, pts.steps, pts.values);
        mine[i] = r.series;
        // the other series on the same grid: extending it never moves their bucket indexes
        const fitted = fitGrid(mine, r.grid, buckets);
        const grids = { ...d.grids, [gk]: fitted.grid };
        setData({ series: [...others, ...fitted.series], grid: grids[keys[0]] ?? d.grid, grids, ms: d.ms, zoom: d.zoom });
      }),
    );
    return () => stops.forEach((s) => s());
  }, [p.live, metricList, xAxis, p.zoom, runIds, buckets]);

  // Until its answer arrives a panel keeps showing its data in the window it was queried for:
  // redrawing every panel's old data in the new window right at a zoom would only delay the answers
  // (the panel that was dragged does show the new window at once).
  const chartZoom = p.zoom === ownZoom.current ? p.zoom : data ? data.zoom : p.zoom;
  return { data, error, loading, chartZoom, onChartZoom };
}
