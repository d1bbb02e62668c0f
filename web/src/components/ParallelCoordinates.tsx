/**
 * Parallel coordinates (SVG): one vertical axis per parameter or metric, one line per trial or run.
 * Dragging along an axis brushes a range on it; the rows inside every brush are drawn in colour and
 * reported through `onBrush` (the page filters its table with core/sweeps.ts `brushed`); a click on an
 * axis clears its brush. Plain SVG: a few hundred lines need no chart library.
 */

import { useMemo, useRef, useState, type PointerEvent } from "react";
import { brushed, position, setBrush, tick, valueAt, type Axis, type Brush, type Row } from "../core/sweeps";
import { t } from "../i18n";

const W = 900;
const PAD = { top: 34, bottom: 26, left: 40, right: 40 };

export function ParallelCoordinates({
  rows,
  axes,
  brushes,
  onBrush,
  height = 300,
  label,
}: {
  rows: Row[];
  axes: Axis[];
  brushes: Brush[];
  onBrush: (b: Brush[]) => void;
  height?: number;
  label: string;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ key: string; from: number; to: number } | null>(null);
  const innerH = height - PAD.top - PAD.bottom;
  const xOf = (i: number) => PAD.left + (axes.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (axes.length - 1));
  const yOf = (p: number) => PAD.top + (1 - p) * innerH;
  const live = drag ? setBrush(brushes, drag.key, drag.from, drag.to, 0) : brushes;
  const inside = useMemo(() => new Set(brushed(rows, axes, live).map((r) => r.id)), [rows, axes, live]);

  const posOf = (e: PointerEvent) => {
    const box = svg.current!.getBoundingClientRect();
    const y = ((e.clientY - box.top) * height) / box.height;
    return Math.max(0, Math.min(1, 1 - (y - PAD.top) / innerH));
  };
  const paths = rows.map((r) => {
    let d = "";
    let pen = false;
    axes.forEach((a, i) => {
      const p = position(a, r.values[a.key]);
      if (p === null) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${xOf(i).toFixed(1)},${yOf(p).toFixed(1)}`;
      pen = true;
    });
    return { r, d };
  });
  // lines outside the brushes first, so the kept ones are drawn on top
  paths.sort((a, b) => Number(inside.has(a.r.id)) - Number(inside.has(b.r.id)));

  return (
    <svg
      ref={svg}
      className="parcoords"
      data-testid="parcoords"
      viewBox={`0 0 ${W} ${height}`}
      width="100%"
      role="img"
      aria-label={label}
      onPointerMove={(e) => drag && setDrag({ ...drag, to: posOf(e) })}
      onPointerUp={() => {
        if (!drag) return;
        onBrush(setBrush(brushes, drag.key, drag.from, drag.to));
        setDrag(null);
      }}
    >
      {paths.map(({ r, d }) => (
        <path key={r.id} d={d} data-row={r.id} data-in={inside.has(r.id) ? "1" : "0"} className="pc-line" stroke={inside.has(r.id) ? r.color : undefined} fill="none">
          <title>{r.label}</title>
        </path>
      ))}
      {axes.map((a, i) => {
        const x = xOf(i);
        const b = live.find((x) => x.key === a.key);
        const ticks = a.kind === "category" ? a.categories.map((c, j) => [a.categories.length === 1 ? 0.5 : j / (a.categories.length - 1), c] as const) : [0, 0.5, 1].map((p) => [p, valueAt(a, p)] as const);
        return (
          <g key={a.key} className="pc-axis">
            <line x1={x} x2={x} y1={PAD.top} y2={PAD.top + innerH} />
            <text x={x} y={PAD.top - 14} textAnchor="middle" className="pc-title">{a.key.length > 18 ? `${a.key.slice(0, 17)}…` : a.key}<title>{a.key}</title></text>
            {ticks.map(([p, s]) => (
              <text key={`${p}-${s}`} x={x + 5} y={yOf(p) + 3} className="pc-tick">{tick(s)}</text>
            ))}
            {b && <rect className="pc-brush" x={x - 7} width={14} y={yOf(b.hi)} height={Math.max(1, yOf(b.lo) - yOf(b.hi))} />}
            <rect
              className="pc-hit"
              data-axis={a.key}
              x={x - 12}
              width={24}
              y={PAD.top - 4}
              height={innerH + 8}
              aria-label={t("sweep.brushAxis", { name: a.key })}
              onPointerDown={(e) => {
                (e.target as Element).setPointerCapture?.(e.pointerId);
                const p = posOf(e);
                setDrag({ key: a.key, from: p, to: p });
              }}
              onPointerMove={(e) => drag && setDrag({ ...drag, to: posOf(e) })}
              onPointerUp={() => {
                if (!drag) return;
                onBrush(setBrush(brushes, drag.key, drag.from, drag.to));
                setDrag(null);
              }}
            />
          </g>
        );
      })}
    </svg>
  );
}
