/**
 * Reports of a project: the list (`/<entity>/<project>/reports`) and one report
 * (`/<entity>/<project>/reports/<id>`): its blocks, live; edited in place with autosave and the
 * server's version check (a 409 keeps the local text and says who saved); versions with restore;
 * comments; static HTML export, print to PDF, and the read-only share link, whose page
 * (`/shared/<token>`) is this report page without its editing, history and comments.
 */

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import { ApiError } from "../api/http";
import type { Block, Report, ReportVersion } from "../api/types";
import { Comments } from "../components/Comments";
import { ErrorPage, Spinner } from "../components/common";
import { BlockEditor, BlockTypeSelect, BlockView } from "../components/report/Blocks";
import { buildExport } from "../components/report/exportReport";
import { takeReport } from "../components/report/early";
import { LiveProjects } from "../components/report/live";
import { formatAgo, formatDate } from "../core/format";
import { canonicalJson, newBlock } from "../core/reportDoc";
import { useAsync } from "../hooks";
import { t } from "../i18n";
import { Link, navigate, paths, useTitle } from "../router";
import { Breadcrumb } from "./Workspace";

export function ReportsList({ entity, project }: { entity: string; project: string }) {
  useTitle(`${entity}/${project} · ${t("report.reports")}`);
  const list = useAsync((s) => api.reports(entity, project, s), [entity, project]);
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    try {
      const r = await api.createReport(entity, project, { title: title.trim(), blocks: [] });
      navigate(paths.report(entity, project, r.id));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (list.error) return <ErrorPage error={list.error} onRetry={list.reload} />;
  return (
    <div className="page">
      <Breadcrumb entity={entity} project={project} />
      <h1>{t("report.reports")}</h1>
      <form
        className="new-report"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <input aria-label={t("report.newTitle")} placeholder={t("report.newTitle")} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />{" "}
        <button type="submit" className="primary" disabled={!title.trim()}>
          {t("report.create")}
        </button>
        {error && <span className="error-text" role="alert"> {error}</span>}
      </form>
      {!list.data ? (
        <Spinner />
      ) : list.data.length === 0 ? (
        <p className="muted">{t("report.none")}</p>
      ) : (
        <ul className="report-list">
          {list.data.map((r) => (
            <li key={r.id}>
              <Link to={paths.report(entity, project, r.id)}>{r.title}</Link> <span className="muted">{t("report.edited", { ago: formatAgo(r.updated_at), v: r.version })}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type Draft = { title: string; blocks: Block[] };
type Status = "saved" | "unsaved" | "saving" | "conflict" | "error";
// by content, not key order: a report read back from PostgreSQL has its blocks' keys reordered, and
// comparing texts kept the page saving its unchanged draft again and again there
const same = (a: Draft, b: Draft) => a.title === b.title && canonicalJson(a.blocks) === canonicalJson(b.blocks);
const AUTOSAVE_MS = 800;

export function ReportPage({ entity, project, id }: { entity: string; project: string; id: number }) {
  const loaded = useAsync((s) => takeReport(id, s), [id]);
  if (loaded.error) return <ErrorPage error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Spinner label={t("report.loading")} />;
  return <ReportEditor key={id} entity={entity} project={project} initial={loaded.data} />;
}

/** A report's share link: the report, live and read-only, read with the link's token (App sets it). */
export function SharedReportPage({ token }: { token: string }) {
  const loaded = useAsync((s) => api.sharedReport(s), [token]);
  if (loaded.error) return <ErrorPage error={loaded.error} onRetry={loaded.reload} />;
  if (!loaded.data) return <Spinner label={t("report.loading")} />;
  return <ReportEditor key={loaded.data.id} entity={loaded.data.entity} project={loaded.data.project} initial={loaded.data} shared />;
}

function ReportEditor({ entity, project, initial, shared = false }: { entity: string; project: string; initial: Report; shared?: boolean }) {
  const [doc, setDoc] = useState(initial);
  const [draft, setDraft] = useState<Draft>({ title: initial.title, blocks: initial.blocks });
  const [status, setStatus] = useState<Status>("saved");
  const [conflict, setConflict] = useState<Report | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [history, setHistory] = useState(false);
  const [shareUrl, setShareUrl] = useState<string | null>(null);
  const saving = useRef(false);
  useTitle(draft.title);

  const save = useCallback(
    async (base: number, d: Draft) => {
      saving.current = true;
      setStatus("saving");
      try {
        const r = await api.saveReport(doc.id, { version: base, title: d.title, blocks: d.blocks });
        setDoc(r);
        setStatus("saved");
        setConflict(null);
      } catch (e) {
        if (e instanceof ApiError && e.code === "version_conflict") {
          setConflict(e.extra.current ?? null);
          setStatus("conflict");
        } else {
          setMessage((e as Error).message);
          setStatus("error");
        }
      } finally {
        saving.current = false;
      }
    },
    [doc.id],
  );

  // autosave: a pause in typing saves the draft on top of the version it was edited from
  useEffect(() => {
    if (conflict || status === "error" || same(draft, doc)) {
      if (!conflict && status === "unsaved") setStatus("saved");
      return;
    }
    if (!saving.current) setStatus("unsaved");
    const timer = setTimeout(() => {
      if (!saving.current) void save(doc.version, draft);
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [draft, doc, conflict, status, save]);

  const setBlock = (i: number, b: Block) => setDraft((d) => ({ ...d, blocks: d.blocks.map((x, j) => (j === i ? b : x)) }));
  const move = (i: number, by: number) =>
    setDraft((d) => {
      const bs = d.blocks.slice();
      const j = i + by;
      if (j < 0 || j >= bs.length) return d;
      [bs[i], bs[j]] = [bs[j], bs[i]];
      return { ...d, blocks: bs };
    });
  const remove = (i: number) => setDraft((d) => ({ ...d, blocks: d.blocks.filter((_, j) => j !== i) }));
  const projects = useMemo(() => [...new Set(draft.blocks.flatMap((b) => ("runset" in b && b.runset?.projects) || []))], [draft.blocks]);

  const exportHtml = async () => buildExport({ ...doc, title: draft.title, blocks: draft.blocks });
  const download = async () => {
    const html = await exportHtml();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([html], { type: "text/html" }));
    a.download = `${draft.title.replace(/[^\w.-]+/g, "_") || "report"}.html`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  const share = async () => {
    try {
      const r = await api.shareReport(doc.id);
      setShareUrl(location.origin + r.path);
      setDoc((d) => ({ ...d, shared_since: Date.now() / 1000 }));
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const unshare = async () => {
    await api.unshareReport(doc.id);
    setShareUrl(null);
    setDoc((d) => ({ ...d, shared_since: null }));
  };

  return (
    <div className="page report-page">
      {!shared && <Breadcrumb entity={entity} project={project} />}
      <div className="report-tools" role="toolbar" aria-label={t("report.tools")}>
        {shared ? <span className="muted">{t("report.sharedNote")}</span> : <Link to={paths.reports(entity, project)}>{t("report.reports")}</Link>}
        {doc.can_edit && (
          <button type="button" aria-pressed={editing} onClick={() => setEditing((v) => !v)}>
            {editing ? t("report.done") : t("report.edit")}
          </button>
        )}
        <span className="muted save-status" aria-live="polite" data-dirty={!same(draft, doc)}>
          {t(`report.status.${status}`)} · {t("report.version", { v: doc.version, who: doc.updated_by ?? "?", at: formatDate(doc.updated_at) })}
        </span>
        {!shared && (
          <button type="button" aria-pressed={history} onClick={() => setHistory((v) => !v)}>
            {t("report.history")}
          </button>
        )}
        <button type="button" onClick={() => void download()}>
          {t("report.exportHtml")}
        </button>
        <button type="button" onClick={() => window.print()}>
          {t("report.print")}
        </button>
        {doc.can_edit && (
          <button type="button" onClick={() => void share()}>
            {doc.shared_since ? t("report.shareAgain") : t("report.share")}
          </button>
        )}
        {doc.can_edit && doc.shared_since && (
          <button type="button" className="danger" onClick={() => void unshare()}>
            {t("report.unshare")}
          </button>
        )}
      </div>
      {shareUrl && (
        <p className="share-link">
          {t("report.shareLink")} <input readOnly aria-label={t("report.shareLink")} value={shareUrl} onFocus={(e) => e.target.select()} />
        </p>
      )}
      {message && (
        <p className="error-text" role="alert">
          {message}
        </p>
      )}
      {conflict && (
        <div className="conflict" role="alert">
          <p>{t("report.conflict", { who: conflict.updated_by ?? "?", v: conflict.version })}</p>
          <button type="button" onClick={() => void save(conflict.version, draft)}>
            {t("report.keepMine")}
          </button>{" "}
          <button
            type="button"
            onClick={() => {
              setDoc(conflict);
              setDraft({ title: conflict.title, blocks: conflict.blocks });
              setConflict(null);
              setStatus("saved");
            }}
          >
            {t("report.takeTheirs")}
          </button>
        </div>
      )}
      {history && <Versions doc={doc} onRestored={(r) => { setDoc(r); setDraft({ title: r.title, blocks: r.blocks }); }} />}
      {editing ? (
        <input className="report-title-input" aria-label={t("report.title")} value={draft.title} maxLength={200} onChange={(e) => setDraft((d) => ({ ...d, title: e.target.value }))} />
      ) : (
        <h1 className="report-title">{draft.title}</h1>
      )}
      <LiveProjects projects={projects}>
        {draft.blocks.map((b, i) => (
          <section key={b.id} className={`report-block block-${b.type}`} aria-label={t(`report.block.${b.type}`)}>
            {editing && (
              <div className="block-tools">
                <span className="muted">{t(`report.block.${b.type}`)}</span>
                <button type="button" aria-label={t("report.moveUp")} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                <button type="button" aria-label={t("report.moveDown")} disabled={i === draft.blocks.length - 1} onClick={() => move(i, 1)}>↓</button>
                <button type="button" aria-label={t("report.removeBlock")} onClick={() => remove(i)}>✕</button>
              </div>
            )}
            {editing && <BlockEditor b={b} onChange={(nb) => setBlock(i, nb)} />}
            {(!editing || !["heading", "markdown", "code"].includes(b.type)) && <BlockView b={b} onChange={doc.can_edit ? (nb) => setBlock(i, nb) : undefined} />}
          </section>
        ))}
      </LiveProjects>
      {editing && <BlockTypeSelect onAdd={(type) => setDraft((d) => ({ ...d, blocks: [...d.blocks, newBlock(type, `${entity}/${project}`)] }))} />}
      {!editing && draft.blocks.length === 0 && <p className="muted">{doc.can_edit ? t("report.emptyEdit") : t("report.empty")}</p>}
      {!shared && (
        <>
          <h2>{t("comments.title")}</h2>
          <Comments load={(s) => api.reportComments(doc.id, s)} add={(body) => api.addReportComment(doc.id, body)} canAdd={doc.can_edit} />
        </>
      )}
    </div>
  );
}

function Versions({ doc, onRestored }: { doc: Report; onRestored: (r: Report) => void }) {
  const list = useAsync((s) => api.reportVersions(doc.id, s), [doc.id, doc.version]);
  const [error, setError] = useState<string | null>(null);
  const restore = async (v: ReportVersion) => {
    try {
      onRestored(await api.restoreReport(doc.id, v.version, doc.version));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <aside className="report-versions" aria-label={t("report.history")}>
      {error && <p className="error-text" role="alert">{error}</p>}
      <ol>
        {(list.data ?? []).map((v) => (
          <li key={v.version}>
            {t("report.versionRow", { v: v.version, who: v.author ?? "?", at: formatDate(v.created_at) })} <span className="muted">{v.title}</span>{" "}
            {doc.can_edit && v.version !== doc.version && (
              <button type="button" onClick={() => void restore(v)}>
                {t("report.restore", { v: v.version })}
              </button>
            )}
          </li>
        ))}
      </ol>
    </aside>
  );
}
