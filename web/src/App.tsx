import { useCallback, useEffect, useState } from "react";
import { api } from "./api/client";
import { ApiError, setShareToken } from "./api/http";
import { ErrorPage, Spinner } from "./components/common";
import { UserMenu } from "./components/UserMenu";
import { useAsync } from "./hooks";
import { AccountPage } from "./pages/Account";
import { ArtifactsPage, ArtifactVersionPage } from "./pages/Artifacts";
import { AuditPage } from "./pages/Audit";
import { Compare } from "./pages/Compare";
import { EntityPage } from "./pages/Entity";
import { Home } from "./pages/Home";
import { RegistryPage } from "./pages/Registry";
import { startReport } from "./components/report/early";
import { ReportPage, ReportsList, SharedReportPage } from "./pages/Report";
import { RunPage } from "./pages/RunPage";
import { ProjectSettingsPage } from "./pages/ProjectSettings";
import { SweepPage, SweepsPage } from "./pages/Sweeps";
import { InvitePage, SetPasswordPage, SignInLinkPage, SignInPage } from "./pages/SignIn";
import { TeamPage } from "./pages/TeamPage";
import { Workspace } from "./pages/Workspace";
import { Link, navigate, parseRoute, paths, useLocation } from "./router";
import { getLang, LANGS, setLang, t, type Lang } from "./i18n";
import { getTheme, setTheme, THEMES, type Theme } from "./theme";

export function App() {
  const loc = useLocation();
  const route = parseRoute(loc.pathname, loc.search);
  // a report's share link: the report alone, read with the link's token (no sign-in, no account)
  if (route.page === "shared") {
    setShareToken(route.token); // idempotent, and before any request of the page is sent
    return (
      <div className="app">
        <header className="topbar">
          <span className="brand" translate="no">runyard</span>
          <span className="spacer" />
          <ThemeSwitch />
          <LanguageSwitch />
        </header>
        <div id="content">
          <SharedReportPage token={route.token} />
        </div>
      </div>
    );
  }
  return <SignedInApp />;
}

function SignedInApp() {
  const [signIns, setSignIns] = useState(0); // bumped on sign-in and sign-out: the viewer is asked again
  const viewer = useAsync((s) => api.viewer(s), [signIns]);
  const signedIn = useCallback(() => setSignIns((v) => v + 1), []);
  const loc = useLocation();
  const route = parseRoute(loc.pathname, loc.search);
  const reportId = route.page === "report" ? route.id : null;
  useEffect(() => {
    if (reportId !== null) startReport(reportId); // beside the viewer, not after it
  }, [reportId]);
  useEffect(() => {
    window.scrollTo(0, 0); // (returns a Promise in recent Chromium: never return it from an effect)
  }, [loc.pathname]);

  let body;
  // pages that sign in come before the viewer: they work without a session
  if (route.page === "signin" && route.token) body = <SignInLinkPage token={route.token} onSignedIn={signedIn} />;
  else if (route.page === "setup") body = <SetPasswordPage token={route.token} onSignedIn={signedIn} />;
  else if (viewer.error instanceof ApiError && viewer.error.status === 401) {
    body = <SignInPage onSignedIn={signedIn} expired={viewer.error.code === "session_expired"} />;
  } else if (route.page === "signin" && viewer.data?.anonymous) body = <SignInPage onSignedIn={() => { navigate(paths.home(), { replace: true }); signedIn(); }} />;
  else if (viewer.error) {
    body = <ErrorPage error={viewer.error} onRetry={viewer.reload} />;
  } else if (!viewer.data) {
    body = <Spinner label={t("app.connecting")} />;
  } else if (route.page === "home" || route.page === "signin") body = <Home />;
  else if (route.page === "invite") body = <InvitePage token={route.token} onJoined={viewer.reload} />;
  else if (route.page === "account") body = <AccountPage viewer={viewer.data} onSignedOut={signedIn} />;
  else if (route.page === "team") body = <TeamPage key={route.team} team={route.team} viewer={viewer.data} onChanged={viewer.reload} />;
  else if (route.page === "audit") body = <AuditPage />;
  else if (route.page === "entity") body = <EntityPage key={route.entity} entity={route.entity} viewer={viewer.data} />;
  else if (route.page === "projectSettings")
    body = <ProjectSettingsPage entity={route.entity} project={route.project} viewer={viewer.data} />;
  else if (route.page === "workspace") body = <Workspace key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
  else if (route.page === "run") body = <RunPage entity={route.entity} project={route.project} run={route.run} tab={route.tab} />;
  else if (route.page === "compare") body = <Compare entity={route.entity} project={route.project} runs={route.runs} />;
  else if (route.page === "artifacts") body = <ArtifactsPage entity={route.entity} project={route.project} />;
  else if (route.page === "sweeps") body = <SweepsPage entity={route.entity} project={route.project} />;
  else if (route.page === "sweep") body = <SweepPage entity={route.entity} project={route.project} id={route.id} />;
  else if (route.page === "reports") body = <ReportsList entity={route.entity} project={route.project} />;
  else if (route.page === "report") body = <ReportPage entity={route.entity} project={route.project} id={route.id} />;
  else if (route.page === "artifact")
    body = <ArtifactVersionPage entity={route.entity} project={route.project} name={route.name} version={route.version} tab={route.tab} other={route.other} />;
  else if (route.page === "registry")
    body = <RegistryPage entity={route.entity} registry={route.registry} collection={route.collection} version={route.version} />;
  else body = <ErrorPage error={new ApiError(404, "not_found", t("app.noPage", { path: loc.pathname }))} />;

  return (
    <div className="app">
      <a className="skip" href="#content">{t("app.skip")}</a>
      <header className="topbar">
        <Link to={paths.home()} className="brand" translate="no">runyard</Link>
        <span className="spacer" />
        <ThemeSwitch />
        <LanguageSwitch />
        {viewer.data && !viewer.error && <UserMenu viewer={viewer.data} onSignedOut={signedIn} />}
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
