/**
 * The server's API as functions, one per call: components use these (through hooks), never fetch()
 * directly. Transport, auth and errors are in http.ts, the chart-query queue in scheduler.ts, the
 * live stream in sse.ts, and the conversion of chart answers in series.ts.
 */

import { filePathUrl } from "../core/paths";
import { rowsOfColumns, type RunRow } from "../core/runs";
import { enc, fetchFile, request, requestPacked, send, url } from "./http";
import { scheduled } from "./scheduler";
import { toHistory, type History, type PackedHistory } from "./series";
import type {
  ApiPath,
  Block,
  ArtifactCollections,
  ArtifactLineage,
  ArtifactVersion,
  ArtifactVersions,
  Console,
  Deleted,
  MetricKeys,
  PathParams,
  ProjectKey,
  ProjectKeys,
  Project,
  Projects,
  Query,
  Registries,
  RegisteredVersion,
  Registry,
  RegistryCollectionDetail,
  RawHistory,
  Run,
  RunArtifacts,
  RunDetail,
  Comment,
  Comments,
  DeletedId,
  Report,
  Reports,
  ReportVersions,
  RunFiles,
  RunsPage,
  RunsQueryBody,
  RunColumns,
  RunColumnsQuery,
  SavedView,
  SavedViews,
  ShareLink,
  ShareRevoked,
  Joined,
  PasswordSet,
  SignedIn,
  SignedOut,
  SweepDetail,
  SweepState,
  Sweeps,
  Viewer,
  ApiKeyInfo,
  AuditEntry,
  BrowserSession,
  Invitation,
  NewApiKey,
  NewInvitation,
  Role,
  Team,
  Visibility,
} from "./types";

/** A runs filter as the listings take it (`runyard/store/run_filters.py`), e.g. `{ id: { $in: ids } }`. */
export type RunFilter = NonNullable<RunsQueryBody["filter"]>;

/**
 * A path of the generated spec with its parameters filled in (each URL-encoded): a renamed route or a
 * missing parameter is a compile error rather than a runtime 404.
 */
function apiPath<P extends ApiPath>(template: P, params: PathParams<P>): string {
  const values = params as Record<string, string>;
  return template.replace(/{(\w+)}/g, (_, k: string) =>
    // a file path keeps its slashes; one that would leave the run's files throws (core/paths.ts)
    k === "path" ? filePathUrl(values[k]) : enc(values[k]),
  );
}

/** Bucketed history (the chart query), in the chart format, queued by `priority` (see scheduler.ts). */
async function history(path: string, query: Record<string, unknown>, priority: number, signal?: AbortSignal): Promise<History> {
  const r = await scheduled(priority, signal, () => requestPacked(path, query, signal));
  return toHistory(r as unknown as PackedHistory);
}

export const api = {
  viewer: (signal?: AbortSignal) => request<Viewer>("GET", apiPath("/api/v1/viewer", {}), { signal }),

  // -- sign-in (docs/teams.md): the server sets the HttpOnly session cookie -------------------------
  signIn: (username: string, password: string) =>
    request<SignedIn>("POST", apiPath("/api/v1/session", {}), { body: { username, password } }),

  /** Sign in with the token of a one-time sign-in link (`runyard ui`, `make demo`). */
  signInWithLink: (token: string) => request<SignedIn>("POST", apiPath("/api/v1/session", {}), { body: { token } }),

  /** Which ways to sign in this server offers (single sign-on when configured). */
  signInOptions: (signal?: AbortSignal) =>
    request<{ password: boolean; oidc: boolean }>("GET", apiPath("/api/v1/session/options", {}), { signal }),

  /** Where the browser goes to sign in with the OpenID Connect provider (a full page load, not fetch). */
  singleSignOnUrl: (next: string) => url(apiPath("/api/v1/oidc/login", {}), { next }),

  signOut: () => request<SignedOut>("DELETE", apiPath("/api/v1/session", {})),

  /** Set a password with a one-time link's token (first start, reset by an admin): answers the user name. */
  setPasswordWithLink: (token: string, password: string) =>
    request<PasswordSet>("POST", apiPath("/api/v1/password/link", {}), { body: { token, password } }),

  acceptInvitation: (token: string) =>
    request<Joined>("POST", apiPath("/api/v1/invitations/accept", {}), { body: { token } }),

  // -- the account: password, API keys, sessions ------------------------------------------------------
  changePassword: (oldPassword: string, password: string) =>
    request<{ user: string; sessions_ended: number }>("PUT", apiPath("/api/v1/password", {}), {
      body: { old_password: oldPassword, password },
    }),

  keys: async (signal?: AbortSignal) => (await request<{ keys: ApiKeyInfo[] }>("GET", apiPath("/api/v1/keys", {}), { signal })).keys,

  createKey: (k: { name?: string; scope: "read" | "write"; entity?: string }) =>
    request<NewApiKey>("POST", apiPath("/api/v1/keys", {}), { body: { name: k.name || undefined, scope: k.scope, entity: k.entity || undefined } }),

  revokeKey: (id: number) => request<{ revoked: number }>("DELETE", apiPath("/api/v1/keys/{key_id}", { key_id: id })),

  sessions: async (signal?: AbortSignal) =>
    (await request<{ sessions: BrowserSession[] }>("GET", apiPath("/api/v1/sessions", {}), { signal })).sessions,

  revokeSession: (id: number) => request<{ revoked: number }>("DELETE", apiPath("/api/v1/sessions/{session_id}", { session_id: id })),

  // -- teams ------------------------------------------------------------------------------------------
  createTeam: (name: string) => request<Team>("POST", apiPath("/api/v1/teams", {}), { body: { name } }),

  team: (team: string, signal?: AbortSignal) => request<Team>("GET", apiPath("/api/v1/teams/{team}", { team }), { signal }),

  /** Add a member, or change a member's role. */
  setMember: (team: string, user: string, role: Role) =>
    request<Team>("POST", apiPath("/api/v1/teams/{team}/members", { team }), { body: { user, role } }),

  removeMember: (team: string, user: string) =>
    request<Team>("DELETE", apiPath("/api/v1/teams/{team}/members/{user}", { team, user })),

  leaveTeam: (team: string) => request<{ left: string }>("POST", apiPath("/api/v1/teams/{team}/leave", { team })),

  deleteTeam: (team: string) => request<{ deleted: string }>("DELETE", apiPath("/api/v1/teams/{team}", { team })),

  invitations: async (team: string, signal?: AbortSignal) =>
    (await request<{ invitations: Invitation[] }>("GET", apiPath("/api/v1/teams/{team}/invitations", { team }), { signal }))
      .invitations,

  invite: (team: string, role: Role, expiresIn: number) =>
    request<NewInvitation>("POST", apiPath("/api/v1/teams/{team}/invitations", { team }), {
      body: { role, expires_in: expiresIn },
    }),

  revokeInvitation: (team: string, id: number) =>
    request<{ revoked: number }>(
      "DELETE",
      apiPath("/api/v1/teams/{team}/invitations/{invitation_id}", { team, invitation_id: id }),
    ),

  // -- project settings (the entity's admins) ---------------------------------------------------------
  updateProject: (e: string, pr: string, patch: { visibility?: Visibility; description?: string; name?: string }) =>
    request<Project>("PATCH", apiPath("/api/v1/projects/{entity}/{project}", { entity: e, project: pr }), { body: patch }),

  transferProject: (e: string, pr: string, to: string) =>
    request<Project>("POST", apiPath("/api/v1/projects/{entity}/{project}/transfer", { entity: e, project: pr }), { body: { to } }),

  deleteProject: (e: string, pr: string) =>
    request<{ deleted: string }>("DELETE", apiPath("/api/v1/projects/{entity}/{project}", { entity: e, project: pr })),

  // -- the audit log (server admin) -------------------------------------------------------------------
  audit: (q: { before?: number; limit?: number; action?: string; actor?: string }, signal?: AbortSignal) =>
    request<{ entries: AuditEntry[]; next_before: number | null }>("GET", apiPath("/api/v1/admin/audit", {}), {
      query: { ...q, action: q.action || undefined, actor: q.actor || undefined },
      signal,
    }),

  /** One page of the audit log as JSON lines, and the `before` of the next page (null: the last). */
  auditLines: async (q: { before?: number; action?: string; actor?: string }): Promise<{ text: string; next: number | null }> => {
    const res = await send("GET", apiPath("/api/v1/admin/audit", {}), {
      query: { format: "jsonl", limit: 1000, before: q.before, action: q.action || undefined, actor: q.actor || undefined },
    });
    const next = res.headers.get("X-Next-Before");
    return { text: await res.text(), next: next ? Number(next) : null };
  },

  projects: async (signal?: AbortSignal) =>
    (await request<Projects>("GET", apiPath("/api/v1/projects", {}), { signal })).projects,

  project: (e: string, pr: string, signal?: AbortSignal) =>
    request<Project>("GET", apiPath("/api/v1/projects/{entity}/{project}", { entity: e, project: pr }), { signal }),

  /** A page of runs by the query body: filter, order, cursor and the config/summary `fields` to return. */
  runsQuery: (e: string, pr: string, q: Partial<RunsQueryBody>, signal?: AbortSignal) =>
    request<RunsPage>("POST", apiPath("/api/v1/projects/{entity}/{project}/runs/query", { entity: e, project: pr }), { body: q, signal }),

  /**
   * Every run of a project, newest first, 1000 per request (the server's page limit), page after page
   * by cursor. `fields`: only these config/summary values (else whole documents); `row` turns each run
   * into what is kept (the page's objects are dropped); `onPage` sees the rows so far after the first
   * page and when their count has grown fourfold (each call a new array: the copies add up to a third
   * of the runs, not their square; each is a re-render of everything derived from the rows, whose
   * garbage a 100k-run page would otherwise hold).
   */
  allRuns: async <T = Run>(
    e: string,
    pr: string,
    o: { signal?: AbortSignal; fields?: string[]; filter?: RunFilter; row?: (r: Run) => T; onPage?: (rows: T[]) => void } = {},
  ): Promise<T[]> => {
    const out: T[] = [];
    let cursor: string | null | undefined;
    let shown = 0;
    do {
      const q = {
        limit: 1000,
        order: "-created_at",
        ...(o.fields ? { fields: o.fields } : {}),
        ...(o.filter ? { filter: o.filter } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const page: RunsPage = await api.runsQuery(e, pr, q, o.signal);
      for (const r of page.runs) out.push(o.row ? o.row(r) : (r as T));
      cursor = page.next_cursor;
      if (o.onPage && cursor && out.length >= 4 * shown) {
        shown = out.length;
        o.onPage(out.slice());
      }
    } while (cursor);
    return out;
  },

  /**
   * Every run of a project as table rows, newest first, from the columns listing (10,000 runs a
   * request, no object per run on the wire): the fields a runs table shows and the config/summary
   * values of `fields`. `onPage` sees the rows so far as `allRuns` shows them (first page, then each
   * fourfold growth).
   */
  allRunRows: async (
    e: string,
    pr: string,
    o: { fields: string[]; filter?: RunFilter; signal?: AbortSignal; onPage?: (rows: RunRow[]) => void },
  ): Promise<RunRow[]> => {
    const out: RunRow[] = [];
    let cursor: string | null = null;
    let shown = 0;
    do {
      const q: Partial<RunColumnsQuery> = {
        order: "-created_at",
        fields: o.fields,
        ...(o.filter ? { filter: o.filter } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const page: RunColumns = await request<RunColumns>(
        "POST",
        apiPath("/api/v1/projects/{entity}/{project}/runs/columns", { entity: e, project: pr }),
        { body: q, signal: o.signal },
      );
      for (const r of rowsOfColumns(page)) out.push(r);
      cursor = page.next_cursor;
      if (o.onPage && cursor && out.length >= 4 * shown) {
        shown = out.length;
        o.onPage(out.slice());
      }
    } while (cursor);
    return out;
  },

  run: (e: string, pr: string, id: string, signal?: AbortSignal) =>
    request<RunDetail>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id }), { signal }),

  runKeys: async (e: string, pr: string, id: string, kind: "history" | "system" = "history", signal?: AbortSignal) =>
    (
      await request<MetricKeys>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}/keys", { entity: e, project: pr, run_id: id }), {
        query: { kind },
        signal,
      })
    ).keys,

  /** Project-wide metric names for auto panels: one request over all the project's runs. */
  projectKeys: async (e: string, pr: string, kind: "history" | "system" = "history", signal?: AbortSignal): Promise<ProjectKey[]> =>
    (
      await request<ProjectKeys>("GET", apiPath("/api/v1/projects/{entity}/{project}/keys", { entity: e, project: pr }), {
        query: { kind },
        signal,
      })
    ).keys,

  /** Bucketed history of one metric for several runs (a workspace panel). */
  history: (
    e: string,
    pr: string,
    q: { key: string; runs: string[]; buckets: number; x_axis?: string; min?: number; max?: number; priority?: number },
    signal?: AbortSignal,
  ): Promise<History> => {
    const query: Query<"/api/v1/projects/{entity}/{project}/history"> = {
      key: [q.key],
      runs: [q.runs.join(",")], // one comma-separated value, as this URL has always carried it
      buckets: q.buckets,
      x_axis: q.x_axis,
      min: q.min,
      max: q.max,
    };
    return history(
      apiPath("/api/v1/projects/{entity}/{project}/history", { entity: e, project: pr }),
      query,
      q.priority ?? 1,
      signal,
    );
  },

  /** Bucketed history of one run (all keys or some), or of its system metrics (a run page panel). */
  runHistory: (
    e: string,
    pr: string,
    id: string,
    q: { keys?: string[]; buckets: number; x_axis?: string; min?: number; max?: number; system?: boolean; priority?: number },
    signal?: AbortSignal,
  ): Promise<History> => {
    const path = q.system
      ? apiPath("/api/v1/runs/{entity}/{project}/{run_id}/system", { entity: e, project: pr, run_id: id })
      : apiPath("/api/v1/runs/{entity}/{project}/{run_id}/history", { entity: e, project: pr, run_id: id });
    const query = { keys: q.keys?.join(","), buckets: q.buckets, x_axis: q.x_axis, min: q.min, max: q.max };
    return history(path, query, q.priority ?? 1, signal);
  },

  /** Every point logged after `afterStep` (live tail: new points only, never the whole history). */
  rawTail: (e: string, pr: string, id: string, keys: string[], afterStep: number, signal?: AbortSignal) =>
    api.rawValues(e, pr, id, keys, { min: Math.floor(afterStep) + 1 }, signal),

  /** Every point of some keys (numbers and logged dicts such as media values), optionally a step range. */
  rawValues: async (e: string, pr: string, id: string, keys: string[], range?: { min?: number; max?: number }, signal?: AbortSignal) =>
    (
      await request<RawHistory>(
        "GET",
        apiPath("/api/v1/runs/{entity}/{project}/{run_id}/history/raw", { entity: e, project: pr, run_id: id }),
        { query: { keys: keys.join(","), min_step: range?.min, max_step: range?.max }, signal },
      )
    ).series,

  /** A run file's bytes as a checked Response (`maxBytes`: only its start). */
  fileResponse: (e: string, pr: string, id: string, path: string, o?: { maxBytes?: number; signal?: AbortSignal }) =>
    fetchFile(apiPath("/api/v1/runs/{entity}/{project}/{run_id}/files/{path}", { entity: e, project: pr, run_id: id, path }), o),

  console: (e: string, pr: string, id: string, after = -1, limit = 5000, signal?: AbortSignal) =>
    request<Console>(
      "GET",
      apiPath("/api/v1/runs/{entity}/{project}/{run_id}/console", { entity: e, project: pr, run_id: id }),
      { query: { after, limit }, signal },
    ),

  files: async (e: string, pr: string, id: string, signal?: AbortSignal) =>
    (await request<RunFiles>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}/files", { entity: e, project: pr, run_id: id }), { signal }))
      .files,

  // -- sweeps (docs/sweeps.md) -------------------------------------------------------------------------
  sweeps: async (e: string, pr: string, signal?: AbortSignal) =>
    (await request<Sweeps>("GET", apiPath("/api/v1/sweeps/{entity}/{project}", { entity: e, project: pr }), { signal })).sweeps,

  sweep: (e: string, pr: string, id: string, signal?: AbortSignal) =>
    request<SweepDetail>("GET", apiPath("/api/v1/sweeps/{entity}/{project}/{sweep_id}", { entity: e, project: pr, sweep_id: id }), { signal }),

  /** Pause (paused), resume (running), stop (stopped: running trials finish) or cancel a sweep. */
  setSweepState: (e: string, pr: string, id: string, state: SweepState) =>
    request<SweepDetail>("PATCH", apiPath("/api/v1/sweeps/{entity}/{project}/{sweep_id}", { entity: e, project: pr, sweep_id: id }), { body: { state } }),

  // -- artifacts (docs/artifacts.md) ------------------------------------------------------------------
  artifacts: async (e: string, pr: string, signal?: AbortSignal) =>
    (await request<ArtifactCollections>("GET", apiPath("/api/v1/artifacts/{entity}/{project}", { entity: e, project: pr }), { signal }))
      .artifacts,

  artifactVersions: async (e: string, pr: string, name: string, signal?: AbortSignal) =>
    (
      await request<ArtifactVersions>(
        "GET",
        apiPath("/api/v1/artifacts/{entity}/{project}/{name}", { entity: e, project: pr, name }),
        { signal },
      )
    ).versions,

  /** One version (`vN`, an alias or a digest), with its manifest unless `manifest` is false. */
  artifactVersion: (e: string, pr: string, name: string, version: string, manifest = true, signal?: AbortSignal) =>
    request<ArtifactVersion>(
      "GET",
      apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}", { entity: e, project: pr, name, version }),
      { query: manifest ? undefined : { manifest: "false" }, signal },
    ),

  artifactLineage: (e: string, pr: string, name: string, version: string, signal?: AbortSignal) =>
    request<ArtifactLineage>(
      "GET",
      apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}/lineage", { entity: e, project: pr, name, version }),
      { signal },
    ),

  runArtifacts: (e: string, pr: string, id: string, signal?: AbortSignal) =>
    request<RunArtifacts>(
      "GET",
      apiPath("/api/v1/runs/{entity}/{project}/{run_id}/artifacts", { entity: e, project: pr, run_id: id }),
      { signal },
    ),

  /** A file of an artifact version, by blob digest (`maxBytes` asks only for the start). */
  artifactBlob: async (e: string, pr: string, name: string, version: string, sha256: string, maxBytes?: number): Promise<Blob> =>
    (
      await fetchFile(
        apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}/blobs/{sha256}", { entity: e, project: pr, name, version, sha256 }),
        { maxBytes },
      )
    ).blob(),

  // -- writes -------------------------------------------------------------------------------------
  updateRun: (e: string, pr: string, id: string, patch: Partial<Pick<Run, "name" | "notes" | "tags" | "group" | "job_type">>) =>
    request<RunDetail>("PATCH", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id }), { body: patch }),

  /** Move a run to another project of its entity (created if needed); 409 run_exists on a clash. */
  moveRun: (e: string, pr: string, id: string, toProject: string) => request<RunDetail>("PATCH", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id }), { body: { project: toProject } }),

  /** Add and/or remove aliases of a version; answers the version (without its manifest). */
  setArtifactAliases: (e: string, pr: string, name: string, version: string, change: { add?: string[]; remove?: string[] }) =>
    request<ArtifactVersion>(
      "POST",
      apiPath("/api/v1/artifacts/{entity}/{project}/{name}/{version}/aliases", { entity: e, project: pr, name, version }),
      { body: change },
    ),

  views: async (e: string, pr: string, signal?: AbortSignal) =>
    (await request<SavedViews>("GET", apiPath("/api/v1/projects/{entity}/{project}/views", { entity: e, project: pr }), { signal })).views,
  view: (id: number, signal?: AbortSignal) => request<SavedView>("GET", apiPath("/api/v1/views/{view_id}", { view_id: id }), { signal }),
  createView: (e: string, pr: string, body: { name: string; shared: boolean; state: unknown }) =>
    request<SavedView>("POST", apiPath("/api/v1/projects/{entity}/{project}/views", { entity: e, project: pr }), { body }),
  updateView: (id: number, body: { name?: string; shared?: boolean; state?: unknown }) =>
    request<SavedView>("PATCH", apiPath("/api/v1/views/{view_id}", { view_id: id }), { body }),
  duplicateView: (id: number, body: { name?: string; shared?: boolean }) =>
    request<SavedView>("POST", apiPath("/api/v1/views/{view_id}/duplicate", { view_id: id }), { body }),
  deleteView: (id: number) => request<DeletedId>("DELETE", apiPath("/api/v1/views/{view_id}", { view_id: id })),

  reports: async (e: string, pr: string, signal?: AbortSignal) =>
    (await request<Reports>("GET", apiPath("/api/v1/projects/{entity}/{project}/reports", { entity: e, project: pr }), { signal }))
      .reports,
  createReport: (e: string, pr: string, body: { title: string; blocks?: Block[] }) =>
    request<Report>("POST", apiPath("/api/v1/projects/{entity}/{project}/reports", { entity: e, project: pr }), { body }),
  report: (id: number, signal?: AbortSignal) => request<Report>("GET", apiPath("/api/v1/reports/{report_id}", { report_id: id }), { signal }),
  /** Save an edit made on `version`; a 409 ApiError (`version_conflict`) carries the current report in `extra.current`. */
  saveReport: (id: number, body: { version: number; title?: string; blocks?: Block[] }) =>
    request<Report>("PATCH", apiPath("/api/v1/reports/{report_id}", { report_id: id }), { body }),
  deleteReport: (id: number) => request<DeletedId>("DELETE", apiPath("/api/v1/reports/{report_id}", { report_id: id })),
  reportVersions: async (id: number, signal?: AbortSignal) =>
    (await request<ReportVersions>("GET", apiPath("/api/v1/reports/{report_id}/versions", { report_id: id }), { signal })).versions,
  restoreReport: (id: number, version: number, current: number) =>
    request<Report>("POST", apiPath("/api/v1/reports/{report_id}/versions/{version}/restore", { report_id: id, version: String(version) }), {
      body: { version: current },
    }),
  reportComments: async (id: number, signal?: AbortSignal) =>
    (await request<Comments>("GET", apiPath("/api/v1/reports/{report_id}/comments", { report_id: id }), { signal })).comments,
  addReportComment: (id: number, body: string) =>
    request<Comment>("POST", apiPath("/api/v1/reports/{report_id}/comments", { report_id: id }), { body: { body } }),
  runComments: async (e: string, pr: string, run: string, signal?: AbortSignal) =>
    (await request<Comments>("GET", apiPath("/api/v1/runs/{entity}/{project}/{run_id}/comments", { entity: e, project: pr, run_id: run }), { signal })).comments,
  addRunComment: (e: string, pr: string, run: string, body: string) =>
    request<Comment>("POST", apiPath("/api/v1/runs/{entity}/{project}/{run_id}/comments", { entity: e, project: pr, run_id: run }), { body: { body } }),
  deleteComment: (id: number) => request<DeletedId>("DELETE", apiPath("/api/v1/comments/{comment_id}", { comment_id: id })),
  /** A new read-only link that shows the report live (the old one stops working): its path. */
  shareReport: (id: number) => request<ShareLink>("POST", apiPath("/api/v1/reports/{report_id}/share", { report_id: id })),
  /** The report of the share link this page reads with (http.setShareToken). */
  sharedReport: (signal?: AbortSignal) => request<Report>("GET", apiPath("/api/v1/share", {}), { signal }),
  unshareReport: (id: number) => request<ShareRevoked>("DELETE", apiPath("/api/v1/reports/{report_id}/share", { report_id: id })),

  deleteRun: (e: string, pr: string, id: string) => request<Deleted>("DELETE", apiPath("/api/v1/runs/{entity}/{project}/{run_id}", { entity: e, project: pr, run_id: id })),

  // -- the model registry (docs/registry.md) --------------------------------------------------------
  registries: async (e: string, signal?: AbortSignal) =>
    (await request<Registries>("GET", apiPath("/api/v1/registries/{entity}", { entity: e }), { signal })).registries,

  /** A registry: its description, the artifact types it accepts (null: every type) and its collections. */
  registry: (e: string, r: string, signal?: AbortSignal) =>
    request<Registry>("GET", apiPath("/api/v1/registries/{entity}/{registry}", { entity: e, registry: r }), { signal }),

  /** A collection's versions (each with the artifact version it links to) and its history. */
  registryCollection: (e: string, r: string, c: string, signal?: AbortSignal) =>
    request<RegistryCollectionDetail>(
      "GET",
      apiPath("/api/v1/registries/{entity}/{registry}/{collection}", { entity: e, registry: r, collection: c }),
      { signal },
    ),

  /** Move aliases onto a registered version (from wherever they were) or take them off. */
  setRegistryAliases: (e: string, r: string, c: string, version: string, change: { add?: string[]; remove?: string[] }) =>
    request<RegisteredVersion>(
      "POST",
      apiPath("/api/v1/registries/{entity}/{registry}/{collection}/{version}/aliases", { entity: e, registry: r, collection: c, version }),
      { body: change },
    ),
};
