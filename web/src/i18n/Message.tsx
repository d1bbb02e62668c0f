import { Fragment, type ReactNode } from "react";
import { t, type MessageKey } from ".";

/**
 * A message whose `{name}` placeholders are elements (code, links): the sentence stays whole in the
 * catalogue, so a translation may put them in any order.
 */
export function Message({ id, parts }: { id: MessageKey; parts: Record<string, ReactNode> }) {
  const out: ReactNode[] = [];
  t(id)
    .split(/(\{\w+\})/)
    .forEach((chunk, i) => {
      const m = /^\{(\w+)\}$/.exec(chunk);
      out.push(<Fragment key={i}>{m && m[1] in parts ? parts[m[1]] : chunk}</Fragment>);
    });
  return <>{out}</>;
}
