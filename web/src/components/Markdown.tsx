/** Markdown as safe HTML (core/markdown.ts: raw HTML escaped, unsafe links dropped). */

import { useMemo } from "react";
import { renderMarkdown } from "../core/markdown";

export function Markdown({ text, className }: { text: string; className?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className={`md ${className ?? ""}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
