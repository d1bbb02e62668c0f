/**
 * Live tail: a page hears `run.updated` on the SSE stream (useProjectLive), fetches only the points
 * logged since the last step it has (history/raw?min_step=), and hands them to the panels showing
 * that run/key, which merge them into their bucket grid (core/series.appendPoints). Whole histories
 * are never refetched for a live update. Media panels hear that a run changed (`onRun`) and re-read
 * their key of that run (one small dict per logged step).
 */

import { useEffect, useMemo, useRef, useState } from "react";
import { api } from "./api/client";
import { subscribe } from "./api/sse";
import type { RunDetail } from "./api/types";

export interface LivePoints {
  run: string;
  key: string;
  steps: number[];
  values: (number | null)[];
}

type Listener = (p: LivePoints) => void;
type RunListener = (run: string) => void;

/** What a panel listens to: one project's bus, or several projects' buses as one (`mixLive`). */
export interface LiveFeed {
  subscribe(key: string, fn: Listener): () => void;
  onRun(fn: RunListener): () => void;
}

export class LiveBus implements LiveFeed {
  private subs = new Map<string, Set<Listener>>();
  private runSubs = new Set<RunListener>();
  /** metric keys some mounted panel shows (the workspace asks the server only for these) */
  keys(): string[] {
    return [...this.subs.keys()];
  }
  subscribe(key: string, fn: Listener): () => void {
    let s = this.subs.get(key);
    if (!s) this.subs.set(key, (s = new Set()));
    s.add(fn);
    return () => {
      s!.delete(fn);
      if (!s!.size) this.subs.delete(key);
    };
  }
  emit(p: LivePoints): void {
    this.subs.get(p.key)?.forEach((fn) => fn(p));
  }
  onRun(fn: RunListener): () => void {
    this.runSubs.add(fn);
    return () => {
      this.runSubs.delete(fn);
    };
  }
  emitRun(run: string): void {
    this.runSubs.forEach((fn) => fn(run));
  }
}

/**
 * Several projects' buses as one feed, for a chart that mixes projects: each bus's run ids are
 * renamed by its `id` (the chart's ids for runs of other projects are `entity/project/run`).
 * A subscription subscribes to every bus, so each project's stream fetches the keys shown.
 */
export function mixLive(feeds: { live: LiveFeed; id: (run: string) => string }[]): LiveFeed {
  return {
    subscribe: (key, fn) => {
      const stops = feeds.map((f) => f.live.subscribe(key, (p) => fn({ ...p, run: f.id(p.run) })));
      return () => stops.forEach((s) => s());
    },
    onRun: (fn) => {
      const stops = feeds.map((f) => f.live.onRun((run) => fn(f.id(run))));
      return () => stops.forEach((s) => s());
    },
  };
}

export interface ProjectLiveHandlers {
  created?: (runId: string) => void;
  deleted?: (runId: string) => void;
  /** a run changed: its fresh detail (state, summary, duration) */
  updated?: (run: RunDetail) => void;
}

/**
 * Follow a project's live events: each `run.updated` (coalesced per run over 250 ms) fetches the
 * run's detail and the points logged since the last step seen for the keys some panel shows. Events
 * carry the run's `last_step`: when the page already has it, no points are fetched.
 * `seed` tells the last step a page already has for a run (from its list or detail). With `onlyRun`,
 * other runs' events are ignored (a run page asks nothing about its project's other runs).
 */
export function useProjectLive(entity: string, project: string, handlers: ProjectLiveHandlers, onlyRun?: string) {
  const live = useMemo(() => new LiveBus(), []);
  const lastStep = useRef(new Map<string, number>());
  const on = useRef(handlers);
  on.current = handlers;
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const pending = new Map<string, ReturnType<typeof setTimeout>>();
    const announced = new Map<string, number>(); // the last step the events of a run have told
    const tail = async (id: string) => {
      const ks = live.keys();
      try {
        on.current.updated?.(await api.run(entity, project, id));
        const after = lastStep.current.get(id) ?? -1;
        const told = announced.get(id);
        if (ks.length && (told === undefined || told > after)) {
          let max = after;
          for (const s of await api.rawTail(entity, project, id, ks, after)) {
            if (!s.found || !s.step?.length) continue;
            const values = (s.value ?? []).map((v) => (typeof v === "number" ? v : null));
            max = Math.max(max, s.step[s.step.length - 1]);
            live.emit({ run: id, key: s.key, steps: s.step, values });
          }
          lastStep.current.set(id, max);
        }
        live.emitRun(id);
      } catch {
        /* the next event retries */
      }
    };
    const stop = subscribe(
      `${entity}/${project}`,
      (ev) => {
        if (!("run_id" in ev)) return; // artifact and access events are not about a run
        if (onlyRun !== undefined && ev.run_id !== onlyRun) return;
        if (ev.type === "run.created") on.current.created?.(ev.run_id);
        else if (ev.type === "run.deleted") on.current.deleted?.(ev.run_id);
        else if (ev.type === "run.updated" && typeof ev.last_step === "number") {
          announced.set(ev.run_id, Math.max(ev.last_step, announced.get(ev.run_id) ?? -1));
        }
        if (ev.type === "run.updated" && !pending.has(ev.run_id)) {
          pending.set(
            ev.run_id,
            setTimeout(() => {
              pending.delete(ev.run_id);
              void tail(ev.run_id);
            }, 250),
          );
        }
      },
      setConnected,
    );
    return () => {
      stop();
      pending.forEach((t) => clearTimeout(t));
    };
  }, [entity, project, live, onlyRun]);
  const seed = useMemo(
    () => (id: string, step: number | null | undefined) => {
      if (!lastStep.current.has(id)) lastStep.current.set(id, step ?? -1);
    },
    [],
  );
  return { live, connected, seed };
}
