import type { Kysely, Transaction } from "kysely";
import type { OccurrenceEffect } from "../../bugs/index.js";
import { DEFAULT_REPO_CONFIG } from "../../config/repo-config.js";
import type { Database } from "../../db/schema.js";

export const OUTBOX_KINDS = {
  openIssue: "open_issue",
  commentMilestone: "comment_milestone",
  reopenIssue: "reopen_issue",
  commandReply: "command_reply",
  closeDuplicate: "close_duplicate",
} as const;

export interface PlanGithubEffectsOptions {
  /** Occurrences before the issue is opened (default: the repo config default, 1). */
  threshold?: number;
  /** Occurrence counts that earn a comment (default: the repo config default). */
  milestones?: readonly number[];
}

/**
 * Adds one outbox row unless a row with the same key exists (the key makes planning idempotent
 * across retries, concurrent reports and replicas). Call it inside the transaction of the change
 * that causes the work.
 */
export async function enqueue(
  trx: Transaction<Database> | Kysely<Database>,
  row: {
    projectId: number | null;
    /** null for work about the repository rather than a bug (digest, config error). */
    bugId: number | null;
    kind: string;
    key: string;
    payload: Record<string, unknown>;
    runAfter: Date;
  },
): Promise<void> {
  await trx
    .insertInto("outbox")
    .values({
      project_id: row.projectId,
      bug_id: row.bugId,
      kind: row.kind,
      payload: JSON.stringify(row.payload),
      idempotency_key: row.key,
      run_after: row.runAfter,
    })
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .execute();
}

/**
 * Plans GitHub work inside the report transaction, as outbox rows keyed so that a retried or
 * concurrent report never plans the same thing twice. Projects without an installation get none.
 */
export function planGithubEffects(options: PlanGithubEffectsOptions = {}): OccurrenceEffect {
  const threshold = options.threshold ?? DEFAULT_REPO_CONFIG.threshold;
  const milestones = [...(options.milestones ?? DEFAULT_REPO_CONFIG.milestones)];
  return async (trx, outcome, occurrence) => {
    if (outcome.duplicate) return;
    const bug = outcome.bug;
    const project = await trx
      .selectFrom("projects")
      .select(["installation_id"])
      .where("id", "=", bug.projectId)
      .executeTakeFirst();
    if (project?.installation_id == null) return;
    const base = { projectId: bug.projectId, bugId: bug.id, runAfter: occurrence.receivedAt };
    const count = bug.occurrenceCount;

    if (bug.issueNumber == null && count >= threshold) {
      await enqueue(trx, {
        ...base,
        kind: OUTBOX_KINDS.openIssue,
        key: `open_issue:${bug.id}`,
        payload: {},
      });
    }
    // This occurrence moved the count from count-1 to count.
    for (const milestone of milestones) {
      if (milestone > threshold && count >= milestone && count - 1 < milestone) {
        await enqueue(trx, {
          ...base,
          kind: OUTBOX_KINDS.commentMilestone,
          key: `milestone:${bug.id}:${milestone}`,
          payload: { milestone },
        });
      }
    }
    if (outcome.isRegression) {
      await enqueue(trx, {
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
