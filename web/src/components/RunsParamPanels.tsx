/**
 * The workspace's "Parameters" section: parallel coordinates and a scatter over the shown runs' config
 * and summary values, in any project (a sweep's page has its own, over its trials). Axes are picked
 * from the runs' keys; brushing highlights the runs inside the ranges and reports them through
 * `onBrushed` (the workspace filters its runs table to them; null: no brush, or the section closed).
 */

import { useEffect, useMemo, useState } from "react";
import { fieldValue, type RunLike } from "../core/runs";
import { brushed, makeAxis, type Axis, type Brush, type Row, type Value } from "../core/sweeps";
import { t } from "../i18n";
import { ParallelCoordinates } from "./ParallelCoordinates";
import { Scatter } from "./Scatter";

const DEFAULT_AXES = 6;

export function RunsParamPanels({
  runs,
  color,
  label,
  keys,
  onBrushed,
}: {
  runs: RunLike[];
  color: (id: string) => string;
  label: (r: RunLike) => string;
  keys: { config: string[]; summary: string[] };
  onBrushed: (ids: Set<string> | null) => void;
}) {
  const all = useMemo(() => [...keys.config.map((k) => `config.${k}`), ...keys.summary.map((k) => `summary.${k}`)], [keys]);
  const rows: Row[] = useMemo(
    () =>
      runs.map((r) => {
        const values: Record<string, Value> = {};
        for (const k of all) {
          const v = fieldValue(r, k);
          if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") values[k] = v;
        }
        return { id: r.id, label: label(r), color: color(r.id), values };
      }),
    [runs, all, color, label],
  );
  const usable = useMemo(() => all.filter((k) => rows.some((r) => r.values[k] !== undefined)), [all, rows]);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const defaults = useMemo(() => {
    const cfg = usable.filter((k) => k.startsWith("config.") && !k.startsWith("config._")).slice(0, DEFAULT_AXES - 1);
    const sum = usable.find((k) => k.startsWith("summary."));
    return sum ? [...cfg, sum] : cfg;
  }, [usable]);
  const axisKeys = useMemo(() => (chosen ?? defaults).filter((k) => usable.includes(k)), [chosen, defaults, usable]);
  const axes = useMemo(() => axisKeys.map((k) => makeAxis(k, rows)).filter((a): a is Axis => a !== null), [axisKeys, rows]);
  const [brushes, setBrushes] = useState<Brush[]>([]);
  const kept = useMemo(() => (brushes.length ? new Set(brushed(rows, axes, brushes).map((r) => r.id)) : null), [rows, axes, brushes]);
  useEffect(() => onBrushed(kept), [kept, onBrushed]);
  useEffect(() => () => onBrushed(null), [onBrushed]); // closed: the table shows every run again
  const [x, setX] = useState<string | null>(null);
  const [y, setY] = useState<string | null>(null);
  const sx = x && usable.includes(x) ? x : defaults[0];
  const sy = y && usable.includes(y) ? y : defaults[defaults.length - 1];
  if (!usable.length) return <p className="muted">{t("wsplots.none")}</p>;
  const name = (k: string) => k.replace(/^(config|summary)\./, "");
  return (
    <div className="panel-grid ws-param-panels">
      <div className="panel-card" data-testid="ws-parcoords" style={{ gridColumn: "1 / -1" }}>
        <div className="pp-head">
          <b>{t("wsplots.parcoords")}</b>
          <span className="spacer" />
          {brushes.length > 0 && <button type="button" onClick={() => setBrushes([])}>{t("sweep.clearBrushes")}</button>}
          <details className="axis-picker">
            <summary>{t("wsplots.axes")} ({axisKeys.length})</summary>
            <div className="axis-picker-list">
              {usable.map((k) => (
                <label key={k}>
                  <input
                    type="checkbox"
                    checked={axisKeys.includes(k)}
                    onChange={(e) => setChosen(e.target.checked ? [...axisKeys, k] : axisKeys.filter((x) => x !== k))}
                  />{" "}
                  {k}
                </label>
              ))}
            </div>
          </details>
        </div>
        <ParallelCoordinates rows={rows} axes={axes} brushes={brushes} onBrush={setBrushes} height={260} label={t("wsplots.parcoords")} />
      </div>
      <div className="panel-card" data-testid="ws-scatter">
        <div className="pp-head">
          <b>{t("wsplots.scatter")}</b>
          <span className="spacer" />
          <label>{t("wsplots.x")} <select aria-label={t("wsplots.x")} value={sx} onChange={(e) => setX(e.target.value)}>{usable.map((k) => <option key={k} value={k}>{k}</option>)}</select></label>{" "}
          <label>{t("wsplots.y")} <select aria-label={t("wsplots.y")} value={sy} onChange={(e) => setY(e.target.value)}>{usable.map((k) => <option key={k} value={k}>{k}</option>)}</select></label>
        </div>
        <Scatter label={t("wsplots.scatter")} xLabel={name(sx)} yLabel={name(sy)} points={rows.map((r) => ({ id: r.id, label: r.label, color: r.color, x: r.values[sx], y: r.values[sy] }))} />
      </div>
    </div>
  );
}
