/**
 * The settings pages' lists (keys, sessions, members, invitations): a table of one row per item whose
 * last column holds the row's buttons, named for screen readers only, and `Loaded` for a list still
 * being fetched (an error with a retry, or a spinner).
 */

import type { ReactNode } from "react";
import type { AsyncState } from "../hooks";
import { t } from "../i18n";
import { ErrorPage, Spinner } from "./common";

export function Loaded<T>({ state, children }: { state: AsyncState<T>; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorPage error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Spinner />;
  return <>{children(state.data)}</>;
}

export function ListTable<T>({
  items,
  label,
  headers,
  actions = true,
  empty,
  rowKey,
  rowClass,
  row,
}: {
  items: T[];
  label: string;
  headers: string[];
  /** whether rows end in a column of buttons */
  actions?: boolean;
  /** shown instead of an empty table */
  empty?: string;
  rowKey: (item: T) => string | number;
  rowClass?: (item: T) => string | undefined;
  /** the row's cells (<td> elements), the actions cell last */
  row: (item: T) => ReactNode;
}) {
  if (items.length === 0 && empty) return <p className="muted">{empty}</p>;
  return (
    <table className="list" aria-label={label}>
      <thead>
        <tr>
          {headers.map((h) => (
            <th key={h}>{h}</th>
          ))}
          {actions && (
            <th>
              <span className="sr-only">{t("account.actions")}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={rowKey(item)} className={rowClass?.(item)}>
            {row(item)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
