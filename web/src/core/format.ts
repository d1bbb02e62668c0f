/** Display formatting for numbers, durations and times (words and dates in the UI language). */

import { formatDateTime, formatRelative, getLang, t } from "../i18n";

export function formatNumber(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return String(v);
  if (typeof v !== "number") return typeof v === "object" ? JSON.stringify(v) : String(v);
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(digits)));
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("duration.s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("duration.ms", { m, s: s % 60 });
  const h = Math.floor(m / 60);
  if (h < 24) return t("duration.hm", { h, m: m % 60 });
  return t("duration.dh", { d: Math.floor(h / 24), h: h % 24 });
}

export function formatAgo(epochSeconds: number | null | undefined, now = Date.now() / 1000): string {
  if (epochSeconds == null) return "";
  const d = now - epochSeconds;
  if (d < 45) return t("time.justNow");
  if (d < 3600) return formatRelative(Math.round(d / 60), "minute");
  if (d < 86400) return formatRelative(Math.round(d / 3600), "hour");
  if (d < 86400 * 30) return formatRelative(Math.round(d / 86400), "day");
  return formatDate(epochSeconds);
}

export function formatDate(epochSeconds: number | null | undefined): string {
  if (epochSeconds == null) return "";
  return formatDateTime(epochSeconds);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const u = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}

const UNITS = ["", "k", "M", "G", "T"];

/** Decimals that show a tick increment exactly (0.25 -> 2, 5 -> 0). */
function decimalsOf(x: number): number {
  const s = String(Number(Math.abs(x).toPrecision(6)));
  if (s.includes("e")) return 6;
  return Math.min(6, (s.split(".")[1] ?? "").length);
}

/**
 * Axis tick labels, short enough for the axis: thousands and up in k/M/G/T ("1.25M", never a
 * clipped "250000"), every label with the decimals the increment needs and no more.
 */
export function formatTicks(vals: number[], incr: number): string[] {
  const m = Math.max(0, ...vals.filter((v) => v != null).map(Math.abs));
  if (m >= 1e3 && m < 1e15) {
    const i = Math.min(UNITS.length - 1, Math.floor(Math.log10(m) / 3));
    const scale = 1000 ** i;
    const d = decimalsOf(incr / scale);
    return vals.map((v) => (v == null ? "" : v === 0 ? "0" : `${(v / scale).toFixed(d)}${UNITS[i]}`));
  }
  if (m >= 1e-3 && incr >= 1e-6) {
    const d = decimalsOf(incr);
    return vals.map((v) => (v == null ? "" : v.toFixed(d)));
  }
  return vals.map((v) => formatNumber(v, 3));
}

/** One compact label for any number (log-scale ticks): "1.5M", "0.001", "3e-7". */
export function formatCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e3 && a < 1e15) {
    const i = Math.min(UNITS.length - 1, Math.floor(Math.log10(a) / 3));
    return `${Number((v / 1000 ** i).toPrecision(3))}${UNITS[i]}`;
  }
  return formatNumber(v, 3);
}

/** Wall-time tick labels on one line (epoch seconds): dates, hours:minutes or seconds as the increment needs. */
export function formatTimeTicks(vals: number[], incr: number): string[] {
  const p = (n: number) => String(n).padStart(2, "0");
  const monthDay = new Intl.DateTimeFormat(getLang(), { month: "short", day: "numeric" });
  const days = new Set(vals.filter((v) => v != null).map((v) => new Date(v * 1000).toDateString())).size;
  return vals.map((v) => {
    if (v == null) return "";
    const d = new Date(v * 1000);
    const date = monthDay.format(d);
    if (incr >= 86400) return date;
    const time = incr < 60 ? `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : `${p(d.getHours())}:${p(d.getMinutes())}`;
    return days > 1 ? `${date} ${time}` : time;
  });
}

/** A logged value for a table cell: numbers as numbers, media and histograms described, not dumped. */
export function describeValue(v: unknown): string {
  if (v === null || typeof v !== "object") return formatNumber(v, 8);
  if (Array.isArray(v)) return v.length > 6 ? t("value.items", { n: v.length }) : JSON.stringify(v);
  const o = v as Record<string, unknown>;
  if (o._type === "histogram" && Array.isArray(o.values) && Array.isArray(o.bins)) {
    const counts = o.values as number[];
    const edges = o.bins as number[];
    const n = counts.reduce((a, b) => a + (Number(b) || 0), 0);
    return t("value.histogram", { bins: counts.length, n, lo: formatNumber(edges[0], 3), hi: formatNumber(edges[edges.length - 1], 3) });
  }
  if (typeof o._type === "string") {
    const size = typeof o.width === "number" && typeof o.height === "number" ? ` ${o.width}×${o.height}` : "";
    return `${o._type}${size}`;
  }
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}
