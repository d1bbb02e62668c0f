/**
 * Lineage graph layout: runs ⇄ artifact versions as a left-to-right layered graph (data flows
 * producer run → artifact version → consumer run). Longest-path layering, one barycenter pass to
 * order each layer, straight coordinates; no dependency. Cycles (a run using what it logged) are
 * broken by ignoring the edges that close them.
 */

export interface GraphNode {
  id: string;
  kind: "run" | "artifact";
  label: string;
  sub?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
}

export interface PlacedNode extends GraphNode {
  layer: number;
  x: number;
  y: number;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: (GraphEdge & { path: string })[];
  width: number;
  height: number;
}

export const NODE_W = 180;
export const NODE_H = 44;
const GAP_X = 70;
const GAP_Y = 18;
const PAD = 10;

/** Layer of each node: the length of the longest path reaching it (edges closing a cycle ignored). */
export function assignLayers(nodes: GraphNode[], edges: GraphEdge[]): Map<string, number> {
  const ids = new Set(nodes.map((n) => n.id));
  const out = new Map<string, string[]>();
  const indeg = new Map<string, number>();
  for (const n of nodes) {
    out.set(n.id, []);
    indeg.set(n.id, 0);
  }
  const seen = new Set<string>();
  for (const e of edges) {
    const k = `${e.from}\u0000${e.to}`;
    if (!ids.has(e.from) || !ids.has(e.to) || e.from === e.to || seen.has(k)) continue;
    seen.add(k);
    out.get(e.from)!.push(e.to);
    indeg.set(e.to, indeg.get(e.to)! + 1);
  }
  const layer = new Map<string, number>();
  const left = new Map(indeg);
  const queue = nodes.filter((n) => left.get(n.id) === 0).map((n) => n.id);
  for (const id of queue) layer.set(id, 0);
  while (true) {
    while (queue.length) {
      const id = queue.shift()!;
      for (const to of out.get(id)!) {
        if (layer.has(to) && left.get(to)! <= 0) continue;
        layer.set(to, Math.max(layer.get(to) ?? 0, layer.get(id)! + 1));
        left.set(to, left.get(to)! - 1);
        if (left.get(to) === 0) queue.push(to);
      }
    }
    // what is left sits on a cycle: release the first such node (in input order) and go on
    const stuck = nodes.find((n) => left.get(n.id)! > 0);
    if (!stuck) break;
    left.set(stuck.id, 0);
    if (!layer.has(stuck.id)) layer.set(stuck.id, 0);
    queue.push(stuck.id);
  }
  return layer;
}

/** Place the nodes: columns by layer, rows ordered by the mean row of their predecessors. */
export function layoutGraph(nodes: GraphNode[], edges: GraphEdge[]): GraphLayout {
  const layer = assignLayers(nodes, edges);
  const nLayers = nodes.length ? Math.max(...nodes.map((n) => layer.get(n.id)!)) + 1 : 0;
  const cols: GraphNode[][] = Array.from({ length: nLayers }, () => []);
  for (const n of nodes) cols[layer.get(n.id)!].push(n);
  const preds = new Map<string, string[]>();
  for (const e of edges) {
    if (!preds.has(e.to)) preds.set(e.to, []);
    preds.get(e.to)!.push(e.from);
  }
  const row = new Map<string, number>();
  cols.forEach((col, li) => {
    const key = (n: GraphNode) => {
      const ps = (preds.get(n.id) ?? []).filter((p) => row.has(p) && layer.get(p)! < li);
      return ps.length ? ps.reduce((s, p) => s + row.get(p)!, 0) / ps.length : Infinity;
    };
    const keyed = col.map((n, i) => ({ n, k: key(n), i }));
    keyed.sort((a, b) => (a.k === b.k ? a.i - b.i : a.k - b.k));
    col.splice(0, col.length, ...keyed.map((x) => x.n));
    col.forEach((n, i) => row.set(n.id, i));
  });
  const tallest = Math.max(0, ...cols.map((c) => c.length));
  const height = tallest ? PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y : 0;
  const width = nLayers ? PAD * 2 + nLayers * NODE_W + (nLayers - 1) * GAP_X : 0;
  const placed = new Map<string, PlacedNode>();
  cols.forEach((col, li) => {
    const colH = col.length * NODE_H + (col.length - 1) * GAP_Y;
    const top = (height - colH) / 2;
    col.forEach((n, i) => placed.set(n.id, { ...n, layer: li, x: PAD + li * (NODE_W + GAP_X), y: top + i * (NODE_H + GAP_Y) }));
  });
  const edgesOut: (GraphEdge & { path: string })[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    const k = `${e.from}\u0000${e.to}`;
    if (!a || !b || a === b || seen.has(k)) continue;
    seen.add(k);
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const dx = Math.max(30, Math.abs(x2 - x1) / 2);
    edgesOut.push({ ...e, path: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}` });
  }
  return { nodes: nodes.map((n) => placed.get(n.id)!), edges: edgesOut, width, height };
}
