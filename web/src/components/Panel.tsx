/** One metric panel: its data (usePanelData) smoothed, drawn, with its settings. */

import { memo, useMemo, useState } from "react";
import { buildPlot, type PlotGroup, type PlotRun } from "../core/plot";
import { yRange } from "../core/series";
import type { Smoothing } from "../core/smoothing";
import type { GroupBand } from "../core/grouping";
import type { PanelSettings } from "../core/persist";
import { useVisible, useWidth } from "../hooks";
import type { LiveFeed } from "../live";
import { LineChart } from "./LineChart";
import { useBucketCount, usePanelData, type OtherProjectRuns } from "./usePanelData";
import { SmoothingControl } from "./SmoothingControl";
import { PanelBoundary } from "./PanelBoundary";
import { t } from "../i18n";
import { expandGroups, expandRuns, tagSeries } from "../core/panels";

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
  live?: LiveFeed;
  height?: number;
  fullscreen?: boolean;
  onFullscreen?: () => void;
  syncKey?: string;
  /** system metrics of one run: query /system instead of the project history */
  runScope?: { run: string; system?: boolean };
  /**
   * runs of other projects in the same chart (a report's run set over several projects): each is
   * queried from its project, and its id in `runs` is `entity/project/run_id`
   */
  otherProjects?: OtherProjectRuns[];
  /** a panel the user added: the metrics it plots (`metric` is then its title) */
  metrics?: string[];
  /** edit / remove a panel the user added */
  onEdit?: () => void;
  onRemove?: () => void;
}

/** x axes every point has; any other x axis is a metric, which only the rows that log it have */
export const BUILT_IN_X = ["_step", "_runtime", "_timestamp"];

export function xAxisLabel(x: string): string {
  return x === "_step" ? t("x.step") : x === "_timestamp" ? t("x.wall") : x === "_runtime" ? t("x.relative") : x;
}

/** 220 px up to ~1300 px tall windows; taller screens (4K) get taller charts, up to 360 px. */
export function defaultChartHeight(): number {
  return Math.max(220, Math.min(360, Math.round(window.innerHeight * 0.17)));
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
  const buckets = useBucketCount(width);
  const [showSettings, setShowSettings] = useState(false);
  const single = useMemo(() => [p.metric], [p.metric]);
  const metrics = p.metrics ?? single;
  const { data, error, loading, chartZoom, onChartZoom } = usePanelData(p, metrics, xAxis, inView && buckets > 0, buckets, vref);
  const xRange = data ? (data.zoom ? data.zoom[1] - data.zoom[0] : data.grid.b - data.grid.a) : undefined;
  const model = useMemo(
    () =>
      buildPlot(tagSeries(data?.series ?? [], metrics), expandRuns(p.runs, metrics), {
        smoothing,
        envelope,
        logY,
        groups: expandGroups(p.groups, metrics),
        band: p.band,
        xRange,
      }),
    [data, p.runs, metrics, smoothing, envelope, logY, p.groups, p.band, xRange],
  );
  const yr = useMemo(() => {
    if (!ignoreOutliers) return null;
    const cols = model.series.map((s, i) => (s.legend ? model.data[i + 1] : [])).filter((c) => c.length);
    return yRange(cols, true, logY);
  }, [model, ignoreOutliers, logY]);

  const height = p.height ?? defaultChartHeight();
  const empty = data && model.series.length === 0;

  return (
    <section className={`panel${p.fullscreen ? " panel-full" : ""}`} ref={vref} aria-label={t("panel.chart", { name: p.metric })} data-metric={p.metric}
      data-state={error ? "error" : !p.runs.length ? "empty" : loading ? "loading" : empty ? "empty" : data ? "ready" : "idle"}>
      <header className="panel-head">
        <h3 title={p.metric} translate="no">{p.metric}</h3>
        <span className="panel-meta" aria-live="polite">
          {loading ? t("panel.loading") : data ? t("panel.timing", { buckets: data.grid.buckets, ms: Math.round(data.ms) }) : ""}
        </span>
        {p.onEdit && (
          <button type="button" className="icon" aria-label={t("panel.edit", { name: p.metric })} onClick={p.onEdit}>
            ✎
          </button>
        )}
        {p.onRemove && (
          <button type="button" className="icon" aria-label={t("panel.remove", { name: p.metric })} onClick={p.onRemove}>
            ✕
          </button>
        )}
        <button type="button" className="icon" aria-label={t("panel.settingsFor", { name: p.metric })} aria-expanded={showSettings} onClick={() => setShowSettings((v) => !v)}>
          ⚙
        </button>
        {p.onFullscreen && (
          <button type="button" className="icon" aria-label={p.fullscreen ? t("panel.closeFull") : t("panel.openFull", { name: p.metric })} onClick={p.onFullscreen}>
            {p.fullscreen ? "✕" : (
              <svg width="13" height="13" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8">
                <path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" />
              </svg>
            )}
          </button>
        )}
      </header>
      {showSettings && (
        <div className="panel-settings" role="group" aria-label={t("panel.settings")}>
          <SmoothingControl value={smoothing} onChange={(sm) => p.onSettings({ ...p.settings, smoothing: sm })} />
          <label><input type="checkbox" checked={logY} onChange={(e) => p.onSettings({ ...p.settings, logY: e.target.checked })} /> {t("toolbar.logY")}</label>
          <label><input type="checkbox" checked={ignoreOutliers} onChange={(e) => p.onSettings({ ...p.settings, ignoreOutliers: e.target.checked })} /> {t("toolbar.outliers")}</label>
          <label><input type="checkbox" checked={envelope} onChange={(e) => p.onSettings({ ...p.settings, envelope: e.target.checked })} /> {t("panel.envelope")}</label>
          <button type="button" onClick={() => p.onSettings({})}>{t("panel.reset")}</button>
        </div>
      )}
      <div ref={wref} className="panel-body">
        {error ? (
          <div className="panel-msg error-text" role="alert">{error}</div>
        ) : !p.runs.length ? (
          <div className="panel-msg muted" style={{ height }}>{t("panel.noRuns")}</div>
        ) : empty ? (
          <div className="panel-msg muted" style={{ height }}>
            {BUILT_IN_X.includes(xAxis)
              ? t("panel.noData")
              : t("panel.noCommonStep", { metric: p.metric, x: xAxis })}
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
