import { api } from "../api/client";
import type { Project } from "../api/types";
import { ErrorPage, FirstRunHint, Spinner } from "../components/common";
import { formatAgo, formatDate } from "../core/format";
import { useAsync } from "../hooks";
import { Link, paths, useTitle } from "../router";
import { formatCount, t } from "../i18n";
import { RegistryLinks } from "./Registry";

/** Entities and their projects, with run counts and last activity. */
export function Home() {
  useTitle(t("home.title"));
  const { data, error, loading, reload } = useAsync((s) => api.projects(s), []);
  if (error) return <ErrorPage error={error} onRetry={reload} />;
  if (loading && !data) return <Spinner label={t("home.loading")} />;
  const projects = data ?? [];
  if (!projects.length)
    return (
      <div className="page">
        <h1>{t("home.title")}</h1>
        <FirstRunHint />
      </div>
    );
  const byEntity = new Map<string, typeof projects>();
  for (const p of projects) byEntity.set(p.entity, [...(byEntity.get(p.entity) ?? []), p]);
  return (
    <div className="page">
      <h1>{t("home.title")}</h1>
      <RegistryLinks />
      {[...byEntity.entries()].map(([entity, ps]) => (
        <section key={entity} className="entity" aria-label={t("home.entity", { entity })}>
          <h2>
            <Link to={paths.entity(entity)} translate="no">{entity}</Link>
          </h2>
          <ProjectTable projects={ps} />
        </section>
      ))}
    </div>
  );
}

/** Projects with their visibility, run counts and dates (the home page, an entity's page). */
export function ProjectTable({ projects }: { projects: Project[] }) {
  return (
    <table className="list">
      <thead>
        <tr>
          <th scope="col">{t("home.project")}</th>
          <th scope="col">{t("project.visibility")}</th>
          <th scope="col">{t("home.runs")}</th>
          <th scope="col">{t("home.lastActivity")}</th>
          <th scope="col">{t("home.created")}</th>
        </tr>
      </thead>
      <tbody>
        {projects.map((p) => (
          <tr key={p.name}>
            <td>
              <Link to={paths.workspace(p.entity, p.name)} translate="no">{p.name}</Link>
              {p.description && <div className="muted" translate="no">{p.description}</div>}
            </td>
            <td>{t(`visibility.${p.visibility}`)}</td>
            <td className="num">{formatCount(p.run_count)}</td>
            <td title={formatDate(p.updated_at)}>{formatAgo(p.updated_at)}</td>
            <td>{formatDate(p.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
