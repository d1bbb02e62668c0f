/**
 * Project settings (`/<entity>/<project>/settings`, the entity's admins): description and visibility,
 * rename, transfer to another entity, and delete behind a typed confirmation (docs/teams.md).
 */

import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Project, Viewer, Visibility } from "../api/types";
import { ErrorPage, Spinner } from "../components/common";
import { ErrorText, TypedConfirm, useAction } from "../components/forms";
import { useAsync } from "../hooks";
import { t } from "../i18n";
import { Link, navigate, paths, useTitle } from "../router";

const VISIBILITIES: Visibility[] = ["private", "team", "public"];

/** Entities the viewer may move a project to: its own, and teams it administers. */
function adminOf(viewer: Viewer): string[] {
  return [viewer.user, ...viewer.teams.filter((tm) => tm.role === "admin").map((tm) => tm.name)];
}

export function ProjectSettingsPage({ entity, project, viewer }: { entity: string; project: string; viewer: Viewer }) {
  useTitle(`${t("project.settings")} · ${project}`);
  const data = useAsync((s) => api.project(entity, project, s), [entity, project]);
  if (data.error) return <ErrorPage error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Spinner />;
  return <Settings key={`${entity}/${project}`} p={data.data} viewer={viewer} onSaved={data.set} />;
}

function Settings({ p, viewer, onSaved }: { p: Project; viewer: Viewer; onSaved: (p: Project) => void }) {
  const [description, setDescription] = useState(p.description ?? "");
  const [visibility, setVisibility] = useState<Visibility>(p.visibility);
  const [name, setName] = useState(p.name);
  const targets = adminOf(viewer).filter((e) => e !== p.entity);
  const [to, setTo] = useState(targets[0] ?? "");
  const [deleting, setDeleting] = useState(false);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const out = await run(() => api.updateProject(p.entity, p.name, { description, visibility }));
    if (out) {
      onSaved(out);
      setSaved(true);
    }
  };
  const moved = (out: Project | undefined) => out && navigate(paths.projectSettings(out.entity, out.name), { replace: true });
  const rename = async (e: FormEvent) => {
    e.preventDefault();
    moved(await run(() => api.updateProject(p.entity, p.name, { name: name.trim() })));
  };
  const transfer = async (e: FormEvent) => {
    e.preventDefault();
    moved(await run(() => api.transferProject(p.entity, p.name, to)));
  };
  return (
    <div className="page settings">
      <p className="breadcrumb">
        <Link to={paths.entity(p.entity)} translate="no">{p.entity}</Link> / <Link to={paths.workspace(p.entity, p.name)} translate="no">{p.name}</Link> / {t("project.settings")}
      </p>
      <h1>{t("project.settingsOf", { project: p.name })}</h1>
      <ErrorText error={error} />
      <section aria-labelledby="general-h" className="settings-section">
        <h2 id="general-h">{t("project.general")}</h2>
        <form onSubmit={save} className="form-stack">
          <label>
            {t("project.description")}
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} maxLength={4000} />
          </label>
          <fieldset>
            <legend>{t("project.visibility")}</legend>
            {VISIBILITIES.map((v) => (
              <label key={v} className="radio">
                <input type="radio" name="visibility" value={v} checked={visibility === v} onChange={() => setVisibility(v)} />
                <b>{t(`visibility.${v}`)}</b> <span className="muted">{t(`visibility.${v}Help`)}</span>
              </label>
            ))}
          </fieldset>
          <div>
            <button type="submit" className="primary" disabled={busy}>
              {t("project.save")}
            </button>{" "}
            {saved && <span role="status">{t("project.saved")}</span>}
          </div>
        </form>
      </section>
      <section aria-labelledby="rename-h" className="settings-section">
        <h2 id="rename-h">{t("project.rename")}</h2>
        <form onSubmit={rename} className="inline-form">
          <label>
            {t("project.newName")} <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} />
          </label>{" "}
          <button type="submit" disabled={busy || !name.trim() || name.trim() === p.name}>
            {t("project.rename")}
          </button>
        </form>
        <p className="muted">{t("project.renameHelp")}</p>
      </section>
      <section aria-labelledby="transfer-h" className="settings-section">
        <h2 id="transfer-h">{t("project.transfer")}</h2>
        {targets.length === 0 ? (
          <p className="muted">{t("project.noTargets")}</p>
        ) : (
          <form onSubmit={transfer} className="inline-form">
            <label>
              {t("project.transferTo")}{" "}
              <select value={to} onChange={(e) => setTo(e.target.value)}>
                {targets.map((e) => (
                  <option key={e} value={e}>
                    {e}
                  </option>
                ))}
              </select>
            </label>{" "}
            <button type="submit" disabled={busy || !to}>
              {t("project.transfer")}
            </button>
          </form>
        )}
      </section>
      <section aria-labelledby="delete-h" className="settings-section danger-zone">
        <h2 id="delete-h">{t("project.delete")}</h2>
        <p>{t("project.deleteHelp")}</p>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          {t("project.delete")}
        </button>
      </section>
      {deleting && (
        <TypedConfirm
          title={t("project.deleteTitle", { project: p.name })}
          body={t("project.deleteHelp")}
          expected={p.name}
          action={t("project.delete")}
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            await api.deleteProject(p.entity, p.name);
            navigate(paths.entity(p.entity), { replace: true });
          }}
        />
      )}
    </div>
  );
}
