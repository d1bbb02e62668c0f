import { useEffect, useState } from "react";
import { api } from "../../api/client";
import { mediaSeries, type StepValues } from "../../core/media";
import type { LiveBus } from "../../live";

/**
 * The values one media key took in each of some runs, by run id (null until the first answer).
 * Keyed by id, not position: when the run list changes, the old answer must never be read against
 * the new list. With a live bus, a run that logs again is re-read.
 */
export function useMediaSeries(
  entity: string,
  project: string,
  runIds: string[],
  mediaKey: string,
  active: boolean,
  live?: LiveBus,
): { byRun: Map<string, StepValues> | null; error: Error | null } {
  const [byRun, setByRun] = useState<Map<string, StepValues> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const ids = runIds.join(",");
  useEffect(() => {
    if (!active || !ids) return;
    const ctrl = new AbortController();
    const read = async (id: string) => {
      const s = (await api.rawValues(entity, project, id, [mediaKey], undefined, ctrl.signal))[0];
      return [id, mediaSeries(s?.step ?? [], s?.value ?? [])] as const;
    };
    const fail = (e: Error) => {
      if (e.name !== "AbortError") setError(e);
    };
    Promise.all(ids.split(",").map(read)).then((pairs) => {
      setByRun(new Map(pairs));
      setError(null);
    }, fail);
    const stop = live?.onRun((id) => {
      if (!ids.split(",").includes(id)) return;
      read(id).then(([rid, s]) => setByRun((m) => new Map(m ?? []).set(rid, s)), fail);
    });
    return () => {
      ctrl.abort();
      stop?.();
    };
  }, [entity, project, ids, mediaKey, active, live]);
  return { byRun, error };
}
