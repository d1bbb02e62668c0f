/**
 * Run file paths named by logged values (media, tables) are data from the run's author: before one
 * becomes part of an API URL it must stay inside the run's files. The rule is the server's
 * (runyard/wire/paths.py): relative, '/'-separated, no '.', '..' or empty parts, no leading '/',
 * drive or URL scheme, no backslashes or control characters. `..` would otherwise be resolved by
 * the browser and make the viewer fetch any API path with their key.
 */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function isSafeFilePath(path: string): boolean {
  if (!path || path.length > 1024 || SCHEME.test(path) || path.startsWith("/")) return false;
  if (/[\\\u0000-\u001f]/.test(path)) return false;
  return path.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}

/** The path as URL segments (each percent-encoded); throws for a path that breaks the rule. */
export function filePathUrl(path: string): string {
  if (!isSafeFilePath(path)) throw new Error(`refusing to fetch file path ${JSON.stringify(path.slice(0, 200))}`);
  return path.split("/").map(encodeURIComponent).join("/");
}
