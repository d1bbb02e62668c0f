/** Small shared pieces: empty states, error pages, state badges, dialogs, tabs. */

import { useEffect, useRef, type ReactNode } from "react";
import { ApiError } from "../api/http";
import { Link, paths } from "../router";
import { t, t as tr, type MessageKey } from "../i18n";
import { Message } from "../i18n/Message";

export function Spinner({ label }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" /> {label ?? t("common.loading")}…
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`state state-${state}`} title={stateLabel(state)}>
      <span className="state-dot" aria-hidden="true" />
      {stateLabel(state)}
    </span>
  );
}

/** A run state in the UI language (an unknown state shows as sent). */
export function stateLabel(state: string): string {
  return STATES.includes(state) ? t(`state.${state}` as MessageKey) : state;
}
const STATES = ["running", "finished", "failed", "crashed", "killed", "preempted", "stopped"];

export const FIRST_RUN_SNIPPET = `import runyard as wandb
run = wandb.init(project="my-project", config={"lr": 1e-3})
run.log({"train/loss": 0.5}); run.finish()`;

export function FirstRunHint({ project }: { project?: string }) {
  const code = project ? FIRST_RUN_SNIPPET.replace("my-project", project) : FIRST_RUN_SNIPPET;
  return (
    <div className="empty">
      <h2>{t("firstRun.title")}</h2>
      <p>{t("firstRun.lead")}</p>
      <pre className="code" aria-label={t("firstRun.code")}>{code}</pre>
      <p className="muted">
        <Message id="firstRun.sync" parts={{ sync: <code>runyard sync</code>, baseUrl: <code>RUNYARD_BASE_URL</code> }} />
      </p>
    </div>
  );
}

export function ErrorPage({ error, onRetry, note }: { error: unknown; onRetry?: () => void; note?: ReactNode }) {
  const e = error instanceof ApiError ? error : null;
  let title = t("common.error");
  let body: ReactNode = (error as Error)?.message ?? String(error);
  if (e?.unreachable || e?.code === "unreachable") {
    title = t("common.unreachable");
    body = (
      <>
        <Message id="common.unreachableHelp" parts={{ server: <code>runyard server</code> }} />
        <br />
        <span className="muted">{e.message}</span>
      </>
    );
  } else if (e?.status === 404) {
    title = t("common.notFound");
  } else if (e?.status === 403) {
    title = t("common.noAccess");
  }
  return (
    <div className="error-page" role="alert">
      <h1>{title}</h1>
      <p>{body}</p>
      {note && <p className="muted">{note}</p>}
      <p>
        {onRetry && (
          <button type="button" onClick={onRetry}>
            {t("common.retry")}
          </button>
        )}{" "}
        <Link to={paths.home()}>{t("common.allProjects")}</Link>
      </p>
    </div>
  );
}

/**
 * A modal dialog: focus moves to its first field (else its first control), Tab and Shift+Tab cycle
 * through its controls only (the page behind is out of reach, as `aria-modal` says), Escape closes,
 * focus returns to the opener. The effect runs once per opening: `onClose` is read through a ref, since callers
 * recreate it every render and re-running the effect would pull focus away on each keystroke.
 */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex="-1"])';

export function Modal({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const field = el?.querySelector<HTMLElement>(".modal-body :is(input, select, textarea)");
    const first = field ?? el?.querySelector<HTMLElement>(".modal-body :is(button, [tabindex]), button");
    (first ?? el)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        close.current();
      } else if (e.key === "Tab" && el) {
        const stops = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.getClientRects().length > 0);
        if (!stops.length) return;
        const [first, last] = [stops[0], stops[stops.length - 1]];
        const at = document.activeElement;
        if (!el.contains(at) || (e.shiftKey && at === first) || (!e.shiftKey && at === last)) {
          e.preventDefault();
          (e.shiftKey ? last : first).focus();
        }
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      prev?.focus?.();
    };
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? " modal-wide" : ""}`} role="dialog" aria-modal="true" aria-label={title} ref={ref} tabIndex={-1}>
        <div className="modal-head">
          <h2>{title}</h2>
          <button type="button" className="icon" aria-label={t("common.close")} onClick={onClose}>
            ✕
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

export function Tabs<T extends string>({
  tabs,
  current,
  onChange,
  label,
}: {
  tabs: { id: T; label: string; disabled?: boolean }[];
  current: T;
  onChange: (t: T) => void;
  label: string;
}) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          aria-selected={t.id === current}
          disabled={t.disabled}
          title={t.disabled ? tr("common.comingSoon") : undefined}
          className={t.id === current ? "tab active" : "tab"}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
