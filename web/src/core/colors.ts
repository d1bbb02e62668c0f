/**
 * Run colours: a palette chosen for contrast on a light background (each colour >= 3:1 against white,
 * the WCAG minimum for graphics), assigned by a stable hash of the run id so a run keeps its colour
 * across pages and reloads; user-picked colours override.
 */

export const PALETTE = [
  "#1f6fd1", "#d1461f", "#138a4b", "#8a3fd1", "#c2187a", "#0f7d86", "#b06500", "#5b6b00",
  "#3d4fc4", "#a8324a", "#2b7a2b", "#7a4b00", "#6b3fa0", "#00728f", "#b0305f", "#4d6a89",
];

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function runColor(id: string, overrides?: Record<string, string>): string {
  return overrides?.[id] ?? PALETTE[hashString(id) % PALETTE.length];
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
