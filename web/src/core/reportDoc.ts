/**
 * Report blocks as the UI edits them: their types are generated from runyard/wire/report_blocks.py
 * (api/types.ts); here new blocks, and run sets (a saved filter over one or more projects) resolved to runs.
 */

import { tryCompileFilter } from "./filter";
import type { Block, RunSet } from "../api/types";
import type { RunLike } from "./runs";

export type BlockType = Block["type"];
export const BLOCK_TYPES: BlockType[] = ["heading", "markdown", "panels", "runs", "media", "artifact", "code", "image"];

let seq = 0;
/** An id unique within a report (time and a counter: two editors adding blocks at once do not clash). */
export function blockId(): string {
  seq = (seq + 1) % 1e6;
  return `${Date.now().toString(36)}${seq.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export function newBlock(type: BlockType, project: string): Block {
  const id = blockId();
  const runset = { projects: [project], filter: "" };
  switch (type) {
    case "heading":
      return { id, type, text: "", level: 1 };
    case "panels":
      return { id, type, runset, metrics: [] };
    case "runs":
      return { id, type, runset, columns: [] };
    case "media":
      return { id, type, runset, keys: [] };
    case "artifact":
      return { id, type, artifact: "" };
    case "code":
      return { id, type, text: "", language: "" };
    case "image":
      return { id, type, run: "", path: "", caption: "" };
    default:
      return { id, type: "markdown", text: "" };
  }
}

/** The runs of one project a run set selects: its filter (the workspace's language), then its run list. */
export function selectRuns<R extends RunLike & { id: string }>(runs: R[], rs: RunSet): { runs: R[]; error: string | null } {
  const { predicate, error } = tryCompileFilter(rs.filter ?? "");
  const only = rs.runs && rs.runs.length ? new Set(rs.runs) : null;
  return { runs: runs.filter((r) => predicate(r) && (!only || only.has(r.id))), error: error ? error.message : null };
}

/** "entity/project" -> [entity, project], or null when it is not that shape. */
export function splitProject(s: string): [string, string] | null {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(s.trim());
  return m ? [m[1], m[2]] : null;
}

/** Comma-separated text <-> list (editing list fields in one input). */
export const listText = (xs: string[] | undefined) => (xs ?? []).join(", ");
export const textList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * JSON text with every object's keys sorted: equal for equal blocks whatever their key order
 * (PostgreSQL's jsonb gives keys back in its own order, SQLite as they were written).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
