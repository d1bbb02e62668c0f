/**
 * A team's page (`/settings/teams/<team>`): members with their roles, invitation links with an expiry,
 * leaving, and deleting the team. Team admins (and the server admin) change members, roles and
 * invitations; everyone else sees the members. The server decides (docs/teams.md); the page only
 * hides what would be refused.
 */

import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Role, Viewer } from "../api/types";
import { ErrorPage, Spinner } from "../components/common";
import { ErrorText, OneTimeSecret, TypedConfirm, useAction } from "../components/forms";
import { ListTable, Loaded } from "../components/ListTable";
import { useAsync } from "../hooks";
import { formatDateTime, t } from "../i18n";
import { Link, navigate, paths, useTitle } from "../router";

const ROLES: Role[] = ["admin", "member", "viewer"];
const EXPIRIES = [
  { seconds: 86400, key: "team.expires1d" },
  { seconds: 7 * 86400, key: "team.expires7d" },
  { seconds: 30 * 86400, key: "team.expires30d" },
] as const;

function RoleSelect({ value, onChange, label, disabled }: { value: Role; onChange: (r: Role) => void; label: string; disabled?: boolean }) {
  return (
    <select value={value} aria-label={label} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {t(`role.${r}`)}
        </option>
      ))}
    </select>
  );
}

export function TeamPage({ team, viewer, onChanged }: { team: string; viewer: Viewer; onChanged: () => void }) {
  useTitle(team);
  const data = useAsync((s) => api.team(team, s), [team]);
  const mine = data.data?.members.find((m) => m.user === viewer.user)?.role;
  const admin = viewer.is_admin || mine === "admin";
  const { busy, error, run } = useAction();
  const [user, setUser] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [confirm, setConfirm] = useState<"leave" | "delete" | null>(null);

  if (data.error) return <ErrorPage error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Spinner />;
  const change = async (f: () => Promise<unknown>) => {
    if (await run(f)) {
      data.reload();
      onChanged(); // the viewer's teams and roles may have changed
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    await change(() => api.setMember(team, user.trim(), role));
    setUser("");
  };
  return (
    <div className="page settings">
      <p className="breadcrumb">
        <Link to={paths.entity(team)} translate="no">{team}</Link> / {t("team.settings")}
      </p>
      <h1>{t("team.title", { team })}</h1>
      <section aria-labelledby="members-h" className="settings-section">
        <h2 id="members-h">{t("team.members")}</h2>
        <ListTable
          items={data.data.members}
          label={t("team.members")}
          headers={[t("account.user"), t("team.role")]}
          actions={admin}
          rowKey={(m) => m.user}
          row={(m) => (
            <>
              <td>
                <Link to={paths.entity(m.user)} translate="no">{m.user}</Link>
              </td>
              <td>
                {admin ? (
                  <RoleSelect value={m.role} label={t("team.roleOf", { user: m.user })} disabled={busy} onChange={(r) => change(() => api.setMember(team, m.user, r))} />
                ) : (
                  t(`role.${m.role}`)
                )}
              </td>
              {admin && (
                <td>
                  <button type="button" className="danger" disabled={busy} aria-label={t("team.removeUser", { user: m.user })} onClick={() => change(() => api.removeMember(team, m.user))}>
                    {t("team.remove")}
                  </button>
                </td>
              )}
            </>
          )}
        />
        {admin && (
          <form onSubmit={add} className="inline-form">
            <label>
              {t("team.addUser")} <input value={user} onChange={(e) => setUser(e.target.value)} required />
            </label>{" "}
            <RoleSelect value={role} label={t("team.newRole")} onChange={setRole} />{" "}
            <button type="submit" disabled={busy || !user.trim()}>
              {t("team.add")}
            </button>
          </form>
        )}
        <ErrorText error={error} />
      </section>
      {admin && <Invitations team={team} />}
      <section aria-labelledby="leave-h" className="settings-section">
        <h2 id="leave-h">{t("team.leaveOrDelete")}</h2>
        {mine && (
          <button type="button" onClick={() => setConfirm("leave")}>
            {t("team.leave")}
          </button>
        )}{" "}
        {admin && (
          <button type="button" className="danger" onClick={() => setConfirm("delete")}>
            {t("team.delete")}
          </button>
        )}
      </section>
      {confirm === "leave" && (
        <TypedConfirm
          title={t("team.leaveTitle", { team })}
          body={t("team.leaveBody")}
          expected={team}
          action={t("team.leave")}
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await api.leaveTeam(team);
            onChanged();
            navigate(paths.account());
          }}
        />
      )}
      {confirm === "delete" && (
        <TypedConfirm
          title={t("team.deleteTitle", { team })}
          body={t("team.deleteBody")}
          expected={team}
          action={t("team.delete")}
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            await api.deleteTeam(team);
            onChanged();
            navigate(paths.account());
          }}
        />
      )}
    </div>
  );
}

function Invitations({ team }: { team: string }) {
  const open = useAsync((s) => api.invitations(team, s), [team]);
  const [role, setRole] = useState<Role>("member");
  const [expires, setExpires] = useState<number>(EXPIRIES[1].seconds);
  const [link, setLink] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const made = await run(() => api.invite(team, role, expires));
    if (made) {
      setLink(made.url);
      open.reload();
    }
  };
  return (
    <section aria-labelledby="invites-h" className="settings-section">
      <h2 id="invites-h">{t("team.invitations")}</h2>
      <form onSubmit={create} className="inline-form">
        <RoleSelect value={role} label={t("team.inviteRole")} onChange={setRole} />{" "}
        <label>
          {t("team.expires")}{" "}
          <select value={expires} onChange={(e) => setExpires(Number(e.target.value))}>
            {EXPIRIES.map((x) => (
              <option key={x.seconds} value={x.seconds}>
                {t(x.key)}
              </option>
            ))}
          </select>
        </label>{" "}
        <button type="submit" disabled={busy}>
          {t("team.createLink")}
        </button>
      </form>
      {link && <OneTimeSecret label={t("team.link")} value={link} note={t("team.linkNote")} />}
      <ErrorText error={error} />
      <Loaded state={open}>
        {(list) => (
          <ListTable
            items={list}
            label={t("team.invitations")}
            headers={[t("team.role"), t("team.createdBy"), t("team.expiresAt")]}
            empty={t("team.noInvitations")}
            rowKey={(inv) => inv.id}
            row={(inv) => (
              <>
                <td>{t(`role.${inv.role}`)}</td>
                <td translate="no">{inv.created_by ?? "—"}</td>
                <td>{formatDateTime(inv.expires_at)}</td>
                <td>
                  <button type="button" disabled={busy} onClick={async () => (await run(() => api.revokeInvitation(team, inv.id))) && open.reload()}>
                    {t("account.revoke")}
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
