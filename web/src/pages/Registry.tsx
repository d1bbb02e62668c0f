/** The model registry (docs/registry.md): a registry's collections, a collection's versions with their
 * aliases, moving an alias, the history (who moved what, when) and a version's lineage back to its
 * training run, its config, code and datasets. */

import { useState } from "react";
import { api } from "../api/client";
import type { RegisteredVersion, RegistryCollectionDetail, RegistryEvent } from "../api/types";
import { ConfigTree } from "../components/ConfigTree";
import { ErrorPage, Spinner, StateBadge } from "../components/common";
import { LineageGraph } from "../components/LineageGraph";
import { useAsync } from "../hooks";
import { formatDateTime, t } from "../i18n";
import { Link, navigate, paths, useTitle } from "../router";

const SUGGESTED = ["production", "staging"];

/** The registries of the viewer's entities, for the projects page (nothing when there are none). */
export function RegistryLinks() {
  const regs = useAsync(async (s) => {
    const v = await api.viewer(s);
    const lists = await Promise.all(v.entities.slice(0, 50).map((e) => api.registries(e.name, s).catch(() => [])));
    return v.entities.slice(0, 50).flatMap((e, i) => lists[i].map((r) => ({ entity: e.name, ...r })));
  }, []);
  if (!regs.data?.length) return null;
  return (
    <section className="registry-links" aria-label={t("registry.all")}>
      <h2>{t("registry.all")}</h2>
      <ul>
        {regs.data.map((r) => (
          <li key={`${r.entity}/${r.name}`}>
            <Link to={paths.registry(r.entity, r.name)} translate="no">{`${r.entity} / ${r.name}`}</Link>{" "}
            <span className="muted">{t("registry.collectionCount", { n: r.collection_count })}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function RegistryPage({ entity, registry, collection, version }: { entity: string; registry: string; collection: string | null; version: string | null }) {
  useTitle(collection ? `${collection} · ${t("registry.title", { name: registry })}` : t("registry.title", { name: registry }));
  const reg = useAsync((s) => api.registry(entity, registry, s), [entity, registry]);
  if (reg.error) return <ErrorPage error={reg.error} onRetry={reg.reload} />;
  if (reg.loading && !reg.data) return <Spinner label={t("registry.loading")} />;
  const cols = reg.data!.collections;
  return (
    <div className="page registry-page">
      <nav className="breadcrumb" aria-label={t("registry.breadcrumb")}>
        <Link to={paths.home()}>{t("home.title")}</Link> / <span translate="no">{entity}</span> /{" "}
        {collection ? <Link to={paths.registry(entity, registry)} translate="no">{registry}</Link> : <b translate="no">{registry}</b>}
        {collection && <> / <b translate="no">{collection}</b></>}
      </nav>
      <h1>{t("registry.title", { name: registry })}</h1>
      {reg.data!.description && <p className="registry-description" translate="no">{reg.data!.description}</p>}
      {reg.data!.artifact_types && (
        <p className="muted">
          {t("registry.accepts")}{" "}
          {reg.data!.artifact_types.map((ty) => <span key={ty} className="tag" translate="no">{ty}</span>)}
        </p>
      )}
      <section aria-label={t("registry.collections")}>
        <table className="list registry-collections">
          <thead>
            <tr>
              <th scope="col">{t("registry.collection")}</th>
              <th scope="col">{t("registry.type")}</th>
              <th scope="col">{t("registry.versions")}</th>
              <th scope="col">{t("registry.aliases")}</th>
            </tr>
          </thead>
          <tbody>
            {cols.map((c) => (
              <tr key={c.name} data-collection={c.name} className={c.name === collection ? "selected" : undefined}>
                <td translate="no"><Link to={paths.registry(entity, registry, c.name)}><b>{c.name}</b></Link></td>
                <td translate="no">{c.type}</td>
                <td className="num">{c.version_count}</td>
                <td translate="no">{Object.entries(c.aliases).map(([a, v]) => <span key={a} className="tag alias">{`${a} → ${v}`}</span>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!cols.length && <p className="muted">{t("registry.empty")}</p>}
      </section>
      {collection && <CollectionView key={collection} entity={entity} registry={registry} collection={collection} version={version} onChange={reg.reload} />}
    </div>
  );
}

function CollectionView({ entity, registry, collection, version, onChange }: { entity: string; registry: string; collection: string; version: string | null; onChange: () => void }) {
  const d = useAsync((s) => api.registryCollection(entity, registry, collection, s), [entity, registry, collection]);
  if (d.error) return <ErrorPage error={d.error} onRetry={d.reload} />;
  if (!d.data) return <Spinner label={t("registry.loading")} />;
  const col = d.data;
  const selected = pick(col.versions, version);
  const changed = () => {
    d.reload();
    onChange();
  };
  return (
    <div className="registry-collection">
      <h2 translate="no">
        {col.name} <span className="tag">{col.type}</span>
      </h2>
      <p className="muted"><code>{`${col.path}:production`}</code></p>
      <section aria-label={t("registry.versions")}>
        <table className="list registry-versions">
          <thead>
            <tr>
              <th scope="col">{t("registry.version")}</th>
              <th scope="col">{t("registry.aliases")}</th>
              <th scope="col">{t("registry.artifact")}</th>
              <th scope="col">{t("registry.trainedBy")}</th>
              <th scope="col">{t("registry.linked")}</th>
            </tr>
          </thead>
          <tbody>
            {col.versions.map((v) => (
              <tr key={v.version} data-version={v.version} className={v === selected ? "selected" : undefined}>
                <td translate="no"><Link to={paths.registry(entity, registry, collection, v.version)}><b>{v.version}</b></Link></td>
                <td translate="no">{v.aliases.map((a) => <span key={a} className="tag alias">{a}</span>)}</td>
                <td>
                  {v.artifact ? (
                    <Link to={paths.artifact(v.artifact.entity, v.artifact.project, v.artifact.name, v.artifact.version)} translate="no">{v.artifact.qualified_name}</Link>
                  ) : (
                    <span className="muted">{t("registry.hidden")}</span>
                  )}
                </td>
                <td translate="no">{v.artifact?.logged_by ? <Link to={paths.run(v.artifact.logged_by.entity, v.artifact.logged_by.project, v.artifact.logged_by.id)}>{v.artifact.logged_by.name || v.artifact.logged_by.id}</Link> : ""}</td>
                <td>
                  {formatDateTime(v.linked_at)}
                  {v.linked_by && <span translate="no">{` · ${v.linked_by}`}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <MoveAlias col={col} entity={entity} registry={registry} onMoved={changed} />
      <History events={col.history} />
      {selected && <VersionLineage v={selected} />}
    </div>
  );
}

/** The version the URL names (vN or an alias), else the one holding production, else the newest. */
function pick(versions: RegisteredVersion[], ref: string | null): RegisteredVersion | undefined {
  if (ref) return versions.find((v) => v.version === ref || v.aliases.includes(ref));
  return versions.find((v) => v.aliases.includes("production")) ?? versions[0];
}

function MoveAlias({ col, entity, registry, onMoved }: { col: RegistryCollectionDetail; entity: string; registry: string; onMoved: () => void }) {
  const [alias, setAlias] = useState("production");
  const [target, setTarget] = useState(col.versions[0]?.version ?? "");
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const known = [...new Set([...SUGGESTED, ...col.versions.flatMap((v) => v.aliases)])];
  const submit = async () => {
    setBusy(true);
    setMsg(null);
    try {
      await api.setRegistryAliases(entity, registry, col.name, target, { add: [alias.trim()] });
      onMoved();
    } catch (e) {
      setMsg((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  if (!col.versions.length) return null;
  return (
    <form
      className="inline registry-move"
      aria-label={t("registry.moveAlias")}
      onSubmit={(ev) => {
        ev.preventDefault();
        if (alias.trim() && target) void submit();
      }}
    >
      <label>
        {t("registry.alias")}{" "}
        <input list="registry-alias-names" translate="no" value={alias} onChange={(ev) => setAlias(ev.target.value)} size={14} />
      </label>
      <datalist id="registry-alias-names">{known.map((a) => <option key={a} value={a} />)}</datalist>{" "}
      <label>
        {t("registry.to")}{" "}
        <select translate="no" value={target} onChange={(ev) => setTarget(ev.target.value)}>
          {col.versions.map((v) => <option key={v.version} value={v.version}>{v.version}</option>)}
        </select>
      </label>{" "}
      <button type="submit" className="primary" disabled={busy || !alias.trim()}>{t("registry.move")}</button>
      {msg && <span className="error-text" role="alert">{msg}</span>}
    </form>
  );
}

function describe(e: RegistryEvent): string {
  const d = e.detail;
  switch (e.action) {
    case "registry.link":
      return t("registry.event.link", { artifact: d.artifact ?? "", version: d.version ?? "" });
    case "registry.alias":
      return d.was
        ? t("registry.event.move", { alias: d.alias ?? "", version: d.version ?? "", was: d.was })
        : t("registry.event.set", { alias: d.alias ?? "", version: d.version ?? "" });
    case "registry.unalias":
      return t("registry.event.unalias", { alias: d.alias ?? "", version: d.version ?? "" });
    default:
      return t("registry.event.unlink", { version: d.version ?? "", artifact: d.artifact ?? "" });
  }
}

function History({ events }: { events: RegistryEvent[] }) {
  return (
    <section aria-label={t("registry.history")} className="registry-history">
      <h3>{t("registry.history")}</h3>
      <table className="list">
        <tbody>
          {events.map((e, i) => (
            <tr key={i}>
              <td className="muted">{formatDateTime(e.at)}</td>
              <td translate="no">{e.actor}</td>
              <td>{describe(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Where a registered version comes from: the run that trained it (its config) and the lineage graph. */
function VersionLineage({ v }: { v: RegisteredVersion }) {
  const a = v.artifact;
  const producer = a?.logged_by ?? null;
  const run = useAsync(async (s) => (producer ? api.run(producer.entity, producer.project, producer.id, s) : null), [producer?.entity, producer?.project, producer?.id]);
  if (!a) return <p className="muted">{t("registry.hidden")}</p>;
  return (
    <section aria-label={t("registry.lineageOf", { version: v.version })} className="registry-lineage">
      <h3>{t("registry.lineageOf", { version: v.version })}</h3>
      <section className="registry-origin" aria-label={t("registry.trainedBy")}>
        <b>{t("registry.trainedBy")}</b>{" "}
        {producer ? (
          <>
            <Link to={paths.run(producer.entity, producer.project, producer.id)} translate="no">{producer.name || producer.id}</Link> <StateBadge state={producer.state} />
          </>
        ) : (
          <span className="muted">{t("registry.noRun")}</span>
        )}
      </section>
      {run.data && (
        <section aria-label={t("registry.config")}>
          <ConfigTree data={run.data.config ?? {}} label={t("registry.config")} />
        </section>
      )}
      <LineageGraph entity={a.entity} project={a.project} name={a.name} version={a.version} />
      <p>
        <button type="button" className="link" onClick={() => navigate(paths.artifact(a.entity, a.project, a.name, a.version, "lineage"))}>
          {t("registry.openArtifact", { name: `${a.name}:${a.version}` })}
        </button>
      </p>
    </section>
  );
}
