/** The smoothing picker (kind and amount), the same in the workspace toolbar and a panel's settings. */

import { SMOOTHING_DEFAULTS, type Smoothing, type SmoothingKind } from "../core/smoothing";
import { t } from "../i18n";

const KINDS: SmoothingKind[] = ["none", "twema", "ema", "running", "gaussian"];

export function SmoothingControl({ value, onChange }: { value: Smoothing; onChange: (s: Smoothing) => void }) {
  const range = SMOOTHING_DEFAULTS[value.kind];
  return (
    <>
      <label>
        {t("smoothing.label")}{" "}
        <select
          value={value.kind}
          aria-label={t("smoothing.label")}
          onChange={(e) => {
            const kind = e.target.value as SmoothingKind;
            onChange({ kind, param: SMOOTHING_DEFAULTS[kind].param });
          }}
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>{t(`smoothing.${k}`)}</option>
          ))}
        </select>
      </label>
      {/* kept in the layout while hidden, so choosing a kind moves nothing beside it */}
      <input
        type="range"
        className="smoothing-amount"
        aria-label={t("smoothing.amount")}
        style={value.kind === "none" ? { visibility: "hidden" } : undefined}
        min={range.min}
        max={range.max}
        step={range.step}
        value={value.param}
        onChange={(e) => onChange({ kind: value.kind, param: Number(e.target.value) })}
      />
    </>
  );
}
