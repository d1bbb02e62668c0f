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
    body = <Spinner label="Connecting" />;
  } else if (route.page === "home") body = <Home />;
  else if (route.page === "workspace") body = <Workspace key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} />;
  else if (route.page === "run") body = <RunPage entity={route.entity} project={route.project} run={route.run} tab={route.tab} />;
  else if (route.page === "compare") body = <Compare entity={route.entity} project={route.project} runs={route.runs} />;
  else if (route.page === "artifacts") body = <ArtifactsPage entity={route.entity} project={route.project} />;
  else if (route.page === "artifact")
    body = <ArtifactVersionPage entity={route.entity} project={route.project} name={route.name} version={route.version} tab={route.tab} other={route.other} />;
  else body = <ErrorPage error={new ApiError(404, "not_found", `No page at ${route.path}`)} />;

  return (
    <div className="app">
      <a className="skip" href="#content">Skip to content</a>
      <header className="topbar">
        <Link to={paths.home()} className="brand">runyard</Link>
        <span className="spacer" />
        {viewer.data && (
          <span className="muted">
            {viewer.data.user}{" "}
            <button type="button" className="link" onClick={() => { setApiKey(null); setKeyVersion((v) => v + 1); }}>Sign out</button>
          </span>
        )}
      </header>
      <div id="content">{body}</div>
    </div>
  );
}

function SignIn({ onKey, error }: { onKey: () => void; error: string | null }) {
  const [key, setKey] = useState("");
  return (
    <div className="page signin">
      <h1>Sign in to runyard</h1>
      <p>
        Paste an API key. On the server's machine it is in <code>~/.runyard/credentials</code> (or{" "}
        <code>$RUNYARD_HOME/credentials</code>); <code>runyard login</code> prints one too.
      </p>
      <form onSubmit={(e) => { e.preventDefault(); setApiKey(key.trim()); onKey(); }}>
        <label>API key <input type="password" autoComplete="current-password" value={key} onChange={(e) => setKey(e.target.value)} autoFocus /></label>{" "}
        <button type="submit" className="primary" disabled={!key.trim()}>Sign in</button>
      </form>
      {error && <p className="error-text" role="alert">{error}</p>}
    </div>
  );
}
