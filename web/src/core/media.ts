/**
 * Media values as the SDK logs them (docs/media.md): recognising them, expanding them into the items
 * a panel shows, picking the value of a run at a step, box geometry and mask colours. No DOM here.
 */

export type MediaKind = "image" | "table" | "histogram" | "audio" | "video" | "html" | "object3d" | "plot" | "plotly";

/** history `_type` -> the panel that shows it */
const TYPES: Record<string, MediaKind> = {
  "image-file": "image",
  "images/separated": "image",
  "table-file": "table",
  "incremental-table-file": "table",
  histogram: "histogram",
  "audio-file": "audio",
  audio: "audio",
  "video-file": "video",
  videos: "video",
  "html-file": "html",
  html: "html",
  "object3D-file": "object3d",
  object3D: "object3d",
  "plotly-file": "plotly",
};

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The media kind of a logged value, or null for numbers, strings and other dicts. */
export function mediaKind(v: unknown): MediaKind | null {
  if (!isDict(v) || typeof v._type !== "string") return null;
  return TYPES[v._type] ?? null;
}

export interface MediaKey {
  key: string;
  kind: MediaKind;
}

/**
 * Media keys of runs, from their summaries (the summary keeps each key's last value, media dicts
 * included) and `config._wandb.visualize` (custom charts: the history value is a table, the panel a
 * plot). Sorted by key.
 */
export function mediaKeys(runs: { summary?: Dict | null; config?: Dict | null }[]): MediaKey[] {
  const out = new Map<string, MediaKind>();
  for (const r of runs) {
    const vis = visualizeOf(r.config);
    for (const [k, v] of Object.entries(r.summary ?? {})) {
      const kind = mediaKind(v);
      if (!kind) continue;
      out.set(k, kind === "table" && vis[k] ? "plot" : (out.get(k) === "plot" ? "plot" : kind));
    }
    for (const k of Object.keys(vis)) if (!out.has(k)) out.set(k, "plot");
  }
  return [...out].map(([key, kind]) => ({ key, kind })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** `config._wandb.visualize` (custom chart specs by key); the config may keep `_wandb` as {value: ...}. */
export function visualizeOf(config: Dict | null | undefined): Record<string, Dict> {
  let w = config?._wandb;
  if (isDict(w) && isDict(w.value) && !("visualize" in w)) w = w.value;
  const v = isDict(w) ? w.visualize : undefined;
  if (!isDict(v)) return {};
  const out: Record<string, Dict> = {};
  for (const [k, s] of Object.entries(v)) if (isDict(s)) out[k] = s;
  return out;
}

/** Class labels of a mask or box set: config `_wandb["mask/class_labels"]["<key>_wandb_delimeter_<name>"]`. */
export function classLabels(config: Dict | null | undefined, what: "mask" | "bounding_box", key: string, name: string): Record<string, string> {
  let w = config?._wandb;
  if (isDict(w) && isDict(w.value)) w = w.value;
  const all = isDict(w) ? w[`${what}/class_labels`] : undefined;
  const l = isDict(all) ? all[`${key}_wandb_delimeter_${name}`] : undefined;
  const out: Record<string, string> = {};
  if (isDict(l)) for (const [id, n] of Object.entries(l)) out[id] = String(n);
  return out;
}

/** One thing to draw: an image (with overlays), an audio clip, a video, an html page, a 3-D scene. */
export interface MediaItem {
  kind: MediaKind;
  path: string;
  caption?: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  duration?: number;
  /** name -> file path of the mask PNG */
  masks?: Record<string, string>;
  /** name -> file path of the boxes2D JSON */
  boxes?: Record<string, string>;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function overlayPaths(v: unknown): Record<string, string> | undefined {
  if (!isDict(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [n, d] of Object.entries(v)) if (isDict(d) && typeof d.path === "string") out[n] = d.path;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The items of one logged value: one for `image-file`, `audio-file`, ...; several for wandb's list
 * values (`images/separated` with `filenames`, `captions`, `all_masks`, `all_boxes`; `audio`;
 * `videos`, `html`, `object3D` with `filenames` or `objects`).
 */
export function mediaItems(v: unknown): MediaItem[] {
  const kind = mediaKind(v);
  if (!kind || !isDict(v)) return [];
  if (typeof v.path === "string") {
    return [
      {
        kind,
        path: v.path,
        caption: str(v.caption),
        width: typeof v.width === "number" ? v.width : undefined,
        height: typeof v.height === "number" ? v.height : undefined,
        sampleRate: typeof v.sample_rate === "number" ? v.sample_rate : undefined,
        duration: typeof v.duration === "number" ? v.duration : undefined,
        masks: overlayPaths(v.masks),
        boxes: overlayPaths(v.boxes),
      },
    ];
  }
  const captions = Array.isArray(v.captions) ? v.captions : [];
  const allMasks = Array.isArray(v.all_masks) ? v.all_masks : [];
  const allBoxes = Array.isArray(v.all_boxes) ? v.all_boxes : [];
  let files: unknown[] = Array.isArray(v.filenames) ? v.filenames : [];
  if (!files.length && Array.isArray(v.audio)) files = v.audio;
  if (!files.length && Array.isArray(v.objects)) files = v.objects;
  return files
    .map((f, i): MediaItem | null => {
      const path = typeof f === "string" ? f : isDict(f) && typeof f.path === "string" ? f.path : null;
      if (!path) return null;
      return {
        kind,
        path,
        caption: str(captions[i]) ?? (isDict(f) ? str(f.caption) : undefined),
        width: typeof v.width === "number" ? v.width : undefined,
        height: typeof v.height === "number" ? v.height : undefined,
        sampleRate: Array.isArray(v.sampleRates) && typeof v.sampleRates[i] === "number" ? (v.sampleRates[i] as number) : undefined,
        duration: Array.isArray(v.durations) && typeof v.durations[i] === "number" ? (v.durations[i] as number) : undefined,
        masks: overlayPaths(allMasks[i]),
        boxes: overlayPaths(allBoxes[i]),
      };
    })
    .filter((x): x is MediaItem => x !== null);
}

/** The points of one key of one run: steps ascending (log order), values as logged. */
export interface StepValues {
  steps: number[];
  values: unknown[];
}

/** Keep the media values of a raw series (drops numbers and nulls logged under the same key). */
export function mediaSeries(steps: number[], values: unknown[]): StepValues {
  const s: number[] = [];
  const v: unknown[] = [];
  for (let i = 0; i < steps.length; i++) {
    if (!mediaKind(values[i])) continue;
    s.push(steps[i]);
    v.push(values[i]);
  }
  return { steps: s, values: v };
}

/** Every step that some run has, ascending and unique: the slider's stops. */
export function unionSteps(series: StepValues[]): number[] {
  const set = new Set<number>();
  for (const s of series) for (const x of s.steps) set.add(x);
  return [...set].sort((a, b) => a - b);
}

/**
 * Index of the value a run shows at `step`: its last value logged at a step <= `step` (a run that
 * logs every 10 steps keeps showing its last image between them); -1 if it has none yet.
 * Several values at one step: the last logged.
 */
export function indexAt(steps: number[], step: number): number {
  let lo = 0;
  let hi = steps.length; // first index with steps[i] > step
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

// -- boxes ------------------------------------------------------------------------------------------

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  classId: number;
  caption: string;
  label: string;
  scores?: Record<string, number>;
}

/**
 * wandb box positions: `{minX, maxX, minY, maxY}` or `{middle: [x, y], width, height}`, as fractions
 * of the image unless `domain: "pixel"`. Returns pixels of a `w`×`h` image.
 */
export function boxRect(box: Dict, w: number, h: number): { x: number; y: number; w: number; h: number } | null {
  const p = box.position;
  if (!isDict(p)) return null;
  const sx = box.domain === "pixel" ? 1 : w;
  const sy = box.domain === "pixel" ? 1 : h;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : NaN);
  let x0: number, x1: number, y0: number, y1: number;
  if (Array.isArray(p.middle)) {
    const [mx, my] = p.middle.map(n);
    const bw = n(p.width);
    const bh = n(p.height);
    x0 = mx - bw / 2;
    x1 = mx + bw / 2;
    y0 = my - bh / 2;
    y1 = my + bh / 2;
  } else {
    x0 = n(p.minX);
    x1 = n(p.maxX);
    y0 = n(p.minY);
    y1 = n(p.maxY);
  }
  if (![x0, x1, y0, y1].every(Number.isFinite)) return null;
  return { x: Math.min(x0, x1) * sx, y: Math.min(y0, y1) * sy, w: Math.abs(x1 - x0) * sx, h: Math.abs(y1 - y0) * sy };
}

/** A boxes2D file (`{box_data, class_labels}`) -> boxes in pixels of a `w`×`h` image. */
export function parseBoxes(doc: unknown, w: number, h: number): { boxes: Box[]; labels: Record<string, string> } {
  const labels: Record<string, string> = {};
  if (isDict(doc) && isDict(doc.class_labels)) for (const [k, v] of Object.entries(doc.class_labels)) labels[k] = String(v);
  const data = isDict(doc) && Array.isArray(doc.box_data) ? doc.box_data : [];
  const boxes: Box[] = [];
  for (const b of data) {
    if (!isDict(b)) continue;
    const r = boxRect(b, w, h);
    if (!r) continue;
    const classId = typeof b.class_id === "number" ? b.class_id : 0;
    const scores: Record<string, number> = {};
    if (isDict(b.scores)) for (const [k, v] of Object.entries(b.scores)) if (typeof v === "number") scores[k] = v;
    boxes.push({ ...r, classId, caption: str(b.box_caption) ?? "", label: labels[String(classId)] ?? String(classId), scores: Object.keys(scores).length ? scores : undefined });
  }
  return { boxes, labels };
}

// -- masks ------------------------------------------------------------------------------------------

const CLASS_PALETTE: [number, number, number][] = [
  [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180], [70, 240, 240],
  [240, 50, 230], [210, 245, 60], [250, 190, 212], [0, 128, 128], [220, 190, 255], [170, 110, 40], [128, 0, 0],
];

/** Stable colour of a class id (0 is usually background but keeps a colour; toggling hides it). */
export function classColor(id: number): [number, number, number] {
  return CLASS_PALETTE[((id % CLASS_PALETTE.length) + CLASS_PALETTE.length) % CLASS_PALETTE.length];
}

export function cssColor(id: number): string {
  const [r, g, b] = classColor(id);
  return `rgb(${r},${g},${b})`;
}

/**
 * Colour a mask: `ids` holds one class id per pixel (the mask PNG's red channel), `out` gets RGBA
 * with `alpha` for visible classes and 0 elsewhere. Returns the classes present.
 */
export function paintMask(ids: ArrayLike<number>, out: Uint8ClampedArray, hidden: Set<number>, alpha = 140, stride = 1): Set<number> {
  const present = new Set<number>();
  const n = Math.floor(ids.length / stride);
  for (let i = 0; i < n; i++) {
    const c = ids[i * stride];
    present.add(c);
    const o = i * 4;
    if (hidden.has(c)) {
      out[o + 3] = 0;
      continue;
    }
    const [r, g, b] = classColor(c);
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
    out[o + 3] = alpha;
  }
  return present;
}
