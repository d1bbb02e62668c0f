/** Small shared pieces: empty states, error pages, state badges, dialogs, tabs. */

import { useEffect, useRef, type ReactNode } from "react";
import { ApiError } from "../api/http";
import { Link, paths } from "../router";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" /> {label}…
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`state state-${state}`} title={state}>
      <span className="state-dot" aria-hidden="true" />
      {state}
    </span>
  );
}

export const FIRST_RUN_SNIPPET = `import runyard as wandb
run = wandb.init(project="my-project", config={"lr": 1e-3})
run.log({"train/loss": 0.5}); run.finish()`;

export function FirstRunHint({ project }: { project?: string }) {
  const code = project ? FIRST_RUN_SNIPPET.replace("my-project", project) : FIRST_RUN_SNIPPET;
  return (
    <div className="empty">
      <h2>No runs yet</h2>
      <p>Log a first run with three lines of Python, then upload it:</p>
      <pre className="code" aria-label="Example code">{code}</pre>
      <p className="muted">
        Runs are written to disk first; <code>runyard sync</code> uploads them (or set <code>RUNYARD_BASE_URL</code> to log
        live).
      </p>
    </div>
  );
}

export function ErrorPage({ error, onRetry, note }: { error: unknown; onRetry?: () => void; note?: ReactNode }) {
  const e = error instanceof ApiError ? error : null;
  let title = "Something went wrong";
  let body: ReactNode = (error as Error)?.message ?? String(error);
  if (e?.unreachable || e?.code === "unreachable") {
    title = "Cannot reach the runyard server";
    body = (
      <>
        The server did not answer. Check that <code>runyard server</code> is running, then retry.
        <br />
        <span className="muted">{e.message}</span>
      </>
    );
  } else if (e?.status === 404) {
    title = "Not found";
  } else if (e?.status === 403) {
    title = "No access";
  }
  return (
    <div className="error-page" role="alert">
      <h1>{title}</h1>
      <p>{body}</p>
      {note && <p className="muted">{note}</p>}
      <p>
        {onRetry && (
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        )}{" "}
        <Link to={paths.home()}>Go to all projects</Link>
      </p>
    </div>
  );
}

/**
 * A modal dialog: focus moves to its first field (else its first control), Escape closes, focus returns
 * to the opener. The effect runs once per opening: `onClose` is read through a ref, since callers
 * recreate it every render and re-running the effect would pull focus away on each keystroke.
 */
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
          <button type="button" className="icon" aria-label="Close" onClick={onClose}>
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
          title={t.disabled ? "Coming soon" : undefined}
          className={t.id === current ? "tab active" : "tab"}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
