/** The smoothing picker (kind and amount), the same in the workspace toolbar and a panel's settings. */

import { SMOOTHING_DEFAULTS, type Smoothing, type SmoothingKind } from "../core/smoothing";

const KINDS: [SmoothingKind, string][] = [
  ["none", "none"],
  ["twema", "time-weighted EMA"],
  ["ema", "EMA"],
  ["running", "running average"],
  ["gaussian", "gaussian"],
];

export function SmoothingControl({ value, onChange }: { value: Smoothing; onChange: (s: Smoothing) => void }) {
  const range = SMOOTHING_DEFAULTS[value.kind];
  return (
    <>
      <label>
        Smoothing{" "}
        <select
          value={value.kind}
          aria-label="Smoothing"
          onChange={(e) => {
            const kind = e.target.value as SmoothingKind;
            onChange({ kind, param: SMOOTHING_DEFAULTS[kind].param });
          }}
        >
          {KINDS.map(([k, label]) => (
            <option key={k} value={k}>{label}</option>
          ))}
        </select>
      </label>
      {/* kept in the layout while hidden, so choosing a kind moves nothing beside it */}
      <input
        type="range"
        className="smoothing-amount"
        aria-label="Smoothing amount"
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
