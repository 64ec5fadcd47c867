import { type Kysely, sql } from "kysely";

/**
 * bug_monthly replaces bug_daily: one row per bug, month, environment and service with the
 * month's per-day counts (counts[d] = day d, always 31 elements, zeros for days without
 * occurrences or that the month lacks). A 30-day summary then reads ~1/15 of the rows bug_daily
 * needed (one per bug and day) and sums a slice of each array. The daily compaction sets one
 * element per run (see stats/daily-rollup.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE bug_monthly (
      bug_id bigint NOT NULL REFERENCES bugs(id) ON DELETE CASCADE,
      project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      month timestamptz NOT NULL,
      environment text NOT NULL DEFAULT '',
      service text NOT NULL DEFAULT '',
      -- A fixed length: setting counts[d] never pads with NULLs, and slices need no bounds.
      counts integer[] NOT NULL CHECK (array_length(counts, 1) = 31 AND array_lower(counts, 1) = 1),
      PRIMARY KEY (bug_id, month, environment, service)
    )`.execute(db);
  await sql`CREATE INDEX bug_monthly_project_month_idx ON bug_monthly (project_id, month)`.execute(
    db,
  );
  // One array per (bug, month, environment, service): its 31 days, left-joined to the daily rows.
  await sql`
    WITH daily AS (
      SELECT bug_id, project_id, environment, service, count,
        date_trunc('month', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month,
        extract(day FROM day AT TIME ZONE 'UTC')::int AS day_of_month
      FROM bug_daily
    )
    INSERT INTO bug_monthly (bug_id, project_id, month, environment, service, counts)
    SELECT k.bug_id, k.project_id, k.month, k.environment, k.service,
      array_agg(coalesce(d.count, 0) ORDER BY n.day_of_month)
    FROM (SELECT DISTINCT bug_id, project_id, month, environment, service FROM daily) AS k
    CROSS JOIN generate_series(1, 31) AS n(day_of_month)
    LEFT JOIN daily AS d ON d.bug_id = k.bug_id AND d.month = k.month
      AND d.environment = k.environment AND d.service = k.service
      AND d.day_of_month = n.day_of_month
    GROUP BY k.bug_id, k.project_id, k.month, k.environment, k.service`.execute(db);
  await sql`DROP TABLE bug_daily`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
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
    INSERT INTO bug_daily (bug_id, project_id, day, environment, service, count)
    SELECT m.bug_id, m.project_id, m.month + (c.day_of_month - 1) * interval '24 hours',
      m.environment, m.service, c.count
    FROM bug_monthly AS m
    CROSS JOIN LATERAL unnest(m.counts) WITH ORDINALITY AS c(count, day_of_month)
    WHERE c.count > 0`.execute(db);
  await sql`DROP TABLE bug_monthly`.execute(db);
}
