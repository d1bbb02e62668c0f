/**
 * Run colours: 20 colours per theme, chosen for contrast on the theme's background (light: each >= 3:1
 * against white; dark: each >= 4:1 against the dark panels, above the WCAG minimum of 3:1 for graphics)
 * and far apart from each other (CIELAB distance >= 28 light, >= 30 dark, so no two read as one). The
 * dark set follows the light one's hues where it can. Runs get them in creation order, so any 20 runs
 * next to each other in the table differ and a run keeps its colour when the table is sorted or
 * filtered; user-picked colours override. A page without the project's run list falls back to a hash
 * of the id.
 */

export const LIGHT_PALETTE = [
  "#1f6fd1", "#d1461f", "#138a4b", "#e619a2", "#2a19e6", "#a18912", "#155461", "#862d4a", "#6b22a0", "#634821",
  "#d519e6", "#e6195d", "#12a112", "#cb7462", "#2a92c6", "#349d94", "#415c0a", "#194de6", "#cb62a8", "#a15912",
];

export const DARK_PALETTE = [
  "#748ac7", "#d57b5c", "#3ba663", "#eb60b1", "#a47ff0", "#a99312", "#06aac1", "#c97089", "#c459fd", "#fcab22",
  "#e4a8e4", "#f74a76", "#2daa20", "#ff4737", "#5ed7bf", "#27e216", "#8b9a59", "#ff38dc", "#d16507", "#e9bc7d",
];

/** Whether the page shows the dark theme (theme.ts sets `data-theme`; "auto" follows the browser). */
function darkPage(): boolean {
  const root = globalThis.document?.documentElement;
  if (!root) return false;
  if (root.dataset.theme) return root.dataset.theme === "dark";
  return globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

/** The palette of the page's theme (switching the theme reloads the page). */
export const PALETTE = darkPage() ? DARK_PALETTE : LIGHT_PALETTE;

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
