/**
 * The top bar's user menu: a disclosure button with the user's name opening a short list of links
 * and "Sign out" (Tab moves through it, Escape closes it and returns focus to the button). An
 * anonymous viewer (public projects, docs/teams.md) gets a "Sign in" link instead.
 */

import { useEffect, useRef, useState, type ReactNode } from "react";
import { api } from "../api/client";
import type { Viewer } from "../api/types";
import { t } from "../i18n";
import { Link, navigate, paths } from "../router";

export interface MenuLink {
  to: string;
  label: string;
}

/** Links of the menu for this viewer. */
function menuLinks(viewer: Viewer): MenuLink[] {
  return [
    { to: paths.entity(viewer.user), label: t("menu.yourProjects") },
    { to: paths.account(), label: t("account.title") },
    ...viewer.teams.map((tm) => ({ to: paths.team(tm.name), label: t("menu.team", { team: tm.name }) })),
    ...(viewer.is_admin ? [{ to: paths.audit(), label: t("audit.title") }] : []),
  ];
}

export function UserMenu({ viewer, onSignedOut }: { viewer: Viewer; onSignedOut: () => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onDown);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onDown);
    };
  }, [open]);

  if (viewer.anonymous) {
    return <Link to={paths.signin()}>{t("signin.submit")}</Link>;
  }
  const signOut = async () => {
    try {
      await api.signOut();
      setOpen(false);
      navigate(paths.home());
      onSignedOut();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const item = (key: string, child: ReactNode) => <li key={key}>{child}</li>;
  return (
    <div className="user-menu" ref={root}>
      <button type="button" ref={button} aria-expanded={open} aria-controls="user-menu-list" onClick={() => setOpen(!open)}>
        <span className="sr-only">{t("menu.label")} </span>
        <span translate="no">{viewer.user}</span> <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul id="user-menu-list" className="user-menu-list">
          {menuLinks(viewer).map((l) =>
            item(l.to, <Link to={l.to} onClick={() => setOpen(false)}>{l.label}</Link>),
          )}
          {item(
            "signout",
            <button type="button" className="link" onClick={signOut}>
              {t("app.signOut")}
            </button>,
          )}
          {error && item("error", <span className="error-text" role="alert">{error}</span>)}
        </ul>
      )}
    </div>
  );
}
