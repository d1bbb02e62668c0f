/**
 * Console output for display: `\r` progress lines collapsed to what a terminal would finally show,
 * and ANSI SGR colour codes turned into styled spans (other escape sequences dropped).
 */

export interface Span {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

/**
 * What a terminal shows for a line written with carriage returns: each `\r` rewinds to column 0 and
 * the next text overwrites from there (progress bars). Segments with colour codes can't be overlaid
 * column by column, so then the last non-empty segment wins -- what progress bars redraw anyway.
 */
export function collapseCR(line: string): string {
  const s = line.endsWith("\r\n") ? line.slice(0, -2) : line;
  if (!s.includes("\r")) return s;
  const parts = s.split("\r");
  if (parts.some((p) => p.includes("\x1b"))) {
    for (let i = parts.length - 1; i >= 0; i--) if (parts[i] !== "") return parts[i];
    return "";
  }
  let screen = "";
  for (const part of parts) screen = part + screen.slice(part.length);
  return screen;
}

export const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI_RE, "");
}

const BASE = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5"];
const BRIGHT = ["#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"];

function xterm256(n: number): string {
  if (n < 8) return BASE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const i = n - 16;
    const c = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return rgb(c(Math.floor(i / 36)), c(Math.floor(i / 6) % 6), c(i % 6));
  }
  const g = 8 + (n - 232) * 10;
  return rgb(g, g, g);
}

function rgb(r: number, g: number, b: number): string {
  return "#" + [r, g, b].map((v) => Math.max(0, Math.min(255, v)).toString(16).padStart(2, "0")).join("");
}

/** Split a line into styled spans. Style carries across calls when `state` is passed back in. */
export function parseAnsi(line: string, state: Omit<Span, "text"> = {}): { spans: Span[]; state: Omit<Span, "text"> } {
  const spans: Span[] = [];
  let style: Omit<Span, "text"> = { ...state };
  let last = 0;
  const re = new RegExp(ANSI_RE.source, "g");
  let m: RegExpExecArray | null;
  const push = (text: string) => {
    if (text) spans.push({ text, ...style });
  };
  while ((m = re.exec(line))) {
    push(line.slice(last, m.index));
    last = re.lastIndex;
    const seq = m[0];
    if (!seq.startsWith("\x1b[") || !seq.endsWith("m")) continue;
    const codes = seq.slice(2, -1).split(";").map((c) => (c === "" ? 0 : Number(c)));
    style = applySgr(style, codes);
  }
  push(line.slice(last));
  return { spans, state: style };
}

function applySgr(st: Omit<Span, "text">, codes: number[]): Omit<Span, "text"> {
  const s = { ...st };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) {
      for (const k of Object.keys(s)) delete (s as Record<string, unknown>)[k];
    } else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) {
      delete s.bold;
      delete s.dim;
    } else if (c === 23) delete s.italic;
    else if (c === 24) delete s.underline;
    else if (c >= 30 && c <= 37) s.fg = BASE[c - 30];
    else if (c >= 90 && c <= 97) s.fg = BRIGHT[c - 90];
    else if (c === 39) delete s.fg;
    else if (c >= 40 && c <= 47) s.bg = BASE[c - 40];
    else if (c >= 100 && c <= 107) s.bg = BRIGHT[c - 100];
    else if (c === 49) delete s.bg;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const col = xterm256(codes[i + 2] ?? 0);
      if (c === 38) s.fg = col;
      else s.bg = col;
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      const col = rgb(codes[i + 2] ?? 0, codes[i + 3] ?? 0, codes[i + 4] ?? 0);
      if (c === 38) s.fg = col;
      else s.bg = col;
      i += 4;
    }
  }
  return s;
}
