/**
 * The account page (`/settings/account`): profile and teams, password change, API keys (created with a
 * scope, shown once, revocable) and browser sessions (listed, revocable). docs/teams.md has the rules.
 */

import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Viewer } from "../api/types";
import { ErrorText, OneTimeSecret, useAction } from "../components/forms";
import { ListTable, Loaded } from "../components/ListTable";
import { useAsync } from "../hooks";
import { formatDateTime, t } from "../i18n";
import { Link, navigate, paths, useTitle } from "../router";

const when = (v: number | null | undefined) => (v ? formatDateTime(v) : t("account.never"));

export function AccountPage({ viewer, onSignedOut }: { viewer: Viewer; onSignedOut: () => void }) {
  useTitle(t("account.title"));
  return (
    <div className="page settings">
      <h1>{t("account.title")}</h1>
      <Profile viewer={viewer} />
      <Password />
      <Keys viewer={viewer} />
      <Sessions onSignedOut={onSignedOut} />
    </div>
  );
}

function Profile({ viewer }: { viewer: Viewer }) {
  const [name, setName] = useState("");
  const { busy, error, run } = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api.createTeam(name.trim()))) navigate(paths.team(name.trim()));
  };
  return (
    <section aria-labelledby="profile-h" className="settings-section">
      <h2 id="profile-h">{t("account.profile")}</h2>
      <table className="kv">
        <tbody>
          <tr>
            <th scope="row">{t("account.user")}</th>
            <td>
              <Link to={paths.entity(viewer.user)} translate="no">{viewer.user}</Link>
              {viewer.is_admin && <span className="tag">{t("account.serverAdmin")}</span>}
            </td>
          </tr>
          <tr>
            <th scope="row">{t("account.teams")}</th>
            <td>
              {viewer.teams.length === 0
                ? t("account.noTeams")
                : viewer.teams.map((tm, i) => (
                    <span key={tm.name}>
                      {i > 0 && ", "}
                      <Link to={paths.team(tm.name)} translate="no">{tm.name}</Link> <span className="muted">({t(`role.${tm.role}`)})</span>
                    </span>
                  ))}
            </td>
          </tr>
        </tbody>
      </table>
      <form onSubmit={create} className="inline-form">
        <label>
          {t("account.newTeam")} <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>{" "}
        <button type="submit" disabled={busy || !name.trim()}>
          {t("account.createTeam")}
        </button>
      </form>
      <ErrorText error={error} />
    </section>
  );
}

function Password() {
  const [old, setOld] = useState("");
  const [pw, setPw] = useState("");
  const [again, setAgain] = useState("");
  const [done, setDone] = useState<number | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await run(() => api.changePassword(old, pw));
    if (r) {
      setDone(r.sessions_ended);
      setOld("");
      setPw("");
      setAgain("");
    }
  };
  return (
    <section aria-labelledby="password-h" className="settings-section">
      <h2 id="password-h">{t("account.password")}</h2>
      <form onSubmit={submit} className="form-stack">
        <label>
          {t("account.oldPassword")}
          <input type="password" autoComplete="current-password" value={old} onChange={(e) => setOld(e.target.value)} />
        </label>
        <label>
          {t("setup.password")}
          <input type="password" autoComplete="new-password" minLength={8} value={pw} onChange={(e) => setPw(e.target.value)} required />
        </label>
        <label>
          {t("setup.again")}
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} aria-invalid={again !== "" && again !== pw} required />
        </label>
        <div>
          <button type="submit" disabled={busy || pw.length < 8 || pw !== again}>
            {t("account.changePassword")}
          </button>
        </div>
      </form>
      {done !== null && <p role="status">{t("account.passwordChanged", { n: done })}</p>}
      <ErrorText error={error} />
    </section>
  );
}

function Keys({ viewer }: { viewer: Viewer }) {
  const keys = useAsync((s) => api.keys(s), []);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "write">("write");
  const [entity, setEntity] = useState("");
  const [made, setMade] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const k = await run(() => api.createKey({ name: name.trim(), scope, entity }));
    if (k) {
      setMade(k.api_key);
      setName("");
      keys.reload();
    }
  };
  const revoke = async (id: number) => {
    if (await run(() => api.revokeKey(id))) keys.reload();
  };
  return (
    <section aria-labelledby="keys-h" className="settings-section">
      <h2 id="keys-h">{t("account.keys")}</h2>
      <p className="muted">{t("account.keysLead")}</p>
      <form onSubmit={create} className="inline-form">
        <label>
          {t("account.keyName")} <input value={name} onChange={(e) => setName(e.target.value)} maxLength={128} />
        </label>
        <label>
          {t("account.scope")}{" "}
          <select value={scope} onChange={(e) => setScope(e.target.value as "read" | "write")}>
            <option value="write">{t("account.scopeWrite")}</option>
            <option value="read">{t("account.scopeRead")}</option>
          </select>
        </label>
        <label>
          {t("account.keyEntity")}{" "}
          <select value={entity} onChange={(e) => setEntity(e.target.value)}>
            <option value="">{t("account.anyEntity")}</option>
            {viewer.entities.map((en) => (
              <option key={en.name} value={en.name}>
                {en.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {t("account.createKey")}
        </button>
      </form>
      {made && <OneTimeSecret label={t("account.newKey")} value={made} note={t("account.newKeyNote")} />}
      <ErrorText error={error} />
      <Loaded state={keys}>
        {(list) => (
          <ListTable
            items={list}
            label={t("account.keys")}
            headers={[t("account.keyName"), t("account.prefix"), t("account.scope"), t("account.keyEntity"), t("account.created"), t("account.lastUsed")]}
            rowKey={(k) => k.id}
            rowClass={(k) => (k.revoked_at ? "muted" : undefined)}
            row={(k) => (
              <>
                <td translate="no">{k.name || "—"}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scope === "read" ? t("account.scopeRead") : t("account.scopeWrite")}</td>
                <td translate={k.entity ? "no" : undefined}>{k.entity ?? t("account.anyEntity")}</td>
                <td>{when(k.created_at)}</td>
                <td>{when(k.last_used_at)}</td>
                <td>
                  {k.revoked_at ? (
                    t("account.revoked")
                  ) : (
                    <button type="button" className="danger" disabled={busy} onClick={() => revoke(k.id)} aria-label={t("account.revokeKey", { name: k.name || k.prefix })}>
                      {t("account.revoke")}
                    </button>
                  )}
                </td>
              </>
            )}
          />
        )}
      </Loaded>
    </section>
  );
}

function Sessions({ onSignedOut }: { onSignedOut: () => void }) {
  const sessions = useAsync((s) => api.sessions(s), []);
  const { busy, error, run } = useAction();
  const end = async (id: number, current: boolean) => {
    if (!(await run(() => api.revokeSession(id)))) return;
    if (current) onSignedOut();
    else sessions.reload();
  };
  return (
    <section aria-labelledby="sessions-h" className="settings-section">
      <h2 id="sessions-h">{t("account.sessions")}</h2>
      <ErrorText error={error} />
      <Loaded state={sessions}>
        {(list) => (
          <ListTable
            items={list}
            label={t("account.sessions")}
            headers={[t("account.device"), t("account.address"), t("account.created"), t("account.lastSeen")]}
            rowKey={(s) => s.id}
            row={(s) => (
              <>
                <td>
                  <span translate="no">{s.user_agent ?? "—"}</span> {s.current && <span className="tag">{t("account.thisBrowser")}</span>}
                </td>
                <td translate="no">{s.ip ?? "—"}</td>
                <td>{when(s.created_at)}</td>
                <td>{when(s.last_seen_at)}</td>
                <td>
                  <button type="button" disabled={busy} onClick={() => end(s.id, s.current)}>
                    {s.current ? t("app.signOut") : t("account.endSession")}
                  </button>
                </td>
              </>
            )}
          />
        )}
      </Loaded>
    </section>
  );
}
