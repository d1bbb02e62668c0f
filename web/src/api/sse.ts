/**
 * The live event stream (server-sent events), read with fetch() rather than EventSource so that
 * reconnecting, with backoff, is ours (the session cookie goes along as with every other request).
 */

import { baseHeaders, url } from "./http";
import type { StreamEvent } from "./types";

/** Split complete SSE blocks off `buf`: the data of each (lines joined) and the incomplete rest. */
export function parseSse(buf: string): { data: string[]; rest: string } {
  const data: string[] = [];
  let i: number;
  while ((i = buf.indexOf("\n\n")) >= 0) {
    const block = buf.slice(0, i);
    buf = buf.slice(i + 2);
    const d = block
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trimStart())
      .join("\n");
    if (d) data.push(d);
  }
  return { data, rest: buf };
}

/** Subscribe to a project's live events; reconnects with backoff; returns an unsubscribe function. */
export function subscribe(project: string, onEvent: (ev: StreamEvent) => void, onStatus?: (connected: boolean) => void): () => void {
  let stopped = false;
  let ctrl: AbortController | null = null;
  let delay = 500;
  const loop = async () => {
    while (!stopped) {
      ctrl = new AbortController();
      try {
        const res = await fetch(url("/api/v1/stream", { project }), { credentials: "same-origin", headers: baseHeaders(), signal: ctrl.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onStatus?.(true);
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseSse(buf + value);
          buf = parsed.rest;
          for (const d of parsed.data) {
            try {
              onEvent(JSON.parse(d) as StreamEvent);
            } catch {
              /* ignore a malformed event */
            }
          }
        }
      } catch {
        /* fall through to reconnect */
      }
      if (stopped) break;
      onStatus?.(false);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void loop();
  return () => {
    stopped = true;
    ctrl?.abort();
  };
}
