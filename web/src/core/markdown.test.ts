import { describe, expect, it } from "vitest";
import { escapeHtml, renderMarkdown } from "./markdown";

describe("markdown rendering", () => {
  it("formats text", () => {
    expect(renderMarkdown("**bold** and `code`")).toBe("<p><strong>bold</strong> and <code>code</code></p>\n");
  });
  it("never lets markup or script through", () => {
    const out = renderMarkdown('<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3)) <a href="javascript:alert(4)">y</a>');
    expect(out).not.toMatch(/<script|<img|<a href="javascript|onerror="/i);
    expect(out).toContain("&lt;script&gt;");
    expect(renderMarkdown("[x](javascript:alert(1))")).not.toContain("href");
  });
  it("opens links in a new tab without an opener", () => {
    expect(renderMarkdown("[d](https://example.org)")).toContain('<a href="https://example.org" target="_blank" rel="noopener noreferrer">');
  });
  it("escapes text for HTML", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});
