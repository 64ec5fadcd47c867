import type { Kysely, Transaction } from "kysely";
import { LRUCache } from "lru-cache";
import {
  type OccurrenceEffect,
  OutboxPlan,
  type PlannedOutboxRow,
  insertOutboxRows,
} from "../../bugs/index.js";
import type { Database } from "../../db/schema.js";
import {
  type ProjectGithubSettings,
  readProjectGithubSettings,
} from "../config/read-project-config.js";

export const OUTBOX_KINDS = {
  openIssue: "open_issue",
  commentMilestone: "comment_milestone",
  reopenIssue: "reopen_issue",
  commandReply: "command_reply",
  closeDuplicate: "close_duplicate",
  updateIssueBody: "update_issue_body",
  loadConfig: "load_config",
} as const;

export interface PlanGithubEffectsOptions {
  /** Overrides the repo config's threshold (occurrences before the issue is opened). */
  threshold?: number;
  /** Overrides the repo config's milestones (occurrence counts that earn a comment). */
  milestones?: readonly number[];
  /**
   * How long a project's installation and `.github/faultline.yml` (as stored by the load_config
   * row) are trusted without reading the projects row again. Default 30 s, like projectConfigs.
   */
  cacheTtlMs?: number;
}

/** The time window an occurrence falls in, for one body refresh per bug per window. */
export function bodyRefreshWindow(
  receivedAt: Date,
  intervalMs: number,
): { key: number; end: Date } {
  const key = Math.floor(receivedAt.getTime() / intervalMs);
  return { key, end: new Date((key + 1) * intervalMs) };
}

/**
 * Adds one outbox row unless a row with the same key exists (the key makes planning idempotent
 * across retries, concurrent reports and replicas). Call it inside the transaction of the change
 * that causes the work.
 */
export async function enqueue(
  trx: Transaction<Database> | Kysely<Database> | OutboxPlan,
  row: PlannedOutboxRow,
): Promise<void> {
  // A report's effects plan into the transaction's OutboxPlan: one insert for the whole group.
  if (trx instanceof OutboxPlan) return trx.add(row);
  await insertOutboxRows(trx, [row]);
}

/**
 * Plans GitHub work inside the report transaction, as outbox rows keyed so that a retried or
 * concurrent report never plans the same thing twice. Projects without an installation get none.
 */
export function planGithubEffects(options: PlanGithubEffectsOptions = {}): OccurrenceEffect {
  // Effects run for every report (once per bug per group commit): the installation id and the
  // config come from a short-lived cache, not a query each time. A miss reads through the report's
  // transaction (see readProjectGithubSettings). A project installed a moment ago gets its rows
  // from its next report (open_issue is planned while count >= threshold).
  const settings = new LRUCache<number, ProjectGithubSettings>({
    max: 10_000,
    ttl: options.cacheTtlMs ?? 30_000,
  });
  async function settingsOf(trx: Transaction<Database>, projectId: number) {
    const cached = settings.get(projectId);
    if (cached) return cached;
    const read = await readProjectGithubSettings(trx, projectId);
    settings.set(projectId, read);
    return read;
  }

  // Keys of rows known to be committed: every group of a busy bug would otherwise plan again (and
  // the database ignore) its open_issue row until the issue exists, and its body refresh until
  // the window ends. Set only after COMMIT (a rolled-back group plans again on its retry); the
  // TTL bounds how long a row deleted since (outbox pruning) stays unplanned.
  const committedKeys = new LRUCache<string, true>({ max: 20_000, ttl: 10 * 60_000 });

  return async (trx, outcome, occurrence, outbox) => {
    const plan = (row: PlannedOutboxRow) => {
      if (committedKeys.has(row.key)) return;
      outbox.add(row);
      outbox.afterCommit(() => committedKeys.set(row.key, true));
    };
    if (outcome.duplicate) return;
    const bug = outcome.bug;
    const { installationId, config } = await settingsOf(trx, bug.projectId);
    if (installationId == null) return;
    const threshold = options.threshold ?? config.threshold;
    const milestones = config.comments.on_milestone
      ? (options.milestones ?? config.milestones)
      : [];
    const base = { projectId: bug.projectId, bugId: bug.id, runAfter: occurrence.receivedAt };
    const count = bug.occurrenceCount;

    if (bug.issueNumber == null && count >= threshold) {
      plan({
        ...base,
        kind: OUTBOX_KINDS.openIssue,
        key: `open_issue:${bug.id}`,
        payload: {},
      });
    }
    // This occurrence (or group of them) moved the count from previousOccurrenceCount to count.
    for (const milestone of milestones) {
      if (
        milestone > threshold &&
        count >= milestone &&
        outcome.previousOccurrenceCount < milestone
      ) {
        plan({
          ...base,
          kind: OUTBOX_KINDS.commentMilestone,
          key: `milestone:${bug.id}:${milestone}`,
          payload: { milestone },
        });
      }
    }
    // Counts in the body go stale: one refresh per bug per window, run at the window's end so it
    // shows the counts of the whole window. Only bugs that have an issue (known from the bug row).
    const interval = config.body_update_interval;
    if (bug.issueNumber != null && interval !== null && interval > 0) {
      const window = bodyRefreshWindow(occurrence.receivedAt, interval);
      plan({
        ...base,
        kind: OUTBOX_KINDS.updateIssueBody,
        key: `issue_body:${bug.id}:${interval}:${window.key}`,
        payload: { window: window.key },
        runAfter: window.end,
      });
    }
    if (outcome.isRegression) {
      plan({
        ...base,
        kind: OUTBOX_KINDS.reopenIssue,
        key: `regression:${bug.id}:${bug.regressionCount}`,
        payload: {
          regressionCount: bug.regressionCount,
          release: occurrence.event.release ?? null,
          environment: occurrence.event.environment ?? null,
          resolvedAt: bug.resolvedAt?.toISOString() ?? null,
          resolvedInRelease: bug.resolvedInRelease,
        },
      });
    }
  };
}
