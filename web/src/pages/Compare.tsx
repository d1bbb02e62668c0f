/** Compare runs: config and summary side by side, with a differences-only toggle. */

import { useMemo, useState } from "react";
import { api } from "../api/client";
import { ErrorPage, Spinner, StateBadge } from "../components/common";
import { runColor } from "../core/colors";
import { compareRuns } from "../core/diff";
import { describeValue } from "../core/format";
import { useAsync } from "../hooks";
import { Link, paths, useTitle } from "../router";
import { Breadcrumb } from "./Workspace";
import { t } from "../i18n";

export function Compare({ entity, project, runs }: { entity: string; project: string; runs: string[] }) {
  useTitle(t("compare.docTitle", { n: runs.length }));
  const { data, error, loading, reload } = useAsync((s) => Promise.all(runs.map((id) => api.run(entity, project, id, s))), [entity, project, runs.join(",")]);
  const [diffOnly, setDiffOnly] = useState(false);
  const config = useMemo(() => (data ? compareRuns(data, "config", diffOnly) : []), [data, diffOnly]);
  const summary = useMemo(() => (data ? compareRuns(data, "summary", diffOnly) : []), [data, diffOnly]);
  if (runs.length < 2) return <ErrorPage error={new Error(t("compare.pickTwo"))} />;
  if (error) return <ErrorPage error={error} onRetry={reload} />;
  if (loading || !data) return <Spinner label={t("ws.loadingRuns")} />;
  const table = (title: string, rows: typeof config) => (
    <section aria-label={title}>
      <h2>{title} <span className="muted">{t(diffOnly ? "compare.differingKeys" : "compare.keys", { n: rows.length })}</span></h2>
      <div className="compare-scroll">
        <table className="compare">
          <thead>
            <tr>
              <th scope="col">{t("compare.key")}</th>
              {data.map((r) => (
                <th scope="col" key={r.id} translate="no">
                  <span className="swatch" style={{ background: runColor(r.id) }} /> <Link to={paths.run(entity, project, r.id)}>{r.name || r.id}</Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} className={row.differs ? "differs" : ""}>
                <th scope="row" translate="no">{row.key}</th>
                {row.values.map((v, i) => (
                  <td key={i} translate="no">{v === undefined ? <span className="muted">—</span> : describeValue(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
  return (
    <div className="page">
      <Breadcrumb entity={entity} project={project} />
      <h1>{t("compare.title")}</h1>
      <div className="compare-bar">
        {data.map((r) => <span key={r.id} className="compare-run"><StateBadge state={r.state} /> <span translate="no">{r.name || r.id}</span></span>)}
        <label><input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly(e.target.checked)} /> {t("compare.diffOnly")}</label>
      </div>
      {table(t("run.config"), config)}
      {table(t("run.summary"), summary)}
    </div>
  );
}
