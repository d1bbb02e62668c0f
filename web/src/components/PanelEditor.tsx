/**
 * "Add panel" / "Edit panel": a line plot or a scalar card of metrics picked from the project's
 * metric names, named one by one and/or by a regex (W&B's panel editor), with a live list of what
 * the panel will show.
 */

import { useMemo, useState } from "react";
import { compileRegex, PANEL_LIMITS, panelMetrics, type PanelKind, type PanelSpec, type ScalarAgg } from "../core/panels";
import { t } from "../i18n";
import { Modal } from "./common";

const AGGS: ScalarAgg[] = ["first", "mean", "min", "max"];
/** checkboxes listed at once; the search narrows the rest */
const LISTED = 200;

export function PanelEditor({
  initial,
  keys: metricKeys,
  summaryKeys,
  adding,
  onSave,
  onClose,
}: {
  initial: PanelSpec;
  /** metrics with a history (line plots) */
  keys: string[];
  /** and keys with a summary value (scalar cards) */
  summaryKeys: string[];
  adding: boolean;
  onSave: (p: PanelSpec) => void;
  onClose: () => void;
}) {
  const [spec, setSpec] = useState(initial);
  const keys = spec.kind === "scalar" ? summaryKeys : metricKeys;
  const [q, setQ] = useState("");
  const set = (patch: Partial<PanelSpec>) => setSpec((s) => ({ ...s, ...patch }));
  const regex = compileRegex(spec.regex);
  const shows = useMemo(() => panelMetrics(spec, keys), [spec, keys]);
  const wanted = useMemo(() => {
    const all = new Set(spec.metrics);
    if (regex.re) for (const k of keys) if (regex.re.test(k)) all.add(k);
    return all.size;
  }, [spec.metrics, regex.re, keys]);
  const listed = useMemo(() => {
    const low = q.toLowerCase();
    return keys.filter((k) => !low || k.toLowerCase().includes(low)).slice(0, LISTED);
  }, [keys, q]);
  const chosen = new Set(spec.metrics);
  const toggle = (k: string, on: boolean) => set({ metrics: on ? [...spec.metrics, k] : spec.metrics.filter((m) => m !== k) });
  return (
    <Modal title={t(adding ? "editor.add" : "editor.edit")} onClose={onClose} wide>
      <form
        className="panel-editor"
        onSubmit={(e) => {
          e.preventDefault();
          if (shows.length && !regex.error) onSave({ ...spec, title: spec.title.trim() });
        }}
      >
        <fieldset className="editor-kind">
          <legend>{t("editor.kind")}</legend>
          {(["line", "scalar"] as PanelKind[]).map((k) => (
            <label key={k}>
              <input type="radio" name="panel-kind" checked={spec.kind === k} onChange={() => set({ kind: k })} /> {t(`editor.kind.${k}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("editor.title")} <input value={spec.title} maxLength={PANEL_LIMITS.text} placeholder={t("editor.titleHint")} onChange={(e) => set({ title: e.target.value })} />
        </label>
        {spec.kind === "scalar" && (
          <label>
            {t("editor.agg")}{" "}
            <select value={spec.agg} onChange={(e) => set({ agg: e.target.value as ScalarAgg })}>
              {AGGS.map((a) => (
                <option key={a} value={a}>{t(`editor.agg.${a}`)}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t("editor.regex")}{" "}
          <input value={spec.regex} maxLength={PANEL_LIMITS.text} placeholder={t("editor.regexHint")} aria-invalid={!!regex.error} onChange={(e) => set({ regex: e.target.value })} />
        </label>
        {regex.error ? (
          <p className="error-text" role="alert">{t("editor.regexError", { error: regex.error })}</p>
        ) : (
          spec.regex && <p className="muted" aria-live="polite">{t("editor.regexMatches", { n: keys.filter((k) => regex.re!.test(k)).length })}</p>
        )}
        <fieldset className="editor-metrics">
          <legend>{t("editor.metrics")}</legend>
          <input type="search" aria-label={t("editor.search")} placeholder={t("editor.search")} value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="picker-list">
            {listed.map((k) => (
              <label key={k} className="picker-item">
                <input type="checkbox" checked={chosen.has(k)} onChange={(e) => toggle(k, e.target.checked)} /> <span translate="no">{k}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <p className="muted" aria-live="polite">
          {shows.length ? t("editor.shows", { list: shows.join(", ") }) : t("editor.nothing")}
        </p>
        {wanted > PANEL_LIMITS.metrics && <p className="error-text">{t("editor.tooMany", { n: PANEL_LIMITS.metrics })}</p>}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>{t("actions.cancel")}</button>
          <button type="submit" className="primary" disabled={!shows.length || !!regex.error}>{t("editor.save")}</button>
        </div>
      </form>
    </Modal>
  );
}
