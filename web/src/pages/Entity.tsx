/** An entity's page (`/<entity>`): the projects of a user or team the viewer can see, and for a team its page of members. */

import { api } from "../api/client";
import type { Viewer } from "../api/types";
import { ErrorPage, Spinner } from "../components/common";
import { useAsync } from "../hooks";
import { t } from "../i18n";
import { Link, paths, useTitle } from "../router";
import { ProjectTable } from "./Home";

export function EntityPage({ entity, viewer }: { entity: string; viewer: Viewer }) {
  useTitle(entity);
  const { data, error, reload } = useAsync((s) => api.projects(s), []);
  if (error) return <ErrorPage error={error} onRetry={reload} />;
  if (!data) return <Spinner label={t("home.loading")} />;
  const projects = data.filter((p) => p.entity === entity);
  const kind = viewer.entities.find((e) => e.name === entity)?.kind;
  const team = viewer.teams.find((tm) => tm.name === entity);
  return (
    <div className="page">
      <h1>
        <span translate="no">{entity}</span> {kind && <span className="tag">{t(kind === "team" ? "entity.team" : "entity.user")}</span>}
      </h1>
      {(team || (kind === "team" && viewer.is_admin)) && (
        <p>
          <Link to={paths.team(entity)}>{t("entity.teamPage")}</Link>
          {team && <span className="muted"> · {t("entity.yourRole", { role: t(`role.${team.role}`) })}</span>}
        </p>
      )}
      {entity === viewer.user && (
        <p>
          <Link to={paths.account()}>{t("account.title")}</Link>
        </p>
      )}
      {projects.length ? <ProjectTable projects={projects} /> : <p className="muted">{t("entity.noProjects")}</p>}
    </div>
  );
}
