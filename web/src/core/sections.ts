/**
 * Panels sectioned by the metric name's prefix before the first `/` (train/, eval/, system/).
 *
 * Order is stable and independent of arrival order: the un-prefixed "Charts" section first, then
 * sections alphabetically (natural order), with system metrics last; keys within a section in natural
 * order ("loss_2" before "loss_10").
 */

import { t } from "../i18n";
import { naturalCompare } from "./runs";

export interface Section {
  name: string;
  keys: string[];
}

export const ROOT_SECTION = "Charts";
export const SYSTEM_SECTION = "system";

/** A section's heading: the un-prefixed one in the UI language, the others as logged. */
export function sectionLabel(name: string): string {
  return name === ROOT_SECTION ? t("ws.charts") : name;
}

export function sectionOf(key: string): string {
  const i = key.indexOf("/");
  return i > 0 ? key.slice(0, i) : ROOT_SECTION;
}

export function sectionPanels(keys: Iterable<string>, search = ""): Section[] {
  const match = searchMatcher(search);
  const map = new Map<string, Set<string>>();
  for (const k of keys) {
    if (k.startsWith("_") || !match(k)) continue;
    const s = sectionOf(k);
    let set = map.get(s);
    if (!set) map.set(s, (set = new Set()));
    set.add(k);
  }
  return [...map.entries()]
    .map(([name, set]) => ({ name, keys: [...set].sort(naturalCompare) }))
    .sort((a, b) => sectionRank(a.name) - sectionRank(b.name) || naturalCompare(a.name, b.name));
}

function sectionRank(name: string): number {
  if (name === ROOT_SECTION) return 0;
  if (name === SYSTEM_SECTION) return 2;
  return 1;
}

/** Panel search: a case-insensitive substring, or a regex when written /like this/. */
export function searchMatcher(search: string): (key: string) => boolean {
  const s = search.trim();
  if (!s) return () => true;
  if (s.length > 2 && s.startsWith("/") && s.endsWith("/")) {
    try {
      const re = new RegExp(s.slice(1, -1), "i");
      return (k) => re.test(k);
    } catch {
      /* fall through to substring */
    }
  }
  const low = s.toLowerCase();
  return (k) => k.toLowerCase().includes(low);
}
