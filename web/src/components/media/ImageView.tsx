/**
 * One logged image with its overlays: segmentation masks painted on a canvas (class ids from the
 * mask PNG's red channel, colour per class, each class can be hidden), bounding boxes as SVG with
 * their labels, the caption as text. Click to zoom.
 */

import { useEffect, useMemo, useRef, useState } from "react";
import { classLabels, cssColor, paintMask, parseBoxes, type Dict, type MediaItem } from "../../core/media";
import { Modal } from "../common";
import { useFileJson, useFileUrl, type RunRef } from "./useFile";
import { t } from "../../i18n";

export interface ImageViewProps {
  src: RunRef;
  item: MediaItem;
  /** the run's config: mask/box class labels */
  config?: Dict;
  mediaKey: string;
  /** display width in CSS pixels (height follows the aspect ratio) */
  width?: number;
  zoomable?: boolean;
}

/** hidden classes per overlay: "mask:<name>" / "box:<name>" -> ids */
type Hidden = Record<string, Set<number>>;

export function ImageView(p: ImageViewProps) {
  const { url, error } = useFileUrl(p.src, p.item.path);
  const [natural, setNatural] = useState<[number, number] | null>(p.item.width && p.item.height ? [p.item.width, p.item.height] : null);
  const [hidden, setHidden] = useState<Hidden>({});
  const [zoom, setZoom] = useState(false);
  const [w, h] = natural ?? [0, 0];
  const masks = Object.entries(p.item.masks ?? {});
  const boxes = Object.entries(p.item.boxes ?? {});
  const [present, setPresent] = useState<Record<string, number[]>>({});
  const onPresent = useMemo(() => (name: string, ids: number[]) => setPresent((s) => (String(s[name]) === String(ids) ? s : { ...s, [name]: ids })), []);
  const toggle = (k: string, id: number) =>
    setHidden((s) => {
      const n = new Set(s[k] ?? []);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return { ...s, [k]: n };
    });
  const dispW = p.width ?? w;
  const view = (
    <div className="media-image" style={{ width: dispW || undefined }}>
      <div
        className={p.zoomable !== false ? "media-image-box zoomable" : "media-image-box"}
        style={w && h ? { aspectRatio: `${w} / ${h}` } : undefined}
        onClick={p.zoomable !== false ? () => setZoom(true) : undefined}
        onKeyDown={p.zoomable !== false ? (e) => (e.key === "Enter" || e.key === " ") && setZoom(true) : undefined}
        role={p.zoomable !== false ? "button" : undefined}
        tabIndex={p.zoomable !== false ? 0 : undefined}
        aria-label={p.zoomable !== false ? t("media.zoomImage", { name: p.item.caption ?? p.item.path }) : undefined}
      >
        {error && <span className="error-text">{error}</span>}
        {url && (
          <img translate="no"
            src={url}
            alt={p.item.caption ?? p.item.path}
            data-path={p.item.path}
            draggable={false}
            onLoad={(e) => !natural && setNatural([e.currentTarget.naturalWidth, e.currentTarget.naturalHeight])}
          />
        )}
        {w > 0 &&
          masks.map(([name, path]) => (
            <MaskLayer key={name} src={p.src} path={path} w={w} h={h} hidden={hidden[`mask:${name}`]} onPresent={(ids) => onPresent(`mask:${name}`, ids)} />
          ))}
        {w > 0 && boxes.map(([name, path]) => <BoxLayer key={name} src={p.src} path={path} w={w} h={h} hidden={hidden[`box:${name}`]} onPresent={(ids) => onPresent(`box:${name}`, ids)} />)}
      </div>
      {p.item.caption != null && <figcaption className="media-caption" translate="no">{p.item.caption}</figcaption>}
      {(masks.length > 0 || boxes.length > 0) && (
        <div className="overlay-legend" aria-label={t("media.overlay")} translate="no">
          {[...masks.map(([n]) => ["mask", n] as const), ...boxes.map(([n]) => ["box", n] as const)].map(([kind, name]) => {
            const k = `${kind}:${name}`;
            const labels = classLabels(p.config, kind === "mask" ? "mask" : "bounding_box", p.mediaKey, name);
            const ids = present[k] ?? Object.keys(labels).map(Number);
            return (
              <div key={k} className="overlay-group">
                <span className="muted">{name}</span>
                {ids.map((id) => (
                  <label key={id} className="overlay-class">
                    <input type="checkbox" checked={!hidden[k]?.has(id)} onChange={() => toggle(k, id)} aria-label={`${name} ${labels[id] ?? id}`} />
                    <span className="swatch" style={{ background: cssColor(id) }} />
                    {labels[id] ?? String(id)}
                  </label>
                ))}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
  return (
    <>
      {view}
      {zoom && (
        <Modal title={p.item.caption ?? p.item.path.split("/").pop() ?? t("media.image")} onClose={() => setZoom(false)} wide>
          <ImageView {...p} zoomable={false} width={Math.min(window.innerWidth * 0.85, Math.max(w, 1) * 8, (window.innerHeight * 0.7 * w) / Math.max(h, 1))} />
        </Modal>
      )}
    </>
  );
}

function MaskLayer({ src, path, w, h, hidden, onPresent }: { src: RunRef; path: string; w: number; h: number; hidden?: Set<number>; onPresent: (ids: number[]) => void }) {
  const { url } = useFileUrl(src, path);
  const ref = useRef<HTMLCanvasElement>(null);
  const [ids, setIds] = useState<Uint8ClampedArray | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    const im = new Image();
    im.onload = () => {
      if (!live) return;
      const c = document.createElement("canvas");
      c.width = w;
      c.height = h;
      const g = c.getContext("2d", { willReadFrequently: true });
      if (!g) return;
      g.imageSmoothingEnabled = false;
      g.drawImage(im, 0, 0, w, h);
      setIds(g.getImageData(0, 0, w, h).data);
    };
    im.src = url;
    return () => {
      live = false;
    };
  }, [url, w, h]);
  useEffect(() => {
    const c = ref.current;
    if (!ids || !c) return;
    const g = c.getContext("2d");
    if (!g) return;
    const img = g.createImageData(w, h);
    const present = paintMask(ids, img.data, hidden ?? new Set(), 140, 4);
    g.putImageData(img, 0, 0);
    onPresent([...present].sort((a, b) => a - b));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids, hidden, w, h]);
  return <canvas ref={ref} className="media-overlay mask-layer" width={w} height={h} data-mask={path} />;
}

function BoxLayer({ src, path, w, h, hidden, onPresent }: { src: RunRef; path: string; w: number; h: number; hidden?: Set<number>; onPresent: (ids: number[]) => void }) {
  const { data } = useFileJson<unknown>(src, path);
  const parsed = useMemo(() => (data ? parseBoxes(data, w, h) : null), [data, w, h]);
  useEffect(() => {
    if (parsed) onPresent([...new Set(parsed.boxes.map((b) => b.classId))].sort((a, b) => a - b));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [parsed]);
  if (!parsed) return null;
  const fs = Math.max(8, Math.round(Math.min(w, h) / 14));
  return (
    <svg className="media-overlay box-layer" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" aria-hidden="true">
      {parsed.boxes
        .filter((b) => !hidden?.has(b.classId))
        .map((b, i) => (
          <g key={i} className="box" data-class={b.label}>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} fill="none" stroke={cssColor(b.classId)} strokeWidth={Math.max(1, fs / 6)} vectorEffect="non-scaling-stroke" />
            <text x={b.x + 1} y={Math.max(fs, b.y - 2)} fontSize={fs} fill={cssColor(b.classId)} stroke="#000" strokeWidth={0.3} paintOrder="stroke">
              {b.caption || b.label}
            </text>
          </g>
        ))}
    </svg>
  );
}
