/** A scalar card: each metric's summary value over the visible runs as one big number, with the runs' own values below. */

import { memo } from "react";
import { formatNumber } from "../core/format";
import { aggregate, type PanelSpec } from "../core/panels";
import { fieldValue, type RunLike } from "../core/runs";
import { t } from "../i18n";

/** runs listed under the big number */
const LISTED = 5;

export const ScalarCard = memo(function ScalarCard({
  spec,
  title,
  metrics,
  runs,
  color,
  onEdit,
  onRemove,
  minHeight,
}: {
  spec: PanelSpec;
  title: string;
  metrics: string[];
  runs: RunLike[];
  color: (id: string) => string;
  onEdit: () => void;
  onRemove: () => void;
  /** a card made taller in the grid */
  minHeight?: number;
}) {
  return (
    <section className="panel scalar-card" aria-label={t("panel.chart", { name: title })} data-panel={spec.id} data-state="ready" style={minHeight ? { minHeight } : undefined}>
      <header className="panel-head">
        <h3 title={title} translate="no">{title}</h3>
        <span className="panel-meta" />
        <button type="button" className="icon" aria-label={t("panel.edit", { name: title })} onClick={onEdit}>✎</button>
        <button type="button" className="icon" aria-label={t("panel.remove", { name: title })} onClick={onRemove}>✕</button>
      </header>
      <div className="scalar-body">
        {metrics.map((m) => {
          const have = runs.flatMap((r) => {
            const v = fieldValue(r, `summary.${m}`);
            return typeof v === "number" ? [{ r, v }] : [];
          });
          const big = aggregate(have.map((x) => x.v), spec.agg);
          return (
            <div key={m} className="scalar-metric" data-metric={m}>
              {metrics.length > 1 && <div className="muted" translate="no">{m}</div>}
              <div className="scalar-value" data-value={big ?? ""}>{big === null ? <span className="muted">{t("scalar.noValue")}</span> : formatNumber(big, 5)}</div>
              {have.length > 0 && <div className="muted">{t(`scalar.${spec.agg}`, { n: have.length })}</div>}
              <ul className="scalar-runs">
                {have.slice(0, LISTED).map(({ r, v }) => (
                  <li key={r.id}>
                    <span className="swatch" style={{ background: color(r.id) }} /> <span translate="no">{r.name || r.id}</span>{" "}
                    <span className="num">{formatNumber(v, 5)}</span>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </div>
    </section>
  );
});
