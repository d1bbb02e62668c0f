/**
 * UI language: message catalogues (`en.ts`, `zh-CN.ts`) and locale-aware formatting.
 * Every string the UI shows comes from `t(key, params)`; `zh-CN.ts` is typed against `en.ts`, so a key
 * missing from a catalogue fails the type check. The language follows the browser until the user picks one.
 */
import { en, type MessageKey } from "./en";
import { zhCN } from "./zh-CN";

export type { MessageKey };
export type Lang = "en" | "zh-CN";
export const LANGS: { lang: Lang; label: string }[] = [
  { lang: "en", label: "English" },
  { lang: "zh-CN", label: "简体中文" },
];

const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, "zh-CN": zhCN };
const STORE = "runyard.lang";

function initialLang(): Lang {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(STORE) : null;
  if (saved === "en" || saved === "zh-CN") return saved;
  const prefs = typeof navigator !== "undefined" ? navigator.languages ?? [navigator.language] : [];
  for (const p of prefs) {
    if (/^zh\b/i.test(p)) return "zh-CN";
    if (/^en\b/i.test(p)) return "en";
  }
  return "en";
}

let lang: Lang = initialLang();
if (typeof document !== "undefined") document.documentElement.lang = lang;

/** Keys looked up so far: the zh-CN browser test checks each has its own translation. */
const used = new Set<MessageKey>();
if (typeof window !== "undefined") (window as unknown as { __runyardI18n: object }).__runyardI18n = { used, en, zhCN, lang: () => lang };

export function getLang(): Lang {
  return lang;
}

/** Switches the language; the page reloads so every string, chart label and cached title follows. */
export function setLang(l: Lang): void {
  localStorage.setItem(STORE, l);
  location.reload();
}

/** The message for `key` in the current language, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  used.add(key);
  const s = CATALOGUES[lang][key] ?? en[key];
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

type PluralBase<K> = K extends `${infer B}.other` ? B : never;
/** Keys with `.one` / `.other` forms (English needs both; Chinese repeats one). */
export type PluralKey = PluralBase<MessageKey>;

const plurals = new Map<Lang, Intl.PluralRules>();
/** The form of `base` for the count `n` in the UI language (`{n}` is filled in, grouped per locale). */
export function tn(base: PluralKey, n: number, params?: Record<string, string | number>): string {
  let rules = plurals.get(lang);
  if (!rules) plurals.set(lang, (rules = new Intl.PluralRules(lang)));
  const form = rules.select(n) === "one" ? "one" : "other";
  return t(`${base}.${form}` as MessageKey, { n: formatCount(n), ...params });
}

/** Integers for people (run counts): grouped per locale. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(lang).format(n);
}

const dateFmt = new Map<Lang, Intl.DateTimeFormat>();
/** Epoch seconds as a short local date and time in the UI language. */
export function formatDateTime(epochSeconds: number): string {
  let f = dateFmt.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false });
    dateFmt.set(lang, f);
  }
  return f.format(new Date(epochSeconds * 1000));
}

/** "5 minutes ago" / "5分钟前" for a past moment `seconds` before now. */
export function formatRelative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  return new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "narrow" }).format(-value, unit);
}
