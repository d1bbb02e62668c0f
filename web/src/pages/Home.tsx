import { api } from "../api/client";
import { ErrorPage, FirstRunHint, Spinner } from "../components/common";
import { formatAgo, formatDate } from "../core/format";
import { useAsync } from "../hooks";
import { Link, paths, useTitle } from "../router";

/** Entities and their projects, with run counts and last activity. */
export function Home() {
  useTitle("Projects");
  const { data, error, loading, reload } = useAsync((s) => api.projects(s), []);
  if (error) return <ErrorPage error={error} onRetry={reload} />;
  if (loading && !data) return <Spinner label="Loading projects" />;
  const projects = data ?? [];
  if (!projects.length)
    return (
      <div className="page">
        <h1>Projects</h1>
        <FirstRunHint />
      </div>
    );
  const byEntity = new Map<string, typeof projects>();
  for (const p of projects) byEntity.set(p.entity, [...(byEntity.get(p.entity) ?? []), p]);
  return (
    <div className="page">
      <h1>Projects</h1>
      {[...byEntity.entries()].map(([entity, ps]) => (
        <section key={entity} className="entity" aria-label={`Entity ${entity}`}>
          <h2>{entity}</h2>
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Runs</th>
                <th scope="col">Last activity</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {ps.map((p) => (
                <tr key={p.name}>
                  <td>
                    <Link to={paths.workspace(p.entity, p.name)}>{p.name}</Link>
                    {p.description && <div className="muted">{p.description}</div>}
                  </td>
                  <td className="num">{p.run_count}</td>
                  <td title={formatDate(p.updated_at)}>{formatAgo(p.updated_at)}</td>
                  <td>{formatDate(p.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
