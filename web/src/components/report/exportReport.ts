/** A report's static export (core/reportExport.ts) filled with its data: each panel grid's charts as
 * the server's buckets (mean per bucket), each run table's rows, at the time of export. */

import { api } from "../../api/client";
import { fileBytes } from "../../api/media";
import type { Report, RunSet } from "../../api/types";
import { assignColors, runColor } from "../../core/colors";
import { formatBytes, formatDate } from "../../core/format";
import { mediaItems, mediaKeys } from "../../core/media";
import { selectRuns, splitProject } from "../../core/reportDoc";
import { exportHtml, type ExportBlock, type ExportChart } from "../../core/reportExport";
import { displayName, fieldValue } from "../../core/runs";
import { parsePanels } from "../../core/view";
import { t } from "../../i18n";
import { xAxisLabel } from "../Panel";
import { mixedRunId } from "../usePanelData";
import { cellText } from "./Blocks";

const BUCKETS = 300;
const MAX_RUNS = 100;

async function runsOf(rs: RunSet) {
  const out = [];
  for (const name of rs.projects ?? []) {
    const ep = splitProject(name);
    if (!ep) continue;
    out.push({ e: ep[0], p: ep[1], name, runs: selectRuns(await api.allRuns(ep[0], ep[1]), rs).runs });
  }
  return out;
}

const MIME: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp" };

/** A run's image file as a data: URL (PNG, JPEG, GIF, WebP), or null when it cannot be embedded. */
async function imageData(e: string, p: string, run: string, path: string): Promise<string | null> {
  const mime = MIME[path.split(".").pop()?.toLowerCase() ?? ""];
  if (!mime) return null;
  try {
    const bytes = new Uint8Array(await fileBytes(e, p, run, path));
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return `data:${mime};base64,${btoa(bin)}`;
  } catch {
    return null;
  }
}

/** An image block with its file embedded (a data URL), or a note naming it when it cannot be. */
async function imageBlock(run: string, path: string, caption: string): Promise<ExportBlock> {
  const m = /^([^/\s]+)\/([^/\s]+)\/(\S+)$/.exec(run);
  const src = m ? await imageData(m[1], m[2], m[3], path) : null;
  if (!src) return { kind: "note", text: t("report.exportImage", { path: `${run} ${path}`, caption }) };
  return { kind: "image", src, caption: caption || path };
}

/** Media panels shown by the page (the first MEDIA_RUNS runs of each project): the latest image of
 * each image key embedded, other media named. */
const MEDIA_RUNS = 6;
const MEDIA_ITEMS = 48;
async function mediaBlocks(rs: RunSet, keys: string[]): Promise<ExportBlock[]> {
  const out: ExportBlock[] = [];
  for (const { e, p, name, runs } of await runsOf(rs)) {
    const shown = runs.slice(0, MEDIA_RUNS);
    const all = mediaKeys(shown);
    const chosen = keys.length ? all.filter((k) => keys.includes(k.key)) : all;
    const items: Extract<ExportBlock, { kind: "media" }>["items"] = [];
    for (const k of chosen)
      for (const r of shown) {
        const label = `${k.key} · ${displayName(r)}`;
        for (const it of mediaItems(r.summary?.[k.key])) {
          if (items.length >= MEDIA_ITEMS) break;
          const src = it.kind === "image" ? await imageData(e, p, r.id, it.path) : null;
          if (src) items.push({ src, caption: it.caption ? `${label}: ${it.caption}` : label });
          else items.push({ note: t("report.exportMediaItem", { key: k.key, run: displayName(r), kind: it.kind }) });
        }
      }
    out.push({ kind: "media", caption: name, items });
  }
  return out;
}

/** An artifact version's card: name:version, type, files, size, date, aliases, description. */
async function artifactBlock(ref: string): Promise<ExportBlock> {
  const m = /^([^/\s]+)\/([^/\s]+)\/([^:\s]+):(\S+)$/.exec(ref);
  try {
    if (!m) throw new Error(ref);
    const a = await api.artifactVersion(m[1], m[2], m[3], m[4], false);
    return {
      kind: "artifact",
      title: `${a.entity}/${a.project}/${a.name}:${a.version}`,
      details: [a.type, t("report.files", { n: a.file_count }), formatBytes(a.size), formatDate(a.created_at)].join(" · "),
      aliases: a.aliases.length ? t("report.aliases", { list: a.aliases.join(", ") }) : "",
      description: a.description ?? "",
    };
  } catch {
    return { kind: "note", text: t("report.exportArtifact", { name: ref }) };
  }
}

export async function buildExport(r: Report): Promise<string> {
  const blocks: ExportBlock[] = [];
  for (const b of r.blocks) {
    if (b.type === "heading") blocks.push({ kind: "heading", text: b.text ?? "", level: b.level ?? 1 });
    else if (b.type === "markdown") blocks.push({ kind: "markdown", text: b.text ?? "" });
    else if (b.type === "code") blocks.push({ kind: "code", text: b.text ?? "", language: b.language ?? "" });
    else if (b.type === "panels") {
      const x0 = typeof b.settings?.xAxis === "string" ? b.settings.xAxis : "_step";
      const own = parsePanels(b.panel_settings);
      // one chart per metric for the runs of every project of the run set (as the page shows them)
      const sets = await runsOf(b.runset ?? {});
      if (!sets.length) continue;
      const mixed = sets.length > 1;
      const shown = sets.flatMap((set, i) => set.runs.map((r) => ({ r, set, id: i === 0 ? r.id : mixedRunId(set.e, set.p, r.id) }))).slice(0, MAX_RUNS);
      const assigned = assignColors(shown.map((y) => ({ id: y.id, created_at: y.r.created_at })));
      const charts: ExportChart[] = [];
      for (const metric of b.metrics ?? []) {
        const x = own[metric]?.xAxis ?? x0;
        const series: ExportChart["series"] = [];
        for (const set of sets) {
          const mine = shown.filter((y) => y.set === set);
          if (!mine.length) continue;
          const h = await api.history(set.e, set.p, { key: metric, runs: mine.map((y) => y.r.id), buckets: BUCKETS, x_axis: x });
          for (const s of h.series) {
            const y = mine.find((m) => m.r.id === s.run);
            const id = y?.id ?? s.run;
            const label = y ? displayName(y.r) + (mixed ? ` · ${set.name}` : "") : s.run;
            series.push({ label, color: runColor(id, {}, assigned), x: s.last_x, y: s.mean });
          }
        }
        charts.push({ title: metric, xLabel: xAxisLabel(x), series });
      }
      const caption = t("report.exportRuns", { project: sets.map((set) => set.name).join(", "), n: shown.length });
      blocks.push({ kind: "charts", caption, charts });
    } else if (b.type === "runs") {
      const cols = b.columns ?? [];
      for (const { name, runs } of await runsOf(b.runset ?? {})) {
        const rows = runs.map((run) => [displayName(run), run.state, ...cols.map((c) => cellText(fieldValue(run, c)))]);
        blocks.push({ kind: "table", caption: name, columns: [t("runs.name"), t("runs.state"), ...cols], rows });
      }
    } else if (b.type === "artifact") blocks.push(await artifactBlock(b.artifact ?? ""));
    else if (b.type === "media") blocks.push(...(await mediaBlocks(b.runset ?? {}, b.keys ?? [])));
    else if (b.type === "image") blocks.push(await imageBlock(b.run ?? "", b.path ?? "", b.caption ?? ""));
  }
  return exportHtml(r.title, blocks, t("report.exportFooter", { project: `${r.entity}/${r.project}`, v: r.version, at: formatDate(Date.now() / 1000) }));
}
