import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/index.js";

/** One outbox row an effect wants written with the report(s) that caused it. */
export interface PlannedOutboxRow {
  projectId: number | null;
  /** null for work about the repository rather than a bug. */
  bugId: number | null;
  kind: string;
  /** Idempotency key: a row whose key exists is not written again. */
  key: string;
  payload: Record<string, unknown>;
  runAfter: Date;
}

/**
 * The outbox rows the effects of one transaction planned, written by the report service in ONE
 * statement after every effect ran: a group commit touching many bugs costs one round trip for
 * its rows, not one per row. Hooks registered with afterCommit run only once the transaction has
 * committed, so an effect may remember "this row exists" without trusting a rolled-back insert.
 */
export class OutboxPlan {
  private readonly planned: PlannedOutboxRow[] = [];
  private readonly keys = new Set<string>();
  private readonly commitHooks: (() => void)[] = [];

  add(row: PlannedOutboxRow): void {
    // The same key twice in one statement would be written once anyway; keep the first (order).
    if (this.keys.has(row.key)) return;
    this.keys.add(row.key);
    this.planned.push(row);
  }

  afterCommit(hook: () => void): void {
    this.commitHooks.push(hook);
  }

  get rows(): readonly PlannedOutboxRow[] {
    return this.planned;
  }

  /** Inserts the planned rows in planning order (ids follow it: the outbox runs in id order). */
  async write(trx: Transaction<Database>): Promise<void> {
    await insertOutboxRows(trx, this.planned);
  }

  /** Call once the transaction that wrote the plan has committed. */
  committed(): void {
    for (const hook of this.commitHooks) hook();
  }
}

/** One INSERT of outbox rows, in order; a row whose idempotency key exists is left out. */
export async function insertOutboxRows(
  db: Kysely<Database> | Transaction<Database>,
  rows: readonly PlannedOutboxRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto("outbox")
    .values(
      rows.map((row) => ({
        project_id: row.projectId,
        bug_id: row.bugId,
        kind: row.kind,
        payload: JSON.stringify(row.payload),
        idempotency_key: row.key,
        run_after: row.runAfter,
      })),
    )
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .execute();
}
