import { type Kysely, type Transaction, sql } from "kysely";
import type { Database, OutboxDeadReason } from "../../db/schema.js";
import { bugRef } from "../render/index.js";

/**
 * What an operator sees and does with the outbox (`faultline outbox`), and how the table stays
 * bounded (the retention job). A row is pending (not finished), done (finished, `dead_at` null)
 * or dead (stopped for good: `dead_at`, `dead_reason`, `last_error`).
 */

type Db = Kysely<Database> | Transaction<Database>;

export type OutboxState = "pending" | "dead";

export interface OutboxEntry {
  id: number;
  kind: string;
  /** owner/name, when the row belongs to a repository. */
  repo: string | null;
  /** B-007, when the row is about a bug. */
  bug: string | null;
  state: OutboxState;
  attempts: number;
  createdAt: Date;
  /** Pending: when it runs next. */
  runAfter: Date;
  deadAt: Date | null;
  deadReason: OutboxDeadReason | null;
  lastError: string | null;
}

export interface OutboxCounts {
  pending: number;
  /** Pending rows that failed at least once. */
  failing: number;
  dead: number;
  done: number;
}

export async function countOutbox(db: Db): Promise<OutboxCounts> {
  const row = await db
    .selectFrom("outbox")
    .select([
      sql<number>`count(*) FILTER (WHERE done_at IS NULL)`.as("pending"),
      sql<number>`count(*) FILTER (WHERE done_at IS NULL AND attempts > 0)`.as("failing"),
      sql<number>`count(*) FILTER (WHERE dead_at IS NOT NULL)`.as("dead"),
      sql<number>`count(*) FILTER (WHERE done_at IS NOT NULL AND dead_at IS NULL)`.as("done"),
    ])
    .executeTakeFirstOrThrow();
  return {
    pending: Number(row.pending),
    failing: Number(row.failing),
    dead: Number(row.dead),
    done: Number(row.done),
  };
}

/** Pending and dead rows (or one of the two), oldest first. */
export async function listOutbox(
  db: Db,
  options: { state?: OutboxState; limit: number },
): Promise<OutboxEntry[]> {
  let query = db
    .selectFrom("outbox")
    .leftJoin("projects", "projects.id", "outbox.project_id")
    .leftJoin("bugs", "bugs.id", "outbox.bug_id")
    .select([
      "outbox.id",
      "outbox.kind",
      "outbox.attempts",
      "outbox.created_at",
      "outbox.run_after",
      "outbox.dead_at",
      "outbox.dead_reason",
      "outbox.last_error",
      "outbox.done_at",
      "projects.owner",
      "projects.name",
      "bugs.number",
    ]);
  if (options.state === "pending") query = query.where("outbox.done_at", "is", null);
  else if (options.state === "dead") query = query.where("outbox.dead_at", "is not", null);
  else {
    query = query.where((eb) =>
      eb.or([eb("outbox.done_at", "is", null), eb("outbox.dead_at", "is not", null)]),
    );
  }
  const rows = await query.orderBy("outbox.id").limit(options.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    repo: r.owner && r.name ? `${r.owner}/${r.name}` : null,
    bug: r.number != null ? bugRef(r.number) : null,
    state: r.dead_at ? "dead" : "pending",
    attempts: r.attempts,
    createdAt: new Date(r.created_at),
    runAfter: new Date(r.run_after),
    deadAt: r.dead_at ? new Date(r.dead_at) : null,
    deadReason: r.dead_reason,
    lastError: r.last_error,
  }));
}

export interface OutboxSelection {
  ids?: readonly number[];
  /** Every dead row. */
  allDead?: boolean;
}

export interface OutboxChange {
  /** Rows changed (retried or dropped). */
  changed: number[];
  /** Ids that name no row, or a row that finished successfully (nothing to retry). */
  skipped: number[];
}

/**
 * Runs rows again now: a dead row becomes pending with its attempts reset (its claims are kept,
 * so a create that may have landed is looked for before it is sent again); a pending row is
 * brought forward. Rows that finished successfully are left alone.
 */
export async function retryOutbox(
  db: Db,
  selection: OutboxSelection,
  now: Date,
): Promise<OutboxChange> {
  const ids = selection.ids ?? [];
  if (!selection.allDead && ids.length === 0) return { changed: [], skipped: [] };
  const changed = await db
    .updateTable("outbox")
    .set({
      done_at: null,
      dead_at: null,
      dead_reason: null,
      attempts: 0,
      run_after: now,
      locked_until: null,
    })
    .where((eb) =>
      selection.allDead
        ? eb("dead_at", "is not", null)
        : eb.and([
            eb("id", "in", ids),
            eb.or([eb("done_at", "is", null), eb("dead_at", "is not", null)]),
          ]),
    )
    .returning("id")
    .execute();
  const done = new Set(changed.map((r) => r.id));
  return {
    changed: [...done].sort((a, b) => a - b),
    skipped: ids.filter((id) => !done.has(id)),
  };
}

/** Deletes rows (pending or dead; a row being worked on may still make its GitHub call). */
export async function dropOutbox(db: Db, selection: OutboxSelection): Promise<OutboxChange> {
  const ids = selection.ids ?? [];
  if (!selection.allDead && ids.length === 0) return { changed: [], skipped: [] };
  const dropped = await db
    .deleteFrom("outbox")
    .where((eb) =>
      selection.allDead
        ? eb("dead_at", "is not", null)
        : eb.and([
            eb("id", "in", ids),
            eb.or([eb("done_at", "is", null), eb("dead_at", "is not", null)]),
          ]),
    )
    .returning("id")
    .execute();
  const gone = new Set(dropped.map((r) => r.id));
  return {
    changed: [...gone].sort((a, b) => a - b),
    skipped: ids.filter((id) => !gone.has(id)),
  };
}

/**
 * The App is installed on these repositories again (or its installation unsuspended): the work
 * that stopped because it was not, or because the repository seemed gone, runs again.
 */
export async function resumeStoppedWork(
  db: Db,
  scope: { projectIds: readonly number[] } | { installationId: number },
  now: Date,
): Promise<number> {
  if ("projectIds" in scope && scope.projectIds.length === 0) return 0;
  const result = await db
    .updateTable("outbox")
    .set({
      done_at: null,
      dead_at: null,
      dead_reason: null,
      attempts: 0,
      run_after: now,
      locked_until: null,
    })
    .where("dead_reason", "in", ["suspended", "gone"])
    .where(
      "project_id",
      "in",
      "projectIds" in scope
        ? scope.projectIds
        : db
            .selectFrom("projects")
            .select("id")
            .where("installation_id", "=", scope.installationId),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface PruneResult {
  /** Finished rows deleted (done more than `finishedMs` ago). */
  finished: number;
  /** Dead rows deleted (dead more than `deadMs` ago). */
  dead: number;
  /** Handled webhook delivery ids deleted. */
  deliveries: number;
}

/**
 * Keeps the outbox and webhook_deliveries bounded, in statements of at most `batchSize` rows so
 * that no lock is held long. Idempotency keys of pruned rows can be planned again: planning keys
 * are tied to one transition (a milestone crossed, a regression, a window), which does not recur.
 */
export async function pruneOutboxAndDeliveries(
  db: Kysely<Database>,
  options: {
    now: Date;
    finishedMs: number;
    deadMs: number;
    deliveriesMs: number;
    batchSize?: number;
  },
): Promise<PruneResult> {
  const batch = options.batchSize ?? 5_000;
  const before = (ms: number) => new Date(options.now.getTime() - ms);
  const drain = async (statement: () => Promise<number>) => {
    let total = 0;
    for (;;) {
      const n = await statement();
      total += n;
      if (n < batch) return total;
    }
  };
  const finished = await drain(async () => {
    const r = await sql`DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE done_at IS NOT NULL AND dead_at IS NULL
          AND done_at < ${before(options.finishedMs)} LIMIT ${batch})`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  });
  const dead = await drain(async () => {
    const r = await sql`DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE dead_at IS NOT NULL
          AND dead_at < ${before(options.deadMs)} LIMIT ${batch})`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  });
  const deliveries = await drain(async () => {
    const r = await sql`DELETE FROM webhook_deliveries WHERE delivery_id IN (
        SELECT delivery_id FROM webhook_deliveries
          WHERE received_at < ${before(options.deliveriesMs)} LIMIT ${batch})`.execute(db);
    return Number(r.numAffectedRows ?? 0);
  });
  return { finished, dead, deliveries };
}

/** Pending and dead rows by kind, with the age of the oldest pending one (metrics). */
export async function outboxBacklog(
  db: Db,
  now: Date,
): Promise<{ kind: string; pending: number; oldestSeconds: number; dead: number }[]> {
  const rows = await db
    .selectFrom("outbox")
    .select([
      "kind",
      sql<number>`count(*) FILTER (WHERE done_at IS NULL)`.as("pending"),
      sql<Date | null>`min(created_at) FILTER (WHERE done_at IS NULL)`.as("oldest"),
      sql<number>`count(*) FILTER (WHERE dead_at IS NOT NULL)`.as("dead"),
    ])
    .where((eb) => eb.or([eb("done_at", "is", null), eb("dead_at", "is not", null)]))
    .groupBy("kind")
    .orderBy("kind")
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    pending: Number(r.pending),
    oldestSeconds: r.oldest
      ? Math.max(0, (now.getTime() - new Date(r.oldest).getTime()) / 1000)
      : 0,
    dead: Number(r.dead),
  }));
}
