import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NewEvent } from "../../src/db/index.js";
import {
  COMPACTION_GRACE_MS,
  compactDay,
  compactFinishedDays,
} from "../../src/stats/daily-rollup.js";
import { splitRange } from "../../src/stats/rollup-coverage.js";
import { type StatsService, createStatsService } from "../../src/stats/stats-service.js";
import type { StatsQuery } from "../../src/stats/stats-types.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedProject } from "../helpers/read-seed.js";

/**
 * The daily rollups must not change a single figure: a dataset spread over a month boundary
 * (2026-10-29 .. 2026-11-03 12:00), summaries over ranges with partial edge hours, compared
 * before compaction, with some days compacted and with all finished days compacted.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse("2026-10-29T00:00:00Z");
const NOW = new Date("2026-11-03T12:20:00Z");
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

let t: TestDb;
let stats: StatsService;
let shop: number;
let other: number;

/** Deterministic pseudo-random numbers (mulberry32), so a failure replays. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function seed() {
  const db = t.db;
  shop = (await seedProject(db, "octo-org/shop")).id;
  other = (await seedProject(db, "octo-org/other")).id;
  const rand = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)] as T;
  const bugs: { id: number; project: number }[] = [];
  for (let n = 1; n <= 12; n++) {
    const project = n <= 10 ? shop : other;
    const id = await seedBug(db, project, n, {
      severity: pick(["critical", "high", "medium", "low"] as const),
      error_type: pick(["TypeError", "RangeError", "DbError"]),
      category: pick(["network", "database", "unknown"]),
      first_seen: new Date(START + Math.floor(rand() * 5 * DAY)),
      escalation_started_at: new Date(START + Math.floor(rand() * 5 * DAY)),
    });
    bugs.push({ id, project });
  }
  const events: NewEvent[] = [];
  const span = NOW.getTime() - 20 * 60_000 - START;
  for (let i = 0; i < 900; i++) {
    const bug = bugs[Math.floor(rand() ** 2 * bugs.length)] as (typeof bugs)[number];
    const at = new Date(START + Math.floor(rand() * span)).toISOString();
    events.push({
      project_id: bug.project,
      bug_id: bug.id,
      event_id: `ev-${i}`,
      received_at: at,
      occurred_at: at,
      level: "error",
      source: "http",
      environment: pick(["production", "production", "staging", null]),
      service: pick(["api", "web", null]),
      error_type: "Error",
      message: "boom",
      stacktrace: "[]",
      tags: "{}",
      context: "{}",
      user_id: rand() < 0.3 ? null : `user-${Math.floor(rand() * 60)}`,
    });
  }
  await db.insertInto("events").values(events).execute();
  // As ingestion leaves them: one rollup row per bug, hour, environment and service...
  await sql`
    INSERT INTO bug_hourly (bug_id, project_id, hour, environment, service, count)
    SELECT bug_id, project_id, date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
      coalesce(environment, ''), coalesce(service, ''), count(*)
    FROM events GROUP BY 1, 2, 3, 4, 5`.execute(db);
  // ...where sampled-out occurrences count too, without a stored event.
  await sql`UPDATE bug_hourly SET count = count + 3 WHERE hour = ${new Date(START + 50 * HOUR)}
    OR hour = ${new Date(START + 97 * HOUR)}`.execute(db);
}

const RANGES: [string, string][] = [
  ["2026-10-29T05:00:00Z", "2026-11-03T07:00:00Z"], // partial edge days both sides
  ["2026-10-30T00:00:00Z", "2026-11-02T00:00:00Z"], // whole days only, across the month end
  ["2026-10-31T13:00:00Z", "2026-11-01T02:00:00Z"], // no whole day
  ["2026-10-28T00:00:00Z", "2026-11-04T00:00:00Z"], // wider than the data
  ["2026-10-31T00:00:00Z", "2026-11-03T13:00:00Z"], // up to now, today not compactable
];
const FILTERS: Partial<StatsQuery>[] = [
  {},
  { environment: "production" },
  { environment: "" },
  { service: "api" },
  { service: "" },
  { environment: "staging", service: "web" },
  // Category has no column in the compacted tables without a bug: same figures all the same.
  { category: "network" },
  { category: "database", environment: "production" },
];

async function allSummaries() {
  const out = [];
  for (const [from, to] of RANGES) {
    for (const filter of FILTERS) {
      for (const projectIds of [[shop], [shop, other]]) {
        out.push(
          await stats.summary({
            projectIds,
            from: new Date(from),
            to: new Date(to),
            topLimit: 100,
            ...filter,
          }),
        );
      }
    }
  }
  return out;
}

async function rollupRows() {
  const db = t.db;
  return {
    bugMonthly: await db
      .selectFrom("bug_monthly")
      .selectAll()
      .orderBy("bug_id")
      .orderBy("month")
      .orderBy("environment")
      .orderBy("service")
      .execute(),
    projectHourly: await db
      .selectFrom("project_hourly")
      .selectAll()
      .orderBy("project_id")
      .orderBy("hour")
      .orderBy("environment")
      .orderBy("service")
      .execute(),
    users: await db
      .selectFrom("user_day_sketches")
      .selectAll()
      .orderBy("project_id")
      .orderBy("day")
      .orderBy("scope")
      .orderBy("environment")
      .orderBy("service")
      .execute(),
    days: (await db.selectFrom("rollup_days").select("day").orderBy("day").execute()).map((r) =>
      r.day.toISOString(),
    ),
  };
}

beforeAll(async () => {
  t = await createTestDb({ poolSize: 4 });
  stats = createStatsService(t.db);
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.truncate();
  await seed();
});

describe("daily rollups", () => {
  it("give identical summaries before, during and after compaction", async () => {
    const before = await allSummaries();
    expect(before[0]?.totals.occurrences).toBeGreaterThan(500);
    expect(before[0]?.totals.affectedUsers).toBeGreaterThan(20);

    for (const d of ["2026-10-30", "2026-10-31", "2026-11-01"]) {
      expect(await compactDay(t.db, day(d))).toBe(true);
    }
    expect(await allSummaries()).toEqual(before);

    const run = await compactFinishedDays(t.db, NOW);
    // Continues after the last compacted day; today (11-03) is not finished.
    expect(run.compacted).toEqual(["2026-11-02"]);
    expect(await allSummaries()).toEqual(before);
  });

  it("reads compacted days from the daily tables, not bug_hourly", async () => {
    const query = { projectIds: [shop], from: day("2026-10-31"), to: day("2026-11-02") };
    const before = await stats.summary(query);
    await compactFinishedDays(t.db, NOW);
    // Hourly rows of compacted days are no longer read (they stay for other readers).
    await t.db
      .deleteFrom("bug_hourly")
      .where("hour", ">=", day("2026-10-31"))
      .where("hour", "<", day("2026-11-02"))
      .execute();
    const after = await stats.summary(query);
    expect(after.totals.occurrences).toBeGreaterThan(0);
    expect(after).toEqual(before);
  });

  it("compacts every finished day from the first rollup hour, after a grace period", async () => {
    const justAfterMidnight = new Date(
      Date.parse("2026-11-03T00:00:00Z") + COMPACTION_GRACE_MS - 1,
    );
    const early = await compactFinishedDays(t.db, justAfterMidnight);
    expect(early.compacted).toEqual(["2026-10-29", "2026-10-30", "2026-10-31", "2026-11-01"]);
    const later = await compactFinishedDays(t.db, NOW);
    expect(later.compacted).toEqual(["2026-11-02"]);
    expect(await compactFinishedDays(t.db, NOW)).toEqual({ compacted: [], alreadyDone: 0 });

    // The rollups add up to bug_hourly / the events of the compacted days.
    const sums = await sql<{ daily: number; hourly: number; project: number }>`
      SELECT (SELECT sum(c) FROM bug_monthly, unnest(counts) AS c) AS daily,
        (SELECT sum(count) FROM bug_hourly WHERE hour < ${day("2026-11-03")}) AS hourly,
        (SELECT sum(count) FROM project_hourly) AS project`.execute(t.db);
    const row = sums.rows[0];
    expect(Number(row?.daily)).toBe(Number(row?.hourly));
    expect(Number(row?.project)).toBe(Number(row?.hourly));
  });

  it("is idempotent: a day compacted twice, or by two runs at once, gives the same rows", async () => {
    await compactFinishedDays(t.db, NOW);
    const once = await rollupRows();
    expect(once.days).toHaveLength(5);
    expect(await compactDay(t.db, day("2026-10-30"))).toBe(false);
    expect(await rollupRows()).toEqual(once);

    await t.truncate();
    await seed();
    // Two replicas without the job lock: each day is compacted by exactly one of them.
    const [a, b] = await Promise.all([
      compactFinishedDays(t.db, NOW),
      compactFinishedDays(t.db, NOW),
    ]);
    expect([...(a?.compacted ?? []), ...(b?.compacted ?? [])].sort()).toEqual(
      once.days.map((d) => d.slice(0, 10)),
    );
    const twice = await rollupRows();
    // Ids of bugs and projects restart with the truncate, so the rows compare directly.
    expect(twice).toEqual(once);
  });

  it("keeps affected users of compacted days after retention deletes their events", async () => {
    const query = { projectIds: [shop], from: day("2026-10-30"), to: day("2026-11-01") };
    const before = await stats.summary(query);
    await compactFinishedDays(t.db, NOW);
    await t.db.deleteFrom("events").where("received_at", "<", day("2026-11-01")).execute();
    expect((await stats.summary(query)).totals.affectedUsers).toBe(before.totals.affectedUsers);
  });

  it("refuses to compact a day that does not start at UTC midnight", async () => {
    await expect(compactDay(t.db, new Date("2026-10-30T05:00:00Z"))).rejects.toThrow(RangeError);
    expect((await rollupRows()).days).toEqual([]);
  });
});

describe("splitRange", () => {
  const range = { from: new Date("2026-10-30T05:00:00Z"), to: new Date("2026-11-02T03:00:00Z") };

  it("reads whole compacted days daily and the rest hourly", () => {
    const split = splitRange(range, [
      day("2026-10-30"), // partial at the start: hourly
      day("2026-10-31"),
      day("2026-11-01"),
      day("2026-11-02"), // partial at the end: hourly
    ]);
    expect(split.daily).toEqual([{ from: day("2026-10-31"), to: day("2026-11-02") }]);
    expect(split.hourly).toEqual([
      { from: range.from, to: day("2026-10-31") },
      { from: day("2026-11-02"), to: range.to },
    ]);
    expect(split.days).toEqual([day("2026-10-31"), day("2026-11-01")]);
  });

  it("leaves gaps of uncompacted days to the hourly side", () => {
    const split = splitRange(
      range,
      [day("2026-11-01"), day("2026-10-31")].concat(day("2026-10-31")),
    );
    expect(split.daily).toHaveLength(1);
    const gap = splitRange(range, [day("2026-10-31")]);
    expect(gap.hourly).toEqual([
      { from: range.from, to: day("2026-10-31") },
      { from: day("2026-11-01"), to: range.to },
    ]);
    expect(splitRange(range, []).hourly).toEqual([range]);
  });
});
