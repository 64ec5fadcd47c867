import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compactDay } from "../../src/stats/daily-rollup.js";
import { type StatsService, createStatsService } from "../../src/stats/stats-service.js";
import type { StatsQuery } from "../../src/stats/stats-types.js";
import { SPARSE_MAX_HASHES, UserSketch, userHash } from "../../src/stats/user-sketch.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedProject } from "../helpers/read-seed.js";

/**
 * Affected users above the sparse threshold: compacted days are then HyperLogLog sketches, so
 * the summary's figure is an estimate; it must stay within 3% of the exact distinct count, for
 * whole compacted days, with uncompacted edge hours merged in, and with filters.
 */

const USERS = 5000;
const EVENTS = 15_000;
const DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"];
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

let t: TestDb;
let stats: StatsService;
let shop: number;

beforeAll(async () => {
  t = await createTestDb();
  stats = createStatsService(t.db);
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.truncate();
  shop = (await seedProject(t.db, "octo-org/shop")).id;
  const bug = await seedBug(t.db, shop, 1);
  // Set-based: 5,000 events a day over 3 days, users spread over all of them (a user is seen on
  // several days), 1 in 5 from staging, services api/web/none; every 10th event has no user.
  await sql`
    INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
      environment, service, error_type, message, user_id)
    SELECT ${shop}, ${bug}, 'ev-' || i, at, at, 'error', 'http',
      CASE WHEN i % 5 = 0 THEN 'staging' ELSE 'production' END,
      (ARRAY['api', 'web', NULL])[1 + i % 3], 'Error', 'boom',
      CASE WHEN i % 10 = 9 THEN NULL ELSE 'user-' || ((i * 7919) % ${USERS}) END
    FROM (
      SELECT i, ${day(DAYS[0] as string)}::timestamptz
        + (i % 3) * interval '1 day' + (i % 1440) * interval '1 minute' AS at
      FROM generate_series(1, ${EVENTS}) AS i
    ) AS g`.execute(t.db);
});

/** count(DISTINCT user_id) over the stored events, as the summary counts before compaction. */
async function exactUsers(query: StatsQuery): Promise<number> {
  let q = t.db
    .selectFrom("events")
    .select((eb) => eb.fn.count<number>("user_id").distinct().as("n"))
    .where("project_id", "in", query.projectIds)
    .where("received_at", ">=", query.from)
    .where("received_at", "<", query.to);
  if (query.environment !== undefined) q = q.where("environment", "=", query.environment);
  if (query.service !== undefined) q = q.where("service", "=", query.service);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

const QUERIES: Omit<StatsQuery, "projectIds">[] = [
  { from: day("2026-11-01"), to: day("2026-11-04") }, // compacted days only
  { from: new Date("2026-11-01T12:00:00Z"), to: new Date("2026-11-03T18:00:00Z") }, // + edges
  { from: day("2026-11-01"), to: day("2026-11-04"), environment: "production" },
  { from: day("2026-11-01"), to: day("2026-11-04"), environment: "staging" },
  { from: new Date("2026-11-01T12:00:00Z"), to: day("2026-11-04"), service: "api" },
  { from: day("2026-11-02"), to: day("2026-11-04"), environment: "production", service: "web" },
];

describe("affected users from HyperLogLog day sketches", () => {
  it("stay within 3% of the exact count above the sparse threshold, with filters", async () => {
    const exact: number[] = [];
    for (const q of QUERIES) {
      const query = { projectIds: [shop], ...q };
      exact.push(await exactUsers(query));
      // Nothing compacted yet: the summary counts exactly in Postgres.
      expect((await stats.summary(query)).totals.affectedUsers).toBe(exact.at(-1));
    }
    expect(exact[0]).toBeGreaterThan(SPARSE_MAX_HASHES);

    for (const d of DAYS) expect(await compactDay(t.db, day(d))).toBe(true);
    const allScope = await t.db
      .selectFrom("user_day_sketches")
      .select("sketch")
      .where("scope", "=", 0)
      .where("day", "=", day("2026-11-01"))
      .executeTakeFirstOrThrow();
    // Each day alone is over the threshold: the test exercises the dense estimate.
    expect(UserSketch.fromBuffer(allScope.sketch).isSparse).toBe(false);

    for (const [i, q] of QUERIES.entries()) {
      const estimate = (await stats.summary({ projectIds: [shop], ...q })).totals.affectedUsers;
      expect(Number.isInteger(estimate)).toBe(true);
      expect(Math.abs(estimate / (exact[i] as number) - 1), JSON.stringify(q)).toBeLessThan(0.03);
    }

    // Users of compacted days survive retention.
    const whole = { projectIds: [shop], from: day("2026-11-01"), to: day("2026-11-04") };
    const before = (await stats.summary(whole)).totals;
    await t.db.deleteFrom("events").execute();
    const after = (await stats.summary(whole)).totals;
    expect(after.affectedUsers).toBe(before.affectedUsers);
  });

  it("hash users as Postgres does, non-ASCII ids included", async () => {
    const ids = ["user-1", "üser-é", "42", "a".repeat(300)];
    const { rows } = await sql<{ hash: string }>`
      SELECT left(md5(id), 16) AS hash
      FROM unnest(${sql.val(ids)}::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n`.execute(t.db);
    expect(rows.map((r) => r.hash)).toEqual(ids.map(userHash));
  });
});
