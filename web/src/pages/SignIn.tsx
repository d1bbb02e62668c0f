/**
 * Browser sign-in (docs/teams.md): the password form, a one-time sign-in link (`/signin?token=`,
 * printed by `runyard ui` and `make demo`), the first start's "set your password" link
 * (`/setup?token=`, also an admin's reset link) and an invitation link (`/invite?token=`). The server
 * answers each with an HttpOnly session cookie; no credential is kept by the page itself.
 */

import { useEffect, useRef, useState, type FormEvent } from "react";
import { api } from "../api/client";
import { useAsync } from "../hooks";
import { ErrorText, useAction } from "../components/forms";
import { t } from "../i18n";
import { Message } from "../i18n/Message";
import { Link, navigate, paths, useTitle } from "../router";

/** The user name and password form; `onSignedIn` runs once the session cookie is set. */
export function SignInPage({ onSignedIn, expired }: { onSignedIn: () => void; expired?: boolean }) {
  useTitle(t("signin.title"));
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction(expired ? t("signin.expired") : null);
  const options = useAsync((s) => api.signInOptions(s), []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await run(() => api.signIn(username.trim(), password))) onSignedIn();
  };
  return (
    <div className="page signin">
      <h1>{t("signin.title")}</h1>
      {options.data?.oidc && (
        <p>
          <a className="button primary" href={api.singleSignOnUrl(location.pathname + location.search)}>
            {t("signin.sso")}
          </a>{" "}
          <span className="muted">{t("signin.orPassword")}</span>
        </p>
      )}
      <form onSubmit={submit} className="form-stack">
        <label>
          {t("signin.username")}
          <input autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus required />
        </label>
        <label>
          {t("signin.password")}
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        <div>
          <button type="submit" className="primary" disabled={busy || !username.trim() || !password}>
            {t("signin.submit")}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      <p className="muted">
        <Message id="signin.help" parts={{ server: <code>runyard server</code>, sdk: <code>runyard login</code> }} />
      </p>
    </div>
  );
}

/** `/signin?token=...`: spends the one-time link once, then goes to the home page. */
export function SignInLinkPage({ token, onSignedIn }: { token: string; onSignedIn: () => void }) {
  useTitle(t("signin.title"));
  const [error, setError] = useState<string | null>(null);
  const spent = useRef(false);
  useEffect(() => {
    if (spent.current) return; // the link works once: never post it twice
    spent.current = true;
    api.signInWithLink(token).then(
      () => {
        navigate(paths.home(), { replace: true });
        onSignedIn();
      },
      (e: Error) => setError(e.message),
    );
  }, [token, onSignedIn]);
  if (!error) return <div className="page signin">{t("signin.signingIn")}…</div>;
  return (
    <div className="page signin">
      <h1>{t("signin.linkFailed")}</h1>
      <ErrorText error={error} />
      <p>
        <Link to={paths.signin()}>{t("signin.withPassword")}</Link>
      </p>
    </div>
  );
}

/** `/setup?token=...`: set a password with a one-time link, then sign in with it. */
export function SetPasswordPage({ token, onSignedIn }: { token: string; onSignedIn: () => void }) {
  useTitle(t("setup.title"));
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const { busy, error, run } = useAction();
  const mismatch = again !== "" && again !== password;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const signedIn = await run(async () => {
      const { user } = await api.setPasswordWithLink(token, password);
      await api.signIn(user, password);
      return true;
    });
    if (!signedIn) return;
    navigate(paths.home(), { replace: true });
    onSignedIn();
  };
  return (
    <div className="page signin">
      <h1>{t("setup.title")}</h1>
      <p>{t("setup.lead")}</p>
      <form onSubmit={submit} className="form-stack">
        <label>
          {t("setup.password")}
          <input type="password" autoComplete="new-password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} autoFocus required />
        </label>
        <label>
          {t("setup.again")}
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} aria-invalid={mismatch} required />
        </label>
        {mismatch && <p className="error-text">{t("setup.mismatch")}</p>}
        <div>
          <button type="submit" className="primary" disabled={busy || password.length < 8 || password !== again}>
            {t("setup.submit")}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
    </div>
  );
}

/** `/invite?token=...` (signed in): join the team of an invitation. */
export function InvitePage({ token, onJoined }: { token: string; onJoined: () => void }) {
  useTitle(t("invite.title"));
  const [done, setDone] = useState<{ team: string; role: string } | null>(null);
  const { busy, error, run } = useAction();
  const accept = async () => {
    const joined = await run(() => api.acceptInvitation(token));
    if (!joined) return;
    setDone(joined);
    onJoined(); // the viewer's teams changed
  };
  return (
    <div className="page signin">
      <h1>{t("invite.title")}</h1>
      {done ? (
        <p role="status">
          <Message id="invite.joined" parts={{ team: <Link to={paths.entity(done.team)} translate="no">{done.team}</Link>, role: t(`role.${done.role}` as "role.member") }} />
        </p>
      ) : (
        <>
          <p>{t("invite.lead")}</p>
          <button type="button" className="primary" onClick={accept} disabled={busy}>
            {t("invite.accept")}
          </button>
        </>
      )}
      <ErrorText error={error} />
    </div>
  );
}
