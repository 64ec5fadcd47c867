import { type Kysely, sql } from "kysely";

/**
 * Affected users of compacted days as one distinct-count sketch per project, day and scope
 * (src/stats/user-sketch.ts: exact up to 2,048 users, a HyperLogLog estimate above), instead of
 * user_monthly's one row per user: a 30-day summary then merges 30 small values in Node instead
 * of hashing ~100k rows in Postgres.
 *
 * The scope is stored as rows, pre-merged as in user_monthly, so a read fetches exactly one row
 * per day whatever the filter: 0 = all (environment and service ''), 1 = per environment
 * (service ''), 2 = per service (environment ''), 3 = per environment and service. The scope is
 * part of the key because '' is also a real value (events without an environment/service): scope
 * 0 and scope 1 with environment '' are different sets. The key leads with the filter columns
 * and ends with the day, so a summary's read is one index range scan.
 *
 * Backfill: a migration cannot build sketches (that needs the JS encoder), so it drops
 * user_monthly and forgets which days were compacted; the rollup job then recompacts every day
 * still in bug_hourly (the bug rollup and project_hourly writes are idempotent replaces, so those
 * rows come out the same) and builds the sketches from the events. ONE-TIME LOSS: users of days whose
 * events retention already deleted are not in the new sketches (user_monthly held them): those
 * days count no affected users after this migration. Until the job has caught up (62 days per
 * run), summaries read those days from bug_hourly/events, with the same figures.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE user_day_sketches (
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      day timestamptz NOT NULL,
      scope smallint NOT NULL CHECK (scope BETWEEN 0 AND 3),
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      sketch bytea NOT NULL,
      PRIMARY KEY (project_id, scope, environment, service, day)
    )`.execute(db);
  await sql`DROP TABLE IF EXISTS user_monthly`.execute(db);
  await sql`DELETE FROM rollup_days`.execute(db);
}

/** Back to user_monthly's shape (empty): the days are recompacted into it by the old job. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS user_day_sketches`.execute(db);
  await sql`
    CREATE TABLE user_monthly (
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      month timestamptz NOT NULL,
      scope smallint NOT NULL CHECK (scope BETWEEN 0 AND 3),
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      user_hash uuid NOT NULL,
      days integer NOT NULL,
      PRIMARY KEY (project_id, month, scope, environment, service, user_hash) INCLUDE (days)
    )`.execute(db);
  await sql`DELETE FROM rollup_days`.execute(db);
}
