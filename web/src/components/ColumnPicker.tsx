import { useMemo, useState } from "react";
import { Modal } from "./common";
import { t } from "../i18n";

/** Pick config/summary columns for the runs table, with search (thousands of keys stay usable). */
export function ColumnPicker({
  config,
  summary,
  chosen,
  onChange,
  onClose,
}: {
  config: string[];
  summary: string[];
  chosen: string[];
  onChange: (cols: string[]) => void;
  onClose: () => void;
}) {
  const [q, setQ] = useState("");
  const all = useMemo(() => [...config.map((k) => `config.${k}`), ...summary.map((k) => `summary.${k}`)], [config, summary]);
  const shown = all.filter((k) => k.toLowerCase().includes(q.toLowerCase())).slice(0, 300);
  const set = new Set(chosen);
  return (
    <Modal title={t("ws.columns")} onClose={onClose}>
      <input type="search" placeholder={t("columns.search")} aria-label={t("columns.searchLabel")} value={q} onChange={(e) => setQ(e.target.value)} />
      <div className="picker-list">
        {shown.map((k) => (
          <label key={k} className="picker-item">
            <input
              type="checkbox"
              checked={set.has(k)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, k] : chosen.filter((c) => c !== k))}
            />{" "}
            <span translate="no">{k}</span>
          </label>
        ))}
        {shown.length === 0 && <p className="muted">{t("columns.noMatch")}</p>}
        {all.length > 300 && shown.length === 300 && <p className="muted">{t("columns.refine")}</p>}
      </div>
      <div className="modal-actions">
        <button type="button" onClick={() => onChange([])}>{t("columns.clear")}</button>
        <button type="button" className="primary" onClick={onClose}>{t("columns.done")}</button>
      </div>
    </Modal>
  );
}
