/**
 * Light or dark: the browser's prefers-color-scheme ("auto") unless the user picks one, kept in this
 * browser. The colours are CSS variables (styles.css); `data-theme` on <html> overrides the media query.
 */
export type Theme = "auto" | "light" | "dark";
export const THEMES: Theme[] = ["auto", "light", "dark"];
const STORE = "runyard.theme";

export function getTheme(): Theme {
  const t = localStorage.getItem(STORE);
  return t === "light" || t === "dark" ? t : "auto";
}

function apply(t: Theme): void {
  if (t === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}
apply(getTheme());

/** Switches the theme; the page reloads so the charts (drawn on canvas) take the new colours. */
export function setTheme(t: Theme): void {
  if (t === "auto") localStorage.removeItem(STORE);
  else localStorage.setItem(STORE, t);
  location.reload();
}

/** A colour variable of the current theme (for canvas drawing, which CSS does not reach). */
export function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
