import { useMemo, useState } from "react";
import { Modal } from "./common";

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
    <Modal title="Columns" onClose={onClose}>
      <input type="search" placeholder="Search config and summary keys" aria-label="Search columns" value={q} onChange={(e) => setQ(e.target.value)} />
      <div className="picker-list">
        {shown.map((k) => (
          <label key={k} className="picker-item">
            <input
              type="checkbox"
              checked={set.has(k)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, k] : chosen.filter((c) => c !== k))}
            />{" "}
            {k}
          </label>
        ))}
        {shown.length === 0 && <p className="muted">No matching keys</p>}
        {all.length > 300 && shown.length === 300 && <p className="muted">Showing 300; refine the search.</p>}
      </div>
      <div className="modal-actions">
        <button type="button" onClick={() => onChange([])}>Clear</button>
        <button type="button" className="primary" onClick={onClose}>Done</button>
      </div>
    </Modal>
  );
}
