/** Plain logic of the artifacts pages: file kinds, manifest diffs, grouping collections by type. */

export interface ManifestEntry {
  path: string;
  sha256: string | null;
  size: number;
  ref?: string | null;
}

export type DiffStatus = "added" | "removed" | "changed" | "same";

export interface FileDiff {
  path: string;
  status: DiffStatus;
  a?: ManifestEntry;
  b?: ManifestEntry;
}

/** Entry identity for a diff: its blob digest, else its reference URI, else its size. */
const ident = (e: ManifestEntry) => e.sha256 ?? (e.ref ? `ref:${e.ref}` : `size:${e.size}`);

/** Files of `b` against `a` (a = older, b = newer), sorted by path; changed means another digest. */
export function diffManifests(a: ManifestEntry[], b: ManifestEntry[]): FileDiff[] {
  const am = new Map(a.map((e) => [e.path, e]));
  const bm = new Map(b.map((e) => [e.path, e]));
  const paths = [...new Set([...am.keys(), ...bm.keys()])].sort();
  return paths.map((path) => {
    const x = am.get(path);
    const y = bm.get(path);
    if (!x) return { path, status: "added", b: y };
    if (!y) return { path, status: "removed", a: x };
    return { path, status: ident(x) === ident(y) ? "same" : "changed", a: x, b: y };
  });
}

export function diffCounts(d: FileDiff[]): Record<DiffStatus, number> {
  const c: Record<DiffStatus, number> = { added: 0, removed: 0, changed: 0, same: 0 };
  for (const r of d) c[r.status]++;
  return c;
}

const TEXT_RE = /\.(txt|log|md|json|jsonl|ya?ml|py|toml|cfg|ini|csv|tsv|patch|diff|sh|js|ts|html|xml)$/i;
const IMAGE_RE = /\.(png|jpe?g|gif|webp|bmp|svg)$/i;

export function fileKind(path: string): "text" | "image" | null {
  if (IMAGE_RE.test(path)) return "image";
  if (TEXT_RE.test(path)) return "text";
  return null;
}

/** Collections grouped by type (types sorted; collections keep their order, newest first). */
export function groupByType<T extends { type: string }>(items: T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const it of items) {
    if (!m.has(it.type)) m.set(it.type, []);
    m.get(it.type)!.push(it);
  }
  return [...m.entries()].sort((x, y) => x[0].localeCompare(y[0]));
}

/** `vN` of an artifact reference like `ckpt:v3` (or an alias) -- the part after the last colon. */
export function splitRef(qualified: string): { path: string; version: string } {
  const i = qualified.lastIndexOf(":");
  return i < 0 ? { path: qualified, version: "latest" } : { path: qualified.slice(0, i), version: qualified.slice(i + 1) };
}
