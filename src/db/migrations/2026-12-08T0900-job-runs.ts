import { type Kysely, sql } from "kysely";

/**
 * The last cron tick ("slot") each scheduled job was run for. The advisory lock only keeps two
 * runs from overlapping: with two replicas, the one whose tick fired after the other's run ended
 * took the lock and ran the same tick again (3 of 23 ticks, issue #19). A replica now claims
 * the tick here (an upsert that only moves `slot` forward) and runs only if it did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE job_runs (
      job text PRIMARY KEY,
      slot timestamptz NOT NULL,
      claimed_at timestamptz NOT NULL,
      claimed_by text NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS job_runs`.execute(db);
}
