/** Nested config/summary objects flattened to dotted keys (`optimizer.lr`), as the runs table shows them. */

export type Flat = Record<string, unknown>;

export function flatten(obj: unknown, prefix = "", out: Flat = {}): Flat {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    if (prefix) out[prefix] = obj;
    return out;
  }
  const entries = Object.entries(obj as Record<string, unknown>);
  if (!entries.length && prefix) out[prefix] = obj;
  for (const [k, v] of entries) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !isLeafObject(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

/** Objects that are values, not namespaces: media/table references the SDK writes into summaries. */
function isLeafObject(v: object): boolean {
  return typeof (v as { _type?: unknown })._type === "string";
}

/** Value at a dotted path, looking first for the flattened key then walking the object. */
export function getPath(obj: unknown, path: string): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  const o = obj as Record<string, unknown>;
  if (path in o) return o[path];
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  // try the longest existing prefix first, so keys containing dots still resolve
  for (let i = path.length; i > 0; i = path.lastIndexOf(".", i - 1)) {
    const head = path.slice(0, i);
    if (head in o) return i === path.length ? o[head] : getPath(o[head], path.slice(i + 1));
    if (i <= 0) break;
  }
  return undefined;
}
