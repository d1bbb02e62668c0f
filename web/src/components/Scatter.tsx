/**
 * A scatter plot (SVG): a metric against a parameter, the metric over trials (with a best-so-far
 * line), or two metrics with their Pareto front. Categorical x values are spread evenly.
 */

import { makeAxis, position, tick, valueAt, type Row, type Value } from "../core/sweeps";

const PAD = { top: 12, bottom: 34, left: 54, right: 12 };

export interface Point {
  id: string;
  label: string;
  color: string;
  x: Value;
  y: Value;
  dim?: boolean;
  ring?: boolean; // drawn larger, outlined (the Pareto front, the best trial)
}

export function Scatter({
  points,
  xLabel,
  yLabel,
  line,
  width = 360,
  height = 240,
  label,
  testId,
}: {
  points: Point[];
  xLabel: string;
  yLabel: string;
  line?: { x: Value; y: number | null }[]; // drawn as steps through these (best so far, the front)
  width?: number;
  height?: number;
  label: string;
  testId?: string;
}) {
  const rows: Row[] = points.map((p) => ({ id: p.id, label: p.label, color: p.color, values: { x: p.x, y: p.y } }));
  const ax = makeAxis("x", rows);
  const ay = makeAxis("y", rows);
  const iw = width - PAD.left - PAD.right;
  const ih = height - PAD.top - PAD.bottom;
  const X = (p: number) => PAD.left + p * iw;
  const Y = (p: number) => PAD.top + (1 - p) * ih;
  const xTicks = ax ? (ax.kind === "category" ? ax.categories.map((c) => [position(ax, c) ?? 0, c] as const) : [0, 0.5, 1].map((p) => [p, valueAt(ax, p)] as const)) : [];
  const yTicks = ay && ay.kind === "number" ? [0, 0.5, 1].map((p) => [p, valueAt(ay, p)] as const) : [];
  let path = "";
  if (line && ax && ay) {
    let pen = false;
    for (const q of line) {
      const px = position(ax, q.x);
      const py = q.y === null ? null : position(ay, q.y);
      if (px === null || py === null) continue;
      path += pen ? `H${X(px).toFixed(1)}V${Y(py).toFixed(1)}` : `M${X(px).toFixed(1)},${Y(py).toFixed(1)}`;
      pen = true;
    }
  }
  return (
    <svg className="scatter" data-testid={testId} viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={label}>
      <rect className="sc-frame" x={PAD.left} y={PAD.top} width={iw} height={ih} />
      {xTicks.map(([p, v]) => (
        <text key={`x${p}`} x={X(p)} y={PAD.top + ih + 13} textAnchor="middle" className="sc-tick">{tick(v)}</text>
      ))}
      {yTicks.map(([p, v]) => (
        <text key={`y${p}`} x={PAD.left - 4} y={Y(p) + 3} textAnchor="end" className="sc-tick">{tick(v)}</text>
      ))}
      <text x={PAD.left + iw / 2} y={height - 4} textAnchor="middle" className="sc-label">{xLabel}</text>
      <text x={10} y={PAD.top + ih / 2} textAnchor="middle" className="sc-label" transform={`rotate(-90 10 ${PAD.top + ih / 2})`}>{yLabel}</text>
      {path && <path d={path} className="sc-line" fill="none" />}
      {ax && ay &&
        points.map((p) => {
          const px = position(ax, p.x);
          const py = position(ay, p.y);
          if (px === null || py === null) return null;
          return (
            <circle key={p.id} data-point={p.id} cx={X(px)} cy={Y(py)} r={p.ring ? 5 : 3.5} fill={p.dim ? "var(--muted, #999)" : p.color} className={`sc-dot${p.ring ? " ring" : ""}${p.dim ? " dim" : ""}`}>
              <title>{`${p.label}: ${xLabel} ${tick(p.x)}, ${yLabel} ${tick(p.y)}`}</title>
            </circle>
          );
        })}
    </svg>
  );
}
