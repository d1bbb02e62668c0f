/** Markdown as safe HTML (core/markdown.ts: raw HTML escaped, unsafe links dropped); it is what a user
 * wrote, so it is data to the page's language (`translate="no"`). */

import { useMemo } from "react";
import { renderMarkdown } from "../core/markdown";

export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className={`md ${className ?? ""}`} translate="no" dangerouslySetInnerHTML={{ __html: html }} />;
}
