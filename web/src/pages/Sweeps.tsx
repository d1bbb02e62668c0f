/**
 * Sweeps: a project's list, and a sweep's page: state and controls (pause, resume, stop), the metric
 * over trials, parallel coordinates (brushing an axis filters the trials table), the metric against
 * each parameter, parameter importance and correlation (computed by the server, docs/sweeps.md), and
 * the Pareto front of a sweep with two metrics.
 */

import { useEffect, useMemo, useState } from "react";
import { api } from "../api/client";
import type { SweepDetail, SweepState, SweepTrial } from "../api/types";
import { ErrorPage, StateBadge, Spinner } from "../components/common";
import { ParallelCoordinates } from "../components/ParallelCoordinates";
import { Scatter, type Point } from "../components/Scatter";
import { formatDate } from "../core/format";
import { bestSoFar, brushed, flattenParams, makeAxis, rampColor, tick, type Axis, type Brush, type Row } from "../core/sweeps";
import { useAsync } from "../hooks";
import { formatCount, t, type MessageKey } from "../i18n";
import { Link, paths, useTitle } from "../router";

const REFRESH_MS = 5000; // a running sweep's page follows its trials

interface Metric {
  name: string;
  goal: "minimize" | "maximize";
}

function metricsOf(doc: { config: SweepDetail["config"] }): Metric[] {
  const m = doc.config.metric;
  const list = Array.isArray(m) ? m : m ? [m] : [];
  return list.map((x) => ({ name: x.name, goal: x.goal === "maximize" ? "maximize" : "minimize" }));
}

function SweepStateBadge({ state }: { state: string }) {
  return <span className={`state state-${state} sweep-state`} data-state={state}><span className="state-dot" aria-hidden="true" />{t(`sweep.state.${state}` as MessageKey)}</span>;
}

function Crumbs({ entity, project, sweep }: { entity: string; project: string; sweep?: string }) {
  return (
    <nav className="breadcrumb" aria-label={t("ws.breadcrumb")}>
      <Link to={paths.home()}>{t("home.title")}</Link> / <span>{entity}</span> / <Link to={paths.workspace(entity, project)}>{project}</Link> /{" "}
      {sweep ? <Link to={paths.sweeps(entity, project)}>{t("sweep.list")}</Link> : <b>{t("sweep.list")}</b>}
      {sweep && <> / <b>{sweep}</b></>}
    </nav>
  );
}

// -- a project's sweeps -------------------------------------------------------------------------------
export function SweepsPage({ entity, project }: { entity: string; project: string }) {
  useTitle(`${t("sweep.list")} · ${project}`);
  const list = useAsync((s) => api.sweeps(entity, project, s), [entity, project]);
  if (list.error) return <ErrorPage error={list.error} onRetry={list.reload} />;
  if (!list.data) return <Spinner label={t("sweep.loading")} />;
  return (
    <div className="page sweeps-page">
      <Crumbs entity={entity} project={project} />
      <h1>{t("sweep.list")}</h1>
      {!list.data.length && <p className="muted">{t("sweep.none")} <code>runyard sweep sweep.yaml</code></p>}
      {list.data.length > 0 && (
        <table className="list sweeps-list">
          <thead>
            <tr>
              <th scope="col">{t("sweep.name")}</th>
              <th scope="col">{t("sweep.stateCol")}</th>
              <th scope="col">{t("sweep.method")}</th>
              <th scope="col">{t("sweep.metric")}</th>
              <th scope="col">{t("sweep.trials")}</th>
              <th scope="col">{t("sweep.created")}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id} data-sweep={s.id}>
                <td><Link to={paths.sweep(entity, project, s.id)}><b>{s.config.name ?? s.id}</b></Link> <span className="muted">{s.id}</span></td>
                <td><SweepStateBadge state={s.state} /></td>
                <td>{s.method}</td>
                <td>{metricsOf(s).map((m) => `${m.name} (${t(`sweep.goal.${m.goal}`)})`).join(", ")}</td>
                <td className="num">{formatCount(s.trial_count)}{s.running ? <span className="muted"> · {t("sweep.runningN", { n: s.running })}</span> : null}</td>
                <td>{formatDate(s.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

// -- one sweep ----------------------------------------------------------------------------------------
export function SweepPage({ entity, project, id }: { entity: string; project: string; id: string }) {
  useTitle(`${t("sweep.one", { id })} · ${project}`);
  const [tick_, setTick] = useState(0);
  const doc = useAsync((s) => api.sweep(entity, project, id, s), [entity, project, id, tick_]);
  const active = doc.data?.state === "running" || doc.data?.state === "paused";
  useEffect(() => {
    if (!active) return;
    const h = setInterval(() => setTick((v) => v + 1), REFRESH_MS);
    return () => clearInterval(h);
  }, [active]);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [brushes, setBrushes] = useState<Brush[]>([]);
  if (doc.error && !doc.data) return <ErrorPage error={doc.error} onRetry={doc.reload} />;
  if (!doc.data) return <Spinner label={t("sweep.loading")} />;
  const d = doc.data;

  const change = async (state: SweepState) => {
    setBusy(true);
    setActionError(null);
    try {
      await api.setSweepState(entity, project, id, state);
      setTick((v) => v + 1);
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="page sweep-page">
      <Crumbs entity={entity} project={project} sweep={d.config.name ?? id} />
      <header className="run-head">
        <h1>{d.config.name ?? id}</h1>
        <SweepStateBadge state={d.state} />
        <span className="spacer" />
        {d.state === "running" && <button type="button" disabled={busy} onClick={() => change("paused")}>{t("sweep.pause")}</button>}
        {d.state === "paused" && <button type="button" disabled={busy} onClick={() => change("running")}>{t("sweep.resume")}</button>}
        {active && <button type="button" className="danger" disabled={busy} onClick={() => change("stopped")}>{t("sweep.stop")}</button>}
      </header>
      {actionError && <div className="error-text" role="alert">{actionError}</div>}
      <SweepBody d={d} brushes={brushes} setBrushes={setBrushes} />
    </div>
  );
}

function SweepBody({ d, brushes, setBrushes }: { d: SweepDetail; brushes: Brush[]; setBrushes: (b: Brush[]) => void }) {
  const metrics = metricsOf(d);
  const main = metrics[0];
  const params = useMemo(() => {
    const keys = new Set<string>();
    for (const tr of d.trials) for (const k of Object.keys(flattenParams(tr.params))) keys.add(k);
    return [...keys];
  }, [d.trials]);
  const rows: Row[] = useMemo(() => {
    const vals = main ? d.trials.map((tr) => tr.metrics[main.name]).filter((v): v is number => typeof v === "number") : [];
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    return d.trials.map((tr) => {
      const v = main ? tr.metrics[main.name] : null;
      let rank: number | null = typeof v === "number" && hi > lo ? (v - lo) / (hi - lo) : typeof v === "number" ? 0 : null;
      if (rank !== null && main?.goal === "maximize") rank = 1 - rank;
      return { id: String(tr.index), label: `#${tr.index} ${tr.run_id}`, color: rampColor(rank), values: { ...flattenParams(tr.params), ...tr.metrics } };
    });
  }, [d.trials, main]);
  const axes = useMemo(() => [...params, ...metrics.map((m) => m.name)].map((k) => makeAxis(k, rows)).filter((a): a is Axis => a !== null), [params, metrics, rows]);
  const kept = useMemo(() => new Set(brushed(rows, axes, brushes).map((r) => r.id)), [rows, axes, brushes]);
  const shown = d.trials.filter((tr) => kept.has(String(tr.index)));
  const running = d.trials.filter((tr) => tr.state === "running").length;
  const front = new Set(d.pareto_front);

  return (
    <>
      <p className="muted sweep-facts">
        {t("sweep.facts", { method: d.method ?? "", n: formatCount(d.trials.length), running })}
        {metrics.length > 0 && <> · {metrics.map((m) => `${m.name} (${t(`sweep.goal.${m.goal}`)})`).join(", ")}</>} · <code>runyard agent {d.entity}/{d.project}/{d.id}</code>
      </p>
      {!d.trials.length && <p className="muted">{t("sweep.noTrials")}</p>}
      {d.trials.length > 0 && (
        <div className="sweep-grid">
          {metrics.map((m) => (
            <section key={m.name} className="section panel-card" aria-label={t("sweep.overTrials", { name: m.name })}>
              <h2>{t("sweep.overTrials", { name: m.name })}</h2>
              <OverTrials trials={d.trials} metric={m} rows={rows} />
            </section>
          ))}
          {metrics.length >= 2 && (
            <section className="section panel-card" aria-label={t("sweep.pareto")}>
              <h2>{t("sweep.pareto")} <span className="muted">({front.size})</span></h2>
              <Scatter
                testId="pareto"
                label={t("sweep.pareto")}
                xLabel={metrics[0].name}
                yLabel={metrics[1].name}
                points={d.trials.map((tr, i) => ({ id: String(tr.index), label: `#${tr.index}`, color: rows[i].color, x: tr.metrics[metrics[0].name], y: tr.metrics[metrics[1].name], ring: front.has(tr.index), dim: !front.has(tr.index) }))}
                line={[...d.trials].filter((tr) => front.has(tr.index)).sort((a, b) => (a.metrics[metrics[0].name] ?? 0) - (b.metrics[metrics[0].name] ?? 0)).map((tr) => ({ x: tr.metrics[metrics[0].name], y: tr.metrics[metrics[1].name] }))}
              />
            </section>
          )}
          <Importance d={d} metrics={metrics} />
        </div>
      )}
      {d.trials.length > 0 && (
        <section className="section" aria-label={t("sweep.parcoords")}>
          <h2>
            {t("sweep.parcoords")}{" "}
            {brushes.length > 0 && <button type="button" onClick={() => setBrushes([])}>{t("sweep.clearBrushes")}</button>}
          </h2>
          <p className="muted">{t("sweep.brushHelp")}</p>
          <ParallelCoordinates rows={rows} axes={axes} brushes={brushes} onBrush={setBrushes} label={t("sweep.parcoords")} />
        </section>
      )}
      {d.trials.length > 0 && params.length > 0 && main && (
        <section className="section" aria-label={t("sweep.vsParams", { name: main.name })}>
          <h2>{t("sweep.vsParams", { name: main.name })}</h2>
          <div className="sweep-grid">
            {params.map((p) => (
              <Scatter
                key={p}
                testId={`scatter-${p}`}
                label={`${main.name} / ${p}`}
                xLabel={p}
                yLabel={main.name}
                points={rows.map((r) => ({ id: r.id, label: r.label, color: r.color, x: r.values[p], y: r.values[main.name], dim: !kept.has(r.id) }))}
              />
            ))}
          </div>
        </section>
      )}
      <section className="section" aria-label={t("sweep.trials")}>
        <h2>{t("sweep.trials")} <span className="muted" data-testid="trial-count">{shown.length === d.trials.length ? formatCount(d.trials.length) : t("sweep.shownOf", { shown: shown.length, n: d.trials.length })}</span></h2>
        <TrialsTable d={d} trials={shown} params={params} metrics={metrics} />
      </section>
    </>
  );
}

function OverTrials({ trials, metric, rows }: { trials: SweepTrial[]; metric: Metric; rows: Row[] }) {
  const vals = trials.map((tr) => tr.metrics[metric.name] ?? null);
  const best = bestSoFar(vals, metric.goal);
  const points: Point[] = trials.map((tr, i) => ({ id: String(tr.index), label: `#${tr.index}`, color: rows[i].color, x: tr.index, y: vals[i] }));
  return <Scatter testId={`over-trials-${metric.name}`} label={t("sweep.overTrials", { name: metric.name })} xLabel={t("sweep.trial")} yLabel={metric.name} points={points} line={trials.map((tr, i) => ({ x: tr.index, y: best[i] }))} />;
}

function Importance({ d, metrics }: { d: SweepDetail; metrics: Metric[] }) {
  const [which, setWhich] = useState(metrics[0]?.name ?? "");
  const imp = d.importance[which] ?? {};
  const cor = d.correlation[which] ?? {};
  const names = [...new Set([...Object.keys(imp), ...Object.keys(cor)])].sort((a, b) => (imp[b] ?? -1) - (imp[a] ?? -1));
  return (
    <section className="section panel-card importance" aria-label={t("sweep.importance")}>
      <h2>
        {t("sweep.importance")}{" "}
        {metrics.length > 1 && (
          <select aria-label={t("sweep.metric")} value={which} onChange={(e) => setWhich(e.target.value)}>
            {metrics.map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
          </select>
        )}
      </h2>
      {!names.length ? (
        <p className="muted">{t("sweep.importanceEmpty")}</p>
      ) : (
        <table className="list importance-table">
          <thead>
            <tr><th scope="col">{t("sweep.parameter")}</th><th scope="col">{t("sweep.importanceCol")}</th><th scope="col">{t("sweep.correlation")}</th></tr>
          </thead>
          <tbody>
            {names.map((n) => (
              <tr key={n} data-param={n}>
                <td>{n}</td>
                <td>{imp[n] !== undefined ? <span className="bar"><span style={{ width: `${Math.round(imp[n] * 100)}%` }} />{tick(imp[n])}</span> : "–"}</td>
                <td className={cor[n] === undefined ? "" : cor[n] >= 0 ? "pos" : "neg"}>{cor[n] !== undefined ? tick(cor[n]) : "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">{t("sweep.importanceHelp")}</p>
    </section>
  );
}

function TrialsTable({ d, trials, params, metrics }: { d: SweepDetail; trials: SweepTrial[]; params: string[]; metrics: Metric[] }) {
  return (
    <div className="table-scroll">
      <table className="list trials-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t("sweep.run")}</th>
            <th scope="col">{t("sweep.stateCol")}</th>
            {params.map((p) => <th key={p} scope="col">{p}</th>)}
            {metrics.map((m) => <th key={m.name} scope="col">{m.name}</th>)}
          </tr>
        </thead>
        <tbody>
          {trials.map((tr) => {
            const flat = flattenParams(tr.params);
            return (
              <tr key={tr.index} data-trial={tr.index}>
                <td className="num">{tr.index}</td>
                <td><Link to={paths.run(d.entity, d.project, tr.run_id)}>{tr.run_id}</Link>{tr.attempts > 1 && <span className="muted"> {t("sweep.attempts", { n: tr.attempts })}</span>}</td>
                <td><StateBadge state={tr.state === "pending" ? "running" : tr.state} /></td>
                {params.map((p) => <td key={p} className="num">{flat[p] === undefined || flat[p] === null ? "" : tick(flat[p])}</td>)}
                {metrics.map((m) => <td key={m.name} className="num">{tr.metrics[m.name] == null ? "" : tick(tr.metrics[m.name])}</td>)}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
