/** A tiny history-API router: routes are the few page shapes of the app; no dependency needed. */

import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

export type Route =
  | { page: "home" }
  | { page: "workspace"; entity: string; project: string }
  | { page: "run"; entity: string; project: string; run: string; tab: string }
  | { page: "compare"; entity: string; project: string; runs: string[] }
  | { page: "artifacts"; entity: string; project: string }
  | { page: "sweeps"; entity: string; project: string }
  | { page: "sweep"; entity: string; project: string; id: string }
  | { page: "artifact"; entity: string; project: string; name: string; version: string; tab: string; other: string | null }
  | { page: "signin"; token: string | null }
  | { page: "setup"; token: string }
  | { page: "invite"; token: string }
  | { page: "registry"; entity: string; registry: string; collection: string | null; version: string | null }
  | { page: "reports"; entity: string; project: string }
  | { page: "report"; entity: string; project: string; id: number }
  | { page: "shared"; token: string }
  | { page: "account" }
  | { page: "team"; team: string }
  | { page: "audit" }
  | { page: "entity"; entity: string }
  | { page: "projectSettings"; entity: string; project: string }
  | { page: "notfound"; path: string };

/** A registry is addressed like a project named "wandb-registry-<name>" (as in SDK paths). */
export const REGISTRY_PREFIX = "wandb-registry-";

// first path segments that are pages of the app, not entities (the server refuses them as names:
// UI_PAGES in runyard/server/routes/accounts.py)
const RESERVED = new Set(["api", "assets", "signin", "setup", "invite", "settings", "shared"]);

export function parseRoute(pathname: string, search: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const q = new URLSearchParams(search);
  if (parts.length === 0) return { page: "home" };
  if (parts.length === 1 && parts[0] === "signin") return { page: "signin", token: q.get("token") };
  if (parts.length === 1 && (parts[0] === "setup" || parts[0] === "invite") && q.get("token"))
    return { page: parts[0], token: q.get("token") ?? "" };
  if (parts[0] === "settings") {
    if (parts.length === 1 || (parts.length === 2 && parts[1] === "account")) return { page: "account" };
    if (parts.length === 2 && parts[1] === "audit") return { page: "audit" };
    if (parts.length === 3 && parts[1] === "teams") return { page: "team", team: parts[2] };
  }
  if (parts.length === 2 && parts[0] === "shared") return { page: "shared", token: parts[1] };
  if (RESERVED.has(parts[0])) return { page: "notfound", path: pathname };
  const [entity, project, kind, id, tab] = parts;
  if (parts.length === 1) return { page: "entity", entity };
  if (parts.length <= 4 && project.startsWith(REGISTRY_PREFIX) && project.length > REGISTRY_PREFIX.length)
    return { page: "registry", entity, registry: project.slice(REGISTRY_PREFIX.length), collection: kind ?? null, version: id ?? null };
  if (parts.length === 3 && kind === "settings") return { page: "projectSettings", entity, project };
  if (parts.length === 2) return { page: "workspace", entity, project };
  if (parts.length >= 4 && kind === "runs") return { page: "run", entity, project, run: id, tab: tab ?? "overview" };
  if (kind === "artifacts" && parts.length === 3) return { page: "artifacts", entity, project };
  if (kind === "sweeps" && parts.length === 3) return { page: "sweeps", entity, project };
  if (kind === "sweeps" && parts.length === 4) return { page: "sweep", entity, project, id };
  if (kind === "reports" && parts.length === 3) return { page: "reports", entity, project };
  if (kind === "reports" && parts.length === 4 && /^\d{1,15}$/.test(id)) return { page: "report", entity, project, id: Number(id) };
  if (kind === "artifacts" && (parts.length === 4 || parts.length === 5 || parts.length === 6))
    return { page: "artifact", entity, project, name: id, version: tab ?? "latest", tab: parts[5] ?? "overview", other: q.get("vs") };
  if (parts.length === 3 && kind === "compare")
    return { page: "compare", entity, project, runs: (q.get("runs") ?? "").split(",").filter(Boolean) };
  return { page: "notfound", path: pathname };
}

const enc = encodeURIComponent;
export const paths = {
  home: () => "/",
  signin: () => "/signin",
  account: () => "/settings/account",
  team: (team: string) => `/settings/teams/${enc(team)}`,
  audit: () => "/settings/audit",
  entity: (e: string) => `/${enc(e)}`,
  projectSettings: (e: string, p: string) => `/${enc(e)}/${enc(p)}/settings`,
  workspace: (e: string, p: string) => `/${enc(e)}/${enc(p)}`,
  run: (e: string, p: string, r: string, tab?: string) => `/${enc(e)}/${enc(p)}/runs/${enc(r)}${tab && tab !== "overview" ? `/${enc(tab)}` : ""}`,
  artifacts: (e: string, p: string) => `/${enc(e)}/${enc(p)}/artifacts`,
  sweeps: (e: string, p: string) => `/${enc(e)}/${enc(p)}/sweeps`,
  sweep: (e: string, p: string, id: string) => `/${enc(e)}/${enc(p)}/sweeps/${enc(id)}`,
  reports: (e: string, p: string) => `/${enc(e)}/${enc(p)}/reports`,
  report: (e: string, p: string, id: number) => `/${enc(e)}/${enc(p)}/reports/${id}`,
  artifact: (e: string, p: string, name: string, version: string, tab?: string, vs?: string) =>
    `/${enc(e)}/${enc(p)}/artifacts/${enc(name)}/${enc(version)}${tab && tab !== "overview" ? `/${enc(tab)}` : ""}${vs ? `?vs=${enc(vs)}` : ""}`,
  registry: (e: string, r: string, c?: string | null, v?: string | null) =>
    `/${enc(e)}/${enc(REGISTRY_PREFIX + r)}${c ? `/${enc(c)}${v ? `/${enc(v)}` : ""}` : ""}`,
  compare: (e: string, p: string, runs: string[]) => `/${enc(e)}/${enc(p)}/compare?runs=${runs.map(enc).join(",")}`,
};

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
if (typeof window !== "undefined") window.addEventListener("popstate", notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  notify();
}

/** Replace only the query string (workspace state), without a history entry per keystroke. */
export function setSearch(search: string): void {
  const to = location.pathname + (search ? `?${search}` : "");
  if (to !== location.pathname + location.search) history.replaceState(null, "", to);
}

const snapshot = () => location.pathname + location.search;
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useLocation(): { pathname: string; search: string } {
  const s = useSyncExternalStore(subscribe, snapshot);
  const i = s.indexOf("?");
  return i < 0 ? { pathname: s, search: "" } : { pathname: s.slice(0, i), search: s.slice(i) };
}

export function Link({ to, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} {...rest} onClick={onClick} />;
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · runyard` : "runyard";
  }, [title]);
}
