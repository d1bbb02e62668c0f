/**
 * The audit log for the server admin (`/settings/audit`): newest first, filtered by action prefix and
 * actor, paged by "Older entries", and exported as JSON lines (every matching entry, page by page).
 */

import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { AuditEntry } from "../api/types";
import { ErrorPage, Spinner } from "../components/common";
import { ErrorText, useAction } from "../components/forms";
import { useAsync } from "../hooks";
import { formatDateTime, t } from "../i18n";
import { useTitle } from "../router";

const PAGE = 100;
const MAX_EXPORT_PAGES = 1000; // 1,000 entries a page: a million entries at most in one file

export function AuditPage() {
  useTitle(t("audit.title"));
  const [filter, setFilter] = useState({ action: "", actor: "" });
  const [draft, setDraft] = useState(filter);
  const [pages, setPages] = useState<AuditEntry[][]>([]);
  const first = useAsync(
    async (s) => {
      const r = await api.audit({ limit: PAGE, ...filter }, s);
      setPages([r.entries]);
      return r.next_before;
    },
    [filter],
  );
  const [next, setNext] = useState<number | null | undefined>(undefined);
  const { busy, error, run } = useAction();
  const cursor = next === undefined ? first.data : next;

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setNext(undefined);
    setFilter({ action: draft.action.trim(), actor: draft.actor.trim() });
  };
  const older = async () => {
    if (!cursor) return;
    const r = await run(() => api.audit({ limit: PAGE, before: cursor, ...filter }));
    if (r) {
      setPages((ps) => [...ps, r.entries]);
      setNext(r.next_before);
    }
  };
  const exportLines = () =>
    run(async () => {
      const parts: string[] = [];
      let before: number | undefined;
      for (let i = 0; i < MAX_EXPORT_PAGES; i++) {
        const r = await api.auditLines({ before, ...filter });
        parts.push(r.text);
        if (r.next === null) break;
        before = r.next;
      }
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob(parts, { type: "application/x-ndjson" }));
      a.download = "runyard-audit.jsonl";
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      return true;
    });

  const entries = pages.flat();
  return (
    <div className="page settings">
      <h1>{t("audit.title")}</h1>
      <form onSubmit={apply} className="inline-form" role="search">
        <label>
          {t("audit.action")} <input value={draft.action} placeholder="project." onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        </label>{" "}
        <label>
          {t("audit.actor")} <input value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
        </label>{" "}
        <button type="submit">{t("audit.filter")}</button>{" "}
        <button type="button" onClick={exportLines} disabled={busy}>
          {t("audit.export")}
        </button>
      </form>
      <ErrorText error={error} />
      {first.error ? (
        <ErrorPage error={first.error} onRetry={first.reload} />
      ) : first.loading && !entries.length ? (
        <Spinner />
      ) : !entries.length ? (
        <p className="muted">{t("audit.none")}</p>
      ) : (
        <>
          <table className="list audit" aria-label={t("audit.title")}>
            <thead>
              <tr>
                <th>{t("audit.at")}</th>
                <th>{t("audit.actor")}</th>
                <th>{t("audit.action")}</th>
                <th>{t("audit.target")}</th>
                <th>{t("audit.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.at)}</td>
                  <td translate="no">{e.actor ?? "—"}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td translate="no">{e.target ?? ""}</td>
                  <td>
                    <code className="detail">{e.detail && Object.keys(e.detail).length ? JSON.stringify(e.detail) : ""}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {cursor ? (
            <button type="button" onClick={older} disabled={busy}>
              {t("audit.older")}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}
