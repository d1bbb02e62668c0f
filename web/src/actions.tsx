/**
 * Run actions shared by every page (rename, tag, move, delete), each behind a confirmation where it
 * destroys or relocates something. Pages call `useRunActions()` instead of writing their own dialogs.
 */

import { useState, type ReactNode } from "react";
import { api } from "./api/client";
import type { RunLike } from "./core/runs";
import { Modal } from "./components/common";
import { t, tn } from "./i18n";
import { Message } from "./i18n/Message";

type Pending =
  | { kind: "delete"; runs: RunLike[] }
  | { kind: "rename"; run: RunLike }
  | { kind: "tags"; runs: RunLike[] }
  | { kind: "move"; runs: RunLike[] }
  | null;

export function useRunActions(entity: string, project: string, onChanged: (removed?: string[]) => void) {
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [projects, setProjects] = useState<string[]>([]);
  const close = () => {
    setPending(null);
    setError(null);
  };
  const run = async (f: () => Promise<unknown>, removed?: string[]) => {
    setBusy(true);
    setError(null);
    try {
      await f();
      close();
      onChanged(removed);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  let dialog: ReactNode = null;
  if (pending?.kind === "delete") {
    const ids = pending.runs.map((r) => r.id);
    dialog = (
      <Modal title={tn("actions.deleteTitle", ids.length)} onClose={close}>
        <p>
          {ids.length > 1 ? (
            t("actions.deleteMany", { n: ids.length })
          ) : (
            <Message id="actions.deleteOne" parts={{ name: <b translate="no">{pending.runs[0].name || ids[0]}</b> }} />
          )}
        </p>
        {error && <p className="error-text" role="alert">{error}</p>}
        <div className="modal-actions">
          <button type="button" onClick={close}>{t("actions.cancel")}</button>
          <button type="button" className="danger" disabled={busy}
            onClick={() => run(() => Promise.all(ids.map((id) => api.deleteRun(entity, project, id))), ids)}>
            {t("actions.delete")}
          </button>
        </div>
      </Modal>
    );
  } else if (pending?.kind === "rename") {
    const r = pending.run;
    dialog = (
      <Modal title={t("actions.renameTitle")} onClose={close}>
        <form onSubmit={(e) => { e.preventDefault(); void run(() => api.updateRun(entity, project, r.id, { name: text.trim() })); }}>
          <label>{t("actions.name")} <input value={text} onChange={(e) => setText(e.target.value)} /></label>
          {error && <p className="error-text" role="alert">{error}</p>}
          <div className="modal-actions">
            <button type="button" onClick={close}>{t("actions.cancel")}</button>
            <button type="submit" className="primary" disabled={busy || !text.trim()}>{t("actions.rename")}</button>
          </div>
        </form>
      </Modal>
    );
  } else if (pending?.kind === "tags") {
    const runs = pending.runs;
    dialog = (
      <Modal title={tn("actions.tagsTitle", runs.length)} onClose={close}>
        <form onSubmit={(e) => {
          e.preventDefault();
          const add = text.split(",").map((t) => t.trim()).filter(Boolean);
          void run(() => Promise.all(runs.map((r) => api.updateRun(entity, project, r.id, { tags: [...new Set([...r.tags, ...add])] }))));
        }}>
          <label>{t("actions.tags")} <input value={text} onChange={(e) => setText(e.target.value)} /></label>
          {error && <p className="error-text" role="alert">{error}</p>}
          <div className="modal-actions">
            <button type="button" onClick={close}>{t("actions.cancel")}</button>
            <button type="submit" className="primary" disabled={busy || !text.trim()}>{t("actions.addTags")}</button>
          </div>
        </form>
      </Modal>
    );
  } else if (pending?.kind === "move") {
    const runs = pending.runs;
    const target = text.trim();
    const ids = runs.map((r) => r.id);
    dialog = (
      <Modal title={tn("actions.moveTitle", runs.length)} onClose={close}>
        <form onSubmit={(e) => {
          e.preventDefault();
          // one at a time, so a clash (409 run_exists) stops before the rest moved
          void run(async () => {
            for (const id of ids) await api.moveRun(entity, project, id, target);
          }, ids);
        }}>
          <p>
            <Message
              id={runs.length > 1 ? "actions.moveMany" : "actions.moveOne"}
              parts={{ n: runs.length, name: <b translate="no">{runs[0].name || ids[0]}</b>, project: <b translate="no">{entity}/{project}</b> }}
            />
          </p>
          <label>
            {t("actions.project")} <input value={text} onChange={(e) => setText(e.target.value)} list="move-projects" aria-label={t("actions.target")} />
          </label>
          <datalist id="move-projects">
            {projects.filter((p) => p !== project).map((p) => <option key={p} value={p} />)}
          </datalist>
          {error && <p className="error-text" role="alert">{error}</p>}
          <div className="modal-actions">
            <button type="button" onClick={close}>{t("actions.cancel")}</button>
            <button type="submit" className="primary" disabled={busy || !target || target === project || /[\/\\#?%:]/.test(target)}>{t("actions.move")}</button>
          </div>
        </form>
      </Modal>
    );
  }

  return {
    dialog,
    confirmDelete: (runs: RunLike[]) => setPending({ kind: "delete", runs }),
    rename: (r: RunLike) => {
      setText(r.name ?? "");
      setPending({ kind: "rename", run: r });
    },
    addTags: (runs: RunLike[]) => {
      setText("");
      setPending({ kind: "tags", runs });
    },
    move: (runs: RunLike[]) => {
      setText("");
      setPending({ kind: "move", runs });
      api.projects().then(
        (ps) => setProjects(ps.filter((p) => p.entity === entity).map((p) => p.name)),
        () => setProjects([]),
      );
    },
  };
}
