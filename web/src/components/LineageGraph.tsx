/** Lineage of an artifact version: runs ⇄ versions a few hops out, drawn as a layered SVG graph. */

import { useMemo, useState } from "react";
import { api } from "../api/client";
import type { LinkedRun, RunArtifactLink } from "../api/types";
import { layoutGraph, NODE_H, NODE_W, type GraphEdge, type GraphNode } from "../core/lineage";
import { useAsync } from "../hooks";
import { navigate, paths } from "../router";
import { ErrorPage, Spinner, stateLabel } from "./common";
import { t } from "../i18n";
import { Message } from "../i18n/Message";

interface Node extends GraphNode {
  href: string;
  root?: boolean;
}

const MAX_NODES = 80;

/** Walk the graph breadth-first from one version: one request per node (API-NEEDS: lineage). */
export async function walkLineage(
  e: string,
  p: string,
  name: string,
  version: string,
  hops: number,
  signal?: AbortSignal,
): Promise<{ nodes: Node[]; edges: GraphEdge[]; truncated: boolean }> {
  const root = await api.artifactVersion(e, p, name, version, false, signal);
  const nodes = new Map<string, Node>();
  const edges: GraphEdge[] = [];
  type Item = { id: string; depth: number; kind: "artifact"; e: string; p: string; name: string; version: string } | { id: string; depth: number; kind: "run"; e: string; p: string; run: string };
  const artId = (x: { entity: string; project: string; name: string; version?: string }) => `a:${x.entity}/${x.project}/${x.name}:${x.version}`;
  const runId = (r: { entity: string; project: string; id: string }) => `r:${r.entity}/${r.project}/${r.id}`;
  const queue: Item[] = [];
  let truncated = false;
  const addRun = (r: LinkedRun, depth: number): string => {
    const id = runId(r);
    if (!nodes.has(id)) {
      if (nodes.size >= MAX_NODES) truncated = true;
      nodes.set(id, { id, kind: "run", label: r.name || r.id, sub: `${t("lineage.runSub", { state: stateLabel(r.state) })}${r.project !== p ? ` · ${r.project}` : ""}`, href: paths.run(r.entity, r.project, r.id) });
      if (depth <= hops && nodes.size < MAX_NODES) queue.push({ id, depth, kind: "run", e: r.entity, p: r.project, run: r.id });
    }
    return id;
  };
  const addArt = (a: RunArtifactLink, depth: number): string | null => {
    // pending: its upload is not committed yet; deleted: a tombstone, with no lineage of its own to follow
    if (!a.version || a.state === "deleted") return null;
    const id = artId(a);
    if (!nodes.has(id)) {
      if (nodes.size >= MAX_NODES) truncated = true;
      nodes.set(id, { id, kind: "artifact", label: `${a.name}:${a.version}`, sub: `${a.type ?? "artifact"}${a.aliases?.length ? ` · ${a.aliases.join(", ")}` : ""}`, href: paths.artifact(a.entity, a.project, a.name, a.version) });
      if (depth <= hops && nodes.size < MAX_NODES) queue.push({ id, depth, kind: "artifact", e: a.entity, p: a.project, name: a.name, version: a.version });
    }
    return id;
  };
  const rootId = addArt(root, 0)!;
  nodes.get(rootId)!.root = true;
  while (queue.length) {
    const it = queue.shift()!;
    if (it.depth >= hops) continue;
    if (it.kind === "artifact") {
      const l = await api.artifactLineage(it.e, it.p, it.name, it.version, signal);
      for (const r of l.logged_by) edges.push({ from: addRun(r, it.depth + 1), to: it.id });
      for (const r of l.used_by) edges.push({ from: it.id, to: addRun(r, it.depth + 1) });
    } else {
      const l = await api.runArtifacts(it.e, it.p, it.run, signal);
      for (const a of l.logged) {
        const id = addArt(a, it.depth + 1);
        if (id) edges.push({ from: it.id, to: id });
      }
      for (const a of l.used) {
        const id = addArt(a, it.depth + 1);
        if (id) edges.push({ from: id, to: it.id });
      }
    }
  }
  return { nodes: [...nodes.values()], edges: edges.filter((x) => nodes.has(x.from) && nodes.has(x.to)), truncated };
}

export function LineageGraph({ entity, project, name, version }: { entity: string; project: string; name: string; version: string }) {
  const [hops, setHops] = useState(3);
  const g = useAsync((s) => walkLineage(entity, project, name, version, hops, s), [entity, project, name, version, hops]);
  const layout = useMemo(() => (g.data ? layoutGraph(g.data.nodes, g.data.edges) : null), [g.data]);
  if (g.error) return <ErrorPage error={g.error} onRetry={g.reload} />;
  const byId = new Map((g.data?.nodes ?? []).map((n) => [n.id, n]));
  return (
    <section aria-label={t("lineage.title")} className="lineage">
      <div className="lineage-bar">
        <label>
          {t("lineage.hops")}{" "}
          <select value={hops} onChange={(ev) => setHops(Number(ev.target.value))}>
            {[1, 2, 3, 4, 5, 6].map((h) => <option key={h} value={h}>{h}</option>)}
          </select>
        </label>
        <span className="muted">
          <Message id="lineage.legend" parts={{ run: <span className="legend run" />, artifact: <span className="legend artifact" /> }} />
        </span>
        {g.data?.truncated && <span className="muted">{t("lineage.first", { n: MAX_NODES })}</span>}
      </div>
      {!layout || g.loading ? (
        <Spinner label={t("lineage.loading")} />
      ) : (
        <div className="lineage-scroll" translate="no">
          <svg width={layout.width} height={layout.height} role="img" aria-label={t("lineage.graph", { name: `${name}:${version}` })} className="lineage-svg">
            <defs>
              <marker id="lineage-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" fill="#8a93a3" />
              </marker>
            </defs>
            {layout.edges.map((ed) => (
              <path key={`${ed.from}>${ed.to}`} d={ed.path} className="lineage-edge" markerEnd="url(#lineage-arrow)" />
            ))}
            {layout.nodes.map((n) => {
              const node = byId.get(n.id)!;
              return (
                <a
                  key={n.id}
                  href={node.href}
                  aria-label={t(n.kind === "run" ? "lineage.runNode" : "lineage.artifactNode", { name: n.label })}
                  data-node={n.id}
                  className={`lineage-node ${n.kind}${node.root ? " root" : ""}`}
                  onClick={(ev) => {
                    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
                    ev.preventDefault();
                    navigate(node.href);
                  }}
                >
                  <rect x={n.x} y={n.y} width={NODE_W} height={NODE_H} rx={n.kind === "run" ? 4 : 14} />
                  <text x={n.x + 10} y={n.y + 18} className="lineage-label">{clip(n.label, 22)}</text>
                  <text x={n.x + 10} y={n.y + 34} className="lineage-sub">{clip(n.sub ?? "", 28)}</text>
                  <title>{`${n.label}\n${n.sub ?? ""}`}</title>
                </a>
              );
            })}
          </svg>
        </div>
      )}
    </section>
  );
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
