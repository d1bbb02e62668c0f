/**
 * A place in the grid for a panel the user added: drag its handle onto another panel to reorder, drag
 * its corner to resize (columns spanned, height steps); with the keyboard, the arrow keys on the
 * handle move it and on the corner resize it. The new order and size go to the workspace state once
 * the drag ends (so the URL is written once, not on every pointer move).
 */

import { useRef, useState, type ReactNode } from "react";
import { PANEL_LIMITS, sized } from "../core/panels";
import { t, tn } from "../i18n";

const DND = "application/x-runyard-panel";
/** chart pixels added per height step */
export const HEIGHT_STEP = 160;

export function PanelCell({
  id,
  group,
  index,
  name,
  w,
  h,
  columns,
  onMove,
  onResize,
  children,
}: {
  id: string;
  /** the grid it is in: a panel dropped from another grid is ignored */
  group: string;
  index: number;
  name: string;
  w: number;
  h: number;
  /** columns the grid has now: a panel never spans more */
  columns: number;
  onMove: (from: number, to: number) => void;
  onResize: (w: number, h: number) => void;
  children: (h: number) => ReactNode;
}) {
  const [preview, setPreview] = useState<{ w: number; h: number } | null>(null);
  const [over, setOver] = useState(false);
  const cell = useRef<HTMLDivElement>(null);
  const size = preview ?? { w, h };
  const resizeLabel = t("panel.resize", { name, w: tn("panel.width", size.w), h: tn("panel.height", size.h) });
  const span = Math.max(1, Math.min(size.w, columns));
  const refocus = (sel: string) => requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-panel-cell="${CSS.escape(id)}"] ${sel}`)?.focus());
  return (
    <div
      ref={cell}
      className={`panel-cell${over ? " drop-target" : ""}`}
      style={{ gridColumn: `span ${span}` }}
      data-panel-cell={id}
      data-w={size.w}
      data-h={size.h}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(DND)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        const data = e.dataTransfer.getData(DND);
        const cut = data.lastIndexOf("\n");
        const from = Number(data.slice(cut + 1));
        if (!e.dataTransfer.types.includes(DND) || data.slice(0, cut) !== group || !Number.isInteger(from)) return;
        e.preventDefault();
        onMove(from, index);
      }}
    >
      <button
        type="button"
        className="icon drag-handle"
        draggable
        aria-label={t("panel.move", { name })}
        title={t("panel.move", { name })}
        onDragStart={(e) => {
          e.dataTransfer.setData(DND, `${group}\n${index}`);
          e.dataTransfer.effectAllowed = "move";
          if (cell.current) e.dataTransfer.setDragImage(cell.current, 16, 16);
        }}
        onKeyDown={(e) => {
          const step = e.key === "ArrowLeft" || e.key === "ArrowUp" ? -1 : e.key === "ArrowRight" || e.key === "ArrowDown" ? 1 : 0;
          if (!step) return;
          e.preventDefault();
          onMove(index, index + step);
          refocus(".drag-handle");
        }}
      >
        ⠿
      </button>
      {children(size.h)}
      <button
        type="button"
        className="resize-handle"
        aria-label={resizeLabel}
        title={resizeLabel}
        onPointerDown={(e) => {
          const box = cell.current?.getBoundingClientRect();
          if (!box) return;
          e.preventDefault();
          e.currentTarget.setPointerCapture(e.pointerId);
          const start = { x: e.clientX, y: e.clientY, col: box.width / span };
          let last = { w, h };
          const move = (ev: PointerEvent) => {
            last = sized(w + Math.round((ev.clientX - start.x) / start.col), h + Math.round((ev.clientY - start.y) / HEIGHT_STEP));
            setPreview(last);
          };
          const up = () => {
            window.removeEventListener("pointermove", move);
            window.removeEventListener("pointerup", up);
            setPreview(null);
            if (last.w !== w || last.h !== h) onResize(last.w, last.h);
          };
          window.addEventListener("pointermove", move);
          window.addEventListener("pointerup", up);
        }}
        onKeyDown={(e) => {
          const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
          if (!d) return;
          e.preventDefault();
          const next = sized(Math.min(w + d[0], Math.max(columns, 1), PANEL_LIMITS.w), h + d[1]);
          if (next.w !== w || next.h !== h) onResize(next.w, next.h);
          refocus(".resize-handle");
        }}
      />
    </div>
  );
}
