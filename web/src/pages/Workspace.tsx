/** Project workspace: runs table beside auto-created metric panels, all state in the URL. */

import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import { ApiError } from "../api/http";
import { useRunActions } from "../actions";
import { ColumnPicker } from "../components/ColumnPicker";
import { WorkspaceToolbar } from "../components/WorkspaceToolbar";
import { ErrorPage, FirstRunHint, Modal, Spinner } from "../components/common";
import { defaultChartHeight, Panel } from "../components/Panel";
import { PanelEditor } from "../components/PanelEditor";
import { ScalarCard } from "../components/ScalarCard";
import { movePanel, newPanel, PANEL_LIMITS, panelMetrics, panelTitle, type PanelSpec } from "../core/panels";
import { HEIGHT_STEP, PanelCell } from "../components/PanelCell";
import { MediaPanels, type MediaRun } from "../components/media/MediaPanel";
import { RunsParamPanels } from "../components/RunsParamPanels";
import { sameIds } from "../core/sweeps";
import { mediaKeys } from "../core/media";
import { BASE_COLUMNS, RunsTable, type Column } from "../components/RunsTable";
import { assignColors, PALETTE, runColor } from "../core/colors";
import { tryCompileFilter } from "../core/filter";
import { groupRuns } from "../core/grouping";
import type { PlotGroup, PlotRun } from "../core/plot";
import { columnKeys, compactRun, displayName, knownField, naturalCompare, sortRuns, valueFields } from "../core/runs";
import { ROOT_SECTION, searchMatcher, sectionLabel, sectionPanels, SYSTEM_SECTION } from "../core/sections";
import { arrange, moveItem, withName, withSize } from "../core/layout";
import { gridStyle, MetricGrid, SectionHead } from "../components/WorkspaceSections";
import { fromShown, isVisible, toggleVisible } from "../core/urlstate";
import { useAsync, useGridColumns } from "../hooks";
import { useProjectLive } from "../live";
import { Link, navigate, paths, useTitle } from "../router";
import { useProjectRuns, useRunDocs, useStored, useWorkspaceShortcuts, useWorkspaceView } from "./useWorkspace";
import { ViewsMenu } from "../components/ViewsMenu";
import { AddToReport } from "../components/report/AddToReport";
import { formatCount, t } from "../i18n";

/** Charts overlay at most this many visible runs (the first in table order), like W&B's run limit. */
export const MAX_CHART_RUNS = 100;
/** media panels show runs side by side: the first few visible runs */
export const MAX_MEDIA_RUNS = 6;
const NO_KEYS: string[] = [];
const MEDIA_SECTION = "(media)";
const CUSTOM_SECTION = "(custom)";
const PARAMS_SECTION = "(params)";

export function Workspace({ entity, project }: { entity: string; project: string }) {
  useTitle(`${entity}/${project}`);
  const projectKey = `${entity}/${project}`;
  const view = useWorkspaceView(projectKey);
  const { st, update, colors, setColors, panels: panelSettings, panelSetter: settingsCb } = view;
  const { predicate, error: filterError, fields: filterKeys } = useMemo(() => tryCompileFilter(st.filter), [st.filter]);
  // the table holds only the config/summary values its columns, filter, sort and grouping name
  const fields = useMemo(
    () => valueFields([...(st.columns ?? []), ...filterKeys, ...(st.sort ? [st.sort.key] : []), ...(st.groupBy ? [st.groupBy] : [])]),
    [st.columns, filterKeys, st.sort, st.groupBy],
  );
  const { runs, setRuns, error: loadError, reload, added, tick, holds } = useProjectRuns(entity, project, fields);
  // a filter or sort naming a value the rows do not hold yet applies once it has loaded (until then
  // the table shows every run in its previous order, not a wrong selection)
  const filterReady = holds(valueFields(filterKeys));
  const sort = st.sort && holds(valueFields([st.sort.key])) ? st.sort : null;

  const keys = useAsync(
    async (signal) => (runs ? (await api.projectKeys(entity, project, "history", signal)).map((k) => k.key) : ([] as string[])),
    [entity, project, runs === null, runs?.length ?? 0, tick],
  );

  // -- live updates ------------------------------------------------------------------------------
  const { live, connected, seed } = useProjectLive(entity, project, {
    created: added,
    deleted: (id) => setRuns((rs) => (rs ? rs.filter((r) => r.id !== id) : rs)),
    updated: (detail) => setRuns((rs) => (rs ? rs.map((r) => (r.id === detail.id ? compactRun({ ...r, ...detail }) : r)) : rs)),
  });
  useEffect(() => {
    if (runs) for (const r of runs) seed(r.id, r.last_step);
  }, [runs, seed]);

  // -- derived -----------------------------------------------------------------------------------
  // the Parameters section (parallel coordinates, scatter) starts closed: it draws every shown run
  const [paramsOpen, setParamsOpen] = useStored<boolean>(`runyard:params-open:${projectKey}`, false);
  const matching = useMemo(() => (runs ? (filterReady ? runs.filter(predicate) : runs) : []), [runs, predicate, filterReady]);
  const filtered = useMemo(() => sortRuns(matching, sort), [matching, sort]);
  const allIds = useMemo(() => filtered.map((r) => r.id), [filtered]);
  const visible = useCallback((id: string) => isVisible(st.visibility, id), [st.visibility]);
  // brushing the Parameters section's parallel coordinates narrows the runs table to the runs inside
  const [brushedIds, setBrushedIds] = useState<Set<string> | null>(null);
  const onBrushed = useCallback((ids: Set<string> | null) => setBrushedIds((prev) => (sameIds(prev, ids) ? prev : ids)), []);
  const tableRuns = useMemo(() => (brushedIds ? filtered.filter((r) => brushedIds.has(r.id)) : filtered), [filtered, brushedIds]);
  const shownRuns = useMemo(() => filtered.filter((r) => visible(r.id)).slice(0, MAX_CHART_RUNS), [filtered, visible]);
  // what draws config and summary values (parameters, scalar cards, media) gets the whole runs
  const { sample, docs } = useRunDocs(entity, project, useMemo(() => shownRuns.map((r) => r.id), [shownRuns]), tick);
  const paramRuns = useMemo(() => shownRuns.map((r) => docs.get(r.id) ?? r), [shownRuns, docs]);
  const assigned = useMemo(() => assignColors(runs ?? []), [runs]);
  const colorOf = useCallback((id: string) => runColor(id, colors, assigned), [colors, assigned]);
  const chartRuns: PlotRun[] = useMemo(
    () => shownRuns.map((r) => ({ id: r.id, label: displayName(r), color: colorOf(r.id) })),
    [shownRuns, colorOf],
  );
  const groups: PlotGroup[] | null = useMemo(() => {
    if (!st.groupBy) return null;
    const byId = new Map(filtered.map((r) => [r.id, r]));
    const members = chartRuns.map((c) => byId.get(c.id)!).filter(Boolean);
    return groupRuns(members, st.groupBy).map((g, i) => ({ key: g.key, label: g.label, color: PALETTE[i % PALETTE.length], runIds: g.runs.map((r) => r.id) }));
  }, [st.groupBy, filtered, chartRuns]);
  const cols = useMemo(() => (sample ? columnKeys(sample) : { config: [], summary: [] }), [sample]);
  // keys are known from the sample of whole runs: until it has come, no key is called unknown (the
  // rows and their filtered values can arrive first, and the warning showed beside a matching filter)
  const unknownKeys = useMemo(() => (sample ? filterKeys.filter((k) => !knownField(k, cols)) : []), [sample, filterKeys, cols]);
  const columns: Column[] = useMemo(
    () => [...BASE_COLUMNS, ...(st.columns ?? []).map((k) => ({ key: k, label: k.replace(/^(config|summary)\./, ""), width: 110 }))],
    [st.columns],
  );
  const allMedia = useMemo(() => (sample ? mediaKeys(sample.slice(0, 500)) : []), [sample]);
  const mediaSet = useMemo(() => new Set(allMedia.map((k) => k.key)), [allMedia]);
  const shownMedia = useMemo(() => {
    const q = st.search.trim().toLowerCase();
    return q ? allMedia.filter((k) => k.key.toLowerCase().includes(q.replace(/^\/|\/$/g, ""))) : allMedia;
  }, [allMedia, st.search]);
  const mediaRuns: MediaRun[] = useMemo(
    () => chartRuns.slice(0, MAX_MEDIA_RUNS).map((c, i) => ({ ...c, config: paramRuns[i]?.config })),
    [chartRuns, paramRuns],
  );
  // metric sections, their panels in the user's order (`all`) and those the panel search shows (`keys`)
  const metricSections = useMemo(() => sectionPanels((keys.data ?? []).filter((k) => !mediaSet.has(k))), [keys.data, mediaSet]);
  const sections = useMemo(() => {
    const match = searchMatcher(st.search);
    return metricSections
      .map((sec) => {
        const all = arrange(sec.keys, st.layout.order[sec.name]);
        return { name: sec.name, all, keys: all.filter(match) };
      })
      .filter((sec) => sec.keys.length);
  }, [metricSections, st.search, st.layout.order]);
  const bySection = useMemo(() => new Map(sections.map((sec) => [sec.name, sec])), [sections]);
  // every section in the user's order; by default added panels, parameters, metric sections, media, system
  const sectionOrder = useMemo(() => {
    const names = metricSections.map((sec) => sec.name);
    const defaults = [CUSTOM_SECTION, PARAMS_SECTION, ...names.filter((n) => n !== SYSTEM_SECTION), MEDIA_SECTION, ...names.filter((n) => n === SYSTEM_SECTION)];
    return arrange(defaults, st.layout.sections);
  }, [metricSections, st.layout.sections]);
  // x axis choices: numeric metrics only (a media key has no number to put on an axis)
  const metricKeys = useMemo(() => (keys.data ?? []).filter((k) => !mediaSet.has(k)).sort(naturalCompare), [keys.data, mediaSet]);

  // a scalar card shows summary values: also of keys only ever set in the summary
  const summaryKeys = useMemo(() => [...new Set([...metricKeys, ...cols.summary])].filter((k) => !k.startsWith("_")).sort(naturalCompare), [metricKeys, cols.summary]);
  const custom = useMemo(
    () => st.custom.map((spec) => {
      const metrics = panelMetrics(spec, spec.kind === "scalar" ? summaryKeys : metricKeys);
      return { spec, metrics, title: panelTitle(spec, metrics) };
    }),
    [st.custom, metricKeys, summaryKeys],
  );
  const [editing, setEditing] = useState<{ spec: PanelSpec; adding: boolean } | null>(null);
  const [customGrid, customColumns] = useGridColumns();
  const editorKeys = useMemo(() => metricKeys.filter((k) => !k.startsWith("_")), [metricKeys]);
  const savePanel = (p: PanelSpec) => {
    const i = st.custom.findIndex((x) => x.id === p.id);
    update({ custom: i < 0 ? [...st.custom, p] : st.custom.map((x) => (x.id === p.id ? p : x)) });
    setEditing(null);
  };

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [picker, setPicker] = useState(false);
  const [help, setHelp] = useState(false);
  const [toReport, setToReport] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);
  const actions = useRunActions(entity, project, (removed) => {
    if (removed) setSelected(new Set());
    reload();
  });

  const focusFilter = useCallback(() => filterRef.current?.focus(), []);
  const showHelp = useCallback(() => setHelp(true), []);
  const resetZoom = useCallback(() => update({ zoom: null }), [update]);
  useWorkspaceShortcuts({ filter: focusFilter, help: showHelp, resetZoom: st.zoom ? resetZoom : null });

  const onZoom = useCallback((z: [number, number] | null) => update({ zoom: z }), [update]);
  if (loadError) return <ErrorPage error={loadError} onRetry={reload} />;
  if (view.loading) return <Spinner label={t("views.loading")} />;
  if (!runs) return <Spinner label={t("ws.loadingRuns")} />;
  if (runs.length === 0 && !loadError)
    return (
      <div className="page">
        <Breadcrumb entity={entity} project={project} />
        <FirstRunHint project={project} />
      </div>
    );

  const selectedRuns = runs.filter((r) => selected.has(r.id));
  const shownIds = sectionOrder.filter((id) => (id === CUSTOM_SECTION ? custom.length > 0 : id === MEDIA_SECTION ? shownMedia.length > 0 : id === PARAMS_SECTION || bySection.has(id)));
  const panelProps = {
    entity,
    project,
    runs: chartRuns,
    groups,
    band: st.band,
    smoothing: st.smoothing,
    xAxis: st.xAxis,
    logY: st.logY,
    ignoreOutliers: st.ignoreOutliers,
    zoom: st.zoom,
    onZoom,
    live,
    syncKey: projectKey,
  };

  return (
    <div className="workspace">
      <div className="ws-top">
        <Breadcrumb entity={entity} project={project} />
        <Link to={paths.artifacts(entity, project)} className="ws-link">{t("ws.artifacts")}</Link>
        <Link to={paths.sweeps(entity, project)} className="ws-link">{t("sweep.list")}</Link>
        <Link to={paths.reports(entity, project)} className="ws-link">{t("report.reports")}</Link>
        <ViewsMenu entity={entity} project={project} view={view} />
        <Link to={paths.projectSettings(entity, project)} className="ws-link">{t("project.settings")}</Link>
        <span className={`live-dot${connected ? " on" : ""}`} title={t(connected ? "ws.liveOn" : "ws.liveOff")}>
          {t(connected ? "ws.live" : "ws.offline")}
        </span>
        <button type="button" className="icon" aria-label={t("ws.shortcuts")} onClick={() => setHelp(true)}>?</button>
      </div>
      <WorkspaceToolbar
        st={st}
        update={update}
        filterRef={filterRef}
        filterError={filterError}
        unknownKeys={unknownKeys}
        groupKeys={cols.config}
        // media keys are known from the sample of whole runs: until it has come the x-axis menu offers
        // no metric rather than media keys (the CI saw "samples" there once)
        metricKeys={sample ? metricKeys : NO_KEYS}
      />
      <div className="ws-main">
        <aside className="ws-runs" aria-label={t("ws.runs")}>
          <div className="ws-runs-bar">
            <span aria-live="polite">
              {filtered.length === runs.length ? t("ws.runCount", { n: formatCount(runs.length) }) : t("ws.runCountOf", { shown: formatCount(filtered.length), n: formatCount(runs.length) })}
              {chartRuns.length < filtered.filter((r) => visible(r.id)).length && t("ws.chartsFirst", { n: MAX_CHART_RUNS })}
              {brushedIds && <span data-testid="ws-brushed">{t("wsplots.brushed", { n: formatCount(tableRuns.length) })}</span>}
            </span>
            {!holds(fields) && <span className="muted">{t("ws.loadingValues")}</span>}
            <button type="button" onClick={() => update({ visibility: { mode: "all" } })}>{t("ws.showAll")}</button>
            <button type="button" onClick={() => update({ visibility: fromShown(new Set(), allIds) })}>{t("ws.hideAll")}</button>
            <button type="button" onClick={() => setPicker(true)}>{t("ws.columns")}</button>
            {selected.size > 0 && (
              <>
                <span className="muted">{t("ws.selected", { n: selected.size })}</span>
                <button type="button" disabled={selected.size < 2} onClick={() => navigate(paths.compare(entity, project, [...selected]))}>{t("ws.compare")}</button>
                <button type="button" onClick={() => actions.addTags(selectedRuns)}>{t("ws.tag")}</button>
                <button type="button" onClick={() => actions.move(selectedRuns)}>{t("ws.move")}</button>
                <button type="button" className="danger" onClick={() => actions.confirmDelete(selectedRuns)}>{t("ws.delete")}</button>
              </>
            )}
          </div>
          <RunsTable
            entity={entity}
            project={project}
            runs={tableRuns}
            columns={columns}
            sort={st.sort}
            // with thousands of runs, re-sorting and re-rendering is a transition (rendered in slices
            // between frames, so the click never holds up a frame); small tables sort at once
            onSort={(sort) => (runs.length > 1000 ? startTransition(() => update({ sort })) : update({ sort }))}
            visible={visible}
            onToggleVisible={(id) => update({ visibility: toggleVisible(st.visibility, id, allIds) })}
            color={colorOf}
            onColor={(id, c) => setColors({ ...colors, [id]: c })}
            selected={selected}
            onSelect={setSelected}
            height={Math.max(300, window.innerHeight - 190)}
          />
        </aside>
        <main className="ws-panels" aria-label={t("ws.charts")}>
          <div className="panels-bar">
            <input type="search" aria-label={t("ws.searchPanels")} placeholder={t("ws.searchPanelsHint")} value={st.search} onChange={(e) => update({ search: e.target.value })} />
            <label>
              {t("ws.gridColumns")}{" "}
              <select value={st.gridColumns} onChange={(e) => update({ gridColumns: Number(e.target.value) })}>
                <option value={0}>{t("ws.gridAuto")}</option>
                {[1, 2, 3, 4].map((n) => (
                  <option key={n} value={n}>{n}</option>
                ))}
              </select>
            </label>
            <button
              type="button"
              disabled={st.custom.length >= PANEL_LIMITS.panels}
              title={st.custom.length >= PANEL_LIMITS.panels ? t("editor.full", { n: PANEL_LIMITS.panels }) : undefined}
              onClick={() => setEditing({ spec: newPanel(st.custom), adding: true })}
            >
              + {t("ws.addPanel")}
            </button>
            <button type="button" disabled={sections.length === 0} onClick={() => setToReport(true)}>{t("report.addPanels")}</button>
            {keys.loading && <span className="muted">{t("ws.loadingMetrics")}</span>}
          </div>
          {keys.error && <div className="error-text" role="alert">{keys.error.message}</div>}
          {!keys.loading && sections.length === 0 && <p className="muted">{st.search ? t("ws.noPanelMatch") : t("ws.noMetrics")}</p>}
          {shownIds.map((id, i) => {
            const collapsed = st.collapsed.includes(id);
            const toggle = () => update({ collapsed: collapsed ? st.collapsed.filter((c) => c !== id) : [...st.collapsed, id] });
            const head = (label: string, data: boolean, count: number | undefined, open = !collapsed, onToggle = toggle) => {
              const name = st.layout.names[id] ?? label;
              return {
                name,
                el: (
                  <SectionHead
                    label={name}
                    data={data || id in st.layout.names}
                    count={count}
                    collapsed={!open}
                    onToggle={onToggle}
                    onRename={(n) => update({ layout: withName(st.layout, id, n) })}
                    onUp={i > 0 ? () => update({ layout: { ...st.layout, sections: moveItem(sectionOrder, id, shownIds[i - 1]) } }) : null}
                    onDown={i < shownIds.length - 1 ? () => update({ layout: { ...st.layout, sections: moveItem(sectionOrder, id, shownIds[i + 1]) } }) : null}
                  />
                ),
              };
            };
            if (id === CUSTOM_SECTION) {
              const h = head(t("ws.custom"), false, custom.length);
              return (
                <section key={id} className="section" aria-label={t("ws.section", { name: h.name })}>
                  {h.el}
                  {!collapsed && (
                    <div className="panel-grid" style={gridStyle(st.gridColumns)} ref={customGrid}>
                      {custom.map(({ spec, metrics, title }, i) => {
                        const edit = () => setEditing({ spec, adding: false });
                        const remove = () => update({ custom: st.custom.filter((x) => x.id !== spec.id) });
                        return (
                          <PanelCell
                            key={spec.id}
                            id={spec.id}
                            group={CUSTOM_SECTION}
                            index={i}
                            name={title}
                            w={spec.w}
                            h={spec.h}
                            columns={customColumns}
                            onMove={(from, to) => update({ custom: movePanel(st.custom, from, to) })}
                            onResize={(w, h) => update({ custom: st.custom.map((x) => (x.id === spec.id ? { ...x, w, h } : x)) })}
                          >
                            {(h) =>
                              spec.kind === "scalar" ? (
                                <ScalarCard spec={spec} title={title} metrics={metrics} runs={paramRuns} color={colorOf} onEdit={edit} onRemove={remove} minHeight={h > 1 ? 120 + (h - 1) * HEIGHT_STEP : undefined} />
                              ) : (
                                <Panel {...panelProps} metric={title} metrics={metrics} settings={panelSettings[`#${spec.id}`] ?? {}} onSettings={settingsCb(`#${spec.id}`)} onEdit={edit} onRemove={remove} height={h > 1 ? defaultChartHeight() + (h - 1) * HEIGHT_STEP : undefined} />
                              )
                            }
                          </PanelCell>
                        );
                      })}
                    </div>
                  )}
                </section>
              );
            }
            if (id === PARAMS_SECTION) {
              // its open state is the browser's (it starts closed: it draws every shown run)
              const h = head(t("wsplots.section"), false, undefined, paramsOpen, () => setParamsOpen(!paramsOpen));
              return (
                <section key={id} className="section" aria-label={t("ws.section", { name: h.name })}>
                  {h.el}
                  {paramsOpen && <RunsParamPanels runs={paramRuns} color={colorOf} label={displayName} keys={cols} onBrushed={onBrushed} />}
                </section>
              );
            }
            if (id === MEDIA_SECTION) {
              const h = head(t("ws.media"), false, shownMedia.length);
              return (
                <section key={id} className="section" aria-label={t("ws.section", { name: h.name })}>
                  {h.el}
                  {!collapsed && (mediaRuns.length ? <MediaPanels entity={entity} project={project} runs={mediaRuns} keys={shownMedia} live={live} /> : <p className="muted">{t("ws.noVisibleRuns")}</p>)}
                </section>
              );
            }
            const sec = bySection.get(id)!;
            const h = head(sectionLabel(sec.name), sec.name !== ROOT_SECTION, sec.keys.length);
            return (
              <section key={id} className="section" aria-label={t("ws.section", { name: h.name })}>
                {h.el}
                {!collapsed && (
                  <MetricGrid
                    section={sec.name}
                    keys={sec.keys}
                    sizes={st.layout.sizes}
                    gridColumns={st.gridColumns}
                    onMove={(a, b) => update({ layout: { ...st.layout, order: { ...st.layout.order, [sec.name]: moveItem(sec.all, a, b) } } })}
                    onResize={(k, w, h) => update({ layout: withSize(st.layout, k, w, h) })}
                    panel={(k, height) => (
                      <Panel {...panelProps} metric={k} settings={panelSettings[k] ?? {}} onSettings={settingsCb(k)} onFullscreen={() => update({ panel: k })} height={height} />
                    )}
                  />
                )}
              </section>
            );
          })}
        </main>
      </div>
      {st.panel && (
        <Modal title={st.panel} onClose={() => update({ panel: null })} wide>
          <Panel {...panelProps} metric={st.panel} settings={panelSettings[st.panel] ?? {}} onSettings={settingsCb(st.panel)} height={Math.round(window.innerHeight * 0.65)} fullscreen syncKey={undefined} />
        </Modal>
      )}
      {picker && <ColumnPicker config={cols.config} summary={cols.summary} chosen={st.columns ?? []} onChange={(c) => update({ columns: c.length ? c : null })} onClose={() => setPicker(false)} />}
      {help && <ShortcutsDialog onClose={() => setHelp(false)} />}
      {editing && <PanelEditor initial={editing.spec} adding={editing.adding} keys={editorKeys} summaryKeys={summaryKeys} onSave={savePanel} onClose={() => setEditing(null)} />}
      {toReport && (
        <AddToReport
          entity={entity}
          project={project}
          st={st}
          metrics={sections.filter((s) => !st.collapsed.includes(s.name)).flatMap((s) => s.keys)}
          runIds={st.visibility.mode === "all" ? null : chartRuns.map((r) => r.id)}
          panelSettings={panelSettings}
          onClose={() => setToReport(false)}
        />
      )}
      {actions.dialog}
    </div>
  );
}

export function Breadcrumb({ entity, project, run }: { entity: string; project: string; run?: string }) {
  return (
    <nav className="breadcrumb" aria-label={t("ws.breadcrumb")}>
      <Link to={paths.home()}>{t("home.title")}</Link> / <Link to={paths.entity(entity)} translate="no">{entity}</Link> /{" "}
      {run ? <Link to={paths.workspace(entity, project)} translate="no">{project}</Link> : <b translate="no">{project}</b>}
      {run && (
        <>
          {" "}/ <b translate="no">{run}</b>
        </>
      )}
    </nav>
  );
}

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const rows = [
    ["/", t("ws.key.filter")],
    ["?", t("ws.key.help")],
    ["z", t("ws.key.zoom")],
    [t("ws.key.drag"), t("ws.key.dragHelp")],
    [t("ws.key.dbl"), t("ws.key.dblHelp")],
    ["Esc", t("ws.key.esc")],
    ["Tab / Shift+Tab", t("ws.key.tab")],
  ];
  return (
    <Modal title={t("ws.shortcuts")} onClose={onClose}>
      <table className="kv">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th><kbd>{k}</kbd></th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}
