/** Side-by-side comparison of runs' config and summary, with a differences-only view. */

import { flatten } from "./flatten";
import { naturalCompare, type RunLike } from "./runs";

export interface DiffRow {
  key: string;
  values: unknown[];
  /** true when not every run has the same value (a missing value differs from any present one) */
  differs: boolean;
}

export function compareRuns(runs: RunLike[], part: "config" | "summary", differencesOnly = false): DiffRow[] {
  const flats = runs.map((r) => flatten(r[part]));
  const keys = new Set<string>();
  for (const f of flats) for (const k of Object.keys(f)) if (!(part === "summary" && k.startsWith("_"))) keys.add(k);
  const rows: DiffRow[] = [];
  for (const key of [...keys].sort(naturalCompare)) {
    const values = flats.map((f) => (key in f ? f[key] : undefined));
    const first = canon(values[0]);
    const differs = values.some((v) => canon(v) !== first);
    if (!differencesOnly || differs) rows.push({ key, values, differs });
  }
  return rows;
}

function canon(v: unknown): string {
  return v === undefined ? "\u0000missing" : JSON.stringify(v);
}
