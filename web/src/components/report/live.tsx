/** One live stream per project a report's run sets name (browsers allow few connections per host),
 * shared by every block through a context: a block hears its project's new points and runs. */

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { splitProject } from "../../core/reportDoc";
import { useProjectLive, type LiveBus } from "../../live";

export interface ProjectLive {
  live: LiveBus;
  /** goes up when a run is created or deleted (run sets are resolved again) */
  tick: number;
  seed: (id: string, step: number | null | undefined) => void;
}

const Hub = createContext<Map<string, ProjectLive>>(new Map());

export function useLiveOf(project: string): ProjectLive | undefined {
  return useContext(Hub).get(project);
}

/** Every project's stream by `entity/project` (a chart mixing projects hears all of its projects). */
export function useLiveHub(): Map<string, ProjectLive> {
  return useContext(Hub);
}

export function LiveProjects({ projects, children }: { projects: string[]; children: ReactNode }) {
  const [hub, setHub] = useState<Map<string, ProjectLive>>(new Map());
  const report = useCallback((name: string, entry: ProjectLive) => setHub((h) => new Map(h).set(name, entry)), []);
  return (
    <>
      {projects.map((p) => (splitProject(p) ? <LiveSource key={p} name={p} report={report} /> : null))}
      <Hub.Provider value={hub}>{children}</Hub.Provider>
    </>
  );
}

function LiveSource({ name, report }: { name: string; report: (name: string, e: ProjectLive) => void }) {
  const [e, p] = splitProject(name)!;
  const [tick, setTick] = useState(0);
  const bump = useCallback(() => setTick((x) => x + 1), []);
  const { live, seed } = useProjectLive(e, p, { created: bump, deleted: bump });
  useEffect(() => report(name, { live, tick, seed }), [name, live, tick, seed, report]);
  return null;
}
