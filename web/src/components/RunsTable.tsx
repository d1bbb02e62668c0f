/**
 * The runs table: virtualized rows (only what is on screen is in the DOM, so 10,000 runs scroll at
 * frame rate), sortable headers, eye toggles, per-run colour, selection for bulk actions.
 */

import { memo, useCallback, useMemo, useRef, useState, type CSSProperties, type UIEvent } from "react";
import { formatAgo, formatDuration, formatNumber } from "../core/format";
import { duration, fieldValue, type RunLike, type SortSpec } from "../core/runs";
import { Link, paths } from "../router";
import { StateBadge, stateLabel } from "./common";
import { t } from "../i18n";

export const ROW_HEIGHT = 32;
const OVERSCAN = 8;

export interface Column {
  key: string;
  label: string;
  width: number;
}

export const BASE_COLUMNS: Column[] = [
  // labels in the UI language (fixed per page load: switching the language reloads the page)
  { key: "name", label: t("runs.name"), width: 200 },
  { key: "state", label: t("runs.state"), width: 100 },
  { key: "created", label: t("runs.created"), width: 90 },
  { key: "duration", label: t("runs.duration"), width: 80 },
  { key: "tags", label: t("runs.tags"), width: 120 },
];

export interface RunsTableProps {
  entity: string;
  project: string;
  runs: RunLike[];
  columns: Column[];
  sort: SortSpec | null;
  onSort: (s: SortSpec | null) => void;
  visible: (id: string) => boolean;
  onToggleVisible: (id: string) => void;
  color: (id: string) => string;
  onColor: (id: string, c: string) => void;
  selected: Set<string>;
  onSelect: (ids: Set<string>) => void;
  height: number;
  highlight?: string | null;
}

function cell(r: RunLike, key: string): string {
  if (key === "created") return formatAgo(r.created_at);
  if (key === "duration") return formatDuration(duration(r));
  if (key === "state") return stateLabel(r.state);
  const v = fieldValue(r, key);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ");
  return formatNumber(v);
}

interface RowProps {
  r: RunLike;
  index: number;
  vis: boolean;
  selected: boolean;
  color: string;
  highlight: boolean;
  columns: Column[];
  template: string;
  totalWidth: number;
  entity: string;
  project: string;
  /** stable: the latest callbacks, read at event time (so rows stay memoized across parent renders) */
  cb: React.RefObject<RunsTableProps>;
}

/** One row; memoized, so scrolling renders only the rows that come into view. */
const Row = memo(function Row({ r, index, vis, selected, color, highlight, columns, template, totalWidth, entity, project, cb }: RowProps) {
  const style: CSSProperties = { top: index * ROW_HEIGHT, height: ROW_HEIGHT, gridTemplateColumns: template, width: totalWidth };
  const label = r.name || r.id;
  return (
    <div role="row" aria-rowindex={index + 2} className={`rt-row${vis ? "" : " rt-hidden"}${highlight ? " rt-hl" : ""}`} style={style} data-run={r.id}>
      <div role="cell" className="rt-fixed">
        <input
          type="checkbox"
          aria-label={t("runs.select", { name: label })}
          checked={selected}
          onChange={(e) => {
            const p = cb.current!;
            const s = new Set(p.selected);
            if (e.target.checked) s.add(r.id);
            else s.delete(r.id);
            p.onSelect(s);
          }}
        />
        <button
          type="button"
          className="icon eye"
          aria-pressed={vis}
          aria-label={t(vis ? "runs.hide" : "runs.show", { name: label })}
          onClick={() => cb.current!.onToggleVisible(r.id)}
        >
          {vis ? "●" : "○"}
        </button>
        <label className="swatch-pick" style={{ background: color }} title={t("runs.colour")}>
          <input type="color" aria-label={t("runs.colourOf", { name: label })} value={color} onChange={(e) => cb.current!.onColor(r.id, e.target.value)} />
        </label>
      </div>
      {columns.map((c) => (
        <div role="cell" key={c.key} className="rt-cell" title={c.key === "name" ? r.id : cell(r, c.key)} translate={c.key === "state" || c.key === "created" || c.key === "duration" ? undefined : "no"}>
          {c.key === "name" ? (
            <Link to={paths.run(entity, project, r.id)}>{label}</Link>
          ) : c.key === "state" ? (
            <StateBadge state={r.state} />
          ) : c.key === "tags" ? (
            r.tags.map((tag) => (
              <span className="tag" key={tag}>
                {tag}
              </span>
            ))
          ) : (
            cell(r, c.key)
          )}
        </div>
      ))}
    </div>
  );
});

export const RunsTable = memo(function RunsTable(p: RunsTableProps) {
  // the first row on screen (not the pixel offset): scrolling within a row renders nothing
  const [top, setTop] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const cb = useRef(p);
  cb.current = p;
  const onScroll = useCallback((e: UIEvent<HTMLDivElement>) => setTop(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT)), []);
  const bodyHeight = p.height - ROW_HEIGHT;
  const first = Math.max(0, top - OVERSCAN);
  const last = Math.min(p.runs.length, top + Math.ceil(bodyHeight / ROW_HEIGHT) + 1 + OVERSCAN);
  const fixed = 28 + 28 + 20; // select, eye, colour
  const template = useMemo(
    () => `${fixed}px ${p.columns.map((c) => `${c.width}px`).join(" ")}`,
    [p.columns, fixed],
  );
  const totalWidth = fixed + p.columns.reduce((a, c) => a + c.width, 0);
  const allSelected = useMemo(() => p.runs.length > 0 && p.runs.every((r) => p.selected.has(r.id)), [p.runs, p.selected]);

  const sortBy = (key: string) => {
    // first click: the natural direction (names A-Z, numbers high-first); second: reversed; third: off
    const initial = key === "name" || key === "state" || key === "tags" ? "asc" : "desc";
    if (!p.sort || p.sort.key !== key) p.onSort({ key, dir: initial });
    else if (p.sort.dir === initial) p.onSort({ key, dir: initial === "asc" ? "desc" : "asc" });
    else p.onSort(null);
  };

  const rows = [];
  for (let i = first; i < last; i++) {
    const r = p.runs[i];
    rows.push(
      <Row
        key={r.id}
        r={r}
        index={i}
        vis={p.visible(r.id)}
        selected={p.selected.has(r.id)}
        color={p.color(r.id)}
        highlight={p.highlight === r.id}
        columns={p.columns}
        template={template}
        totalWidth={totalWidth}
        entity={p.entity}
        project={p.project}
        cb={cb}
      />,
    );
  }

  return (
    <div className="runs-table" role="table" aria-label={t("ws.runs")} aria-rowcount={p.runs.length + 1}>
      <div className="rt-scroll" ref={scroller} onScroll={onScroll} style={{ height: p.height }}>
        <div role="row" aria-rowindex={1} className="rt-head" style={{ gridTemplateColumns: template, width: totalWidth }}>
          <div role="columnheader" className="rt-fixed">
            <input
              type="checkbox"
              aria-label={t(allSelected ? "runs.selectNone" : "runs.selectAll")}
              checked={allSelected}
              onChange={() => p.onSelect(allSelected ? new Set() : new Set(p.runs.map((r) => r.id)))}
            />
          </div>
          {p.columns.map((c) => {
            const active = p.sort?.key === c.key;
            return (
              <div role="columnheader" key={c.key} aria-sort={active ? (p.sort!.dir === "asc" ? "ascending" : "descending") : "none"}>
                <button type="button" className="rt-sort" onClick={() => sortBy(c.key)} title={t("runs.sortBy", { key: c.key })}>
                  <span translate={BASE_COLUMNS.some((b) => b.key === c.key) ? undefined : "no"}>{c.label}</span>
                  {active ? (p.sort!.dir === "asc" ? " ▲" : " ▼") : ""}
                </button>
              </div>
            );
          })}
        </div>
        <div className="rt-body" style={{ height: p.runs.length * ROW_HEIGHT, width: totalWidth }}>
          {rows}
        </div>
      </div>
    </div>
  );
});
