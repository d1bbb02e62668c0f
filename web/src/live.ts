/**
 * Live tail: the workspace hears `run.updated` on the SSE stream, fetches only the points logged since
 * the last step it has (history/raw?min_step=), and hands them to the panels showing that run/key,
 * which merge them into their bucket grid (core/series.appendPoints). Whole histories are never
 * refetched for a live update.
 */

export interface LivePoints {
  run: string;
  key: string;
  steps: number[];
  values: (number | null)[];
}

type Listener = (p: LivePoints) => void;

export class LiveBus {
  private subs = new Map<string, Set<Listener>>();
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
}
