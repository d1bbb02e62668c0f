import { useEffect, useState } from "react";
import { api } from "./api/client";
import { ApiError, getApiKey, setApiKey } from "./api/http";
import { ErrorPage, Spinner } from "./components/common";
import { useAsync } from "./hooks";
import { ArtifactsPage, ArtifactVersionPage } from "./pages/Artifacts";
import { Compare } from "./pages/Compare";
import { Home } from "./pages/Home";
import { RunPage } from "./pages/RunPage";
import { Workspace } from "./pages/Workspace";
import { Link, parseRoute, paths, useLocation } from "./router";
import { getLang, LANGS, setLang, t, type Lang } from "./i18n";
import { Message } from "./i18n/Message";
import { getTheme, setTheme, THEMES, type Theme } from "./theme";

/** `#key=...` in the URL (a login link) is stored once and removed from the address bar. */
function takeKeyFromHash(): void {
  const m = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (m) {
    setApiKey(decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
}

export function App() {
  useState(takeKeyFromHash);
  const [keyVersion, setKeyVersion] = useState(0);
  const viewer = useAsync((s) => api.viewer(s), [keyVersion]);
  const loc = useLocation();
  const route = parseRoute(loc.pathname, loc.search);
  useEffect(() => {
    window.scrollTo(0, 0); // (returns a Promise in recent Chromium: never return it from an effect)
  }, [loc.pathname]);

  let body;
  if (viewer.error instanceof ApiError && viewer.error.status === 401) {
    body = <SignIn error={getApiKey() ? viewer.error.message : null} onKey={() => setKeyVersion((v) => v + 1)} />;
  } else if (viewer.error) {
    body = <ErrorPage error={viewer.error} onRetry={viewer.reload} />;
  } else if (!viewer.data) {
    body = <Spinner label={t("app.connecting")} />;
  } else if (route.page === "home") body = <Home />;
  else if (route.page === "workspace") body = <Workspace key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
  else if (route.page === "run") body = <RunPage entity={route.entity} project={route.project} run={route.run} tab={route.tab} />;
  else if (route.page === "compare") body = <Compare entity={route.entity} project={route.project} runs={route.runs} />;
  else if (route.page === "artifacts") body = <ArtifactsPage entity={route.entity} project={route.project} />;
  else if (route.page === "artifact")
    body = <ArtifactVersionPage entity={route.entity} project={route.project} name={route.name} version={route.version} tab={route.tab} other={route.other} />;
  else body = <ErrorPage error={new ApiError(404, "not_found", t("app.noPage", { path: route.path }))} />;

  return (
    <div className="app">
      <a className="skip" href="#content">{t("app.skip")}</a>
      <header className="topbar">
        <Link to={paths.home()} className="brand">runyard</Link>
        <span className="spacer" />
        <ThemeSwitch />
        <LanguageSwitch />
        {viewer.data && (
          <span className="muted">
            {viewer.data.user}{" "}
            <button type="button" className="link" onClick={() => { setApiKey(null); setKeyVersion((v) => v + 1); }}>{t("app.signOut")}</button>
          </span>
        )}
      </header>
      <div id="content">{body}</div>
    </div>
  );
}

/** Light / dark / the browser's choice. */
function ThemeSwitch() {
  return (
    <select className="lang-switch" aria-label={t("app.theme")} value={getTheme()} onChange={(e) => setTheme(e.target.value as Theme)}>
      {THEMES.map((th) => (
        <option key={th} value={th}>{t(`theme.${th}`)}</option>
      ))}
    </select>
  );
}

/** English / 简体中文: the choice is kept in this browser; until then the browser's language decides. */
function LanguageSwitch() {
  return (
    <select className="lang-switch" aria-label={t("app.language")} value={getLang()} onChange={(e) => setLang(e.target.value as Lang)}>
      {LANGS.map((l) => (
        <option key={l.lang} value={l.lang} lang={l.lang}>{l.label}</option>
      ))}
    </select>
  );
}

function SignIn({ onKey, error }: { onKey: () => void; error: string | null }) {
  const [key, setKey] = useState("");
  return (
    <div className="page signin">
      <h1>{t("signin.title")}</h1>
      <p>
        <Message
          id="signin.help"
          parts={{ credentials: <code>~/.runyard/credentials</code>, homeCredentials: <code>$RUNYARD_HOME/credentials</code>, login: <code>runyard login</code> }}
        />
      </p>
      <form onSubmit={(e) => { e.preventDefault(); setApiKey(key.trim()); onKey(); }}>
        <label>{t("signin.key")} <input type="password" autoComplete="current-password" value={key} onChange={(e) => setKey(e.target.value)} autoFocus /></label>{" "}
        <button type="submit" className="primary" disabled={!key.trim()}>{t("signin.submit")}</button>
      </form>
      {error && <p className="error-text" role="alert">{error}</p>}
    </div>
  );
}
