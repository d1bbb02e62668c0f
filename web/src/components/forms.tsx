/** Pieces the settings pages share: an action's busy/error state, a secret shown once, a typed confirmation. */

import { useState, type ReactNode } from "react";
import { t } from "../i18n";
import { Modal } from "./common";

/** Runs one server action at a time: `busy` while it runs, its error message after a failure. */
export function useAction(initialError: string | null = null) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(initialError);
  const run = async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError((e as Error).message);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(null) };
}

export function ErrorText({ error }: { error: string | null }) {
  return error ? (
    <p className="error-text" role="alert">
      {error}
    </p>
  ) : null;
}

/** A secret (a new API key, an invitation link) shown once, with a copy button. */
export function OneTimeSecret({ label, value, note }: { label: string; value: string; note: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret" role="status">
      <label>
        {label}
        <input readOnly value={value} onFocus={(e) => e.target.select()} className="secret-value" />
      </label>{" "}
      <button type="button" onClick={() => navigator.clipboard?.writeText(value).then(() => setCopied(true), () => undefined)}>
        {copied ? t("forms.copied") : t("forms.copy")}
      </button>
      <p className="muted">{note}</p>
    </div>
  );
}

/**
 * A destructive action behind a dialog that asks to type `expected` (a project or team name), so a
 * slip of the keyboard cannot delete anything.
 */
export function TypedConfirm({
  title,
  body,
  expected,
  action,
  onConfirm,
  onClose,
}: {
  title: string;
  body: ReactNode;
  expected: string;
  action: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState("");
  const { busy, error, run } = useAction();
  return (
    <Modal title={title} onClose={onClose}>
      <p>{body}</p>
      <label className="form-stack">
        {t("forms.typeToConfirm", { name: expected })}
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
      <ErrorText error={error} />
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          {t("forms.cancel")}
        </button>
        <button type="button" className="danger" disabled={busy || typed !== expected} onClick={() => run(onConfirm)}>
          {action}
        </button>
      </div>
    </Modal>
  );
}
