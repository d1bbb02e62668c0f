/**
 * Response shapes of /api/v1. Paths and query parameters come from the generated `schema.gen.ts`
 * (the server's OpenAPI); the server's spec does not describe response bodies yet (see
 * web/API-NEEDS.md #1), so the bodies below mirror runyard/server/routes/*.py and the store by hand.
 * Once the spec carries response schemas these become aliases of `components["schemas"][...]`.
 */

import type { Block } from "../core/reportDoc";
import type { RunLike } from "../core/runs";
import type { paths } from "./schema.gen";

export type Query<P extends keyof paths, M extends "get" | "post" | "patch" | "delete" = "get"> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

export interface ApiErrorBody {
  error: { code: string; message: string; [k: string]: unknown };
}

export type Role = "admin" | "member" | "viewer";

export interface Viewer {
  user: string;
  is_admin: boolean;
  anonymous: boolean;
  default_entity: string;
  entities: { name: string; kind: string }[];
  teams: { name: string; role: Role }[];
  auth: "key" | "session" | "anonymous";
  scope: string;
}

/** The answer of a sign-in: the session's CSRF token is also in the readable `runyard_csrf` cookie. */
export interface SignedIn {
  user: string;
  session: number;
  expires_at: number;
  csrf_token: string;
}

export type Visibility = "private" | "team" | "public";

export interface Project {
  entity: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
  run_count: number;
  visibility: Visibility;
}

// -- accounts and teams (docs/teams.md) -------------------------------------------------------------
export interface ApiKeyInfo {
  id: number;
  prefix: string;
  name: string | null;
  scope: "read" | "write";
  entity: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** A new key: the only time its secret is shown. */
export interface NewApiKey {
  api_key: string;
  prefix: string;
  name: string | null;
  scope: "read" | "write";
  entity: string | null;
}

export interface BrowserSession {
  id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  current: boolean;
}

export interface Team {
  name: string;
  members: { user: string; role: Role }[];
}

export interface Invitation {
  id: number;
  role: Role;
  created_at: number;
  expires_at: number;
  created_by: string | null;
}

/** A new invitation: its link is shown once. */
export interface NewInvitation {
  id: number;
  team: string;
  role: Role;
  token: string;
  url: string;
  expires_at: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor_id: number | null;
  actor: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown> | null;
}

export interface Run extends RunLike {
  flags?: Record<string, unknown>;
  sweep_id?: string | null;
  program?: string | null;
  sdk?: string | null;
  exit_code?: number | null;
  updated_at: number;
  heartbeat_at: number;
  last_step?: number | null;
  history_points?: number;
}

export interface RunDetail extends Run {
  entity: string;
  project: string;
  metadata: RunMetadata;
  segments: { segment: string; ordinal: number; starting_step: number; resumed: boolean; start_time: number | null }[];
  history_keys: number;
  metrics: unknown[];
}

/** Environment captured by the SDK (runyard/sdk/environment.py); every field optional. */
export interface RunMetadata {
  host?: string;
  os?: string;
  python?: string;
  program?: string;
  args?: string[];
  executable?: string;
  cwd?: string;
  git?: { commit?: string; dirty?: boolean; remote?: string; branch?: string };
  gpu?: unknown;
  [k: string]: unknown;
}

export interface RunsPage {
  runs: Run[];
  next_cursor: string | null;
  next_offset: number | null;
  total?: number;
}

/** One bucketed series as /history answers it (numbers may come as "NaN"/"Infinity" strings). */
export interface WireSeries {
  run: string;
  key: string;
  found: boolean;
  bucket?: number[];
  x?: number[];
  count?: number[];
  min?: (number | string | null)[];
  max?: (number | string | null)[];
  mean?: (number | string | null)[];
  last?: (number | string | null)[];
  last_x?: number[];
}

export interface HistoryResponse {
  x_axis: string;
  buckets: number;
  min: number;
  max: number;
  query_ms: number;
  series: WireSeries[];
}

export interface RawSeries {
  key: string;
  found: boolean;
  step?: number[];
  /** numbers, the strings NaN/Infinity, or logged dicts (media values) and lists */
  value?: unknown[];
  timestamp?: number[];
  seq?: number[];
}

export interface MetricKey {
  key: string;
  points: number;
  step_min: number | null;
  step_max: number | null;
}

/** A key over a project's runs (GET /projects/{e}/{p}/keys): how many runs log it, their points and step range. */
export interface ProjectKey extends MetricKey {
  runs: number;
}

export interface ConsoleLine {
  cursor: number;
  ts: number;
  stream: string;
  line: string;
}

export interface RunFile {
  path: string;
  size: number;
  sha256: string;
  content_type: string | null;
  kind: string | null;
  updated_at: number;
}

export interface StreamEvent {
  type: "run.created" | "run.updated" | "run.deleted" | string;
  entity: string;
  project: string;
  run_id: string;
  state?: string;
  points?: number;
  /** the run's last history step once the change was applied */
  last_step?: number | null;
}

// -- artifacts (runyard/store/artifacts.py: collections, _version_doc, lineage, run_links) ------------
export interface ArtifactCollection {
  name: string;
  type: string;
  description: string | null;
  version_count: number;
  created_at: number;
  updated_at: number;
}

export interface LinkedRun {
  entity: string;
  project: string;
  id: string;
  name: string | null;
  state: string;
  created_at?: number;
  linked_at?: number;
}

export interface ArtifactFile {
  path: string;
  sha256: string | null;
  size: number;
  ref: string | null;
  extra?: unknown;
}

export interface ArtifactVersion {
  entity: string;
  project: string;
  name: string;
  type: string;
  version: string;
  version_index: number;
  qualified_name: string;
  digest: string;
  aliases: string[];
  description: string | null;
  metadata: Record<string, unknown> | null;
  size: number;
  file_count: number;
  created_at: number;
  state: string;
  logged_by?: LinkedRun | null;
  manifest?: ArtifactFile[];
}

/** A run's link to an artifact: the version when committed and readable, else only its name and digest
 * (state "pending": not committed yet; "hidden": in an entity the viewer may not read). */
export type RunArtifactLink = Partial<ArtifactVersion> & { entity: string; project: string; name: string; digest: string; state: string };

export interface ArtifactLineage {
  artifact: string;
  logged_by: LinkedRun[];
  used_by: LinkedRun[];
}

// -- the model registry (runyard/server/routes/registries.py, docs/registry.md) --------------------
export interface RegistrySummary {
  name: string;
  collection_count: number;
  created_at: number;
}

export interface RegistryCollection {
  name: string;
  type: string;
  version_count: number;
  aliases: Record<string, string>;
  created_at: number;
  updated_at: number;
}

/** A registered version: where it is registered and the artifact version it links to (null: unreadable). */
export interface RegisteredVersion {
  entity: string;
  registry: string;
  collection: string;
  version: string;
  path: string;
  aliases: string[];
  linked_at: number;
  linked_by: string | null;
  artifact: ArtifactVersion | null;
}

/** One audit entry of a collection: a link, an alias move (`was`: where the alias was), an unlink. */
export interface RegistryEvent {
  at: number;
  actor: string;
  action: "registry.link" | "registry.alias" | "registry.unalias" | "registry.unlink";
  detail: { version?: string; alias?: string; was?: string | null; artifact?: string };
}

export interface RegistryCollectionDetail {
  entity: string;
  registry: string;
  name: string;
  type: string;
  path: string;
  versions: RegisteredVersion[];
  history: RegistryEvent[];
}

// -- sweeps (docs/sweeps.md): GET /api/v1/sweeps/{entity}/{project}[/{id}] ---------------------------
export type SweepState = "running" | "paused" | "stopped" | "canceled" | "finished";

export interface SweepSummary {
  id: string;
  state: SweepState;
  config: SweepConfigDoc;
  method: string;
  created_at: number;
  updated_at: number;
  trial_count: number;
  running: number;
}

export interface SweepConfigDoc {
  name?: string;
  method?: string;
  metric?: { name: string; goal?: "minimize" | "maximize" } | { name: string; goal?: "minimize" | "maximize" }[];
  parameters?: Record<string, unknown>;
  run_cap?: number;
  [key: string]: unknown;
}

export interface SweepTrial {
  index: number;
  params: Record<string, unknown>;
  state: string;
  run_id: string;
  run_ids: string[];
  run_state: string | null;
  attempts: number;
  agent: string | null;
  stop_requested: boolean;
  metrics: Record<string, number | null>;
}

export interface SweepDetail extends Omit<SweepSummary, "trial_count" | "running"> {
  entity: string;
  project: string;
  trials: SweepTrial[];
  pareto_front: number[];
  importance: Record<string, Record<string, number>>;
  correlation: Record<string, Record<string, number>>;
}

/** A saved workspace view (routes/views.py); `state` is a `StoredView` (core/view.ts). */
export interface SavedView {
  id: number;
  name: string;
  shared: boolean;
  owner: string;
  state: unknown;
  created_at: number;
  updated_at: number;
}

/** A report (routes/reports.py); blocks: core/reportDoc.ts. */
export interface Report {
  id: number;
  entity: string;
  project: string;
  title: string;
  blocks: Block[];
  version: number;
  created_at: number;
  created_by: string | null;
  updated_at: number;
  updated_by: string | null;
  shared_since: number | null;
  can_edit: boolean;
}

export interface ReportSummary {
  id: number;
  title: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface ReportVersion {
  version: number;
  title: string;
  author: string | null;
  created_at: number;
}

export interface Comment {
  id: number;
  author: string;
  body: string;
  created_at: number;
}
