/** Artifacts: the project's list (grouped by type), a version page (files, aliases, lineage, diff), a run's inputs/outputs. */

import { useCallback, useMemo, useState } from "react";
import { api } from "../api/client";
import type { ArtifactFile, ArtifactVersion, LinkedRun, RunArtifactLink } from "../api/types";
import { ErrorPage, Spinner, StateBadge, Tabs } from "../components/common";
import { FilePreview, saveBlob } from "../components/FilePreview";
import { LineageGraph } from "../components/LineageGraph";
import { diffCounts, diffManifests, fileKind, groupByType } from "../core/artifacts";
import { formatBytes, formatDate } from "../core/format";
import { useAsync } from "../hooks";
import { Link, navigate, paths, useTitle } from "../router";
import { t, tn } from "../i18n";
import { Message } from "../i18n/Message";

function Crumbs({ entity, project, name, version }: { entity: string; project: string; name?: string; version?: string }) {
  return (
    <nav className="breadcrumb" aria-label={t("ws.breadcrumb")}>
      <Link to={paths.home()}>{t("home.title")}</Link> / <span translate="no">{entity}</span> / <Link to={paths.workspace(entity, project)} translate="no">{project}</Link> /{" "}
      {name ? <Link to={paths.artifacts(entity, project)}>{t("art.title")}</Link> : <b>{t("art.title")}</b>}
      {name && (
        <>
          {" "}/ <b translate="no">{name}{version ? `:${version}` : ""}</b>
        </>
      )}
    </nav>
  );
}

function Aliases({ aliases }: { aliases: string[] }) {
  return <>{aliases.map((a) => <span key={a} className={`tag alias${a === "latest" ? " latest" : ""}`} translate="no">{a}</span>)}</>;
}

function RunLink({ r }: { r: LinkedRun }) {
  return (
    <span className="run-link">
      <Link to={paths.run(r.entity, r.project, r.id)} translate="no">{r.name || r.id}</Link> <StateBadge state={r.state} />
      {r.name && <span className="muted" translate="no"> {r.id}</span>}
    </span>
  );
}

// -- project list -----------------------------------------------------------------------------------
export function ArtifactsPage({ entity, project }: { entity: string; project: string }) {
  useTitle(t("art.docTitle", { project }));
  const list = useAsync(async (s) => {
    const cols = await api.artifacts(entity, project, s);
    const versions = await Promise.all(cols.slice(0, 200).map((c) => api.artifactVersions(entity, project, c.name, s).catch(() => [] as ArtifactVersion[])));
    return cols.map((c, i) => ({ ...c, versions: versions[i] ?? [] }));
  }, [entity, project]);
  if (list.error) return <ErrorPage error={list.error} onRetry={list.reload} />;
  if (list.loading && !list.data) return <Spinner label={t("art.loading")} />;
  const groups = groupByType(list.data ?? []);
  return (
    <div className="page artifacts-page">
      <Crumbs entity={entity} project={project} />
      <h1>{t("art.title")}</h1>
      {!groups.length && (
        <p className="muted">
          <Message id="art.none" parts={{ code: <code>run.log_artifact(runyard.Artifact("name", type="model"))</code> }} />
        </p>
      )}
      {groups.map(([type, cols]) => (
        <section key={type} aria-label={t("art.type", { type })} className="section">
          <h2><span translate="no">{type}</span> <span className="muted">({cols.length})</span></h2>
          <table className="list artifacts-list">
            <thead>
              <tr><th scope="col">{t("art.name")}</th><th scope="col">{t("art.versions")}</th><th scope="col">{t("art.latest")}</th><th scope="col">{t("art.aliases")}</th><th scope="col">{t("art.loggedBy")}</th><th scope="col">{t("art.updated")}</th><th scope="col">{t("art.description")}</th></tr>
            </thead>
            <tbody>
              {cols.map((c) => {
                const latest = c.versions[0];
                return (
                  <tr key={c.name} data-artifact={c.name}>
                    <td translate="no"><Link to={paths.artifact(entity, project, c.name, latest?.version ?? "latest")}><b>{c.name}</b></Link></td>
                    <td className="num">{c.version_count}</td>
                    <td>{latest ? <><Link to={paths.artifact(entity, project, c.name, latest.version)} translate="no">{latest.version}</Link> <span className="muted">{formatBytes(latest.size)} · {tn("art.files", latest.file_count)}</span></> : ""}</td>
                    <td translate="no">
                      {c.versions.flatMap((v) => v.aliases.filter((a) => a !== "latest").map((a) => (
                        <Link key={a} to={paths.artifact(entity, project, c.name, v.version)} className="tag alias">{a} → {v.version}</Link>
                      )))}
                    </td>
                    <td>{latest?.logged_by ? <RunLink r={latest.logged_by} /> : ""}</td>
                    <td>{formatDate(c.updated_at)}</td>
                    <td className="muted" translate="no">{c.description ?? ""}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

// -- one version ------------------------------------------------------------------------------------
type VTab = "overview" | "lineage" | "diff";
const VTABS: VTab[] = ["overview", "lineage", "diff"];

export function ArtifactVersionPage({ entity, project, name, version, tab, other }: { entity: string; project: string; name: string; version: string; tab: string; other: string | null }) {
  const v = useAsync((s) => api.artifactVersion(entity, project, name, version, true, s), [entity, project, name, version]);
  const versions = useAsync((s) => api.artifactVersions(entity, project, name, s), [entity, project, name, v.data?.aliases.join(",")]);
  useTitle(`${name}:${v.data?.version ?? version} · ${project}`);
  if (v.error) return <ErrorPage error={v.error} onRetry={v.reload} />;
  if (v.loading && !v.data) return <Spinner label={t("art.loadingOne")} />;
  const a = v.data!;
  const current = (VTABS.includes(tab as VTab) ? tab : "overview") as VTab;
  return (
    <div className="page artifact-page">
      <Crumbs entity={entity} project={project} name={name} version={a.version} />
      <header className="run-head">
        <h1 translate="no">{a.name}:{a.version}</h1>
        <span className="tag" translate="no">{a.type}</span>
        <Aliases aliases={a.aliases} />
        <span className="spacer" />
        <label>
          {t("art.version")}{" "}
          <select translate="no" value={a.version} onChange={(ev) => navigate(paths.artifact(entity, project, name, ev.target.value, current === "overview" ? undefined : current))}>
            {(versions.data ?? [a]).map((x) => (
              <option key={x.version} value={x.version}>{x.version}{x.aliases.length ? ` (${x.aliases.join(", ")})` : ""}</option>
            ))}
          </select>
        </label>
      </header>
      <Tabs tabs={VTABS.map((id) => ({ id, label: t(`art.tab.${id}`) }))} current={current} label={t("art.sections")} onChange={(x) => navigate(paths.artifact(entity, project, name, a.version, x))} />
      <div role="tabpanel">
        {current === "overview" && <VersionOverview a={a} onChange={v.set} />}
        {current === "lineage" && <LineageGraph entity={entity} project={project} name={name} version={a.version} />}
        {current === "diff" && <VersionDiff a={a} versions={versions.data ?? []} other={other} />}
      </div>
    </div>
  );
}

function VersionOverview({ a, onChange }: { a: ArtifactVersion; onChange: (v: ArtifactVersion) => void }) {
  const lineage = useAsync((s) => api.artifactLineage(a.entity, a.project, a.name, a.version, s), [a.entity, a.project, a.name, a.version]);
  const md = a.metadata ?? {};
  return (
    <div className="overview">
      <table className="kv overview-kv">
        <tbody>
          <tr><th scope="row">{t("art.name")}</th><td><code>{a.qualified_name}</code></td></tr>
          <tr><th scope="row">{t("art.typeCol")}</th><td translate="no">{a.type}</td></tr>
          <tr><th scope="row">{t("art.description")}</th><td>{a.description ? <span translate="no">{a.description}</span> : <span className="muted">{t("art.noneText")}</span>}</td></tr>
          <tr><th scope="row">{t("art.created")}</th><td>{formatDate(a.created_at)}</td></tr>
          <tr><th scope="row">{t("art.size")}</th><td>{t("art.sizeIn", { size: formatBytes(a.size), files: tn("art.files", a.file_count) })}</td></tr>
          <tr><th scope="row">{t("art.digest")}</th><td><code className="digest">{a.digest}</code></td></tr>
          <tr><th scope="row">{t("art.aliases")}</th><td><AliasEditor a={a} onChange={onChange} /></td></tr>
          <tr><th scope="row">{t("art.loggedBy")}</th><td aria-label={t("art.loggedBy")}>{lineage.data ? (lineage.data.logged_by.length ? lineage.data.logged_by.map((r) => <div key={`${r.project}/${r.id}`}><RunLink r={r} /></div>) : <span className="muted">{t("art.noRun")}</span>) : a.logged_by ? <RunLink r={a.logged_by} /> : ""}</td></tr>
          <tr><th scope="row">{t("art.usedBy")}</th><td aria-label={t("art.usedBy")}>{lineage.data ? (lineage.data.used_by.length ? lineage.data.used_by.map((r) => <div key={`${r.project}/${r.id}`}><RunLink r={r} /></div>) : <span className="muted">{t("art.noRunYet")}</span>) : <span className="muted">…</span>}</td></tr>
        </tbody>
      </table>
      <section aria-label={t("art.metadata")}>
        <h2>{t("art.metadata")}</h2>
        {Object.keys(md).length ? <pre className="code">{JSON.stringify(md, null, 2)}</pre> : <p className="muted">{t("art.noMetadata")}</p>}
      </section>
      <ArtifactFiles a={a} files={a.manifest ?? []} />
    </div>
  );
}

function AliasEditor({ a, onChange }: { a: ArtifactVersion; onChange: (v: ArtifactVersion) => void }) {
  const [alias, setAlias] = useState("");
  const [msg, setMsg] = useState<string | null>(null);
  const change = async (ch: { add?: string[]; remove?: string[] }) => {
    setMsg(null);
    try {
      const d = await api.setArtifactAliases(a.entity, a.project, a.name, a.version, ch);
      onChange({ ...a, ...d, manifest: a.manifest });
      setAlias("");
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <div className="alias-editor">
      {a.aliases.map((x) => (
        <span key={x} className={`tag alias${x === "latest" ? " latest" : ""}`}>
          <span translate="no">{x}</span>
          {x !== "latest" && (
            <button type="button" className="icon tiny" aria-label={t("art.removeAlias", { alias: x })} onClick={() => change({ remove: [x] })}>✕</button>
          )}
        </span>
      ))}
      <form
        className="inline"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (alias.trim()) change({ add: [alias.trim()] });
        }}
      >
        <input aria-label={t("art.newAlias")} placeholder={t("art.addAlias")} value={alias} onChange={(ev) => setAlias(ev.target.value)} size={12} />{" "}
        <button type="submit" disabled={!alias.trim()}>{t("art.add")}</button>
      </form>
      {msg && <span className="error-text" role="alert">{msg}</span>}
    </div>
  );
}

function ArtifactFiles({ a, files }: { a: ArtifactVersion; files: ArtifactFile[] }) {
  const [preview, setPreview] = useState<ArtifactFile | null>(null);
  const load = useCallback(
    (maxBytes?: number) => api.artifactBlob(a.entity, a.project, a.name, a.version, preview?.sha256 ?? "", maxBytes),
    [a.entity, a.project, a.name, a.version, preview?.sha256],
  );
  const [err, setErr] = useState<string | null>(null);
  const download = async (f: ArtifactFile) => {
    try {
      saveBlob(await api.artifactBlob(a.entity, a.project, a.name, a.version, f.sha256!), f.path.split("/").pop() ?? "file");
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  const kind = preview ? fileKind(preview.path) : null;
  return (
    <section aria-label={t("art.files")} className="files">
      <h2>{t("art.files")} <span className="muted">({files.length})</span></h2>
      {err && <p className="error-text" role="alert">{err}</p>}
      <table className="list">
        <thead><tr><th scope="col">{t("files.path")}</th><th scope="col">{t("files.size")}</th><th scope="col" translate="no">sha256</th><th scope="col"><span className="sr-only">{t("files.actions")}</span></th></tr></thead>
        <tbody>
          {files.map((f) => (
            <tr key={f.path} data-path={f.path}>
              <td><code>{f.path}</code></td>
              <td className="num">{formatBytes(f.size)}</td>
              <td>{f.sha256 ? <code title={f.sha256}>{f.sha256.slice(0, 12)}</code> : <span className="muted" title={f.ref ?? ""}>{t("art.reference", { ref: f.ref ?? "" })}</span>}</td>
              <td>
                {f.sha256 && fileKind(f.path) && <button type="button" onClick={() => setPreview(f)}>{t("files.preview")}</button>}{" "}
                {f.sha256 && <button type="button" onClick={() => download(f)}>{t("files.download")}</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {preview && kind && <FilePreview path={preview.path} kind={kind} load={load} onClose={() => setPreview(null)} />}
    </section>
  );
}

function VersionDiff({ a, versions, other }: { a: ArtifactVersion; versions: ArtifactVersion[]; other: string | null }) {
  const base = other ?? versions.find((x) => x.version_index < a.version_index)?.version ?? null;
  const b = useAsync(async (s) => (base ? api.artifactVersion(a.entity, a.project, a.name, base, true, s) : null), [a.entity, a.project, a.name, base]);
  const rows = useMemo(() => (b.data ? diffManifests(b.data.manifest ?? [], a.manifest ?? []) : []), [a.manifest, b.data]);
  const counts = diffCounts(rows);
  const [all, setAll] = useState(false);
  return (
    <section aria-label={t("art.tab.diff")} className="artifact-diff">
      <p>
        <label>
          <Message
            id="art.compareWith"
            parts={{
              version: <span translate="no">{a.version}</span>,
              other: (
                <select value={base ?? ""} onChange={(ev) => navigate(paths.artifact(a.entity, a.project, a.name, a.version, "diff", ev.target.value))}>
                  {!base && <option value="">{t("art.chooseVersion")}</option>}
                  {versions.filter((x) => x.version !== a.version).map((x) => <option key={x.version} value={x.version}>{x.version}</option>)}
                </select>
              ),
            }}
          />
        </label>{" "}
        <label><input type="checkbox" checked={all} onChange={(ev) => setAll(ev.target.checked)} /> {t("art.showUnchanged")}</label>
      </p>
      {!base && <p className="muted">{t("art.onlyVersion")}</p>}
      {b.error && <ErrorPage error={b.error} onRetry={b.reload} />}
      {base && b.loading && <Spinner label={t("art.loadingVersion")} />}
      {b.data && (
        <>
          <p aria-label={t("art.diffSummary")}>
            <span className="diff-added">{t("art.added", { n: counts.added })}</span> · <span className="diff-removed">{t("art.removed", { n: counts.removed })}</span> ·{" "}
            <span className="diff-changed">{t("art.changed", { n: counts.changed })}</span> · <span className="muted">{t("art.same", { n: counts.same })}</span>
          </p>
          <table className="list">
            <thead><tr><th scope="col">{t("files.path")}</th><th scope="col">{t("art.change")}</th><th scope="col" translate="no">{b.data.version}</th><th scope="col" translate="no">{a.version}</th></tr></thead>
            <tbody>
              {rows.filter((r) => all || r.status !== "same").map((r) => (
                <tr key={r.path} className={`diff-${r.status}`} data-status={r.status}>
                  <td><code>{r.path}</code></td>
                  <td>{t(`art.status.${r.status}`)}</td>
                  <td>{r.a ? <><code>{(r.a.sha256 ?? r.a.ref ?? "").slice(0, 12)}</code> <span className="muted">{formatBytes(r.a.size)}</span></> : ""}</td>
                  <td>{r.b ? <><code>{(r.b.sha256 ?? r.b.ref ?? "").slice(0, 12)}</code> <span className="muted">{formatBytes(r.b.size)}</span></> : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

// -- a run's inputs and outputs --------------------------------------------------------------------
export function RunArtifacts({ entity, project, run }: { entity: string; project: string; run: string }) {
  const links = useAsync((s) => api.runArtifacts(entity, project, run, s), [entity, project, run]);
  if (links.error) return <ErrorPage error={links.error} onRetry={links.reload} />;
  if (links.loading && !links.data) return <Spinner label={t("art.loading")} />;
  const d = links.data!;
  return (
    <div className="run-artifacts">
      <LinkTable title={t("art.inputs")} rows={d.used} empty={t("art.usedNone")} />
      <LinkTable title={t("art.outputs")} rows={d.logged} empty={t("art.loggedNone")} />
    </div>
  );
}

function LinkTable({ title, rows, empty }: { title: string; rows: RunArtifactLink[]; empty: string }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {!rows.length ? (
        <p className="muted">{empty}</p>
      ) : (
        <table className="list">
          <thead><tr><th scope="col">{t("art.artifact")}</th><th scope="col">{t("art.typeCol")}</th><th scope="col">{t("art.aliases")}</th><th scope="col">{t("art.size")}</th><th scope="col">{t("art.created")}</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.entity}/${r.project}/${r.name}@${r.digest}`}>
                <td>
                  {r.state === "deleted" ? (
                    <><span translate="no">{r.name}:{r.version}</span> <span className="tag warn">{t("art.deleted")}</span></>
                  ) : r.version ? <Link to={paths.artifact(r.entity, r.project, r.name, r.version)} translate="no">{r.name}:{r.version}</Link> : <><span translate="no">{r.name}</span> <span className="tag warn">{r.state === "hidden" ? t("art.noAccess") : t("art.pending")}</span></>}
                  {(r.entity !== undefined && r.project) && <span className="muted" translate="no"> {r.entity}/{r.project}</span>}
                </td>
                <td translate="no">{r.type ?? ""}</td>
                <td><Aliases aliases={r.aliases ?? []} /></td>
                <td className="num">{r.size != null ? formatBytes(r.size) : ""}</td>
                <td>{r.created_at ? formatDate(r.created_at) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
