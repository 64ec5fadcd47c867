import { type Kysely, sql } from "kysely";

/**
 * Per-minute counts of the repo config's rate limits (per bug, per project), shared by every
 * replica (ingest/admission/shared-quota.ts). UNLOGGED: a count lost in a crash only lets a
 * minute store a few more events, and these rows change with every chunk of reports, so they
 * are kept out of the WAL (and off streaming replicas).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE UNLOGGED TABLE rate_windows (
      key text NOT NULL,
      window_start timestamptz NOT NULL,
      used integer NOT NULL,
      PRIMARY KEY (key, window_start)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS rate_windows`.execute(db);
}
