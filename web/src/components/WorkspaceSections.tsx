/**
 * The workspace's sections: a heading that collapses the section, renames it (✎) and moves it up or
 * down among the others (↑ ↓), and the grid of a metric section's auto-created panels, which can be
 * reordered and resized like added panels (PanelCell). The arrangement lives in the workspace state
 * (core/layout.ts), so it is in the URL and in saved views.
 */

import { useRef, useState, type CSSProperties, type ReactNode } from "react";
import { useGridColumns } from "../hooks";
import { t } from "../i18n";
import { HEIGHT_STEP, PanelCell } from "./PanelCell";
import { defaultChartHeight } from "./Panel";

export function SectionHead({
  label,
  count,
  collapsed,
  onToggle,
  onRename,
  onUp,
  onDown,
  data,
}: {
  /** the shown name */
  label: string;
  count?: number;
  collapsed: boolean;
  onToggle: () => void;
  onRename: (name: string) => void;
  onUp: (() => void) | null;
  onDown: (() => void) | null;
  /** the name is data (a metric prefix, or the user's own name): not for translation */
  data: boolean;
}) {
  const [editing, setEditing] = useState(false);
  // Enter and Escape end the edit themselves: the blur that may follow must not save again (or save a cancelled name)
  const done = useRef(false);
  const finish = (name: string | null) => {
    if (done.current) return;
    done.current = true;
    if (name !== null) onRename(name);
    setEditing(false);
  };
  return (
    <h2 className="section-head">
      {editing ? (
        <input
          className="section-name"
          aria-label={t("ws.sectionName")}
          defaultValue={label}
          maxLength={200}
          autoFocus
          onKeyDown={(e) => {
            if (e.key === "Enter") finish(e.currentTarget.value);
            else if (e.key === "Escape") {
              e.stopPropagation();
              finish(null);
            }
          }}
          onBlur={(e) => finish(e.currentTarget.value)}
        />
      ) : (
        <button type="button" className="section-toggle" aria-expanded={!collapsed} onClick={onToggle}>
          {collapsed ? "▸" : "▾"} <span translate={data ? "no" : undefined}>{label}</span>
          {count !== undefined && <span className="muted"> ({count})</span>}
        </button>
      )}
      <span className="section-tools">
        <button type="button" className="icon" aria-label={t("ws.renameSection", { name: label })} title={t("ws.renameSection", { name: label })} onClick={() => {
            done.current = false;
            setEditing(true);
          }}>
          ✎
        </button>
        <button type="button" className="icon" disabled={!onUp} aria-label={t("ws.sectionUp", { name: label })} title={t("ws.sectionUp", { name: label })} onClick={() => onUp?.()}>
          ↑
        </button>
        <button type="button" className="icon" disabled={!onDown} aria-label={t("ws.sectionDown", { name: label })} title={t("ws.sectionDown", { name: label })} onClick={() => onDown?.()}>
          ↓
        </button>
      </span>
    </h2>
  );
}

/** A fixed number of equal columns, or (0) the stylesheet's as-many-as-fit. */
export function gridStyle(n: number): CSSProperties | undefined {
  return n ? { gridTemplateColumns: `repeat(${n}, minmax(0, 1fr))` } : undefined;
}

/** A metric section's panels (in the user's order and sizes): each drag, resize or arrow key is reported by metric. */
export function MetricGrid({
  section,
  keys,
  sizes,
  gridColumns,
  onMove,
  onResize,
  panel,
}: {
  section: string;
  keys: string[];
  sizes: Record<string, { w: number; h: number }>;
  gridColumns: number;
  /** move metric `from` to where metric `to` is */
  onMove: (from: string, to: string) => void;
  onResize: (key: string, w: number, h: number) => void;
  panel: (key: string, height: number | undefined) => ReactNode;
}) {
  const [grid, columns] = useGridColumns();
  return (
    <div className="panel-grid" style={gridStyle(gridColumns)} ref={grid}>
      {keys.map((k, i) => {
        const size = sizes[k] ?? { w: 1, h: 1 };
        return (
          <PanelCell
            key={k}
            id={k}
            group={section}
            index={i}
            name={k}
            w={size.w}
            h={size.h}
            columns={columns}
            onMove={(from, to) => {
              const a = keys[from];
              const b = keys[Math.max(0, Math.min(keys.length - 1, to))];
              if (a !== undefined && b !== undefined && a !== b) onMove(a, b);
            }}
            onResize={(w, h) => onResize(k, w, h)}
          >
            {(h) => panel(k, h > 1 ? defaultChartHeight() + (h - 1) * HEIGHT_STEP : undefined)}
          </PanelCell>
        );
      })}
    </div>
  );
}
