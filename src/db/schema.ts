import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Row types of the Postgres schema, as Kysely sees them. They stay inside repositories: services
 * hand out domain types. int8 columns are parsed to numbers (see create-db.ts), so ids are numbers.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
type Json<T = unknown> = ColumnType<T, string, string>;
type NullableJson<T = unknown> = ColumnType<T | null, string | null, string | null>;

export type BugStatus = "open" | "in_progress" | "resolved" | "wontfix" | "ignored";
export type SeverityColumn = "critical" | "high" | "medium" | "low";

export interface ProjectsTable {
  id: Generated<number>;
  owner: string;
  name: string;
  /** lower(owner/name): repositories are case-insensitive on GitHub. */
  full_name_lower: string;
  installation_id: number | null;
  repo_id: number | null;
  ingest_key: string;
  /** The key before the last rotation, still accepted until previous_key_expires_at. */
  previous_key: string | null;
  previous_key_expires_at: NullableTimestamp;
  /** Last B-number handed out; bumped under the project row lock so numbers stay gap-free. */
  bug_seq: Generated<number>;
  suspended_at: NullableTimestamp;
  created_at: DefaultTimestamp;
  /** The raw .github/faultline.yml (after `_extends`); null = no file, defaults apply. */
  config: NullableJson<unknown>;
  /** Validation errors of that file, shown to the repo; null or [] = valid. */
  config_errors: NullableJson<string[]>;
  config_loaded_at: NullableTimestamp;
  /** The open or last "faultline.yml has errors" issue of the repository, if any. */
  config_issue_number: number | null;
  /** Bearer key for the read API (stats, lists, export) of this project; null until generated. */
  read_key: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface BugsTable {
  id: Generated<number>;
  project_id: number;
  number: number;
  fingerprint: string;
  fingerprint_version: number;
  title: string;
  error_type: string;
  culprit: string | null;
  severity: SeverityColumn;
  status: Generated<BugStatus>;
  occurrence_count: Generated<number>;
  first_seen: Timestamp;
  last_seen: Timestamp;
  resolved_at: NullableTimestamp;
  resolved_in_release: string | null;
  resolved_by: string | null;
  regression_count: Generated<number>;
  /** Occurrences since the last resolution (regression comments report it). */
  count_since_resolved: Generated<number>;
  issue_number: number | null;
  issue_url: string | null;
  escalation_level: Generated<number>;
  last_escalated_at: NullableTimestamp;
  /** Start of the current escalation cycle: first_seen, or the time of the last regression. */
  escalation_started_at: Timestamp;
  last_notified_count: Generated<number>;
  /** Set when merged into another bug: its fingerprint then counts toward that bug. */
  merged_into_id: number | null;
  /** What its fingerprint is made of (grouping/fingerprint.ts); null for bugs older than that. */
  grouping: ColumnType<BugGrouping | null, string | null | undefined, string | null>;
  /** Kind of failure (grouping/category.ts CATEGORIES), given when the bug is created. */
  category: ColumnType<string, string | undefined, string>;
  /** Why it has that category; null = not derived yet (a bug older than categories). */
  category_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * How a resolution treats later events (src/bugs/resolution.ts): null = any event reopens;
   * 'in' = events from `resolved_in_release` or newer reopen; 'next' = events from a release
   * newer than those seen before the fix reopen.
   */
  resolved_release_mode: Optional<ReleaseMode | null>;
  /** Semver key of the threshold release (src/bugs/release-order.ts), when it parses. */
  resolved_release_key: Optional<string | null>;
  /** 'next': the newest `releases.id` of the project when the bug was resolved. */
  resolved_release_seq: Optional<number | null>;
  /** The merge commit (or pushed commit) whose change resolved the bug. */
  resolved_commit: Optional<string | null>;
  /** The commit that last changed the top in-app frame's line, found by GitHub's blame. */
  suspect: ColumnType<BugSuspect | null, string | null | undefined, string | null>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** A nullable column that inserts may leave out. */
type Optional<T> = ColumnType<T, T | undefined, T>;

export type ReleaseMode = "next" | "in";

/** `bugs.suspect`: who last changed the line that raised, as GitHub's blame says. */
export interface BugSuspect {
  /** Repository path and line that were blamed. */
  path: string;
  line: number;
  /** The revision blamed: "HEAD" (default branch) or the release's commit sha. */
  revision: string;
  commit: {
    oid: string;
    url: string;
    /** First line of the commit message. */
    headline: string;
    authorName: string | null;
    authorLogin: string | null;
  };
  pullRequest: { number: number; url: string; title: string } | null;
}

/** Every release a project reported; `id` is its first-seen order. */
export interface ReleasesTable {
  id: Generated<number>;
  project_id: number;
  version: string;
  /** Bytewise-ordered semver precedence key, or null when the version is not semver. */
  semver_key: string | null;
  first_seen_at: DefaultTimestamp;
}

/** A pull request that says it fixes a bug (title, body, a commit, or by closing its issue). */
export interface BugPullRequestsTable {
  bug_id: number;
  project_id: number;
  number: number;
  url: string;
  title: string;
  state: "open" | "closed" | "merged";
  /** What linked it: title, body, commit or issue. */
  via: string;
  merge_commit_sha: string | null;
  linked_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** GitHub's blame of one file at one revision (a sha, or "HEAD" for a while). */
export interface BlameCacheTable {
  project_id: number;
  revision: string;
  path: string;
  result: Json<unknown>;
  fetched_at: DefaultTimestamp;
}

/** `bugs.grouping`: the fingerprint's version, what it was made of, and its parts. */
export interface BugGrouping {
  version: number;
  basis: string;
  parts: string[];
  /** The repository fingerprint rule (1-based) that made it. */
  rule?: number;
}

/** Hashes a bug answers to besides its own `fingerprint` (learnt in a grouping transition). */
export interface BugFingerprintsTable {
  project_id: number;
  fingerprint: string;
  bug_id: number;
  version: number;
  created_at: DefaultTimestamp;
}

/** One row (id 1): the grouping version in use and the transition from the one before. */
export interface GroupingStateTable {
  id: number;
  version: number;
  previous_version: number | null;
  transition_until: NullableTimestamp;
  updated_at: DefaultTimestamp;
}

export interface EventsTable {
  id: Generated<number>;
  project_id: number;
  bug_id: number;
  event_id: string;
  received_at: Timestamp;
  occurred_at: Timestamp;
  level: string;
  source: string;
  service: string | null;
  environment: string | null;
  release: string | null;
  error_type: string;
  message: string;
  stacktrace: Json<unknown[]>;
  raw_stacktrace: string | null;
  url: string | null;
  url_pattern: string | null;
  method: string | null;
  status_code: number | null;
  request: NullableJson;
  user_id: string | null;
  tags: Json<Record<string, string>>;
  context: Json<Record<string, unknown>>;
}

/** A bug's occurrences in one release (migration 2026-12-08T1210). */
export interface BugReleasesTable {
  bug_id: number;
  project_id: number;
  release: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  count: number;
}

export interface BugHourlyTable {
  bug_id: number;
  project_id: number;
  hour: Timestamp;
  environment: string;
  service: string;
  count: number;
}

export interface OutboxTable {
  id: Generated<number>;
  project_id: number | null;
  bug_id: number | null;
  kind: string;
  payload: Json<Record<string, unknown>>;
  idempotency_key: string;
  attempts: Generated<number>;
  run_after: DefaultTimestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  done_at: NullableTimestamp;
  created_at: DefaultTimestamp;
  /** Migration 2026-12-08T0920: the worker holding the lease (`locked_until`), and claims so far. */
  claimed_by: string | null;
  claims: Generated<number>;
  /** Migration 2026-12-08T1300: when and why the row stopped for good (it is finished too). */
  dead_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  dead_reason: ColumnType<
    OutboxDeadReason | null,
    OutboxDeadReason | null | undefined,
    OutboxDeadReason | null
  >;
}

/**
 * Why an outbox row stopped: its installation was suspended or removed; the repository is gone;
 * GitHub refused the request for good (404, 410, 422); too many failed attempts; it waited too
 * long for something else; its handler gave up (a notification refused, a malformed row).
 */
export type OutboxDeadReason =
  | "suspended"
  | "gone"
  | "refused"
  | "attempts"
  | "waited"
  | "given_up";

export interface WebhookDeliveriesTable {
  delivery_id: string;
  event: string;
  received_at: DefaultTimestamp;
}

/** One escalation step done to a bug, once per bug per cycle (unique bug + cycle + step). */
export interface EscalationsTable {
  id: Generated<number>;
  bug_id: number;
  project_id: number;
  /** The bug's escalation_started_at when the step was taken: a regression starts a new cycle. */
  cycle_started_at: Timestamp;
  step: number;
  action: string;
  at: Timestamp;
  /** Who was assigned or mentioned, the severity change: filled in by the outbox handler. */
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** A spike that was announced, keyed by `spikeKey` (scope, subject, first spiking hour). */
export interface SpikesTable {
  key: string;
  project_id: number;
  scope: "bug" | "project" | "critical";
  /** The bug id (scope bug) or the project id (scope project). */
  subject_id: number;
  /** The bug whose issue gets the comment, if any. */
  bug_id: number | null;
  started_at: Timestamp;
  last_spiking_hour: Timestamp;
  hour_count: number;
  average: number;
  reason: string;
  notified_at: Timestamp;
}

/** A signed-in /dashboard user; the cookie holds the token, the row only its SHA-256. */
export interface DashboardSessionsTable {
  token_hash: string;
  github_login: string;
  github_user_id: number;
  /** Projects the user could read at sign-in (ids). */
  project_ids: Json<number[]>;
  created_at: DefaultTimestamp;
  expires_at: Timestamp;
}

/** Daily rollups (migration 2026-11-23T1500): see that migration for what each holds. */
export interface RollupDaysTable {
  day: Timestamp;
  compacted_at: DefaultTimestamp;
}

/** Migration 2026-11-24T0910 (replaces bug_daily). */
export interface BugMonthlyTable {
  bug_id: number;
  project_id: number;
  month: Timestamp;
  environment: string;
  service: string;
  /** 31 elements: counts[d] (1-based) = occurrences on day d of the month. */
  counts: number[];
}

export interface ProjectHourlyTable {
  project_id: number;
  hour: Timestamp;
  environment: string;
  service: string;
  count: number;
}

export interface UserDaySketchesTable {
  project_id: number;
  day: Timestamp;
  /** 0 = all, 1 = per environment, 2 = per service, 3 = per environment and service. */
  scope: number;
  environment: string;
  service: string;
  /** A UserSketch (src/stats/user-sketch.ts) of the day's user hashes in this scope. */
  sketch: Uint8Array;
}

/** Migration 2026-12-08T0900: the last cron tick each scheduled job was claimed for. */
export interface JobRunsTable {
  job: string;
  slot: Timestamp;
  claimed_at: Timestamp;
  claimed_by: string;
}

/** Migration 2026-12-08T0910: units of a per-minute rate limit asked for, by every replica. */
export interface RateWindowsTable {
  key: string;
  window_start: Timestamp;
  used: number;
}

/** Migration 2026-12-08T0930: pacing of content-creating GitHub requests per installation. */
export interface GithubPacingTable {
  installation_id: number;
  next_at: Timestamp;
}

export interface GithubWriteSlotsTable {
  installation_id: number;
  at: Timestamp;
}

export interface Database {
  projects: ProjectsTable;
  bugs: BugsTable;
  bug_fingerprints: BugFingerprintsTable;
  grouping_state: GroupingStateTable;
  events: EventsTable;
  bug_hourly: BugHourlyTable;
  bug_releases: BugReleasesTable;
  outbox: OutboxTable;
  webhook_deliveries: WebhookDeliveriesTable;
  escalations: EscalationsTable;
  spikes: SpikesTable;
  dashboard_sessions: DashboardSessionsTable;
  rollup_days: RollupDaysTable;
  bug_monthly: BugMonthlyTable;
  project_hourly: ProjectHourlyTable;
  user_day_sketches: UserDaySketchesTable;
  job_runs: JobRunsTable;
  rate_windows: RateWindowsTable;
  github_pacing: GithubPacingTable;
  github_write_slots: GithubWriteSlotsTable;
  releases: ReleasesTable;
  bug_pull_requests: BugPullRequestsTable;
  blame_cache: BlameCacheTable;
}

export type ProjectRow = Selectable<ProjectsTable>;
export type BugRow = Selectable<BugsTable>;
export type NewBug = Insertable<BugsTable>;
export type BugUpdate = Updateable<BugsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type OutboxRow = Selectable<OutboxTable>;
