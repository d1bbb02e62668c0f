/**
 * uPlot wrapper: columnar data in, canvas out. Crosshair synced across charts of a workspace
 * (cursor.sync), drag on x to zoom (reported up, so the parent re-queries the server for exact
 * buckets), double-click to reset, hover legend with the values under the cursor.
 */

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import { formatCompact, formatNumber, formatTicks, formatTimeTicks } from "../core/format";
import type { PlotModel } from "../core/plot";
import { themeColor } from "../theme";
import { t as tr } from "../i18n";

export interface LineChartProps {
  model: PlotModel;
  width: number;
  height: number;
  xLabel: string;
  xTime?: boolean;
  logY?: boolean;
  yRange?: [number, number] | null;
  /** the zoomed x window (null: the data's extent) */
  zoom: [number, number] | null;
  onZoom: (z: [number, number] | null) => void;
  syncKey?: string;
  onHoverRun?: (id: string | null) => void;
  highlight?: string | null;
  /** names the chart in the `runyard:draw` performance marks (the metric) */
  name?: string;
}

interface Hover {
  x: number;
  rows: { label: string; color: string; value: number }[];
  more: number;
  left: number;
}

export function LineChart(p: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const props = useRef(p);
  props.current = p;
  const [hover, setHover] = useState<Hover | null>(null);
  const ticks = useRef<{ x: string[]; y: string[] }>({ x: [], y: [] });
  // per column, the index of its last value: the hover legend leaves out runs that ended before the cursor
  const ends = useMemo(
    () =>
      p.model.data.slice(1).map((col) => {
        let j = col.length - 1;
        while (j >= 0 && col[j] == null) j--;
        return j;
      }),
    [p.model],
  );
  const endsRef = useRef(ends);
  endsRef.current = ends;

  // (Re)create when the series layout changes; otherwise setData keeps the canvas.
  const layout = `${p.model.series.map((s) => s.role + s.id + s.stroke + (s.dash ?? "")).join("|")}|${p.logY}|${p.xTime}|${p.model.bands.length}`;
  useLayoutEffect(() => {
    if (!host.current || p.width <= 0) return;
    const m = props.current.model;
    const opts: uPlot.Options = {
      width: p.width,
      height: p.height,
      legend: { show: false },
      padding: [8, 8, 0, 0],
      cursor: {
        sync: p.syncKey ? { key: p.syncKey, setSeries: false } : undefined,
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        bind: {
          dblclick: () => () => {
            props.current.onZoom(null);
            return null;
          },
        },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: {
          time: !!p.xTime,
          range: (_u, dmin, dmax) => {
            const z = props.current.zoom;
            if (z) return [z[0], z[1]];
            if (dmin === dmax) return [dmin - 1, dmax + 1];
            return [dmin, dmax];
          },
        },
        y: {
          distr: p.logY ? 3 : 1,
          range: (_u, dmin, dmax) => {
            const r = props.current.yRange;
            let lo = r ? r[0] : dmin;
            let hi = r ? r[1] : dmax;
            // before data (or with no positive value) a log scale gets one decade: uPlot's log
            // splits loop over every decade of the range, and a range starting at 0 has no end
            if (lo == null || hi == null || (p.logY && !(hi > 0))) return p.logY ? [1, 10] : [0, 1];
            if (p.logY) return uPlot.rangeLog(lo > 0 ? lo : hi / 1e6, hi, 10, true);
            if (lo === hi) {
              lo -= Math.abs(lo) * 0.1 || 1;
              hi += Math.abs(hi) * 0.1 || 1;
            }
            return uPlot.rangeNum(lo, hi, 0.05, true);
          },
        },
      },
      // tick labels: one line each, compact (k/M/G), kept in `ticks` for the chart's data-*-ticks
      axes: [
        {
          stroke: themeColor("--axis"), grid: { stroke: themeColor("--grid") }, ticks: { stroke: themeColor("--line") }, label: p.xTime ? undefined : p.xLabel, labelSize: 14, size: 36,
          font: "11px system-ui", labelFont: "11px system-ui",
          values: (_u, vs, _i, _space, incr) => (ticks.current.x = p.xTime ? formatTimeTicks(vs, incr) : formatTicks(vs, incr)),
        },
        {
          stroke: themeColor("--axis"), grid: { stroke: themeColor("--grid") }, ticks: { stroke: themeColor("--line") }, size: 56, font: "11px system-ui",
          values: (_u, vs, _i, _space, incr) => (ticks.current.y = p.logY ? vs.map((v) => (v == null ? "" : formatCompact(v))) : formatTicks(vs, incr)),
        },
      ],
      series: [
        {},
        ...m.series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: s.width,
          dash: s.dash,
          spanGaps: true,
          points: { show: false },
        })),
      ],
      bands: m.bands.map((b) => ({ series: [b.hi, b.lo] as [number, number], fill: b.fill })),
      hooks: {
        // Measurable draw signal (bench/bench_ui.py, tests): every draw that has points bumps
        // data-draws and data-drawn-at (performance.now()) on the chart element and leaves a
        // `runyard:draw` performance mark naming the chart.
        draw: [
          (u) => {
            if (u.data.length < 2 || !u.data[0].length) return;
            const el = host.current?.parentElement;
            if (!el) return;
            const t = performance.now();
            el.dataset.draws = String(Number(el.dataset.draws ?? 0) + 1);
            el.dataset.xTicks = ticks.current.x.join("|");
            el.dataset.yTicks = ticks.current.y.join("|");
            el.dataset.drawnAt = String(t);
            if (!el.dataset.firstDrawnAt) el.dataset.firstDrawnAt = String(t);
            performance.mark("runyard:draw", { startTime: t, detail: props.current.name ?? null });
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const a = u.posToVal(u.select.left, "x");
            const b = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (b > a) props.current.onZoom([a, b]);
          },
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            const cm = props.current.model;
            if (idx == null || u.cursor.left == null || u.cursor.left < 0) {
              setHover(null);
              props.current.onHoverRun?.(null);
              return;
            }
            const rows: Hover["rows"] = [];
            const cursorY = u.cursor.top != null ? u.posToVal(u.cursor.top, "y") : null;
            let nearest: { id: string; d: number } | null = null;
            cm.series.forEach((s, i) => {
              if (!s.legend) return;
              const col = u.data[i + 1];
              if (idx > (endsRef.current[i] ?? -1)) return; // this run ended before the cursor
              // nearest non-null value at or before idx (lines span gaps)
              let j = idx;
              while (j >= 0 && col[j] == null) j--;
              const v = j >= 0 ? (col[j] as number) : null;
              if (v == null) return;
              rows.push({ label: s.label, color: s.stroke, value: v });
              if (cursorY != null) {
                const d = Math.abs(v - cursorY);
                if (!nearest || d < nearest.d) nearest = { id: s.id, d };
              }
            });
            rows.sort((a, b) => b.value - a.value);
            const max = 8;
            setHover({ x: u.data[0][idx], rows: rows.slice(0, max), more: Math.max(0, rows.length - max), left: u.cursor.left });
            props.current.onHoverRun?.((nearest as { id: string } | null)?.id ?? null);
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, m.data as uPlot.AlignedData, host.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layout, p.width > 0, p.syncKey]);

  // a layout effect: the new data is drawn in the same frame it is committed (not one frame later)
  useLayoutEffect(() => {
    plot.current?.setData(p.model.data as uPlot.AlignedData, true);
  }, [p.model, p.zoom, p.yRange]);

  useEffect(() => {
    if (p.width > 0) plot.current?.setSize({ width: p.width, height: p.height });
  }, [p.width, p.height]);

  return (
    <div className="chart" style={{ height: p.height }} onMouseLeave={() => setHover(null)}>
      <div ref={host} />
      {hover && hover.rows.length > 0 && (
        <div className={`chart-legend ${hover.left > p.width / 2 ? "left" : "right"}`} aria-hidden="true">
          <div className="chart-legend-x">
            {p.xLabel}: {p.xTime ? new Date(hover.x * 1000).toLocaleString() : formatNumber(hover.x, 6)}
          </div>
          {hover.rows.map((r, i) => (
            <div key={i} className="chart-legend-row">
              <span className="swatch" style={{ background: r.color }} />
              <span className="chart-legend-label" translate="no">{r.label}</span>
              <span className="chart-legend-value">{formatNumber(r.value, 5)}</span>
            </div>
          ))}
          {hover.more > 0 && <div className="muted">{tr("chart.more", { n: hover.more })}</div>}
        </div>
      )}
    </div>
  );
}
