/**
 * A report page's first requests, started together instead of one after another: the report as soon
 * as the address is known (beside the viewer, not after it), and the runs of each project its run
 * sets name as soon as the report arrives (not once its blocks have rendered). Each answer is taken
 * once, by the first component that asks, within a few seconds; every later ask (a reload, a run
 * created) goes to the server as before.
 */

import { api } from "../../api/client";
import type { Report, Run } from "../../api/types";
import { splitProject } from "../../core/reportDoc";

/** An answer not taken by then is dropped: it would be stale for a page opened later. */
const FRESH_MS = 10_000;
const early = new Map<string, { at: number; answer: Promise<unknown> }>();

function start<T>(key: string, make: () => Promise<T>): void {
  if (early.has(key)) return;
  const answer = make();
  answer.catch(() => early.delete(key)); // a failure is asked again by the page itself
  early.set(key, { at: performance.now(), answer });
}

/** The early answer for `key` when there is a fresh one (taken: asked once), else `ask()`. */
function take<T>(key: string, ask: () => Promise<T>): Promise<T> {
  const e = early.get(key);
  early.delete(key);
  return e && performance.now() - e.at < FRESH_MS ? (e.answer as Promise<T>) : ask();
}

/** Start a report page's requests: the report, then its run-set projects' runs. */
export function startReport(id: number): void {
  start(`report:${id}`, () =>
    api.report(id).then((r) => {
      for (const b of r.blocks) {
        for (const name of ("runset" in b && b.runset?.projects) || []) {
          const ep = splitProject(name);
          if (ep) start(`runs:${ep[0]}/${ep[1]}`, () => api.allRuns(ep[0], ep[1]));
        }
      }
      return r;
    }),
  );
}

export const takeReport = (id: number, signal: AbortSignal): Promise<Report> => take(`report:${id}`, () => api.report(id, signal));

export const takeRuns = (e: string, p: string, signal: AbortSignal): Promise<Run[]> => take(`runs:${e}/${p}`, () => api.allRuns(e, p, { signal }));
