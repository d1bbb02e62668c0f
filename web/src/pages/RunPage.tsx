/** One run: overview, charts, system metrics, console logs, files, media, artifacts (inputs and outputs). */

import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import type { RunDetail, RunFile } from "../api/types";
import { useRunActions } from "../actions";
import { Comments } from "../components/Comments";
import { ConfigTree } from "../components/ConfigTree";
import { Markdown } from "../components/Markdown";
import { ConsoleView } from "../components/ConsoleView";
import { ErrorPage, Spinner, StateBadge, Tabs } from "../components/common";
import { Panel } from "../components/Panel";
import { MediaPanels } from "../components/media/MediaPanel";
import { mediaKeys } from "../core/media";
import { runColor } from "../core/colors";
import { formatBytes, formatDate, formatDuration } from "../core/format";
import { duration } from "../core/runs";
import { ROOT_SECTION, sectionLabel, sectionPanels } from "../core/sections";
import type { PanelSettings } from "../core/persist";
import { useAsync, useNow } from "../hooks";
import { useProjectLive, type LiveBus } from "../live";
import { navigate, paths, useTitle } from "../router";
import { RunArtifacts } from "./Artifacts";
import { Breadcrumb, isNotFound } from "./Workspace";
import { t } from "../i18n";

type Tab = "overview" | "charts" | "system" | "logs" | "files" | "media" | "artifacts";
const TABS: Tab[] = ["overview", "charts", "system", "logs", "files", "media", "artifacts"];

/** A run that is not there yet (its link was opened right after `init`) is asked for again this often, this many times. */
const WAIT_MS = 2000;
const WAIT_TRIES = 60;

export function RunPage({ entity, project, run, tab }: { entity: string; project: string; run: string; tab: string }) {
  const { data, error, loading, reload, set } = useAsync((s) => api.run(entity, project, run, s), [entity, project, run]);
  useTitle(data ? `${data.name || run} · ${project}` : run);
  const { live, seed } = useProjectLive(entity, project, { created: reload, updated: set }, run);
  useEffect(() => {
    if (data) seed(data.id, data.last_step);
  }, [data, seed]);
  const waited = useRef(0);
  const waiting = isNotFound(error) && waited.current < WAIT_TRIES;
  useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(() => {
      waited.current++;
      reload();
    }, WAIT_MS);
    return () => clearTimeout(t);
  }, [waiting, error, reload]);
  const actions = useRunActions(entity, project, (removed) => {
    if (removed) navigate(paths.workspace(entity, project));
    else reload();
  });
  if (error)
    return (
      <ErrorPage error={error} onRetry={reload} note={waiting ? t("run.waiting") : undefined} />
    );
  if (loading && !data) return <Spinner label={t("run.loading")} />;
  const r = data!;
  const current = (TABS.includes(tab as Tab) ? tab : "overview") as Tab;
  return (
    <div className="page run-page">
      <Breadcrumb entity={entity} project={project} run={r.name || r.id} />
      <header className="run-head">
        <span className="swatch big" style={{ background: runColor(r.id) }} />
        <h1 translate="no">{r.name || r.id}</h1>
        <StateBadge state={r.state} />
        <span className="muted" translate="no">{r.id}</span>
        <span className="spacer" />
        <button type="button" onClick={() => actions.rename(r)}>{t("run.rename")}</button>
        <button type="button" className="danger" onClick={() => actions.confirmDelete([r])}>{t("run.delete")}</button>
      </header>
      <Tabs tabs={TABS.map((id) => ({ id, label: t(`run.tab.${id}`) }))} current={current} label={t("run.sections")} onChange={(t) => navigate(paths.run(entity, project, run, t))} />
      <div role="tabpanel">
        {current === "overview" && <Overview r={r} entity={entity} project={project} onSaved={set} />}
        {current === "charts" && <RunCharts entity={entity} project={project} r={r} system={false} live={live} />}
        {current === "system" && <RunCharts entity={entity} project={project} r={r} system live={live} />}
        {current === "logs" && <ConsoleView entity={entity} project={project} run={run} live={r.state === "running"} />}
        {current === "files" && <Files entity={entity} project={project} run={run} />}
        {current === "media" && <RunMedia entity={entity} project={project} r={r} live={live} />}
        {current === "artifacts" && <RunArtifacts entity={entity} project={project} run={run} />}
      </div>
      {actions.dialog}
    </div>
  );
}

function Overview({ r, entity, project, onSaved }: { r: RunDetail; entity: string; project: string; onSaved: (r: RunDetail) => void }) {
  const now = useNow(r.state === "running");
  const md = r.metadata ?? {};
  const git = md.git;
  const cmd = [md.program ?? r.program, ...(md.args ?? [])].filter(Boolean).join(" ");
  const [notes, setNotes] = useState(r.notes ?? "");
  const [tags, setTags] = useState(r.tags.join(", "));
  const [saving, setSaving] = useState<string | null>(null);
  const save = async (patch: { notes?: string; tags?: string[] }) => {
    setSaving(t("run.saving"));
    try {
      const d = await api.updateRun(entity, project, r.id, patch);
      onSaved({ ...r, ...d });
      setSaving(t("run.saved"));
    } catch (e) {
      setSaving((e as Error).message);
    }
  };
  return (
    <div className="overview">
      <table className="kv overview-kv">
        <tbody>
          <tr><th scope="row">{t("run.state")}</th><td><StateBadge state={r.state} />{r.exit_code != null && <span className="muted"> {t("run.exitCode", { code: r.exit_code })}</span>}</td></tr>
          <tr><th scope="row">{t("run.created")}</th><td>{formatDate(r.created_at)}</td></tr>
          <tr><th scope="row">{t("run.duration")}</th><td>{formatDuration(duration(r, now))}</td></tr>
          <tr><th scope="row">{t("run.host")}</th><td translate="no">{md.host ?? r.host ?? ""}</td></tr>
          <tr><th scope="row">{t("run.command")}</th><td><code>{cmd}</code></td></tr>
          <tr><th scope="row">{t("run.git")}</th><td>{git?.commit ? <><code>{git.commit.slice(0, 12)}</code>{git.dirty ? <span className="tag warn">{t("run.dirty")}</span> : null} {git.branch && <span className="muted" translate="no">{git.branch}</span>} {git.remote && <span className="muted" translate="no">{git.remote}</span>}</> : <span className="muted">{t("run.noGit")}</span>}</td></tr>
          <tr><th scope="row">{t("run.python")}</th><td translate="no">{md.python ?? ""}</td></tr>
          <tr><th scope="row">{t("run.os")}</th><td translate="no">{md.os ?? ""}</td></tr>
          <tr><th scope="row">{t("run.groupJob")}</th><td translate="no">{[r.group, r.job_type].filter(Boolean).join(" / ")}</td></tr>
          <tr><th scope="row">{t("run.sdk")}</th><td translate="no">{r.sdk ?? ""}</td></tr>
          <tr>
            <th scope="row"><label htmlFor="run-tags">{t("run.tags")}</label></th>
            <td>
              <input id="run-tags" value={tags} onChange={(e) => setTags(e.target.value)} onBlur={() => tags !== r.tags.join(", ") && save({ tags: tags.split(",").map((t) => t.trim()).filter(Boolean) })} />
            </td>
          </tr>
          <tr>
            <th scope="row"><label htmlFor="run-notes">{t("run.notes")}</label></th>
            <td>
              <textarea id="run-notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} onBlur={() => notes !== (r.notes ?? "") && save({ notes })} />
              {saving && <div className="muted" aria-live="polite">{saving}</div>}
              {notes.trim() && <Markdown text={notes} className="run-notes" />}
            </td>
          </tr>
        </tbody>
      </table>
      <div className="two-col">
        <section aria-label={t("run.config")}><h2>{t("run.config")}</h2><ConfigTree data={r.config} label={t("config.label.config")} /></section>
        <section aria-label={t("run.summary")}><h2>{t("run.summary")}</h2><ConfigTree data={r.summary} label={t("config.label.summary")} /></section>
      </div>
      <h2>{t("comments.title")}</h2>
      <Comments load={(sig) => api.runComments(entity, project, r.id, sig)} add={(body) => api.addRunComment(entity, project, r.id, body)} canAdd />
    </div>
  );
}

function RunMedia({ entity, project, r, live }: { entity: string; project: string; r: RunDetail; live: LiveBus }) {
  const keys = useMemo(() => mediaKeys([r]), [r]);
  const runs = useMemo(() => [{ id: r.id, label: r.name || r.id, color: runColor(r.id), config: r.config }], [r]);
  return <MediaPanels entity={entity} project={project} runs={runs} keys={keys} live={live} />;
}

function RunCharts({ entity, project, r, system, live }: { entity: string; project: string; r: RunDetail; system: boolean; live: LiveBus }) {
  // a live run's new metrics show up as it logs them: its summary gains a key; system metrics (not
  // in the summary) are asked for on each update until the first sample is there
  const keyCount = Object.keys(r.summary ?? {}).length;
  const sampled = useRef(false);
  const keys = useAsync(
    (s) => api.runKeys(entity, project, r.id, system ? "system" : "history", s),
    [entity, project, r.id, system, system ? (sampled.current ? 0 : r) : keyCount],
  );
  if (system && keys.data?.length) sampled.current = true;
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const [settings, setSettings] = useState<Record<string, PanelSettings>>({});
  const runs = useMemo(() => [{ id: r.id, label: r.name || r.id, color: runColor(r.id) }], [r.id, r.name]);
  const media = useMemo(() => new Set(mediaKeys([r]).map((k) => k.key)), [r]);
  const sections = useMemo(() => sectionPanels((keys.data ?? []).map((k) => k.key).filter((k) => !media.has(k))), [keys.data, media]);
  if (keys.error) return <ErrorPage error={keys.error} onRetry={keys.reload} />;
  if (keys.loading && !keys.data) return <Spinner label={t("run.loadingMetrics")} />;
  if (!sections.length) return <p className="muted">{system ? t("run.noSystem") : t("run.noMetrics")}</p>;
  return (
    <div>
      {zoom && <button type="button" onClick={() => setZoom(null)}>{t("toolbar.resetZoom")}</button>}
      {sections.map((sec) => (
        <section key={sec.name} className="section" aria-label={t("ws.section", { name: sectionLabel(sec.name) })}>
          <h2 translate={sec.name === ROOT_SECTION ? undefined : "no"}>{sectionLabel(sec.name)}</h2>
          <div className="panel-grid">
            {sec.keys.map((k) => (
              <Panel
                key={k}
                entity={entity}
                project={project}
                metric={k}
                runs={runs}
                groups={null}
                band="none"
                smoothing={{ kind: "none", param: 0 }}
                xAxis={system ? "_timestamp" : "_step"}
                logY={false}
                ignoreOutliers={false}
                settings={settings[k] ?? {}}
                onSettings={(s) => setSettings((a) => ({ ...a, [k]: s }))}
                zoom={zoom}
                onZoom={setZoom}
                syncKey={`run-${r.id}-${system}`}
                runScope={system ? { run: r.id, system: true } : undefined}
                live={live}
              />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

/** a preview shows the start of a file */
const PREVIEW_BYTES = 256 * 1024;
const TEXT_RE = /\.(txt|log|md|json|ya?ml|py|toml|cfg|ini|csv|tsv|patch|diff|sh|js|ts|html|xml)$/i;

function Files({ entity, project, run }: { entity: string; project: string; run: string }) {
  const files = useAsync((s) => api.files(entity, project, run, s), [entity, project, run]);
  const [preview, setPreview] = useState<{ path: string; text: string } | null>(null);
  if (files.error) return <ErrorPage error={files.error} onRetry={files.reload} />;
  if (files.loading) return <Spinner label={t("files.loading")} />;
  const list = files.data ?? [];
  if (!list.length) return <p className="muted">{t("files.none")}</p>;
  const open = async (f: RunFile) => {
    try {
      setPreview({ path: f.path, text: await (await api.fileResponse(entity, project, run, f.path, { maxBytes: PREVIEW_BYTES })).text() });
    } catch (e) {
      setPreview({ path: f.path, text: t("files.cannotPreview", { error: (e as Error).message }) });
    }
  };
  const download = async (f: RunFile) => {
    const blob = await (await api.fileResponse(entity, project, run, f.path)).blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = f.path.split("/").pop() ?? "file";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <div className="files">
      <table className="list">
        <thead><tr><th scope="col">{t("files.path")}</th><th scope="col">{t("files.size")}</th><th scope="col">{t("files.kind")}</th><th scope="col">{t("files.updated")}</th><th scope="col"><span className="sr-only">{t("files.actions")}</span></th></tr></thead>
        <tbody>
          {list.map((f) => (
            <tr key={f.path}>
              <td><code>{f.path}</code></td>
              <td className="num">{formatBytes(f.size)}</td>
              <td translate="no">{f.kind ?? ""}</td>
              <td>{formatDate(f.updated_at)}</td>
              <td>
                {(TEXT_RE.test(f.path) || (f.content_type ?? "").startsWith("text/")) && <button type="button" onClick={() => open(f)}>{t("files.preview")}</button>}{" "}
                <button type="button" onClick={() => download(f)}>{t("files.download")}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preview && (
        <section aria-label={t("files.previewOf", { path: preview.path })}>
          <h3><span translate="no">{preview.path}</span> <button type="button" className="icon" aria-label={t("files.closePreview")} onClick={() => setPreview(null)}>✕</button></h3>
          <pre className="code preview">{preview.text}</pre>
        </section>
      )}
    </div>
  );
}
