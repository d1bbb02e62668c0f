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

export function Compare({ entity, project, runs }: { entity: string; project: string; runs: string[] }) {
  useTitle(`Compare ${runs.length} runs`);
  const { data, error, loading, reload } = useAsync((s) => Promise.all(runs.map((id) => api.run(entity, project, id, s))), [entity, project, runs.join(",")]);
  const [diffOnly, setDiffOnly] = useState(false);
  const config = useMemo(() => (data ? compareRuns(data, "config", diffOnly) : []), [data, diffOnly]);
  const summary = useMemo(() => (data ? compareRuns(data, "summary", diffOnly) : []), [data, diffOnly]);
  if (runs.length < 2) return <ErrorPage error={new Error("Pick at least two runs to compare (select them in the runs table).")} />;
  if (error) return <ErrorPage error={error} onRetry={reload} />;
  if (loading || !data) return <Spinner label="Loading runs" />;
  const table = (title: string, rows: typeof config) => (
    <section aria-label={title}>
      <h2>{title} <span className="muted">({rows.length} {diffOnly ? "differing " : ""}keys)</span></h2>
      <div className="compare-scroll">
        <table className="compare">
          <thead>
            <tr>
              <th scope="col">Key</th>
              {data.map((r) => (
                <th scope="col" key={r.id}>
                  <span className="swatch" style={{ background: runColor(r.id) }} /> <Link to={paths.run(entity, project, r.id)}>{r.name || r.id}</Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key} className={row.differs ? "differs" : ""}>
                <th scope="row">{row.key}</th>
                {row.values.map((v, i) => (
                  <td key={i}>{v === undefined ? <span className="muted">—</span> : describeValue(v)}</td>
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
      <h1>Compare runs</h1>
      <div className="compare-bar">
        {data.map((r) => <span key={r.id} className="compare-run"><StateBadge state={r.state} /> {r.name || r.id}</span>)}
        <label><input type="checkbox" checked={diffOnly} onChange={(e) => setDiffOnly(e.target.checked)} /> Differences only</label>
      </div>
      {table("Config", config)}
      {table("Summary", summary)}
    </div>
  );
}
