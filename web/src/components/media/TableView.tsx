/**
 * A logged table as a virtualized grid: only the rows in view are in the DOM (10,000 rows scroll
 * like 10), click a header to sort (again to reverse, a third time to restore), a filter box
 * (`cat`, `label:cat`, `score>0.5`, see core/table.ts), media cells inline (image thumbnails that
 * zoom, audio players, other media open in a dialog). Every cell is text to React: markup in a cell
 * is shown, never run.
 */

import { useEffect, useMemo, useRef, useState } from "react";
import { cellKind, cellMedia, cellText, filterIndex, sortIndex, visibleRange, type TableData } from "../../core/table";
import type { Dict, MediaItem } from "../../core/media";
import { formatNumber } from "../../core/format";
import { Modal } from "../common";
import { ImageView } from "./ImageView";
import { AudioPlayer, HtmlFrame, VideoPlayer } from "./Players";
import { PointCloud } from "./PointCloud";
import { useFileUrl, type RunRef } from "./useFile";
import { formatCount, t } from "../../i18n";

const HEAD = 30;

export function TableView({ src, table, config, mediaKey, height = 420 }: { src: RunRef; table: TableData; config?: Dict; mediaKey: string; height?: number }) {
  const [sort, setSort] = useState<{ col: number; dir: "asc" | "desc" } | null>(null);
  const [q, setQ] = useState("");
  const [scroll, setScroll] = useState(0);
  const [open, setOpen] = useState<MediaItem | null>(null);
  const host = useRef<HTMLDivElement>(null);
  const hasMedia = useMemo(() => {
    const probe = table.rows.slice(0, 50);
    return table.columns.map((_, c) => probe.some((r) => cellKind(r[c]) === "media"));
  }, [table]);
  const rowH = hasMedia.some(Boolean) ? 72 : 28;
  const widths = table.columns.map((_, c) => (hasMedia[c] ? 120 : 150));
  const total = widths.reduce((a, b) => a + b, 0) + 60;
  const filtered = useMemo(() => {
    try {
      return { index: filterIndex(table, q), error: null as string | null };
    } catch (e) {
      return { index: table.rows.map((_, i) => i), error: (e as Error).message };
    }
  }, [table, q]);
  const index = useMemo(() => (sort ? sortIndex(table, filtered.index, sort.col, sort.dir) : filtered.index), [table, filtered, sort]);
  const viewport = height - HEAD;
  const [first, last] = visibleRange(scroll, viewport, rowH, index.length);
  useEffect(() => {
    const el = host.current;
    if (el && !el.dataset.readyMs) el.dataset.readyMs = String(Math.round(performance.now()));
  }, []);
  useEffect(() => {
    if (host.current) host.current.scrollTop = 0;
    setScroll(0);
  }, [q, sort, table]);
  const cycle = (c: number) => setSort((s) => (!s || s.col !== c ? { col: c, dir: "asc" } : s.dir === "asc" ? { col: c, dir: "desc" } : null));
  return (
    <div className="media-table">
      <div className="media-table-bar">
        <input type="search" aria-label={t("media.filterRows")} placeholder={t("media.filterRowsHint")} value={q} onChange={(e) => setQ(e.target.value)} />
        <span className="muted" aria-live="polite">
          {index.length === table.rows.length ? t("media.rows", { n: formatCount(table.rows.length) }) : t("media.rowsOf", { shown: formatCount(index.length), n: formatCount(table.rows.length) })} · {t("media.columns", { n: table.columns.length })}
        </span>
        {filtered.error && <span className="error-text" role="alert">{filtered.error}</span>}
      </div>
      <div ref={host} className="grid-scroll" role="grid" aria-rowcount={index.length + 1} aria-label={t("media.table", { key: mediaKey })} data-testid="table-grid" translate="no" style={{ height }} onScroll={(e) => setScroll(e.currentTarget.scrollTop)}>
        <div style={{ width: total, height: HEAD + index.length * rowH, position: "relative" }}>
          <div className="grid-head" role="row" style={{ width: total }}>
            <div className="grid-cell grid-rownum" role="columnheader">#</div>
            {table.columns.map((c, i) => (
              <div key={i} className="grid-cell" role="columnheader" style={{ width: widths[i] }} aria-sort={sort?.col === i ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
                <button type="button" className="linklike" onClick={() => cycle(i)}>
                  {c} {sort?.col === i ? (sort.dir === "asc" ? "▲" : "▼") : ""}
                </button>
              </div>
            ))}
          </div>
          {index.slice(first, last).map((ri, k) => {
            const row = table.rows[ri];
            return (
              <div key={ri} className="grid-row" role="row" style={{ top: HEAD + (first + k) * rowH, height: rowH, width: total }}>
                <div className="grid-cell grid-rownum muted">{ri}</div>
                {table.columns.map((_, c) => (
                  <div key={c} className="grid-cell" role="gridcell" style={{ width: widths[c] }}>
                    <Cell v={row[c]} src={src} onOpen={setOpen} />
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {open && (
        <Modal title={open.caption ?? open.path} onClose={() => setOpen(null)} wide>
          {open.kind === "image" && <ImageView src={src} item={open} config={config} mediaKey={mediaKey} zoomable={false} width={Math.min(800, window.innerWidth * 0.8)} />}
          {open.kind === "audio" && <AudioPlayer src={src} item={open} width={600} />}
          {open.kind === "video" && <VideoPlayer src={src} item={open} width={600} />}
          {open.kind === "html" && <HtmlFrame src={src} item={open} height={500} />}
          {open.kind === "object3d" && <PointCloud src={src} item={open} width={700} height={480} />}
        </Modal>
      )}
    </div>
  );
}

function Cell({ v, src, onOpen }: { v: unknown; src: RunRef; onOpen: (m: MediaItem) => void }) {
  const kind = cellKind(v);
  if (kind === "media") {
    const m = cellMedia(v);
    if (!m) return null;
    if (m.kind === "image") return <Thumb src={src} item={m} onOpen={() => onOpen(m)} />;
    if (m.kind === "audio") return <CellAudio src={src} item={m} />;
    return (
      <button type="button" onClick={() => onOpen(m)}>
        {t("media.open", { kind: t(`media.kind.${m.kind}`) })}
      </button>
    );
  }
  if (kind === "number") return <span className="num">{typeof v === "number" ? formatNumber(v) : String(v)}</span>;
  const text = cellText(v);
  return <span className="cell-text" title={text.length > 40 ? text : undefined}>{text}</span>;
}

function Thumb({ src, item, onOpen }: { src: RunRef; item: MediaItem; onOpen: () => void }) {
  const { url, error } = useFileUrl(src, item.path);
  if (error) return <span className="error-text" title={error}>!</span>;
  return (
    <button type="button" className="thumb" onClick={onOpen} aria-label={t("media.zoom", { name: item.caption ?? item.path })}>
      {url ? <img translate="no" src={url} alt={item.caption ?? ""} data-path={item.path} /> : <span className="thumb-wait" />}
    </button>
  );
}

function CellAudio({ src, item }: { src: RunRef; item: MediaItem }) {
  const { url } = useFileUrl(src, item.path);
  return url ? <audio controls preload="none" src={url} className="cell-audio" /> : <span className="thumb-wait" />;
}
