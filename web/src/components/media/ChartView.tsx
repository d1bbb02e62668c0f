/**
 * A custom chart (runyard.plot.*, Plotly) drawn with uPlot: lines/points with a legend (click to
 * hide a series), hover values, drag to zoom and double-click to reset; bars with category labels;
 * a confusion matrix as a coloured grid.
 */

import { useLayoutEffect, useRef } from "react";
import uPlot from "uplot";
import { alignXY, type ChartSpec } from "../../core/charts";
import { PALETTE } from "../../core/colors";
import { formatNumber } from "../../core/format";
import { heatLevel, viridis } from "../../core/heatmap";
import { t } from "../../i18n";
import { themeColor } from "../../theme";

export function ChartView({ spec, width, height = 240 }: { spec: ChartSpec; width: number; height?: number }) {
  if (spec.kind === "matrix") return <Matrix spec={spec} />;
  return <UChart spec={spec} width={width} height={height} />;
}

function UChart({ spec, width, height }: { spec: Exclude<ChartSpec, { kind: "matrix" }>; width: number; height: number }) {
  const host = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = host.current;
    if (!el || width <= 0) return;
    let data: uPlot.AlignedData;
    let series: uPlot.Series[];
    let axes: uPlot.Axis[];
    if (spec.kind === "bar") {
      data = [spec.values.map((_, i) => i), spec.values];
      series = [{ label: spec.xLabel || "label", value: (_u, v) => (v == null ? "" : spec.labels[v] ?? "") }, { label: spec.yLabel || "value", stroke: PALETTE[0], fill: PALETTE[0] + "99", paths: uPlot.paths.bars!({ size: [0.8, 60] }), points: { show: false } }];
      axes = [
        { label: spec.xLabel, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? spec.labels[t] ?? "" : "")), incrs: [1, 2, 5, 10, 20, 50, 100] },
        { label: spec.yLabel },
      ];
    } else {
      const al = alignXY(spec.series);
      data = [al.x, ...al.ys] as uPlot.AlignedData;
      const points = spec.mode === "points";
      series = [
        { label: spec.xLabel || "x", value: (_u, v) => (v == null ? "" : formatNumber(v)) },
        ...spec.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: true,
          paths: points ? () => null : undefined,
          points: points ? { show: true, size: 5, fill: PALETTE[i % PALETTE.length] } : { show: false },
          value: (_u: uPlot, v: number | null) => (v == null ? "" : formatNumber(v)),
        })),
      ];
      axes = [{ label: spec.xLabel }, { label: spec.yLabel }];
    }
    // axes in the theme's colours (uPlot's default is black, unreadable on the dark theme)
    const themed = { stroke: themeColor("--axis"), grid: { stroke: themeColor("--grid") }, ticks: { stroke: themeColor("--line") } };
    const u = new uPlot(
      {
        width,
        height,
        series,
        axes: axes.map((a) => ({ ...themed, ...a })),
        scales:
          spec.kind === "bar"
            ? { x: { time: false, range: (_u, a, b) => [a - 0.5, b + 0.5] }, y: { range: (_u, a, b) => [Math.min(0, a), Math.max(0, b) * 1.05 || 1] } }
            : { x: { time: false } },
        legend: { show: true, live: true },
        cursor: { drag: { x: true, y: false } },
      },
      data,
      el,
    );
    el.dataset.ready = "true";
    return () => {
      u.destroy();
      delete el.dataset.ready;
    };
  }, [spec, width, height]);
  return (
    <div className="media-chart">
      {spec.title && <div className="media-chart-title">{spec.title}</div>}
      <div ref={host} className="uchart" data-kind={spec.kind} />
    </div>
  );
}

function Matrix({ spec }: { spec: Extract<ChartSpec, { kind: "matrix" }> }) {
  let max = 0;
  for (const r of spec.counts) for (const v of r) max = Math.max(max, v);
  return (
    <div className="media-chart">
      {spec.title && <div className="media-chart-title">{spec.title}</div>}
      <table className="confusion" aria-label={spec.title || t("media.confusion")} translate="no">
        <thead>
          <tr>
            <th scope="col" className="muted" translate="yes">{t("media.actualPredicted")}</th>
            {spec.predicted.map((p) => <th key={p} scope="col">{p}</th>)}
          </tr>
        </thead>
        <tbody>
          {spec.actual.map((a, i) => (
            <tr key={a}>
              <th scope="row">{a}</th>
              {spec.counts[i].map((v, j) => {
                const t = heatLevel(v, max);
                const [r, g, b] = viridis(t);
                return (
                  <td key={j} className="num" style={{ background: v ? `rgb(${r},${g},${b})` : undefined, color: t > 0.6 ? "#000" : v ? "#fff" : undefined }} title={`${a} → ${spec.predicted[j]}: ${v}`}>
                    {formatNumber(v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
