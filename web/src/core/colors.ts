/**
 * Run colours: 20 colours chosen for contrast on a light background (each >= 3:1 against white, the
 * WCAG minimum for graphics) and far apart from each other (CIELAB distance >= 28, so no two read as
 * one). Runs get them in creation order, so any 20 runs next to each other in the table differ and a
 * run keeps its colour when the table is sorted or filtered; user-picked colours override. A page
 * without the project's run list falls back to a hash of the id.
 */

export const PALETTE = [
  "#1f6fd1", "#d1461f", "#138a4b", "#e619a2", "#2a19e6", "#a18912", "#155461", "#862d4a", "#6b22a0", "#634821",
  "#d519e6", "#e6195d", "#12a112", "#cb7462", "#2a92c6", "#349d94", "#415c0a", "#194de6", "#cb62a8", "#a15912",
];

/** Colour of each run by its place among the project's runs, oldest first. */
export function assignColors(runs: { id: string; created_at: number }[]): Map<string, string> {
  const byAge = runs.slice().sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  return new Map(byAge.map((r, i) => [r.id, PALETTE[i % PALETTE.length]]));
}

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function runColor(id: string, overrides?: Record<string, string>, assigned?: Map<string, string>): string {
  return overrides?.[id] ?? assigned?.get(id) ?? PALETTE[hashString(id) % PALETTE.length];
}

/** `#rrggbb` with alpha, for faint raw lines and bands. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** WCAG relative-luminance contrast ratio of two `#rrggbb` colours. */
export function contrastRatio(a: string, b: string): number {
  const lum = (hex: string) => {
    const n = parseInt(hex.slice(1), 16);
    const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const [hi, lo] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}
