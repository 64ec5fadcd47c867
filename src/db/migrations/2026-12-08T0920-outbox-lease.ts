import { type Kysely, sql } from "kysely";

/**
 * Outbox rows are claimed with a short lease that the worker renews while it works on them
 * (`locked_until`, `claimed_by`), instead of a 5-minute lock: rows of a worker that died are
 * taken over within seconds. `claims` counts the claims of a row: past the first, a previous
 * attempt may have made its GitHub write without recording it, so creates look for it first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN claimed_by text`.execute(db);
  await sql`ALTER TABLE outbox ADD COLUMN claims integer NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE outbox DROP COLUMN claims`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN claimed_by`.execute(db);
}
