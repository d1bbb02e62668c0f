/** Saved views of a project's workspace: pick one, save the current view (personal or shared),
 * update, rename, duplicate or delete the one shown. The view object itself: core/view.ts. */

import { useEffect, useState } from "react";
import { api } from "../api/client";
import type { SavedView } from "../api/types";
import { viewKey } from "../core/view";
import { t } from "../i18n";
import type { useWorkspaceView } from "../pages/useWorkspace";
import { Modal } from "./common";

type View = ReturnType<typeof useWorkspaceView>;

export function ViewsMenu({ entity, project, view }: { entity: string; project: string; view: View }) {
  const [list, setList] = useState<SavedView[]>([]);
  const [tick, setTick] = useState(0);
  const [dialog, setDialog] = useState<null | "save" | "rename" | "delete">(null);
  const [error, setError] = useState<string | null>(view.viewError?.message ?? null);
  useEffect(() => {
    const ctrl = new AbortController();
    api.views(entity, project, ctrl.signal).then(setList, () => undefined);
    return () => ctrl.abort();
  }, [entity, project, tick]);

  const { saved, current } = view;
  const modified = saved !== null && viewKey(saved.state) !== viewKey(current);
  const run = async (f: () => Promise<SavedView | null>) => {
    setError(null);
    try {
      const v = await f();
      if (v) {
        view.setSaved(v);
        if (v.id !== view.viewId) view.apply(v, true);
      }
      setTick((x) => x + 1);
      setDialog(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const choose = (id: string) => {
    const v = list.find((x) => String(x.id) === id);
    if (v) view.apply(v);
    else view.detach();
  };

  return (
    <span className="views-menu">
      <select aria-label={t("views.saved")} value={view.viewId ?? ""} onChange={(e) => choose(e.target.value)}>
        <option value="">{t("views.none")}</option>
        {saved && !list.some((v) => v.id === saved.id) && <option value={saved.id}>{saved.name}</option>}
        {list.map((v) => (
          <option key={v.id} value={v.id}>
            {v.shared ? t("views.sharedName", { name: v.name }) : v.name}
          </option>
        ))}
      </select>
      {modified && <span className="muted">{t("views.modified")}</span>}
      {saved && modified && (
        <button type="button" onClick={() => run(() => api.updateView(saved.id, { state: current }))}>
          {t("views.update")}
        </button>
      )}
      <button type="button" onClick={() => setDialog("save")}>{t("views.saveAs")}</button>
      {saved && (
        <>
          <button type="button" onClick={() => setDialog("rename")}>{t("views.rename")}</button>
          <button type="button" onClick={() => run(() => api.duplicateView(saved.id, {}))}>{t("views.duplicate")}</button>
          <button type="button" className="danger" onClick={() => setDialog("delete")}>{t("views.delete")}</button>
        </>
      )}
      {error && <span className="error-text" role="alert">{error}</span>}
      {dialog === "save" && (
        <NameDialog
          title={t("views.saveAs")}
          initial=""
          withShared
          onCancel={() => setDialog(null)}
          onSubmit={(name, shared) => run(() => api.createView(entity, project, { name, shared, state: current }))}
        />
      )}
      {dialog === "rename" && saved && (
        <NameDialog title={t("views.rename")} initial={saved.name} onCancel={() => setDialog(null)} onSubmit={(name) => run(() => api.updateView(saved.id, { name }))} />
      )}
      {dialog === "delete" && saved && (
        <Modal title={t("views.delete")} onClose={() => setDialog(null)}>
          <p>{t("views.deleteConfirm", { name: saved.name })}</p>
          <button
            type="button"
            className="danger"
            onClick={() =>
              run(async () => {
                await api.deleteView(saved.id);
                view.detach();
                return null;
              })
            }
          >
            {t("views.delete")}
          </button>
        </Modal>
      )}
    </span>
  );
}

function NameDialog(props: { title: string; initial: string; withShared?: boolean; onCancel: () => void; onSubmit: (name: string, shared: boolean) => void }) {
  const [name, setName] = useState(props.initial);
  const [shared, setShared] = useState(false);
  return (
    <Modal title={props.title} onClose={props.onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit(name.trim(), shared);
        }}
      >
        <p>
          <label>
            {t("views.name")} <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          </label>
        </p>
        {props.withShared && (
          <p>
            <label>
              <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> {t("views.shareWithProject")}
            </label>
          </p>
        )}
        <button type="submit" className="primary" disabled={!name.trim()}>
          {t("views.save")}
        </button>
      </form>
    </Modal>
  );
}
