/**
 * Markdown of reports, comments and run notes, rendered with markdown-it (docs/reports.md):
 * `html: false` escapes every raw HTML tag, so text can format but never inject markup; markdown-it's
 * link check refuses `javascript:`, `vbscript:`, `file:` and non-image `data:` URLs. Links open in a
 * new tab without a handle on this page. The app's Content-Security-Policy (no inline script) is the
 * second line of defence.
 */

import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet("target", "_blank");
  tokens[idx].attrSet("rel", "noopener noreferrer");
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Safe HTML for `src` (Markdown). */
export function renderMarkdown(src: string): string {
  return md.render(src);
}

/** `s` with the five HTML-special characters escaped (text placed into generated HTML). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
