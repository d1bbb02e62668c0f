/**
 * Run actions shared by every page (rename, tag, delete), each behind a confirmation where it
 * destroys something. Pages call `useRunActions()` instead of writing their own dialogs.
 */

import { useState, type ReactNode } from "react";
import { api } from "./api/client";
import type { Run } from "./api/types";
import { Modal } from "./components/common";

type Pending =
  | { kind: "delete"; runs: Run[] }
  | { kind: "rename"; run: Run }
  | { kind: "tags"; runs: Run[] }
  | null;

export function useRunActions(entity: string, project: string, onChanged: (removed?: string[]) => void) {
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
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
      <Modal title={`Delete ${ids.length} run${ids.length > 1 ? "s" : ""}?`} onClose={close}>
        <p>
          This removes {ids.length > 1 ? "these runs" : <b>{pending.runs[0].name || ids[0]}</b>} with all their metrics, logs
          and files from the server. Local run directories are not touched.
        </p>
        {error && <p className="error-text" role="alert">{error}</p>}
        <div className="modal-actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="button" className="danger" disabled={busy}
            onClick={() => run(() => Promise.all(ids.map((id) => api.deleteRun(entity, project, id))), ids)}>
            Delete
          </button>
        </div>
      </Modal>
    );
  } else if (pending?.kind === "rename") {
    const r = pending.run;
    dialog = (
      <Modal title="Rename run" onClose={close}>
        <form onSubmit={(e) => { e.preventDefault(); void run(() => api.updateRun(entity, project, r.id, { name: text.trim() })); }}>
          <label>Name <input value={text} onChange={(e) => setText(e.target.value)} autoFocus /></label>
          {error && <p className="error-text" role="alert">{error}</p>}
          <div className="modal-actions">
            <button type="button" onClick={close}>Cancel</button>
            <button type="submit" className="primary" disabled={busy || !text.trim()}>Rename</button>
          </div>
        </form>
      </Modal>
    );
  } else if (pending?.kind === "tags") {
    const runs = pending.runs;
    dialog = (
      <Modal title={`Add tags to ${runs.length} run${runs.length > 1 ? "s" : ""}`} onClose={close}>
        <form onSubmit={(e) => {
          e.preventDefault();
          const add = text.split(",").map((t) => t.trim()).filter(Boolean);
          void run(() => Promise.all(runs.map((r) => api.updateRun(entity, project, r.id, { tags: [...new Set([...r.tags, ...add])] }))));
        }}>
          <label>Tags (comma-separated) <input value={text} onChange={(e) => setText(e.target.value)} autoFocus /></label>
          {error && <p className="error-text" role="alert">{error}</p>}
          <div className="modal-actions">
            <button type="button" onClick={close}>Cancel</button>
            <button type="submit" className="primary" disabled={busy || !text.trim()}>Add tags</button>
          </div>
        </form>
      </Modal>
    );
  }

  return {
    dialog,
    confirmDelete: (runs: Run[]) => setPending({ kind: "delete", runs }),
    rename: (r: Run) => {
      setText(r.name ?? "");
      setPending({ kind: "rename", run: r });
    },
    addTags: (runs: Run[]) => {
      setText("");
      setPending({ kind: "tags", runs });
    },
  };
}
