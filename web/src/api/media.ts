/**
 * Run files for media elements. The server wants `Authorization` on every file request, which
 * <img>/<audio>/<video> src cannot send, so files are fetched with the key and shown through blob:
 * URLs (web/API-NEEDS.md "Media" asks for signed URLs to drop this). Files are content-addressed by
 * path (the SDK puts a content hash in every media file name), so each is fetched once per page
 * and kept in a small LRU; evicted blob URLs are revoked.
 */

import { api } from "./client";
import { ApiError } from "./http";

/**
 * A live run's history row can name a media file before the uploader has sent the file: a 404 is
 * asked again, backing off (1 + 2 + 4 + 8 + 16 s), before it is shown as an error.
 */
const MISSING_RETRIES = 5;

async function fileResponse(e: string, p: string, id: string, path: string): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await api.fileResponse(e, p, id, path);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404) || i >= MISSING_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** i));
    }
  }
}

const MAX_URLS = 600;
const urls = new Map<string, Promise<string>>();
const texts = new Map<string, Promise<unknown>>();

function k(e: string, p: string, id: string, path: string): string {
  return `${e}/${p}/${id}/${path}`;
}

/** A blob: URL of a run file (shared by every element showing it). */
export function fileUrl(e: string, p: string, id: string, path: string): Promise<string> {
  const key = k(e, p, id, path);
  let u = urls.get(key);
  if (u) {
    urls.delete(key); // LRU: move to the end
    urls.set(key, u);
    return u;
  }
  u = fileResponse(e, p, id, path).then(async (r) => URL.createObjectURL(await r.blob()));
  u.catch(() => urls.delete(key));
  urls.set(key, u);
  while (urls.size > MAX_URLS) {
    const [oldKey, old] = urls.entries().next().value as [string, Promise<string>];
    urls.delete(oldKey);
    old.then((x) => setTimeout(() => URL.revokeObjectURL(x), 5000), () => {});
  }
  return u;
}

/** A run file parsed as JSON (tables, boxes, point clouds, plotly figures), cached. */
export function fileJson<T = unknown>(e: string, p: string, id: string, path: string): Promise<T> {
  const key = "json:" + k(e, p, id, path);
  let t = texts.get(key);
  if (!t) {
    t = fileResponse(e, p, id, path).then((r) => r.json());
    t.catch(() => texts.delete(key));
    texts.set(key, t);
    if (texts.size > 64) texts.delete(texts.keys().next().value as string);
  }
  return t as Promise<T>;
}

/** A run file as text (html pages). Not cached: pages are small and shown one at a time. */
export async function fileText(e: string, p: string, id: string, path: string): Promise<string> {
  return (await fileResponse(e, p, id, path)).text();
}

/** A run file's bytes (audio to decode for the waveform). */
export async function fileBytes(e: string, p: string, id: string, path: string): Promise<ArrayBuffer> {
  return (await fileResponse(e, p, id, path)).arrayBuffer();
}
