import { useMemo, useState } from "react";
import { flatten } from "../core/flatten";
import { formatNumber } from "../core/format";
import { naturalCompare } from "../core/runs";
import { t } from "../i18n";

/** A searchable key/value view of a nested object (config or summary), flattened to dotted keys. */
export function ConfigTree({ data, label }: { data: Record<string, unknown>; label: string }) {
  const [q, setQ] = useState("");
  const rows = useMemo(
    () => Object.entries(flatten(data)).filter(([k]) => !k.startsWith("_")).sort(([a], [b]) => naturalCompare(a, b)),
    [data],
  );
  const low = q.toLowerCase();
  const shown = rows.filter(([k, v]) => !low || k.toLowerCase().includes(low) || String(v).toLowerCase().includes(low));
  return (
    <div className="config-tree">
      <input type="search" placeholder={t("config.search", { label })} aria-label={t("config.search", { label })} value={q} onChange={(e) => setQ(e.target.value)} />
      {rows.length === 0 ? (
        <p className="muted">{t("config.none", { label })}</p>
      ) : (
        <table className="kv" translate="no">
          <tbody>
            {shown.map(([k, v]) => {
              const depth = k.split(".").length - 1;
              return (
                <tr key={k}>
                  <th scope="row" style={{ paddingLeft: 6 + depth * 12 }}>{k}</th>
                  <td>{typeof v === "object" && v !== null ? JSON.stringify(v) : formatNumber(v, 8)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
