/**
 * The retention job: deletes events past each project's retention (`retention.resolved_events`
 * for resolved bugs, `retention.events` for the rest; null = keep). Bugs and bug_hourly stay, so
 * counts, trends and stats survive. Then the bookkeeping tables: finished outbox rows, dead ones
 * and handled webhook delivery ids past the server's windows. Deletes go in bounded batches, each
 * its own short statement, so that ingestion never waits long on their locks.
 */
import { type Kysely, sql } from "kysely";
import type { RepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/index.js";
import { type PruneResult, pruneOutboxAndDeliveries } from "../github/index.js";

const DAY_MS = 86_400_000;

/** How long finished outbox rows, dead ones and webhook delivery ids are kept. */
export interface BookkeepingRetention {
  /** OUTBOX_RETENTION. */
  finishedMs: number;
  /** OUTBOX_DEAD_RETENTION. */
  deadMs: number;
  /** WEBHOOK_DELIVERY_RETENTION: GitHub redelivers for 3 days, so at least that. */
  deliveriesMs: number;
}

export const DEFAULT_BOOKKEEPING_RETENTION: BookkeepingRetention = {
  finishedMs: 7 * DAY_MS,
  deadMs: 30 * DAY_MS,
  deliveriesMs: 7 * DAY_MS,
};

export interface RetentionJobDeps {
  db: Kysely<Database>;
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
  /** Rows per DELETE statement; default 5,000. */
  batchSize?: number;
  /** Default DEFAULT_BOOKKEEPING_RETENTION. */
  bookkeeping?: BookkeepingRetention;
}

export interface RetentionRunResult {
  projects: number;
  /** Events deleted. */
  deleted: number;
  statements: number;
  /** Outbox rows and webhook delivery ids deleted. */
  pruned: PruneResult;
}

export async function runRetention(deps: RetentionJobDeps, now: Date): Promise<RetentionRunResult> {
  const { db } = deps;
  const batchSize = deps.batchSize ?? 5_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`retention batchSize must be a positive integer, got ${batchSize}`);
  }
  const projects = await db.selectFrom("projects").select("id").orderBy("id").execute();
  const total: RetentionRunResult = {
    projects: projects.length,
    deleted: 0,
    statements: 0,
    pruned: { finished: 0, dead: 0, deliveries: 0 },
  };

  const drain = async (deleteBatch: () => Promise<number>) => {
    for (;;) {
      const n = await deleteBatch();
      total.statements++;
      total.deleted += n;
      if (n < batchSize) return;
    }
  };

  for (const { id: projectId } of projects) {
    const { retention } = await deps.projectConfigs.get(projectId);
    if (retention.resolved_events !== null) {
      const cutoff = new Date(now.getTime() - retention.resolved_events);
      await drain(async () => {
        const result = await sql`
          DELETE FROM events WHERE id IN (
            SELECT e.id FROM events e JOIN bugs b ON b.id = e.bug_id
            WHERE e.project_id = ${projectId} AND b.status = 'resolved'
              AND e.received_at < ${cutoff}
            LIMIT ${batchSize})`.execute(db);
        return Number(result.numAffectedRows ?? 0);
      });
    }
    if (retention.events !== null) {
      const cutoff = new Date(now.getTime() - retention.events);
      await drain(async () => {
        const result = await sql`
          DELETE FROM events WHERE id IN (
            SELECT e.id FROM events e JOIN bugs b ON b.id = e.bug_id
            WHERE e.project_id = ${projectId} AND b.status <> 'resolved'
              AND e.received_at < ${cutoff}
            LIMIT ${batchSize})`.execute(db);
        return Number(result.numAffectedRows ?? 0);
      });
    }
  }
  total.pruned = await pruneOutboxAndDeliveries(db, {
    now,
    ...(deps.bookkeeping ?? DEFAULT_BOOKKEEPING_RETENTION),
    batchSize,
  });
  return total;
}
