import { Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, createDb, migrateToLatest } from "../../src/db/index.js";
import { migrations } from "../../src/db/migrations/index.js";
import { compactFinishedDays } from "../../src/stats/daily-rollup.js";
import { createStatsService } from "../../src/stats/stats-service.js";
import {
  createTestSchema,
  dropTestSchema,
  newTestSchemaName,
  testDatabaseUrl,
} from "../helpers/db.js";
import { seedBug, seedProject } from "../helpers/read-seed.js";

/**
 * Upgrading a database compacted with user_monthly: the migration drops it and forgets the
 * compacted days, and the job's next run recompacts them, sketches included. Users of a day whose
 * events retention had deleted are the documented one-time loss.
 */

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const url = testDatabaseUrl();
const schema = url ? newTestSchemaName() : undefined;
let handle: DbHandle;

beforeAll(async () => {
  if (url && schema) await createTestSchema(url, schema);
  handle = await createDb({ databaseUrl: url, schema });
});
afterAll(async () => {
  await handle.close();
  if (url && schema) await dropTestSchema(url, schema);
});

describe("migration 2026-11-24T0900-user-sketches", () => {
  it("replaces user_monthly; the job recompacts the days with the same figures", async () => {
    const db = handle.db;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const before = await migrator.migrateTo("2026-11-23T1500-daily-rollups");
    expect(before.error).toBeUndefined();

    const shop = (await seedProject(db, "octo-org/shop")).id;
    const bug = await seedBug(db, shop, 1, { first_seen: day("2026-11-01") });
    // 40 users on 11-01 (users 0-39), 30 on 11-02 (users 20-49): 50 over both days.
    await sql`
      INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
        environment, error_type, message, user_id)
      SELECT ${shop}, ${bug}, 'ev-' || d || '-' || u, t, t, 'error', 'http', 'production',
        'Error', 'boom', 'user-' || u
      FROM (VALUES (0, 0, 39), (1, 20, 49)) AS days(d, lo, hi),
        generate_series(lo, hi) AS u,
        LATERAL (SELECT ${day("2026-11-01")}::timestamptz + d * interval '1 day'
          + u * interval '1 minute' AS t) AS at`.execute(db);
    await sql`
      INSERT INTO bug_hourly (bug_id, project_id, hour, environment, service, count)
      SELECT bug_id, project_id, date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        coalesce(environment, ''), coalesce(service, ''), count(*)
      FROM events GROUP BY 1, 2, 3, 4, 5`.execute(db);
    // As the old job left them: both days compacted, user_monthly filled (scope 0 shown).
    await sql`INSERT INTO rollup_days (day) VALUES (${day("2026-11-01")}), (${day("2026-11-02")})`.execute(
      db,
    );
    await sql`
      INSERT INTO bug_daily (bug_id, project_id, day, environment, service, count)
      SELECT bug_id, project_id, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        environment, service, sum(count)
      FROM bug_hourly GROUP BY 1, 2, 3, 4, 5`.execute(db);
    await sql`
      INSERT INTO user_monthly (project_id, month, scope, environment, service, user_hash, days)
      SELECT ${shop}, ${day("2026-11-01")}, 0, '', '', md5(user_id)::uuid,
        bit_or(1 << (extract(day FROM received_at AT TIME ZONE 'UTC')::int - 1))
      FROM events GROUP BY user_id`.execute(db);
    // Retention had already deleted the events of 11-01.
    await sql`DELETE FROM events WHERE received_at < ${day("2026-11-02")}`.execute(db);

    await migrateToLatest(db, schema);
    const tables = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM information_schema.tables
      WHERE table_name = 'user_monthly' AND table_schema = current_schema()`.execute(db);
    expect(tables.rows[0]?.n).toBe(0);
    expect(await db.selectFrom("rollup_days").selectAll().execute()).toEqual([]);

    const stats = createStatsService(db);
    const query = { projectIds: [shop], from: day("2026-11-01"), to: day("2026-11-03") };
    const uncompacted = await stats.summary(query);
    expect(uncompacted.totals.occurrences).toBe(70);

    const run = await compactFinishedDays(db, new Date("2026-11-03T12:00:00Z"));
    expect(run.compacted).toEqual(["2026-11-01", "2026-11-02"]);
    const recompacted = await stats.summary(query);
    // Occurrences come back exactly (from bug_hourly); users only for days with events left.
    expect(recompacted).toEqual(uncompacted);
    expect(recompacted.totals.affectedUsers).toBe(30);
    const firstDay = await stats.summary({ ...query, to: day("2026-11-02") });
    expect(firstDay.totals.occurrences).toBe(40);
    expect(firstDay.totals.affectedUsers).toBe(0);
  });
});
