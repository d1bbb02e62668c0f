/** "Add panels to a report" from the workspace: the panels shown, bound to a run set made of the
 * workspace's filter (and its hidden/shown runs) with its chart settings, appended to an existing
 * report or to a new one. */

import { useState } from "react";
import { api } from "../../api/client";
import { ApiError } from "../../api/http";
import type { Block, Report } from "../../api/types";
import type { PanelSettings } from "../../core/persist";
import { blockId } from "../../core/reportDoc";
import type { WorkspaceState } from "../../core/urlstate";
import { useAsync } from "../../hooks";
import { t } from "../../i18n";
import { navigate, paths } from "../../router";
import { Modal } from "../common";

export function AddToReport(props: {
  entity: string;
  project: string;
  st: WorkspaceState;
  metrics: string[];
  runIds: string[] | null;
  /** the workspace's per-panel settings: those of the panels added go with them */
  panelSettings: Record<string, PanelSettings>;
  onClose: () => void;
}) {
  const { entity, project, st } = props;
  const list = useAsync((s) => api.reports(entity, project, s), [entity, project]);
  const [target, setTarget] = useState("new");
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const metrics = props.metrics.slice(0, 500);
  const own = Object.fromEntries(metrics.filter((m) => Object.keys(props.panelSettings[m] ?? {}).length).map((m) => [m, props.panelSettings[m]]));
  const block: Block = {
    id: blockId(),
    type: "panels",
    runset: { projects: [`${entity}/${project}`], filter: st.filter, ...(props.runIds ? { runs: props.runIds } : {}) },
    metrics,
    settings: { smoothing: st.smoothing, xAxis: st.xAxis, logY: st.logY, ignoreOutliers: st.ignoreOutliers },
    ...(Object.keys(own).length ? { panel_settings: own } : {}),
    columns: st.gridColumns || 2,
  };
  const add = async () => {
    try {
      let r: Report;
      if (target === "new") r = await api.createReport(entity, project, { title: title.trim(), blocks: [block] });
      else {
        // appended on top of the newest version (another editor's save in between is kept)
        let cur = await api.report(Number(target));
        try {
          r = await api.saveReport(cur.id, { version: cur.version, blocks: [...cur.blocks, block] });
        } catch (e) {
          if (!(e instanceof ApiError && e.code === "version_conflict")) throw e;
          if (!e.extra.current) throw e;
          cur = e.extra.current;
          r = await api.saveReport(cur.id, { version: cur.version, blocks: [...cur.blocks, block] });
        }
      }
      navigate(paths.report(entity, project, r.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Modal title={t("report.addPanels")} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <p>
          <label>
            {t("report.addTo")}{" "}
            <select value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="new">{t("report.newReport")}</option>
              {(list.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title}
                </option>
              ))}
            </select>
          </label>{" "}
          {target === "new" && <input aria-label={t("report.newTitle")} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />}
        </p>
        <p className="muted">{t("report.metrics")}: {props.metrics.slice(0, 12).join(", ")}{props.metrics.length > 12 ? " …" : ""}</p>
        <button type="submit" className="primary" disabled={target === "new" && !title.trim()}>
          {t("report.add")}
        </button>
        {error && <p className="error-text" role="alert">{error}</p>}
      </form>
    </Modal>
  );
}
