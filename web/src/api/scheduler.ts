/**
 * Chart queries go through a small priority queue: at most HISTORY_CONCURRENCY in flight (the server
 * answers them on a few threads; more at once only makes every answer late), lower `priority` first
 * (0: the panel the user just zoomed, which also has the server to itself until it is answered;
 * then panels in page order). Requests issued in one render are sorted before the first is sent.
 */

const HISTORY_CONCURRENCY = 4;
interface Queued {
  priority: number;
  seq: number;
  start: () => void;
}
const queue: Queued[] = [];
let inFlight = 0;
let urgentInFlight = 0;
let seq = 0;
let pumpScheduled = false;

function pump(): void {
  pumpScheduled = false;
  queue.sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  while (inFlight < HISTORY_CONCURRENCY && queue.length && (urgentInFlight === 0 || queue[0].priority === 0)) {
    queue.shift()!.start();
  }
}

export function scheduled<T>(priority: number, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const item: Queued = {
      priority,
      seq: seq++,
      start: () => {
        if (signal?.aborted) return reject(new DOMException("aborted", "AbortError"));
        const urgent = priority === 0;
        inFlight++;
        if (urgent) urgentInFlight++;
        run()
          .then(resolve, reject)
          .finally(() => {
            inFlight--;
            if (urgent) urgentInFlight--;
            pump();
          });
      },
    };
    signal?.addEventListener("abort", () => {
      const i = queue.indexOf(item);
      if (i >= 0) {
        queue.splice(i, 1);
        reject(new DOMException("aborted", "AbortError"));
      }
    });
    queue.push(item);
    if (priority === 0 && urgentInFlight === 0 && inFlight < HISTORY_CONCURRENCY) {
      queue.pop();
      item.start(); // the panel the user is waiting for: no need to wait for this render's others
      return;
    }
    if (!pumpScheduled) {
      pumpScheduled = true;
      setTimeout(pump, 0);
    }
  });
}
