import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type Kysely, sql } from "kysely";
import type { ProbotOctokit } from "probot";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../config/repo-config.js";
import type {
  BugRow,
  Database,
  EventRow,
  OutboxDeadReason,
  OutboxRow,
  ProjectRow,
} from "../../db/schema.js";
import type { StackFrame } from "../../grouping/error-event.js";
import {
  type IssueBugView,
  type LatestEventView,
  bugRef,
  issueTitle,
  renderCommandReply,
  renderDuplicateComment,
  renderIssueBody,
  renderMilestoneComment,
  renderRegressionComment,
} from "../render/index.js";
import { createOnce } from "./create-once.js";
import { deferNewIssue, issuesOpenedThisHour } from "./new-issue-cap.js";
import { OUTBOX_KINDS } from "./plan-effects.js";
import {
  type LabelCache,
  PacedOut,
  type WritePacer,
  createLabelCache,
  paceWrites,
} from "./write-pacing.js";

export type OutboxOctokit = InstanceType<typeof ProbotOctokit>;

export interface OutboxLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface OutboxWorkerOptions {
  db: Kysely<Database>;
  getOctokit: (installationId: number) => Promise<OutboxOctokit>;
  clock?: () => Date;
  log?: OutboxLogger;
  batchSize?: number;
  /**
   * How long a claimed row stays invisible to other workers. The worker renews the lease every
   * third of it while it works on the row, so a slow GitHub does not hand the row to another
   * worker; a worker that dies stops renewing, and its rows are taken over once the lease runs
   * out. Default 10 s (it was a 5-minute lock: a crash left rows waiting 5 minutes).
   */
  leaseMs?: number;
  /**
   * Paces this worker's GitHub writes (shared by replicas: write-pacing.ts). None: writes go as
   * fast as the octokit lets them (tests).
   */
  pacer?: WritePacer;
  /** Labels known to exist (default: a cache of this worker's own). */
  labels?: LabelCache;
  /** The App's bot login, to look for a create that GitHub made but failed (create-once.ts). */
  appLogin?: () => Promise<string | undefined>;
  /** Labels and the like for every project, when projectConfigs is not given; default: defaults. */
  config?: RepoConfig;
  /** Each project's `.github/faultline.yml`: label names and colours, comment policy. */
  projectConfigs?: { get(projectId: number): Promise<RepoConfig> };
  /** Faultline's public URL, linked from issue bodies. */
  appUrl?: string;
  /** The GitHub App's id: only issues it authored are adopted by marker (see isAuthoredByApp). */
  appId?: number;
  /**
   * Handlers for further kinds (escalation steps, notifications, digest), so that each feature
   * keeps its own GitHub or HTTP code next to the rest of it. Built-in kinds cannot be overridden.
   */
  handlers?: Record<string, OutboxHandler>;
  /** Failed attempts after which a row stops (dead), whatever its kind. Default 25 (~17 h). */
  maxAttempts?: number;
  /**
   * How long a row may keep answering "not yet" (waiting for its issue, the hourly issue limit)
   * from its creation before it stops (dead). Default 7 days.
   */
  maxWaitMs?: number;
  /** Told about each row run (metrics). */
  observe?: (event: OutboxRunEvent) => void;
}

/** One run of one row, for metrics and logs. */
export interface OutboxRunEvent {
  kind: string;
  /** done; retry (failed, runs again); waiting (not yet, or paced); dead (stopped for good). */
  outcome: "done" | "retry" | "waiting" | "dead";
  deadReason?: OutboxDeadReason;
  ms: number;
}

/** What an extra handler gets besides its row. */
export interface OutboxHandlerContext {
  db: Kysely<Database>;
  clock: () => Date;
  log?: OutboxLogger;
  getOctokit: (installationId: number) => Promise<OutboxOctokit>;
  /** The GitHub App's id, for adopting by marker only issues the App authored. */
  appId?: number;
  /** Creates a label unless it is known to exist (cached: write-pacing.ts). */
  ensureLabel(
    octokit: OutboxOctokit,
    repo: { owner: string; repo: string },
    name: string,
    color: string,
  ): Promise<void>;
  /** The row's bug, project and an installation client for its repository. */
  loadBugContext(): Promise<{
    bug: BugRow;
    project: ProjectRow;
    octokit: OutboxOctokit;
    repo: { owner: string; repo: string };
  }>;
}

/** Runs one outbox row; throw to retry with backoff (NotYet: retry soon, not a failure). */
export type OutboxHandler = (row: OutboxRow, ctx: OutboxHandlerContext) => Promise<void>;

export interface OutboxWorker {
  /** Claims and runs one batch of due rows; returns how many were claimed. */
  runOnce(): Promise<number>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

const BASE_BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** Thrown by a handler to retry later without counting as a failure of GitHub. */
export class NotYet extends Error {
  /** When to run again; default: soon. */
  constructor(
    message?: string,
    readonly until?: Date,
  ) {
    super(message);
  }
}

/**
 * Thrown by a handler when retrying cannot help (a webhook answering 404, too many attempts): the
 * row stops, dead (`dead_at`, `done_at` set, `last_error` kept), instead of retrying.
 */
export class GiveUp extends Error {}

/** A row that can never succeed, and why (the worker's own verdicts; handlers throw GiveUp). */
class Dead extends Error {
  constructor(
    readonly reason: OutboxDeadReason,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status of an Octokit error, if any. */
function httpStatus(error: unknown): number | undefined {
  const status = (error as HttpishError | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

interface HttpishError {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** Delay before the next attempt: GitHub's rate-limit hints first, else exponential backoff. */
export function retryDelayMs(error: unknown, attempts: number, now: Date): number {
  const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
  const e = error as HttpishError | undefined;
  if (e && (e.status === 403 || e.status === 429)) {
    const headers = e.response?.headers ?? {};
    const retryAfter = Number(headers["retry-after"]);
    if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.max(1000, retryAfter * 1000);
    const reset = Number(headers["x-ratelimit-reset"]);
    if (Number.isFinite(reset) && reset > 0 && String(headers["x-ratelimit-remaining"]) === "0") {
      return Math.max(1000, reset * 1000 - now.getTime() + 1000);
    }
  }
  return backoff;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}

function toLatestEvent(row: EventRow | undefined): LatestEventView | undefined {
  if (!row) return undefined;
  const request = (row.request ?? undefined) as LatestEventView["request"] | undefined;
  return {
    message: row.message,
    frames: (Array.isArray(row.stacktrace) ? row.stacktrace : []) as StackFrame[],
    ...(row.raw_stacktrace ? { rawStacktrace: row.raw_stacktrace } : {}),
    ...(request ? { request } : {}),
    ...(row.environment ? { environment: row.environment } : {}),
    ...(row.release ? { release: row.release } : {}),
    ...(row.user_id ? { userId: row.user_id } : {}),
  };
}

/** `category:network`; none for `unknown`, which says nothing worth a label. */
function categoryLabelOf(category: string): string | undefined {
  return category && category !== "unknown" ? `category:${category}` : undefined;
}

/** The rank of a row's bug's severity (0 = critical), for claiming the worst first. */
const severityRank = sql<number>`coalesce((SELECT CASE bugs.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END FROM bugs WHERE bugs.id = outbox.bug_id), 1)`;

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, getOctokit } = options;
  const clock = options.clock ?? (() => new Date());
  const batchSize = options.batchSize ?? 10;
  const leaseMs = options.leaseMs ?? 10_000;
  const fallbackConfig = options.config ?? DEFAULT_REPO_CONFIG;
  const log = options.log;
  const labels = options.labels ?? createLabelCache();
  const maxAttempts = options.maxAttempts ?? 25;
  const maxWaitMs = options.maxWaitMs ?? 7 * 24 * 3_600_000;
  // Names this worker in outbox.claimed_by: only its own leases are renewed.
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;

  // Comments of one attempt at a row, counted over all the octokits it gets (see createOnce).
  const commentCounts = new WeakMap<OutboxRow, { n: number }>();

  /**
   * The installation client for one row: creates are never repeated blindly (create-once.ts) and
   * writes wait for the installation's slot (write-pacing.ts; installed last, so it runs first:
   * a write that must wait too long fails before anything is sent).
   */
  async function octokitFor(row: OutboxRow, installationId: number): Promise<OutboxOctokit> {
    await assertInstalled(row);
    let installation: OutboxOctokit;
    try {
      installation = await getOctokit(installationId);
    } catch (error) {
      // No token for an installation GitHub does not know: the App was uninstalled (and the
      // webhook saying so was missed). Its repositories get no more work until installed again.
      if (httpStatus(error) === 404) {
        await db
          .updateTable("projects")
          .set({ suspended_at: clock() })
          .where("installation_id", "=", installationId)
          .where("suspended_at", "is", null)
          .execute();
        throw new Dead(
          "suspended",
          `GitHub does not know installation ${installationId}: the App was uninstalled`,
        );
      }
      throw error;
    }
    let comments = commentCounts.get(row);
    if (!comments) {
      comments = { n: 0 };
      commentCounts.set(row, comments);
    }
    const counter = comments;
    const octokit = createOnce(installation, {
      rowId: row.id,
      nextComment: () => ++counter.n,
      since: new Date(row.created_at),
      retried: row.claims > 1,
      ...(options.appLogin ? { appLogin: options.appLogin } : {}),
      ...(options.appId !== undefined ? { appId: options.appId } : {}),
      ...(log ? { log } : {}),
    });
    return options.pacer ? paceWrites(octokit, installationId, options.pacer) : octokit;
  }

  // Checked once per row run: the GitHub work of a project whose installation is suspended or
  // was removed (or whose repository left it) stops, instead of failing until the attempts run out.
  const installedChecks = new WeakMap<OutboxRow, Promise<void>>();
  function assertInstalled(row: OutboxRow): Promise<void> {
    let check = installedChecks.get(row);
    if (!check) {
      check = (async () => {
        if (row.project_id == null) return;
        const project = await db
          .selectFrom("projects")
          .select(["owner", "name", "installation_id", "suspended_at"])
          .where("id", "=", row.project_id)
          .executeTakeFirst();
        if (!project) throw new Dead("gone", `project ${row.project_id} no longer exists`);
        if (project.suspended_at !== null || project.installation_id == null) {
          const since = project.suspended_at
            ? ` since ${new Date(project.suspended_at).toISOString()}`
            : "";
          throw new Dead(
            "suspended",
            `the App is not installed on ${project.owner}/${project.name} (installation suspended or removed${since})`,
          );
        }
      })();
      installedChecks.set(row, check);
    }
    return check;
  }

  /**
   * After a 404 or 410: is the repository itself gone (deleted, transferred, or hidden from the
   * App)? Then its project is suspended like a repository removed from the installation, and the
   * planner gives it no more work; installing the App on it again resumes it.
   */
  async function repositoryGone(row: OutboxRow): Promise<string | undefined> {
    if (row.project_id == null) return undefined;
    const project = await db
      .selectFrom("projects")
      .select(["owner", "name", "installation_id"])
      .where("id", "=", row.project_id)
      .executeTakeFirst();
    if (!project || project.installation_id == null) return undefined;
    try {
      const octokit = await getOctokit(project.installation_id);
      await octokit.rest.repos.get({ owner: project.owner, repo: project.name });
      return undefined;
    } catch (error) {
      if (httpStatus(error) !== 404) return undefined;
      await db
        .updateTable("projects")
        .set({ suspended_at: clock() })
        .where("id", "=", row.project_id)
        .where("suspended_at", "is", null)
        .execute();
      return `${project.owner}/${project.name}`;
    }
  }

  async function configFor(projectId: number): Promise<RepoConfig> {
    return (await options.projectConfigs?.get(projectId)) ?? fallbackConfig;
  }

  async function claim(): Promise<OutboxRow[]> {
    const now = clock();
    return db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("outbox")
        .selectAll()
        .where("done_at", "is", null)
        .where("run_after", "<=", now)
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
        // Most severe bugs first (rows without a bug rank with high); then in planning order.
        .orderBy(severityRank)
        .orderBy("id")
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return [];
      await trx
        .updateTable("outbox")
        .set({
          locked_until: new Date(now.getTime() + leaseMs),
          claimed_by: workerId,
          claims: sql<number>`outbox.claims + 1`,
        })
        .where(
          "id",
          "in",
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => ({ ...r, claimed_by: workerId, claims: r.claims + 1 }));
    });
  }

  /** Extends the lease of the claimed rows not finished yet; another worker's are left alone. */
  async function renew(ids: number[]) {
    if (ids.length === 0) return;
    await db
      .updateTable("outbox")
      .set({ locked_until: new Date(clock().getTime() + leaseMs) })
      .where("id", "in", ids)
      .where("claimed_by", "=", workerId)
      .where("done_at", "is", null)
      .execute();
  }

  async function loadContext(row: OutboxRow) {
    if (row.bug_id == null) throw new Error(`outbox row ${row.id} has no bug`);
    const bug = await db
      .selectFrom("bugs")
      .selectAll()
      .where("id", "=", row.bug_id)
      .executeTakeFirstOrThrow();
    const project = await db
      .selectFrom("projects")
      .selectAll()
      .where("id", "=", bug.project_id)
      .executeTakeFirstOrThrow();
    if (project.installation_id == null) {
      throw new Dead(
        "suspended",
        `${project.owner}/${project.name} has no installation of the App`,
      );
    }
    const octokit = await octokitFor(row, project.installation_id);
    return { bug, project, octokit, repo: { owner: project.owner, repo: project.name } };
  }

  async function bugView(bug: BugRow): Promise<IssueBugView> {
    const distinct = async (column: "environment" | "release" | "service") => {
      const rows = await db
        .selectFrom("events")
        .select(column)
        .distinct()
        .where("bug_id", "=", bug.id)
        .where(column, "is not", null)
        .orderBy(column)
        .limit(20)
        .execute();
      return rows
        .map((r) => (r as Record<string, string | null>)[column])
        .filter((v): v is string => typeof v === "string");
    };
    const latest = await db
      .selectFrom("events")
      .selectAll()
      .where("bug_id", "=", bug.id)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    const latestEvent = toLatestEvent(latest);
    return {
      number: bug.number,
      title: bug.title,
      errorType: bug.error_type,
      ...(bug.culprit ? { culprit: bug.culprit } : {}),
      severity: bug.severity,
      category: bug.category,
      status: bug.status,
      fingerprint: bug.fingerprint,
      occurrenceCount: bug.occurrence_count,
      firstSeen: bug.first_seen,
      lastSeen: bug.last_seen,
      environments: await distinct("environment"),
      releases: await distinct("release"),
      services: await distinct("service"),
      regressionCount: bug.regression_count,
      ...(bug.grouping ? { grouping: bug.grouping } : {}),
      ...(bug.suspect ? { suspect: bug.suspect } : {}),
      ...(latestEvent ? { latestEvent } : {}),
      ...(options.appUrl ? { appUrl: options.appUrl } : {}),
    };
  }

  async function recordIssue(bugId: number, issue: { number: number; html_url: string }) {
    await db
      .updateTable("bugs")
      .set({ issue_number: issue.number, issue_url: issue.html_url })
      .where("id", "=", bugId)
      .where("issue_number", "is", null)
      .execute();
  }

  async function openIssue(row: OutboxRow) {
    const { bug, octokit, repo, project } = await loadContext(row);
    if (bug.issue_number != null) return; // never two issues
    // Past the repository's hourly limit: listed in the hour's "N new bugs" issue, opened later.
    const perHour = (await configFor(project.id)).new_issues_per_hour;
    if ((await issuesOpenedThisHour(db, project.id, clock())) >= perHour) {
      throw new NotYet("hourly new-issue limit", await deferNewIssue(db, row, clock()));
    }
    // A previous claim of this row may have created the issue and died before recording it: the
    // create below then finds it by its marker (issueMarker, first line of the body) instead of
    // opening another (create-once.ts). A first claim creates at once: no search per issue.
    const repoConfig = await configFor(project.id);
    const config = repoConfig.labels;
    const severityLabel = config.severity[bug.severity];
    await labels.ensure(octokit, repo, config.bug, config.colors.bug);
    await labels.ensure(octokit, repo, severityLabel, config.colors[bug.severity]);
    const categoryLabel = repoConfig.categories.label ? categoryLabelOf(bug.category) : undefined;
    if (categoryLabel) await labels.ensure(octokit, repo, categoryLabel, config.colors.category);
    const view = await bugView(bug);
    const created = await octokit.rest.issues.create({
      ...repo,
      title: issueTitle({
        number: bug.number,
        title: bug.title,
        ...(bug.culprit ? { culprit: bug.culprit } : {}),
      }),
      body: renderIssueBody(view),
      labels: [config.bug, severityLabel, ...(categoryLabel ? [categoryLabel] : [])],
    });
    await recordIssue(bug.id, created.data);
    log?.info(
      {
        outboxId: row.id,
        repo: `${repo.owner}/${repo.repo}`,
        bug: bugRef(bug.number),
        issue: created.data.number,
        url: created.data.html_url,
      },
      `opened issue ${repo.owner}/${repo.repo}#${created.data.number} for ${bugRef(bug.number)}`,
    );
  }

  async function commentMilestone(row: OutboxRow) {
    const { bug, octokit, repo, project } = await loadContext(row);
    // Switched off since the row was planned.
    if (!(await configFor(project.id)).comments.on_milestone) return;
    if (bug.issue_number == null) throw new NotYet("the issue is not open yet");
    const milestone = Number((row.payload as { milestone?: number }).milestone);
    const view = await bugView(bug);
    await octokit.rest.issues.createComment({
      ...repo,
      issue_number: bug.issue_number,
      body: renderMilestoneComment(view, milestone),
    });
  }

  async function reopenIssue(row: OutboxRow) {
    const { bug, octokit, repo, project } = await loadContext(row);
    if (bug.issue_number == null) throw new NotYet("the issue is not open yet");
    const p = row.payload as {
      release?: string | null;
      environment?: string | null;
      resolvedAt?: string | null;
      resolvedInRelease?: string | null;
    };
    await octokit.rest.issues.update({ ...repo, issue_number: bug.issue_number, state: "open" });
    if (!(await configFor(project.id)).comments.on_regression) return;
    const view = await bugView(bug);
    await octokit.rest.issues.createComment({
      ...repo,
      issue_number: bug.issue_number,
      body: renderRegressionComment(view, {
        countSinceResolution: bug.count_since_resolved,
        ...(p.release ? { release: p.release } : {}),
        ...(p.environment ? { environment: p.environment } : {}),
        ...(p.resolvedAt ? { resolvedAt: new Date(p.resolvedAt) } : {}),
        ...(p.resolvedInRelease ? { resolvedInRelease: p.resolvedInRelease } : {}),
      }),
    });
  }

  /** Rewrites the body with the counts of now; planned once per bug per refresh window. */
  async function updateIssueBody(row: OutboxRow) {
    const { bug, octokit, repo } = await loadContext(row);
    if (bug.issue_number == null) return; // unlinked since (issue deleted or transferred)
    const view = await bugView(bug);
    await octokit.rest.issues.update({
      ...repo,
      issue_number: bug.issue_number,
      body: renderIssueBody(view),
    });
  }

  async function commandReply(row: OutboxRow) {
    const { octokit, repo } = await loadContext(row);
    const p = row.payload as { issue_number?: number; body?: string };
    await octokit.rest.issues.createComment({
      ...repo,
      issue_number: Number(p.issue_number),
      body: p.body ?? renderCommandReply(false, "Something went wrong."),
    });
  }

  async function closeDuplicate(row: OutboxRow) {
    const { octokit, repo } = await loadContext(row);
    const p = row.payload as { issue_number?: number; target_ref?: string; target_url?: string };
    const issue_number = Number(p.issue_number);
    await octokit.rest.issues.createComment({
      ...repo,
      issue_number,
      body: renderDuplicateComment(p.target_ref ?? "", p.target_url ?? ""),
    });
    await octokit.rest.issues.update({
      ...repo,
      issue_number,
      state: "closed",
      state_reason: "not_planned",
    });
  }

  async function execute(row: OutboxRow) {
    switch (row.kind) {
      case OUTBOX_KINDS.openIssue:
        return openIssue(row);
      case OUTBOX_KINDS.commentMilestone:
        return commentMilestone(row);
      case OUTBOX_KINDS.reopenIssue:
        return reopenIssue(row);
      case OUTBOX_KINDS.commandReply:
        return commandReply(row);
      case OUTBOX_KINDS.closeDuplicate:
        return closeDuplicate(row);
      case OUTBOX_KINDS.updateIssueBody:
        return updateIssueBody(row);
      default: {
        const handler = options.handlers?.[row.kind];
        if (!handler) throw new Error(`unknown outbox kind ${row.kind}`);
        return handler(row, {
          db,
          clock,
          log,
          getOctokit: async (installationId) => octokitFor(row, installationId),
          ensureLabel: (octokit, repo, name, color) => labels.ensure(octokit, repo, name, color),
          ...(options.appId !== undefined ? { appId: options.appId } : {}),
          loadBugContext: () => loadContext(row),
        });
      }
    }
  }

  /** Stops a row for good: finished (nothing pending sees it) and dead, with its reason. */
  async function markDead(row: OutboxRow, reason: OutboxDeadReason, error: unknown, now: Date) {
    log?.warn(
      { err: error, outboxId: row.id, kind: row.kind, reason },
      `outbox row ${row.id} (${row.kind}) stopped: ${(error as Error)?.message ?? String(error)}`,
    );
    await db
      .updateTable("outbox")
      .set({
        attempts: sql<number>`outbox.attempts + 1`,
        // The worker's own verdicts read as sentences; a handler's error keeps its name.
        last_error: error instanceof Dead ? error.message.slice(0, 2000) : errorText(error),
        done_at: now,
        dead_at: now,
        dead_reason: reason,
        locked_until: null,
      })
      .where("id", "=", row.id)
      .execute();
  }

  /** Why a failure means the row can never succeed, if it does. */
  async function deadReasonOf(
    row: OutboxRow,
    error: unknown,
  ): Promise<{ reason: OutboxDeadReason; error: unknown } | undefined> {
    if (error instanceof Dead) return { reason: error.reason, error };
    if (error instanceof GiveUp) return { reason: "given_up", error };
    const status = httpStatus(error);
    if (status === 404 || status === 410) {
      const gone = await repositoryGone(row).catch(() => undefined);
      if (gone) {
        return {
          reason: "gone",
          error: new Dead("gone", `repository ${gone} is gone, or the App can no longer see it`),
        };
      }
      return { reason: "refused", error };
    }
    // Validation failed: the same request fails the same way every time.
    if (status === 422) return { reason: "refused", error };
    if (row.attempts + 1 >= maxAttempts) {
      return {
        reason: "attempts",
        error: new Dead(
          "attempts",
          `gave up after ${row.attempts + 1} attempts: ${errorText(error)}`,
        ),
      };
    }
    return undefined;
  }

  async function runRow(row: OutboxRow) {
    const started = performance.now();
    const report = (outcome: OutboxRunEvent["outcome"], deadReason?: OutboxDeadReason) =>
      options.observe?.({
        kind: row.kind,
        outcome,
        ...(deadReason ? { deadReason } : {}),
        ms: performance.now() - started,
      });
    try {
      await execute(row);
      await db
        .updateTable("outbox")
        .set({ done_at: clock(), locked_until: null, last_error: null })
        .where("id", "=", row.id)
        .execute();
      report("done");
    } catch (error) {
      const now = clock();
      if (error instanceof PacedOut) {
        // GitHub's write budget is used up for now: the row waits for its slot, not a failure.
        await db
          .updateTable("outbox")
          .set({
            run_after: new Date(now.getTime() + error.waitMs),
            locked_until: null,
            last_error: error.message,
          })
          .where("id", "=", row.id)
          .execute();
        report("waiting");
        return;
      }
      if (error instanceof NotYet) {
        // Waiting for something else (its issue, the hourly limit): not a failure, but not forever.
        const waited = now.getTime() - new Date(row.created_at).getTime();
        if (waited >= maxWaitMs) {
          const reason = new Dead(
            "waited",
            `waited since ${new Date(row.created_at).toISOString()}: ${error.message}`,
          );
          await markDead(row, "waited", reason, now);
          report("dead", "waited");
          return;
        }
        await db
          .updateTable("outbox")
          .set({
            run_after: error.until ?? new Date(now.getTime() + BASE_BACKOFF_MS),
            locked_until: null,
            last_error: error.message,
          })
          .where("id", "=", row.id)
          .execute();
        report("waiting");
        return;
      }
      const dead = await deadReasonOf(row, error);
      if (dead) {
        await markDead(row, dead.reason, dead.error, now);
        report("dead", dead.reason);
        return;
      }
      const attempts = row.attempts + 1;
      const delay = retryDelayMs(error, attempts, now);
      log?.warn({ err: error, outboxId: row.id, kind: row.kind, attempts }, "outbox row failed");
      await db
        .updateTable("outbox")
        .set({
          attempts: sql<number>`outbox.attempts + 1`,
          last_error: errorText(error),
          run_after: new Date(now.getTime() + delay),
          locked_until: null,
        })
        .where("id", "=", row.id)
        .execute();
      report("retry");
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  return {
    async runOnce() {
      const rows = await claim();
      if (rows.length === 0) return 0;
      const pending = new Set(rows.map((r) => r.id));
      // Renewed while the rows are worked on: a GitHub call (or a paced write) may outlast it.
      const renewal = setInterval(
        () => {
          renew([...pending]).catch((error: unknown) =>
            log?.warn({ err: error }, "outbox lease renewal failed"),
          );
        },
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      try {
        for (const row of rows) {
          await runRow(row);
          pending.delete(row.id);
        }
      } finally {
        clearInterval(renewal);
      }
      return rows.length;
    },
    start(intervalMs) {
      if (timer) return;
      const tick = () => {
        let claimed = 0;
        running = this.runOnce()
          .then((n) => {
            claimed = n;
          })
          .catch((error) => log?.error({ err: error }, "outbox run failed"))
          .finally(() => {
            // A full batch: more rows are likely due, so the next batch goes at once (writes are
            // paced by the pacer, not by this loop).
            if (timer) timer = setTimeout(tick, claimed >= batchSize ? 0 : intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
