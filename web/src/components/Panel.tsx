/** One metric panel: queries the server for its window, smooths, draws, and follows live points. */

import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import { buildPlot, type PlotGroup, type PlotRun } from "../core/plot";
import { appendPoints, fitGrid, yRange, type BucketGrid, type BucketSeries } from "../core/series";
import type { Smoothing } from "../core/smoothing";
import type { GroupBand } from "../core/grouping";
import type { PanelSettings } from "../core/persist";
import { useVisible, useWidth } from "../hooks";
import type { LiveBus } from "../live";
import { LineChart } from "./LineChart";
import { SmoothingControl } from "./SmoothingControl";
import { PanelBoundary } from "./PanelBoundary";

export interface PanelProps {
  entity: string;
  project: string;
  metric: string;
  runs: PlotRun[];
  groups: PlotGroup[] | null;
  band: GroupBand;
  /** workspace-wide defaults; per-panel settings override */
  smoothing: Smoothing;
  xAxis: string;
  logY: boolean;
  ignoreOutliers: boolean;
  settings: PanelSettings;
  onSettings: (s: PanelSettings) => void;
  zoom: [number, number] | null;
  onZoom: (z: [number, number] | null) => void;
  live?: LiveBus;
  height?: number;
  fullscreen?: boolean;
  onFullscreen?: () => void;
  syncKey?: string;
  /** system metrics of one run: query /system instead of the project history */
  runScope?: { run: string; system?: boolean };
}

/** x axes every point has; any other x axis is a metric, which only the rows that log it have */
export const BUILT_IN_X = ["_step", "_runtime", "_timestamp"];

export function xAxisLabel(x: string): string {
  return x === "_step" ? "Step" : x === "_timestamp" ? "Wall time" : x === "_runtime" ? "Relative time (s)" : x;
}

/** A metric panel inside its own error boundary (one failing chart never blanks the page). */
export const Panel = memo(function Panel(p: PanelProps) {
  return (
    <PanelBoundary name={p.metric}>
      <MetricPanel {...p} />
    </PanelBoundary>
  );
});

function MetricPanel(p: PanelProps) {
  const [wref, width] = useWidth<HTMLDivElement>();
  const [vref, inView] = useVisible<HTMLDivElement>();
  const smoothing = p.settings.smoothing ?? p.smoothing;
  const logY = p.settings.logY ?? p.logY;
  const ignoreOutliers = p.settings.ignoreOutliers ?? p.ignoreOutliers;
  const envelope = p.settings.envelope ?? true;
  const xAxis = p.settings.xAxis ?? p.xAxis;
  // about two buckets per pixel (rounded, so small resizes don't re-query); the first width is used at
  // once, later resizes are debounced
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
  const runIds = p.runs.map((r) => r.id).join(",");
  // `zoom`: the window the data was queried for (what the chart shows until the next answer)
  const [data, setData] = useState<{ series: BucketSeries[]; grid: BucketGrid; ms: number; zoom: [number, number] | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [showSettings, setShowSettings] = useState(false);
  const dataRef = useRef(data);
  dataRef.current = data;
  // the query the shown data answers: a panel scrolled back into view re-queries only if it changed
  const shownQuery = useRef("");
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
    if (!inView || !buckets || !runIds) {
      if (!runIds) {
        setData(null);
        shownQuery.current = "";
      }
      return;
    }
    const qkey = JSON.stringify([runIds, p.metric, xAxis, p.zoom, buckets, p.entity, p.project, p.runScope]);
    if (qkey === shownQuery.current) return;
    const ctrl = new AbortController();
    setLoading(true);
    const t0 = performance.now();
    const priority = zoomedHere.current ? 0 : 1;
    zoomedHere.current = false;
    const q = { buckets, x_axis: xAxis, min: p.zoom?.[0], max: p.zoom?.[1] };
    const req = p.runScope
      ? api.runHistory(p.entity, p.project, p.runScope.run, { ...q, keys: [p.metric], system: p.runScope.system, x_axis: p.runScope.system ? undefined : xAxis }, ctrl.signal)
      : api.history(p.entity, p.project, { ...q, key: p.metric, runs: runIds.split(","), priority }, ctrl.signal);
    req.then(
      (r) => {
        const t1 = performance.now();
        shownQuery.current = qkey;
        if (vref.current) vref.current.dataset.readyAt = String(t1);
        const apply = () => {
          setData({ series: r.series, grid: r.grid, ms: t1 - t0, zoom: q.min !== undefined && q.max !== undefined ? [q.min, q.max] : null });
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
  }, [inView, runIds, p.metric, xAxis, p.zoom?.[0], p.zoom?.[1], buckets, p.entity, p.project, p.runScope?.run, p.runScope?.system]);

  // live points: merged into the grid client-side (step axis, not zoomed)
  useEffect(() => {
    if (!p.live || xAxis !== "_step" || p.zoom) return;
    return p.live.subscribe(p.metric, (pts) => {
      const d = dataRef.current;
      if (!d || !runIds.split(",").includes(pts.run)) return;
      let grid = d.grid;
      const series = d.series.slice();
      let i = series.findIndex((s) => s.run === pts.run);
      if (i < 0) {
        series.push({ run: pts.run, key: p.metric, bucket: [], count: [], min: [], max: [], mean: [], last: [], last_x: [] });
        i = series.length - 1;
      }
      if (grid.b <= grid.a && pts.steps.length) grid = { a: Math.min(grid.a, pts.steps[0]), b: Math.max(grid.b, pts.steps[0] + 1), buckets: grid.buckets };
      const r = appendPoints(series[i], grid, pts.steps, pts.values);
      series[i] = r.series;
      // other series live on the same grid: extending it never moves their bucket indexes
      const fitted = fitGrid(series, r.grid, buckets);
      setData({ series: fitted.series, grid: fitted.grid, ms: d.ms, zoom: d.zoom });
    });
  }, [p.live, p.metric, xAxis, p.zoom, runIds, buckets]);

  // Until its answer arrives a panel keeps showing its data in the window it was queried for:
  // redrawing every panel's old data in the new window right at a zoom would only delay the answers
  // (the panel that was dragged does show the new window at once).
  const chartZoom = p.zoom === ownZoom.current ? p.zoom : data ? data.zoom : p.zoom;
  const xRange = data ? (data.zoom ? data.zoom[1] - data.zoom[0] : data.grid.b - data.grid.a) : undefined;
  const model = useMemo(
    () => buildPlot(data?.series ?? [], p.runs, { smoothing, envelope, logY, groups: p.groups, band: p.band, xRange }),
    [data, p.runs, smoothing, envelope, logY, p.groups, p.band, xRange],
  );
  const yr = useMemo(() => {
    if (!ignoreOutliers) return null;
    const cols = model.series.map((s, i) => (s.legend ? model.data[i + 1] : [])).filter((c) => c.length);
    return yRange(cols, true, logY);
  }, [model, ignoreOutliers, logY]);

  // 220 px up to ~1300 px tall windows; taller screens (4K) get taller charts, up to 360 px
  const height = p.height ?? Math.max(220, Math.min(360, Math.round(window.innerHeight * 0.17)));
  const empty = data && model.series.length === 0;

  return (
    <section className={`panel${p.fullscreen ? " panel-full" : ""}`} ref={vref} aria-label={`Chart ${p.metric}`} data-metric={p.metric}
      data-state={error ? "error" : !p.runs.length ? "empty" : loading ? "loading" : empty ? "empty" : data ? "ready" : "idle"}>
      <header className="panel-head">
        <h3 title={p.metric}>{p.metric}</h3>
        <span className="panel-meta" aria-live="polite">
          {loading ? "loading…" : data ? `${data.grid.buckets} buckets · ${Math.round(data.ms)} ms` : ""}
        </span>
        <button type="button" className="icon" aria-label={`Settings for ${p.metric}`} aria-expanded={showSettings} onClick={() => setShowSettings((v) => !v)}>
          ⚙
        </button>
        {p.onFullscreen && (
          <button type="button" className="icon" aria-label={p.fullscreen ? "Close full screen" : `Show ${p.metric} full screen`} onClick={p.onFullscreen}>
            {p.fullscreen ? "✕" : (
              <svg width="13" height="13" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" />
              </svg>
            )}
          </button>
        )}
      </header>
      {showSettings && (
        <div className="panel-settings" role="group" aria-label="Panel settings">
          <SmoothingControl value={smoothing} onChange={(sm) => p.onSettings({ ...p.settings, smoothing: sm })} />
          <label><input type="checkbox" checked={logY} onChange={(e) => p.onSettings({ ...p.settings, logY: e.target.checked })} /> log y</label>
          <label><input type="checkbox" checked={ignoreOutliers} onChange={(e) => p.onSettings({ ...p.settings, ignoreOutliers: e.target.checked })} /> ignore outliers</label>
          <label><input type="checkbox" checked={envelope} onChange={(e) => p.onSettings({ ...p.settings, envelope: e.target.checked })} /> min/max envelope</label>
          <button type="button" onClick={() => p.onSettings({})}>Reset</button>
        </div>
      )}
      <div ref={wref} className="panel-body">
        {error ? (
          <div className="panel-msg error-text" role="alert">{error}</div>
        ) : !p.runs.length ? (
          <div className="panel-msg muted" style={{ height }}>No runs shown: show some in the runs table</div>
        ) : empty ? (
          <div className="panel-msg muted" style={{ height }}>
            {BUILT_IN_X.includes(xAxis)
              ? "No data for the visible runs"
              : `${p.metric} is never logged at the same step as ${xAxis}: pick Step as the x axis`}
          </div>
        ) : (
          // uPlot is made only for panels on screen (or that have data): 50 charts made at once
          // on load would hold up the first ones
          !(inView || data) || width <= 0 ? (
            <div className="chart" style={{ height }} />
          ) : (
            <LineChart
              model={model}
              width={width}
              height={height}
              xLabel={xAxisLabel(xAxis)}
              xTime={xAxis === "_timestamp"}
              logY={logY}
              yRange={yr}
              zoom={chartZoom}
              onZoom={onChartZoom}
              syncKey={p.syncKey}
              name={p.metric}
            />
          )
        )}
      </div>
    </section>
  );
}
