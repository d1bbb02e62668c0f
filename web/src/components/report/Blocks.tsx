/** A report's blocks: how each shows (live panels, run tables, media, artifact cards, text) and how
 * each is edited. The shapes: `Block` in api/types.ts, generated from runyard/wire/report_blocks.py. */

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../../api/client";
import { fileUrl } from "../../api/media";
import type { Block, Run, RunSet } from "../../api/types";
import { assignColors, runColor } from "../../core/colors";
import { formatBytes, formatDate, formatNumber } from "../../core/format";
import { mediaKeys } from "../../core/media";
import { mixLive } from "../../live";
import type { PanelSettings } from "../../core/persist";
import type { PlotRun } from "../../core/plot";
import { BLOCK_TYPES, listText, selectRuns, splitProject, textList, type BlockType } from "../../core/reportDoc";
import { displayName, fieldValue } from "../../core/runs";
import type { Smoothing } from "../../core/smoothing";
import { parsePanels } from "../../core/view";
import { useAsync } from "../../hooks";
import { t, type MessageKey } from "../../i18n";
import { Link, paths } from "../../router";
import { StateBadge } from "../common";
import { Markdown } from "../Markdown";
import { MediaPanels } from "../media/MediaPanel";
import { Panel } from "../Panel";
import { mixedRunId, type OtherProjectRuns } from "../usePanelData";
import { takeRuns } from "./early";
import { useLiveHub, useLiveOf } from "./live";

/** Charts of a report block show at most this many runs per project (as the workspace does). */
const MAX_RUNS = 100;
const NO_SMOOTHING: Smoothing = { kind: "none", param: 0 };
const NO_SETTINGS: PanelSettings = {};

/** The runs of each project of a run set, kept current as runs are created or deleted. */
function RunSetRuns({ rs, children }: { rs: RunSet; children: (entity: string, project: string, runs: Run[]) => React.ReactNode }) {
  const projects = (rs.projects ?? []).filter((p) => splitProject(p));
  if (!projects.length) return <p className="muted">{t("report.noProjects")}</p>;
  return (
    <>
      {projects.map((name) => (
        <ProjectRuns key={name} name={name} rs={rs}>
          {children}
        </ProjectRuns>
      ))}
    </>
  );
}

/** The runs of one project of a run set; `bare`: without the project's heading and box. */
function ProjectRuns({ name, rs, bare, children }: { name: string; rs: RunSet; bare?: boolean; children: (entity: string, project: string, runs: Run[]) => React.ReactNode }) {
  const [e, p] = splitProject(name)!;
  const hub = useLiveOf(name);
  const all = useAsync((signal) => takeRuns(e, p, signal), [e, p, hub?.tick ?? 0]);
  const sel = useMemo(() => selectRuns(all.data ?? [], rs), [all.data, rs]);
  useEffect(() => {
    if (hub) for (const r of sel.runs) hub.seed(r.id, r.last_step);
  }, [hub, sel.runs]);
  if (all.error) return <p className="error-text" role="alert">{all.error.message}</p>;
  if (!all.data) return <p className="muted">{t("common.loading")}</p>;
  if (bare)
    return (
      <>
        {sel.error && <p className="error-text">{sel.error}</p>}
        {children(e, p, sel.runs)}
      </>
    );
  return (
    <div className="runset" data-project={name}>
      {(rs.projects?.length ?? 0) > 1 && <h4 className="muted">{name}</h4>}
      {sel.error && <p className="error-text">{sel.error}</p>}
      {children(e, p, sel.runs)}
    </div>
  );
}

type PanelsBlock = Extract<Block, { type: "panels" }>;
interface ProjectRunList {
  e: string;
  p: string;
  runs: Run[];
}

/** The runs of every project of a run set, together (charts that mix projects). */
function AllProjectRuns({ names, rs, got, children }: { names: string[]; rs: RunSet; got: ProjectRunList[]; children: (all: ProjectRunList[]) => React.ReactNode }) {
  if (!names.length) return <>{children(got)}</>;
  return (
    <ProjectRuns name={names[0]} rs={rs} bare>
      {(e, p, runs) => (
        <AllProjectRuns names={names.slice(1)} rs={rs} got={[...got, { e, p, runs }]}>
          {children}
        </AllProjectRuns>
      )}
    </ProjectRuns>
  );
}

/**
 * A panel grid. A panel's own settings (its ⚙: smoothing, log y, ...) are the block's
 * `panel_settings`: changed by an editor they go into the report (and its autosave); a reader's
 * changes stay on the page.
 */
function PanelsView({ b, onChange }: { b: PanelsBlock; onChange?: (b: Block) => void }) {
  const s = b.settings ?? {};
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const stored = useMemo(() => parsePanels(b.panel_settings), [b.panel_settings]);
  const [mine, setMine] = useState<Record<string, PanelSettings> | null>(null);
  const panels = onChange ? stored : (mine ?? stored);
  const latest = useRef({ b, panels, onChange });
  latest.current = { b, panels, onChange };
  const onPanel = useCallback((metric: string, ps: PanelSettings) => {
    const { b, panels, onChange } = latest.current;
    const next = { ...panels };
    if (Object.keys(ps).length) next[metric] = ps;
    else delete next[metric];
    if (onChange) onChange({ ...b, panel_settings: next });
    else setMine(next);
  }, []);
  const rs = b.runset ?? {};
  const names = [...new Set((rs.projects ?? []).filter((x) => splitProject(x)).map((x) => x.trim()))];
  if (!names.length) return <p className="muted">{t("report.noProjects")}</p>;
  return (
    <div className="runset" data-project={names.join(" ")}>
      <AllProjectRuns key={names.join("\n")} names={names} rs={rs} got={[]}>
        {(all) => <PanelGrid all={all} b={b} settings={s} panels={panels} onPanel={onPanel} zoom={zoom} onZoom={setZoom} />}
      </AllProjectRuns>
    </div>
  );
}

/**
 * One chart per metric for all the run set's runs, whatever their project: the first project's runs
 * keep their ids, the others' are `entity/project/run` and are queried from their project; with
 * several projects each run's label names its project. Live points reach the charts from every
 * project's stream; a run created or deleted in any of them resolves the run set again.
 */
function PanelGrid(props: {
  all: ProjectRunList[];
  b: PanelsBlock;
  settings: Record<string, unknown>;
  panels: Record<string, PanelSettings>;
  onPanel: (metric: string, s: PanelSettings) => void;
  zoom: [number, number] | null;
  onZoom: (z: [number, number] | null) => void;
}) {
  const { all, b, settings: s, onPanel } = props;
  const [{ e, p }] = all;
  const hub = useLiveHub();
  const live = useMemo(() => {
    const feeds = all.flatMap((x, i) => {
      const bus = hub.get(`${x.e}/${x.p}`)?.live;
      return bus ? [{ live: bus, id: i === 0 ? (r: string) => r : (r: string) => mixedRunId(x.e, x.p, r) }] : [];
    });
    return all.length === 1 ? feeds[0]?.live : feeds.length ? mixLive(feeds) : undefined;
  }, [all, hub]);
  const { chartRuns, others } = useMemo(() => {
    const mixed = all.length > 1;
    const shown = all
      .flatMap((x, i) => x.runs.map((r) => ({ r, x, id: i === 0 ? r.id : mixedRunId(x.e, x.p, r.id) })))
      .slice(0, MAX_RUNS);
    const assigned = assignColors(shown.map((y) => ({ id: y.id, created_at: y.r.created_at })));
    const chartRuns: PlotRun[] = shown.map(({ r, x, id }) => ({ id, label: mixed ? `${displayName(r)} · ${x.e}/${x.p}` : displayName(r), color: runColor(id, {}, assigned) }));
    const others: OtherProjectRuns[] = all
      .slice(1)
      .map((x) => ({ entity: x.e, project: x.p, runs: shown.filter((y) => y.x === x).map((y) => y.r.id) }))
      .filter((o) => o.runs.length);
    return { chartRuns, others };
  }, [all]);
  const metrics = b.metrics ?? [];
  if (!metrics.length) return <p className="muted">{t("report.noMetrics")}</p>;
  const cols = b.columns && b.columns >= 1 && b.columns <= 4 ? b.columns : 2;
  return (
    <div className={`panel-grid report-grid cols-${cols}`}>
      {metrics.map((m) => (
        <Panel
          key={m}
          entity={e}
          project={p}
          metric={m}
          runs={chartRuns}
          groups={null}
          band="minmax"
          smoothing={(s.smoothing as Smoothing) ?? NO_SMOOTHING}
          xAxis={typeof s.xAxis === "string" ? s.xAxis : "_step"}
          logY={s.logY === true}
          ignoreOutliers={s.ignoreOutliers === true}
          settings={props.panels[m] ?? NO_SETTINGS}
          onSettings={(ps) => onPanel(m, ps)}
          zoom={props.zoom}
          onZoom={props.onZoom}
          live={live}
          otherProjects={others.length ? others : undefined}
        />
      ))}
    </div>
  );
}

function RunsView({ b }: { b: Extract<Block, { type: "runs" }> }) {
  const cols = b.columns ?? [];
  return (
    <RunSetRuns rs={b.runset ?? {}}>
      {(e, p, runs) => (
        <table className="report-runs">
          <thead>
            <tr>
              <th>{t("runs.name")}</th>
              <th>{t("runs.state")}</th>
              {cols.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={paths.run(e, p, r.id)}>{displayName(r)}</Link>
                </td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                {cols.map((c) => (
                  <td key={c}>{cellText(fieldValue(r, c))}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </RunSetRuns>
  );
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function MediaView({ b }: { b: Extract<Block, { type: "media" }> }) {
  return (
    <RunSetRuns rs={b.runset ?? {}}>
      {(e, p, runs) => <MediaGrid e={e} p={p} runs={runs} keys={b.keys ?? []} />}
    </RunSetRuns>
  );
}

function MediaGrid({ e, p, runs, keys }: { e: string; p: string; runs: Run[]; keys: string[] }) {
  const hub = useLiveOf(`${e}/${p}`);
  const assigned = useMemo(() => assignColors(runs), [runs]);
  const shown = useMemo(() => runs.slice(0, 6).map((r) => ({ id: r.id, label: displayName(r), color: runColor(r.id, {}, assigned), config: r.config ?? undefined })), [runs, assigned]);
  const all = useMemo(() => mediaKeys(runs.slice(0, 500)), [runs]);
  const chosen = keys.length ? all.filter((k) => keys.includes(k.key)) : all;
  return <MediaPanels entity={e} project={p} runs={shown} keys={chosen} live={hub?.live} />;
}

function ArtifactView({ b }: { b: Extract<Block, { type: "artifact" }> }) {
  const m = /^([^/\s]+)\/([^/\s]+)\/([^:\s]+):(\S+)$/.exec(b.artifact ?? "");
  const v = useAsync(async (signal) => (m ? api.artifactVersion(m[1], m[2], m[3], m[4], false, signal) : null), [b.artifact]);
  if (!m) return <p className="muted">{t("report.artifactHint")}</p>;
  if (v.error) return <p className="error-text" role="alert">{v.error.message}</p>;
  if (!v.data) return <p className="muted">{t("common.loading")}</p>;
  const a = v.data;
  return (
    <div className="artifact-card">
      <Link to={paths.artifact(a.entity, a.project, a.name, a.version)}>
        <b>{a.name}</b>:{a.version}
      </Link>{" "}
      <span className="muted">
        {a.type} · {t("report.files", { n: a.file_count })} · {formatBytes(a.size)} · {formatDate(a.created_at)}
      </span>
      {a.aliases.length > 0 && <span className="muted"> · {a.aliases.join(", ")}</span>}
      {a.description && <Markdown text={a.description} />}
    </div>
  );
}

function ImageView({ b }: { b: Extract<Block, { type: "image" }> }) {
  const m = /^([^/\s]+)\/([^/\s]+)\/(\S+)$/.exec(b.run ?? "");
  const src = useAsync(async () => (m && b.path ? fileUrl(m[1], m[2], m[3], b.path) : null), [b.run, b.path]);
  if (!m || !b.path) return <p className="muted">{t("report.imageHint")}</p>;
  if (src.error) return <p className="error-text" role="alert">{src.error.message}</p>;
  return (
    <figure className="report-image">
      {src.data && <img src={src.data} alt={b.caption ?? b.path} />}
      {b.caption && <figcaption>{b.caption}</figcaption>}
    </figure>
  );
}

/** A block as it shows; `onChange` (an editor's) saves what is changed on the block itself (a panel's settings). */
export function BlockView({ b, onChange }: { b: Block; onChange?: (b: Block) => void }) {
  switch (b.type) {
    case "heading": {
      const l = Math.min(3, Math.max(1, b.level ?? 1));
      return l === 1 ? <h2>{b.text}</h2> : l === 2 ? <h3>{b.text}</h3> : <h4>{b.text}</h4>;
    }
    case "markdown":
      return <Markdown text={b.text ?? ""} />;
    case "code":
      return (
        <pre className="report-code" data-language={b.language}>
          <code>{b.text}</code>
        </pre>
      );
    case "panels":
      return <PanelsView b={b} onChange={onChange} />;
    case "runs":
      return <RunsView b={b} />;
    case "media":
      return <MediaView b={b} />;
    case "artifact":
      return <ArtifactView b={b} />;
    case "image":
      return <ImageView b={b} />;
  }
}

// -- editing -----------------------------------------------------------------------------------------
function RunSetEditor({ rs, onChange }: { rs: RunSet; onChange: (rs: RunSet) => void }) {
  return (
    <>
      <label>
        {t("report.projects")} <input value={listText(rs.projects)} onChange={(e) => onChange({ ...rs, projects: textList(e.target.value) })} />
      </label>{" "}
      <label>
        {t("report.filter")} <input value={rs.filter ?? ""} onChange={(e) => onChange({ ...rs, filter: e.target.value })} />
      </label>
      {rs.runs && rs.runs.length > 0 && (
        <span className="muted">
          {" "}
          {t("report.onlyRuns", { n: rs.runs.length })}{" "}
          <button type="button" className="link" onClick={() => onChange({ ...rs, runs: undefined })}>
            {t("report.allRuns")}
          </button>
        </span>
      )}
    </>
  );
}

/** The fields of one block, edited in place. */
export function BlockEditor({ b, onChange }: { b: Block; onChange: (b: Block) => void }) {
  const label = t(`report.block.${b.type}` as MessageKey);
  switch (b.type) {
    case "heading":
      return (
        <div className="block-fields">
          <input aria-label={label} className="heading-input" value={b.text ?? ""} onChange={(e) => onChange({ ...b, text: e.target.value })} />
          <select aria-label={t("report.level")} value={b.level ?? 1} onChange={(e) => onChange({ ...b, level: Number(e.target.value) })}>
            {[1, 2, 3].map((l) => (
              <option key={l} value={l}>
                H{l}
              </option>
            ))}
          </select>
        </div>
      );
    case "markdown":
      return (
        <div className="block-fields md-edit">
          <textarea aria-label={label} rows={Math.max(4, (b.text ?? "").split("\n").length + 1)} value={b.text ?? ""} onChange={(e) => onChange({ ...b, text: e.target.value })} />
          <Markdown text={b.text ?? ""} className="md-preview" />
        </div>
      );
    case "code":
      return (
        <div className="block-fields">
          <input aria-label={t("report.language")} placeholder={t("report.language")} value={b.language ?? ""} onChange={(e) => onChange({ ...b, language: e.target.value })} />
          <textarea aria-label={label} className="mono" rows={6} value={b.text ?? ""} onChange={(e) => onChange({ ...b, text: e.target.value })} />
        </div>
      );
    case "panels":
      return (
        <div className="block-fields">
          <RunSetEditor rs={b.runset ?? {}} onChange={(runset) => onChange({ ...b, runset })} />{" "}
          <label>
            {t("report.metrics")} <input value={listText(b.metrics)} onChange={(e) => onChange({ ...b, metrics: textList(e.target.value) })} />
          </label>
        </div>
      );
    case "runs":
      return (
        <div className="block-fields">
          <RunSetEditor rs={b.runset ?? {}} onChange={(runset) => onChange({ ...b, runset })} />{" "}
          <label>
            {t("report.columns")} <input value={listText(b.columns)} onChange={(e) => onChange({ ...b, columns: textList(e.target.value) })} />
          </label>
        </div>
      );
    case "media":
      return (
        <div className="block-fields">
          <RunSetEditor rs={b.runset ?? {}} onChange={(runset) => onChange({ ...b, runset })} />{" "}
          <label>
            {t("report.mediaKeys")} <input value={listText(b.keys)} onChange={(e) => onChange({ ...b, keys: textList(e.target.value) })} />
          </label>
        </div>
      );
    case "artifact":
      return (
        <div className="block-fields">
          <label>
            {label} <input placeholder="entity/project/name:v0" value={b.artifact ?? ""} onChange={(e) => onChange({ ...b, artifact: e.target.value })} />
          </label>
        </div>
      );
    case "image":
      return (
        <div className="block-fields">
          <label>
            {t("report.imageRun")} <input placeholder="entity/project/run_id" value={b.run ?? ""} onChange={(e) => onChange({ ...b, run: e.target.value })} />
          </label>{" "}
          <label>
            {t("report.imagePath")} <input value={b.path ?? ""} onChange={(e) => onChange({ ...b, path: e.target.value })} />
          </label>{" "}
          <label>
            {t("report.caption")} <input value={b.caption ?? ""} onChange={(e) => onChange({ ...b, caption: e.target.value })} />
          </label>
        </div>
      );
  }
}

export function BlockTypeSelect({ onAdd }: { onAdd: (type: BlockType) => void }) {
  const [type, setType] = useState<BlockType>("markdown");
  return (
    <span className="add-block">
      <select aria-label={t("report.blockType")} value={type} onChange={(e) => setType(e.target.value as BlockType)}>
        {BLOCK_TYPES.map((k) => (
          <option key={k} value={k}>
            {t(`report.block.${k}` as MessageKey)}
          </option>
        ))}
      </select>{" "}
      <button type="button" onClick={() => onAdd(type)}>
        {t("report.addBlock")}
      </button>
    </span>
  );
}
