import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as bugMonthlyMigration from "../../src/db/migrations/2026-11-24T0910-bug-monthly.js";
import { compactDay } from "../../src/stats/daily-rollup.js";
import type { StatsQuery } from "../../src/stats/stats-types.js";
import { summarize } from "../../src/stats/summary.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedHourly, seedProject } from "../helpers/read-seed.js";

/**
 * bug_monthly: one array of 31 day counts per bug, month, environment and service, set one
 * element per compacted day; summaries sum slices of it. rollup.test.ts compares whole summaries
 * over a month boundary; these cover the edges of the array and of the slicing.
 */

const DAY = 86_400_000;
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

let t: TestDb;
let project: number;
let edges: number; // occurrences on day 1 and day 31 only (in production)
let middle: number; // occurrences mid-month, in staging

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.truncate();
  project = (await seedProject(t.db, "octo-org/shop")).id;
  edges = await seedBug(t.db, project, 1, { first_seen: day("2026-10-01") });
  middle = await seedBug(t.db, project, 2, { first_seen: new Date("2026-10-14T09:00:00Z") });
  await seedHourly(t.db, edges, project, "2026-10-01T00:00:00Z", 2, "production", "api");
  await seedHourly(t.db, edges, project, "2026-10-01T13:00:00Z", 1, "production", "api");
  await seedHourly(t.db, edges, project, "2026-10-31T23:00:00Z", 5, "production", "api");
  for (const [hour, count] of [
    ["2026-10-14T09:00:00Z", 1],
    ["2026-10-15T10:00:00Z", 3],
    ["2026-10-16T11:00:00Z", 4],
    ["2026-10-17T12:00:00Z", 6],
    ["2026-10-19T06:00:00Z", 7],
  ] as const) {
    await seedHourly(t.db, middle, project, hour, count, "staging", "web");
  }
});

async function compactOctober(except: string[] = []) {
  for (let d = day("2026-10-01").getTime(); d < day("2026-11-01").getTime(); d += DAY) {
    if (!except.includes(new Date(d).toISOString().slice(0, 10))) {
      expect(await compactDay(t.db, new Date(d))).toBe(true);
    }
  }
}

async function monthlyRows() {
  return t.db
    .selectFrom("bug_monthly")
    .select(["bug_id", "month", "environment", "service", "counts"])
    .orderBy("bug_id")
    .orderBy("environment")
    .execute();
}

/** 31 zeros with the given days (1-based) set. */
function daysOf(counts: Record<number, number>) {
  return Array.from({ length: 31 }, (_, i) => counts[i + 1] ?? 0);
}

const query = (from: string, to: string, filter: Partial<StatsQuery> = {}): StatsQuery => ({
  projectIds: [project],
  from: new Date(from),
  to: new Date(to),
  ...filter,
});

describe("bug_monthly", () => {
  it("holds counts on day 1 and day 31, and leaves a bug out of a range between them", async () => {
    const inside = query("2026-10-02T00:00:00Z", "2026-10-31T00:00:00Z");
    const all = query("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z");
    const filtered = (q: StatsQuery) => ({ ...q, environment: "production" });
    const before = await Promise.all(
      [inside, all, filtered(inside), filtered(all)].map((q) => summarize(t.db, q)),
    );
    await compactOctober();
    expect(await monthlyRows()).toEqual([
      {
        bug_id: edges,
        month: day("2026-10-01"),
        environment: "production",
        service: "api",
        counts: daysOf({ 1: 3, 31: 5 }),
      },
      {
        bug_id: middle,
        month: day("2026-10-01"),
        environment: "staging",
        service: "web",
        counts: daysOf({ 14: 1, 15: 3, 16: 4, 17: 6, 19: 7 }),
      },
    ]);
    const after = await Promise.all(
      [inside, all, filtered(inside), filtered(all)].map((q) => summarize(t.db, q)),
    );
    expect(after).toEqual(before);
    const [between, whole, productionBetween, productionWhole] = after;
    // Its row is read (days 2..30 are zeros): not an active bug with 0 occurrences.
    expect(between?.totals).toMatchObject({ occurrences: 21, activeBugs: 1 });
    expect(between?.topBugs.map((b) => b.id)).toEqual([middle]);
    expect(whole?.totals).toMatchObject({ occurrences: 29, activeBugs: 2, newBugs: 2 });
    // Filtered: the bug figures count only bugs seen in production in range.
    expect(productionBetween?.totals).toMatchObject({ occurrences: 0, activeBugs: 0, newBugs: 0 });
    expect(productionWhole?.totals).toMatchObject({ occurrences: 8, activeBugs: 1, newBugs: 1 });
    expect(productionWhole?.newBugs.map((b) => b.id)).toEqual([edges]);
  });

  it("sums each run of compacted days around an uncompacted one, edges hourly", async () => {
    const ranges = [
      query("2026-10-14T05:00:00Z", "2026-10-19T07:00:00Z"),
      query("2026-10-15T00:00:00Z", "2026-10-18T00:00:00Z", { environment: "staging" }),
      query("2026-10-14T10:00:00Z", "2026-10-20T00:00:00Z", { service: "web" }),
      query("2026-10-14T10:00:00Z", "2026-10-20T00:00:00Z", { service: "api" }),
    ];
    const before = await Promise.all(ranges.map((q) => summarize(t.db, q)));
    expect(before.map((s) => s.totals.occurrences)).toEqual([21, 13, 20, 0]);
    await compactOctober(["2026-10-16"]);
    // Day 16 is then read from bug_hourly only: drop the rest of the compacted hours to prove it.
    await t.db
      .deleteFrom("bug_hourly")
      .where((eb) =>
        eb.or([eb("hour", "<", day("2026-10-16")), eb("hour", ">=", day("2026-10-17"))]),
      )
      .where("hour", "<", day("2026-11-01"))
      .where((eb) =>
        eb.or([eb("hour", "<", day("2026-10-14")), eb("hour", ">=", day("2026-10-15"))]),
      )
      .where((eb) =>
        eb.or([eb("hour", "<", day("2026-10-19")), eb("hour", ">=", day("2026-10-20"))]),
      )
      .execute();
    expect(await Promise.all(ranges.map((q) => summarize(t.db, q)))).toEqual(before);
  });

  it("replaces a recompacted day's count, whatever order the days came in", async () => {
    // Day 17 first: a fresh row with zeros before it; day 15 then fills its own element.
    expect(await compactDay(t.db, day("2026-10-17"))).toBe(true);
    expect(await compactDay(t.db, day("2026-10-15"))).toBe(true);
    expect((await monthlyRows()).map((r) => r.counts)).toEqual([daysOf({ 15: 3, 17: 6 })]);

    // Recompacted (its rollup_days row removed) after a late increment: the new total, not a sum.
    await t.db.deleteFrom("rollup_days").where("day", "=", day("2026-10-17")).execute();
    await sql`UPDATE bug_hourly SET count = count + 4
      WHERE hour = ${new Date("2026-10-17T12:00:00Z")}`.execute(t.db);
    expect(await compactDay(t.db, day("2026-10-17"))).toBe(true);
    await t.db.deleteFrom("rollup_days").where("day", "=", day("2026-10-17")).execute();
    expect(await compactDay(t.db, day("2026-10-17"))).toBe(true);
    expect((await monthlyRows()).map((r) => r.counts)).toEqual([daysOf({ 15: 3, 17: 10 })]);
  });

  it("keeps filtered bug figures once compacted hours are gone from bug_hourly", async () => {
    const ranges = [
      query("2026-10-01T00:00:00Z", "2026-10-20T00:00:00Z", { environment: "staging" }),
      query("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z", { service: "api" }),
    ];
    const before = await Promise.all(ranges.map((q) => summarize(t.db, q)));
    expect(before.map((s) => s.totals.newBugs)).toEqual([1, 1]);
    await compactOctober();
    await t.db.deleteFrom("bug_hourly").execute();
    expect(await Promise.all(ranges.map((q) => summarize(t.db, q)))).toEqual(before);
  });

  it("survives its migration's down and up (bug_daily and back)", async () => {
    await compactOctober(["2026-10-16"]);
    const rows = await monthlyRows();
    await bugMonthlyMigration.down(t.db);
    const daily = await sql<{ day: Date; count: number }>`
      SELECT day, count FROM bug_daily ORDER BY day`.execute(t.db);
    expect(daily.rows.map((r) => [new Date(r.day).toISOString().slice(0, 10), r.count])).toEqual([
      ["2026-10-01", 3],
      ["2026-10-14", 1],
      ["2026-10-15", 3],
      ["2026-10-17", 6],
      ["2026-10-19", 7],
      ["2026-10-31", 5],
    ]);
    await bugMonthlyMigration.up(t.db);
    expect(await monthlyRows()).toEqual(rows);
  });
});
