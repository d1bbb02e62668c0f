/**
 * One media key for one or more runs: a step slider (with play) over every step any run logged the
 * key at; each run shows its value at that step (its last one at or before it), side by side.
 * Images (lists too, with masks, boxes, captions, zoom), audio, video, html, 3-D, histograms (as a
 * heatmap over steps), tables (a version per step) and custom charts.
 */

import { useEffect, useMemo, useState } from "react";
import { chartFromPlotly, chartFromVisualize, type ChartSpec } from "../../core/charts";
import { asHist, type Hist } from "../../core/heatmap";
import { indexAt, mediaItems, unionSteps, visualizeOf, type Dict, type MediaItem, type MediaKind, type StepValues } from "../../core/media";
import { parseTable, type TableData } from "../../core/table";
import { useInView, useWidth } from "../../hooks";
import type { LiveBus } from "../../live";
import { PanelBoundary } from "../PanelBoundary";
import { ChartView } from "./ChartView";
import { Heatmap } from "./Heatmap";
import { ImageView } from "./ImageView";
import { AudioPlayer, HtmlFrame, VideoPlayer } from "./Players";
import { PointCloud } from "./PointCloud";
import { TableView } from "./TableView";
import { useFileJson, type RunRef } from "./useFile";
import { useMediaSeries } from "./useMediaSeries";
import { t } from "../../i18n";

export interface MediaRun {
  id: string;
  label: string;
  color: string;
  config?: Dict;
}

const WIDE: MediaKind[] = ["table", "histogram"];

const NOTHING: StepValues = { steps: [], values: [] };

export function MediaPanel({ entity, project, runs, mediaKey, kind, live }: { entity: string; project: string; runs: MediaRun[]; mediaKey: string; kind: MediaKind; live?: LiveBus }) {
  const [viewRef, inView] = useInView<HTMLDivElement>("200px");
  const [wRef, width] = useWidth<HTMLDivElement>();
  const data = useMediaSeries(entity, project, runs.map((r) => r.id), mediaKey, inView, live);
  // aligned with `runs`; a run whose answer has not come yet shows as not having logged the key
  const series = useMemo(() => (data.byRun ? runs.map((r) => data.byRun!.get(r.id) ?? NOTHING) : undefined), [data.byRun, runs]);
  const steps = useMemo(() => unionSteps(series ?? []), [series]);
  const [pos, setPos] = useState<number | null>(null); // null: follow the last step
  const [playing, setPlaying] = useState(false);
  const idx = pos === null ? steps.length - 1 : Math.min(pos, steps.length - 1);
  const step = steps[idx];
  useEffect(() => {
    if (!playing) return;
    const t = setInterval(() => {
      setPos((p) => {
        const cur = p === null ? steps.length - 1 : p;
        if (cur >= steps.length - 1) {
          setPlaying(false);
          return cur;
        }
        return cur + 1;
      });
    }, 600);
    return () => clearInterval(t);
  }, [playing, steps.length]);
  const [tableRun, setTableRun] = useState(0);
  const shown = series ? Math.max(1, series.filter((x) => x.steps.length).length) : runs.length;
  const colW = Math.max(160, Math.floor((width - 12 * (shown - 1)) / Math.max(1, shown)));

  return (
    <section ref={viewRef} className={`panel media-panel${WIDE.includes(kind) ? " wide" : ""}`} aria-label={t("media.panel", { key: mediaKey })} data-kind={kind}>
      <div className="panel-head">
        <h3 className="panel-title" translate="no">{mediaKey}</h3>
        <span className="muted">{t(`media.kind.${kind}`)}</span>
      </div>
      {steps.length > 1 && (
        <div className="step-bar">
          <button type="button" className="icon" aria-label={playing ? t("media.pause") : t("media.play")} onClick={() => {
            if (!playing && idx >= steps.length - 1) setPos(0);
            setPlaying(!playing);
          }}>
            {playing ? "⏸" : "▶"}
          </button>
          <input
            type="range"
            min={0}
            max={steps.length - 1}
            value={idx}
            aria-label={t("media.stepOf", { key: mediaKey })}
            aria-valuetext={t("media.step", { step })}
            onChange={(e) => {
              setPlaying(false);
              setPos(Number(e.target.value));
            }}
          />
          <span className="step-label" data-step={step}>{t("media.step", { step })}</span>
        </div>
      )}
      {steps.length === 1 && <div className="step-bar"><span className="step-label" data-step={step}>{t("media.step", { step })}</span></div>}
      <div ref={wRef} className="media-body">
        {data.error && <div className="error-text" role="alert">{data.error.message}</div>}
        {!series && !data.error && <span className="muted">{t("media.loading")}</span>}
        {series && steps.length === 0 && <span className="muted">{t("media.noValues")}</span>}
        {series && steps.length > 0 && kind === "table" && (
          <TablePick entity={entity} project={project} runs={runs} series={series} step={step} mediaKey={mediaKey} which={Math.min(tableRun, runs.length - 1)} onWhich={setTableRun} />
        )}
        {series && steps.length > 0 && kind !== "table" && (
          <div className="media-runs">
            {runs.map((r, i) => {
              const s = series[i];
              if (!s.steps.length && runs.length > 1) return null; // this run never logged the key
              const src: RunRef = { entity, project, run: r.id };
              if (kind === "histogram")
                return (
                  <div key={r.id} className="media-run" style={{ width: colW }}>
                    <RunLabel r={r} />
                    <HistRun s={s} width={colW} step={step} />
                  </div>
                );
              const at = indexAt(s.steps, step);
              const v = at >= 0 ? s.values[at] : undefined;
              return (
                <div key={r.id} className="media-run" style={{ width: colW }} data-run={r.id}>
                  <RunLabel r={r} extra={at >= 0 && s.steps[at] !== step ? t("media.stepParen", { step: s.steps[at] }) : undefined} />
                  {v === undefined ? (
                    <span className="muted">{t("media.nothingAt", { step })}</span>
                  ) : kind === "plot" || kind === "plotly" ? (
                    <RunChart src={src} value={v} kind={kind} vis={visualizeOf(r.config)[mediaKey]} width={colW} />
                  ) : (
                    <Items src={src} items={mediaItems(v)} config={r.config} mediaKey={mediaKey} width={colW} />
                  )}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}

function RunLabel({ r, extra }: { r: MediaRun; extra?: string }) {
  return (
    <div className="media-run-label">
      <span className="swatch" style={{ background: r.color }} /> <span translate="no">{r.label}</span> {extra && <span className="muted">{extra}</span>}
    </div>
  );
}

function Items({ src, items, config, mediaKey, width }: { src: RunRef; items: MediaItem[]; config?: Dict; mediaKey: string; width: number }) {
  const n = items.length;
  const per = n > 1 ? Math.max(80, Math.floor(width / Math.min(n, 4)) - 8) : width;
  return (
    <div className="media-items">
      {items.map((it, i) => {
        const w = it.kind === "image" ? Math.min(per, Math.max(n > 1 ? 80 : 200, it.width ?? per) * (it.width && it.width < 100 ? 3 : 1)) : per;
        switch (it.kind) {
          case "image":
            return <ImageView key={i + it.path} src={src} item={it} config={config} mediaKey={mediaKey} width={Math.min(per, w)} />;
          case "audio":
            return <AudioPlayer key={it.path} src={src} item={it} width={Math.min(per, 480)} />;
          case "video":
            return <VideoPlayer key={it.path} src={src} item={it} width={Math.min(per, 480)} />;
          case "html":
            return <HtmlFrame key={it.path} src={src} item={it} />;
          case "object3d":
            return <PointCloud key={it.path} src={src} item={it} width={Math.min(per, 480)} height={300} />;
          default:
            return null;
        }
      })}
    </div>
  );
}

function HistRun({ s, width, step }: { s: StepValues; width: number; step: number }) {
  const { steps, hists } = useMemo(() => {
    const st: number[] = [];
    const hs: Hist[] = [];
    s.steps.forEach((x, i) => {
      const h = asHist(s.values[i]);
      if (h) {
        st.push(x);
        hs.push(h);
      }
    });
    return { steps: st, hists: hs };
  }, [s]);
  const at = indexAt(steps, step);
  return <Heatmap steps={steps} hists={hists} width={width} current={at >= 0 ? steps[at] : null} />;
}

function RunChart({ src, value, kind, vis, width }: { src: RunRef; value: unknown; kind: MediaKind; vis?: Dict; width: number }) {
  const path = mediaItems(value)[0]?.path ?? (typeof (value as Dict)?.path === "string" ? ((value as Dict).path as string) : null);
  const { data, error } = useFileJson<unknown>(src, path);
  const spec = useMemo((): { spec?: ChartSpec; error?: string; table?: TableData } => {
    if (!data) return {};
    try {
      if (kind === "plotly") {
        const s = chartFromPlotly(data);
        return s ? { spec: s } : { error: t("media.plotlyUnsupported") };
      }
      const table = parseTable(data);
      if (!vis) return { table };
      return { spec: chartFromVisualize(vis, table) };
    } catch (e) {
      try {
        return { error: (e as Error).message, table: parseTable(data) };
      } catch {
        return { error: (e as Error).message };
      }
    }
  }, [data, kind, vis]);
  if (error) return <span className="error-text">{error}</span>;
  if (!data) return <span className="muted">{t("media.loading")}</span>;
  return (
    <>
      {spec.error && <div className="muted">{spec.error}</div>}
      {spec.spec && <ChartView spec={spec.spec} width={width} />}
      {!spec.spec && spec.table && <TableView src={src} table={spec.table} mediaKey="chart" height={240} />}
    </>
  );
}

function TablePick({ entity, project, runs: allRuns, series: allSeries, step, mediaKey, which, onWhich }: { entity: string; project: string; runs: MediaRun[]; series: StepValues[]; step: number; mediaKey: string; which: number; onWhich: (i: number) => void }) {
  // only the runs that logged this table
  const have = allRuns.map((_, i) => i).filter((i) => allSeries[i].steps.length > 0);
  const runs = have.map((i) => allRuns[i]);
  const series = have.map((i) => allSeries[i]);
  which = Math.min(which, runs.length - 1);
  const r = runs[which];
  const s = series[which];
  const at = indexAt(s.steps, step);
  const v = at >= 0 ? s.values[at] : undefined;
  const path = v !== undefined ? ((v as Dict).path as string | undefined) : undefined;
  const src: RunRef = { entity, project, run: r.id };
  const { data, error } = useFileJson<unknown>(src, path);
  const table = useMemo(() => {
    if (!data) return null;
    try {
      return { t: parseTable(data) };
    } catch (e) {
      return { e: (e as Error).message };
    }
  }, [data]);
  return (
    <div>
      {runs.length > 1 && (
        <div className="table-runs" role="tablist" aria-label={t("media.tableRun")}>
          {runs.map((x, i) => (
            <button key={x.id} type="button" role="tab" aria-selected={i === which} className={i === which ? "tab active" : "tab"} onClick={() => onWhich(i)}>
              <span className="swatch" style={{ background: x.color }} /> <span translate="no">{x.label}</span>
            </button>
          ))}
        </div>
      )}
      {v === undefined && <span className="muted">{t("media.noTableAt", { run: r.label, step })}</span>}
      {v !== undefined && (
        <div className="muted table-version">
          {t("media.tableVersion", { step: s.steps[at], i: at + 1, n: s.steps.length })}
        </div>
      )}
      {error && <span className="error-text">{error}</span>}
      {v !== undefined && !data && !error && <span className="muted">{t("media.loadingTable")}</span>}
      {table?.e && <span className="error-text">{table.e}</span>}
      {table?.t && <TableView src={src} table={table.t} config={r.config} mediaKey={mediaKey} />}
    </div>
  );
}

/** Every media key of some runs, as panels (the run page's Media tab and the workspace's Media section). */
export function MediaPanels({ entity, project, runs, keys, live }: { entity: string; project: string; runs: MediaRun[]; keys: { key: string; kind: MediaKind }[]; live?: LiveBus }) {
  if (!keys.length) return <p className="muted">{t("media.none")}</p>;
  return (
    <div className="media-grid">
      {keys.map((k) => (
        <PanelBoundary key={k.key} name={k.key}>
          <MediaPanel entity={entity} project={project} runs={runs} mediaKey={k.key} kind={k.kind} live={live} />
        </PanelBoundary>
      ))}
    </div>
  );
}
