import { type Kysely, sql } from "kysely";

/**
 * Compacted rollups of finished UTC days (filled by the rollup job, read by the stats summary):
 * - rollup_days: the days compacted so far; a summary reads those days from the tables below and
 *   everything else from bug_hourly / events.
 * - bug_daily: bug_hourly summed per day (per bug, for top bugs and distinct-bug counts).
 * - project_hourly: bug_hourly without the bug, for the hourly error rate.
 * - user_monthly: one row per user (md5 of user_id), month and scope, with a bitmask of the days
 *   (bit 0 = the 1st) the user was affected on: distinct users over any set of days reads one row
 *   per user and month, not per user and day. The scope says which dimensions the row is for, so
 *   a summary filtered on environment or service reads only its own rows: 0 = all (environment
 *   and service ''), 1 = per environment (service ''), 2 = per service (environment ''), 3 = both.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE rollup_days (
      day timestamptz PRIMARY KEY,
      compacted_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE bug_daily (
      bug_id bigint NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      day timestamptz NOT NULL,
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      count integer NOT NULL,
      PRIMARY KEY (bug_id, day, environment, service)
    )`.execute(db);
  await sql`CREATE INDEX bug_daily_project_day_idx ON bug_daily (project_id, day)`.execute(db);
  await sql`
    CREATE TABLE project_hourly (
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      hour timestamptz NOT NULL,
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      count integer NOT NULL,
      PRIMARY KEY (project_id, hour, environment, service)
    )`.execute(db);
  await sql`
    CREATE TABLE user_monthly (
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      month timestamptz NOT NULL,
      scope smallint NOT NULL CHECK (scope BETWEEN 0 AND 3),
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      user_hash uuid NOT NULL,
      days integer NOT NULL,
      -- days in the key's index too: a summary's read is then an index-only scan (the rows
      -- of one month are scattered over the heap: one page per user otherwise, ~10x slower).
      PRIMARY KEY (project_id, month, scope, environment, service, user_hash) INCLUDE (days)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["user_monthly", "project_hourly", "bug_daily", "rollup_days"]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
