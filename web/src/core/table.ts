/**
 * Logged tables (`table-file` JSON: `{"columns": [...], "data": [[...]]}`): parsing, cell kinds,
 * sorting and filtering on row indices (the rows are never copied, so 10,000 rows stay cheap).
 */

import { isDict, mediaItems, mediaKind, type MediaItem } from "./media";

export interface TableData {
  columns: string[];
  rows: unknown[][];
}

export function parseTable(doc: unknown): TableData {
  if (!isDict(doc)) throw new Error("not a table: expected {columns, data}");
  const columns = Array.isArray(doc.columns) ? doc.columns.map((c) => String(c)) : [];
  const data = Array.isArray(doc.data) ? doc.data : [];
  const rows = data.map((r) => (Array.isArray(r) ? r : [r]));
  if (!columns.length && rows.length) for (let i = 0; i < rows[0].length; i++) columns.push(String(i));
  return { columns, rows };
}

export type CellKind = "null" | "number" | "bool" | "text" | "media" | "json";

export function cellKind(v: unknown): CellKind {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return "number";
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return "number";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "text";
  if (mediaKind(v)) return "media";
  return "json";
}

/** The media of a cell (an image, an audio clip, ...), or null. */
export function cellMedia(v: unknown): MediaItem | null {
  return mediaKind(v) ? (mediaItems(v)[0] ?? null) : null;
}

/** What a cell says as text: for display (React escapes it) and for filtering. */
export function cellText(v: unknown): string {
  switch (cellKind(v)) {
    case "null":
      return "";
    case "number":
    case "bool":
    case "text":
      return String(v);
    case "media": {
      const d = v as Record<string, unknown>;
      return [d._type, d.caption, d.path].filter((x) => typeof x === "string").join(" ");
    }
    default:
      try {
        return JSON.stringify(v);
      } catch {
        return String(v);
      }
  }
}

function num(v: unknown): number | null {
  if (typeof v === "number") return Number.isNaN(v) ? null : v;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

/** Numbers before text; empty cells last in either direction. */
export function compareCells(a: unknown, b: unknown): number {
  const ea = a === null || a === undefined || a === "NaN";
  const eb = b === null || b === undefined || b === "NaN";
  if (ea || eb) return ea === eb ? 0 : ea ? 1 : -1;
  const na = num(a);
  const nb = num(b);
  if (na !== null && nb !== null) return na < nb ? -1 : na > nb ? 1 : 0;
  if (na !== null) return -1;
  if (nb !== null) return 1;
  const sa = cellText(a);
  const sb = cellText(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Row order for a column (stable; empty cells last also when descending). */
export function sortIndex(t: TableData, index: number[], col: number, dir: "asc" | "desc"): number[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...index].sort((i, j) => {
    const a = t.rows[i][col];
    const b = t.rows[j][col];
    const ea = a === null || a === undefined || a === "NaN";
    const eb = b === null || b === undefined || b === "NaN";
    if (ea || eb) return ea === eb ? i - j : ea ? 1 : -1;
    return sign * compareCells(a, b) || i - j;
  });
}

interface Term {
  col: number | null; // null: any column
  op: ":" | "=" | "!=" | ">" | ">=" | "<" | "<=";
  value: string;
}

/**
 * Filter syntax: space-separated terms, all must hold. `cat` matches any cell containing "cat"
 * (case-insensitive); `label:cat` only that column; `score>0.5`, `score<=1`, `label=cat`,
 * `label!=cat`; quote values with spaces: `caption:"a b"`. An unknown column is an error.
 */
export function parseFilter(q: string, columns: string[]): Term[] {
  const terms: Term[] = [];
  const re = /\s*(?:([^\s:=<>!"]+)\s*(:|!=|>=|<=|=|>|<)\s*)?(?:"([^"]*)"|(\S+))/y;
  let m: RegExpExecArray | null;
  let pos = 0;
  const lower = columns.map((c) => c.toLowerCase());
  while (pos < q.length && (m = (re.lastIndex = pos, re.exec(q)))) {
    pos = re.lastIndex;
    const [, name, op, quoted, bare] = m;
    const value = quoted ?? bare ?? "";
    if (name !== undefined) {
      const col = lower.indexOf(name.toLowerCase());
      if (col < 0) throw new Error(`unknown column "${name}" (columns: ${columns.join(", ")})`);
      terms.push({ col, op: op as Term["op"], value });
    } else if (value) terms.push({ col: null, op: ":", value });
    if (!q.slice(pos).trim()) break;
  }
  return terms;
}

function termHolds(t: Term, v: unknown): boolean {
  if (t.op === ":") return cellText(v).toLowerCase().includes(t.value.toLowerCase());
  if (t.op === "=" || t.op === "!=") {
    const n = num(v);
    const eq = n !== null && t.value.trim() !== "" && !Number.isNaN(Number(t.value)) ? n === Number(t.value) : cellText(v) === t.value;
    return t.op === "=" ? eq : !eq;
  }
  const n = num(v);
  const x = Number(t.value);
  if (n === null || Number.isNaN(x)) return false;
  return t.op === ">" ? n > x : t.op === ">=" ? n >= x : t.op === "<" ? n < x : n <= x;
}

export function filterIndex(t: TableData, q: string): number[] {
  const terms = parseFilter(q, t.columns);
  const out: number[] = [];
  for (let i = 0; i < t.rows.length; i++) {
    const r = t.rows[i];
    let ok = true;
    for (const term of terms) {
      if (term.col !== null ? !termHolds(term, r[term.col]) : !r.some((v) => termHolds(term, v))) {
        ok = false;
        break;
      }
    }
    if (ok) out.push(i);
  }
  return out;
}

/** Rows to render for a scroll position (virtualized grid), with `overscan` rows either side. */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 4): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return [first, Math.max(first, last)];
}
