/** The workspace's toolbar: run filter (with its error or unknown-key warning), grouping, x axis, smoothing, scales. */

import { useEffect, useState, type RefObject } from "react";
import type { FilterError } from "../core/filter";
import type { GroupBand } from "../core/grouping";
import type { WorkspaceState } from "../core/urlstate";
import { BUILT_IN_X, xAxisLabel } from "./Panel";
import { SmoothingControl } from "./SmoothingControl";
import { t } from "../i18n";
import { Message } from "../i18n/Message";

export interface WorkspaceToolbarProps {
  st: WorkspaceState;
  update: (patch: Partial<WorkspaceState>) => void;
  filterRef: RefObject<HTMLInputElement | null>;
  filterError: FilterError | null;
  /** filter fields no run has */
  unknownKeys: string[];
  /** config keys to group by */
  groupKeys: string[];
  /** numeric metrics to use as the x axis */
  metricKeys: string[];
}

export function WorkspaceToolbar({ st, update, filterRef, filterError, unknownKeys, groupKeys, metricKeys }: WorkspaceToolbarProps) {
  // the filter applies 200 ms after the last keystroke (10,000 runs are filtered per change)
  const [filterText, setFilterText] = useState(st.filter);
  useEffect(() => {
    const timer = setTimeout(() => update({ filter: filterText }), 200);
    return () => clearTimeout(timer);
  }, [filterText, update]);
  return (
    <div className="ws-controls" role="toolbar" aria-label={t("toolbar.label")}>
      <div className="filter-bar">
        <input
          ref={filterRef}
          type="search"
          aria-label={t("toolbar.filter")}
          aria-invalid={!!filterError}
          aria-describedby="filter-error"
          placeholder={t("toolbar.filterHint")}
          value={filterText}
          onChange={(e) => setFilterText(e.target.value)}
          spellCheck={false}
        />
        {!filterError && unknownKeys.length > 0 && (
          <div className="filter-warn" role="status">
            <Message id="toolbar.unknownKeys" parts={{ keys: unknownKeys.map((k, i) => <span key={k}>{i > 0 && ", "}<code>{k}</code></span>) }} />
          </div>
        )}
        {filterError && (
          <div id="filter-error" className="filter-error" role="alert">
            <code>{st.filter}</code>
            <br />
            <code>{" ".repeat(filterError.start) + "^".repeat(Math.max(1, filterError.end - filterError.start))}</code> {filterError.message}
          </div>
        )}
      </div>
      <label>
        {t("toolbar.group")}{" "}
        <select value={st.groupBy ?? ""} onChange={(e) => update({ groupBy: e.target.value || null })} aria-label={t("toolbar.groupBy")}>
          <option value="">{t("toolbar.none")}</option>
          {["group", "job_type", "state", ...groupKeys.map((k) => `config.${k}`)].map((k) => (
            <option key={k} value={k}>{k}</option>
          ))}
        </select>
      </label>
      {st.groupBy && (
        <select value={st.band} onChange={(e) => update({ band: e.target.value as GroupBand })} aria-label={t("toolbar.band")}>
          <option value="minmax">{t("toolbar.bandMinmax")}</option>
          <option value="std">{t("toolbar.bandStd")}</option>
          <option value="none">{t("toolbar.bandNone")}</option>
        </select>
      )}
      <label>
        {t("toolbar.x")}{" "}
        <select value={st.xAxis} onChange={(e) => update({ xAxis: e.target.value, zoom: null })} aria-label={t("toolbar.xAxis")}>
          {BUILT_IN_X.map((k) => (
            <option key={k} value={k}>{xAxisLabel(k)}</option>
          ))}
          {metricKeys.map((k) => (
            <option key={k} value={k}>{k}</option>
          ))}
        </select>
      </label>
      <SmoothingControl value={st.smoothing} onChange={(smoothing) => update({ smoothing })} />
      <label><input type="checkbox" checked={st.logY} onChange={(e) => update({ logY: e.target.checked })} /> {t("toolbar.logY")}</label>
      <label><input type="checkbox" checked={st.ignoreOutliers} onChange={(e) => update({ ignoreOutliers: e.target.checked })} /> {t("toolbar.outliers")}</label>
      {st.zoom && (
        <button type="button" onClick={() => update({ zoom: null })}>{t("toolbar.resetZoom")}</button>
      )}
    </div>
  );
}
