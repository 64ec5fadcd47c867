import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StatsService, createStatsService } from "../../src/stats/stats-service.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedEvent, seedHourly, seedProject } from "../helpers/read-seed.js";

/**
 * One hand-built dataset, every figure computed by hand. Range: 08:00-12:00 on 2026-11-23
 * (hours 08, 09, 10, 11; hour 10 has no occurrences).
 *
 *  bug  severity  type        status    first_seen    notes                       in range (h/env/svc/n)
 *  B1   high      TypeError   open      11-20         -                           08/prod/api 3, 09/prod/api 2, 11/staging/- 4
 *  B2   critical  RangeError  open      11-23 09:15   new                         09/prod/web 5, 11/prod/web 1
 *  B3   low       TypeError   resolved  11-22 10:00   resolved 11-23 10:30        11/-/api 2
 *  B4   medium    DbError     open      11-01         regressed 11-23 11:05       11/prod/api 7
 *  B5   medium    Error       resolved  11-23 07:00   resolved 07:59 (before)     -
 *  B6   medium    Error       open      11-23 12:00   first seen AT the end       -
 *  outside the range: B1 07:00 100 and 12:00 50. Another project has a bug and users in range.
 */

const FROM = new Date("2026-11-23T08:00:00Z");
const TO = new Date("2026-11-23T12:00:00Z");
const h = (hh: string) => `2026-11-23T${hh}:00:00Z`;

let t: TestDb;
let stats: StatsService;
let shop: number;
let other: number;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestDb();
  const db = t.db;
  stats = createStatsService(db);
  shop = (await seedProject(db, "octo-org/shop")).id;
  other = (await seedProject(db, "octo-org/other")).id;
  ids.B1 = await seedBug(db, shop, 1, {
    severity: "high",
    error_type: "TypeError",
    first_seen: "2026-11-20T00:00:00Z",
  });
  ids.B2 = await seedBug(db, shop, 2, {
    severity: "critical",
    error_type: "RangeError",
    first_seen: "2026-11-23T09:15:00Z",
    escalation_started_at: "2026-11-23T09:15:00Z",
  });
  ids.B3 = await seedBug(db, shop, 3, {
    severity: "low",
    error_type: "TypeError",
    status: "resolved",
    first_seen: "2026-11-22T10:00:00Z",
    resolved_at: "2026-11-23T10:30:00Z",
  });
  ids.B4 = await seedBug(db, shop, 4, {
    error_type: "DbError",
    regression_count: 1,
    first_seen: "2026-11-01T00:00:00Z",
    escalation_started_at: "2026-11-23T11:05:00Z",
  });
  ids.B5 = await seedBug(db, shop, 5, {
    status: "resolved",
    first_seen: "2026-11-23T07:00:00Z",
    resolved_at: "2026-11-23T07:59:00Z",
  });
  ids.B6 = await seedBug(db, shop, 6, {
    first_seen: "2026-11-23T12:00:00Z",
    escalation_started_at: "2026-11-23T12:00:00Z",
  });
  const otherBug = await seedBug(db, other, 1, { first_seen: "2026-11-23T09:00:00Z" });

  const { B1, B2, B3, B4 } = ids as Record<"B1" | "B2" | "B3" | "B4", number>;
  await seedHourly(db, B1, shop, h("07"), 100, "production", "api");
  await seedHourly(db, B1, shop, h("08"), 3, "production", "api");
  await seedHourly(db, B1, shop, h("09"), 2, "production", "api");
  await seedHourly(db, B1, shop, h("11"), 4, "staging", "");
  await seedHourly(db, B1, shop, h("12"), 50, "production", "api");
  await seedHourly(db, B2, shop, h("09"), 5, "production", "web");
  await seedHourly(db, B2, shop, h("11"), 1, "production", "web");
  await seedHourly(db, B3, shop, h("11"), 2, "", "api");
  await seedHourly(db, B4, shop, h("11"), 7, "production", "api");
  await seedHourly(db, otherBug, other, h("09"), 40, "production", "api");

  const prodApi = { environment: "production", service: "api" };
  await seedEvent(db, B1, shop, "2026-11-23T08:10:00Z", { userId: "u1", ...prodApi });
  await seedEvent(db, B1, shop, "2026-11-23T08:20:00Z", { userId: "u2", ...prodApi });
  await seedEvent(db, B1, shop, "2026-11-23T09:00:00Z", { userId: "u1", ...prodApi });
  await seedEvent(db, B1, shop, "2026-11-23T11:30:00Z", { userId: null, environment: "staging" });
  await seedEvent(db, B2, shop, "2026-11-23T09:20:00Z", {
    userId: "u3",
    environment: "production",
    service: "web",
  });
  await seedEvent(db, B1, shop, "2026-11-23T07:59:59.999Z", { userId: "u9", ...prodApi });
  await seedEvent(db, B1, shop, "2026-11-23T12:00:00Z", { userId: "u8", ...prodApi });
  await seedEvent(db, otherBug, other, "2026-11-23T09:30:00Z", { userId: "u7", ...prodApi });
});

afterAll(async () => {
  await t?.close();
});

const refs = (bugs: { ref: string }[]) => bugs.map((b) => b.ref);

describe("stats summary", () => {
  it("computes every figure of the range by hand", async () => {
    const s = await stats.summary({ projectIds: [shop], from: FROM, to: TO });
    expect(s.from).toEqual(FROM);
    expect(s.to).toEqual(TO);
    expect(s.totals).toEqual({
      occurrences: 24,
      activeBugs: 4,
      newBugs: 1,
      regressions: 1,
      resolved: 1,
      unresolvedNow: 4,
      affectedUsers: 3,
    });
    expect(s.errorRate.map((p) => [p.hour.toISOString(), p.count])).toEqual([
      ["2026-11-23T08:00:00.000Z", 3],
      ["2026-11-23T09:00:00.000Z", 7],
      ["2026-11-23T10:00:00.000Z", 0],
      ["2026-11-23T11:00:00.000Z", 14],
    ]);
    expect(s.bySeverity).toEqual([
      { key: "critical", count: 6, bugs: 1 },
      { key: "high", count: 9, bugs: 1 },
      { key: "medium", count: 7, bugs: 1 },
      { key: "low", count: 2, bugs: 1 },
    ]);
    // Current statuses of the active bugs; every status present for a stable legend.
    expect(s.byStatus).toEqual([
      { key: "open", count: 22, bugs: 3 },
      { key: "in_progress", count: 0, bugs: 0 },
      { key: "resolved", count: 2, bugs: 1 },
      { key: "wontfix", count: 0, bugs: 0 },
      { key: "ignored", count: 0, bugs: 0 },
    ]);
    expect(s.byErrorType).toEqual([
      { key: "TypeError", count: 11, bugs: 2 },
      { key: "DbError", count: 7, bugs: 1 },
      { key: "RangeError", count: 6, bugs: 1 },
    ]);
    expect(s.byService).toEqual([
      { key: "api", count: 14, bugs: 3 },
      { key: "web", count: 6, bugs: 1 },
      { key: "", count: 4, bugs: 1 },
    ]);
    expect(s.byEnvironment).toEqual([
      { key: "production", count: 18, bugs: 3 },
      { key: "staging", count: 4, bugs: 1 },
      { key: "", count: 2, bugs: 1 },
    ]);
    expect(s.topBugs.map((b) => [b.ref, b.countInRange])).toEqual([
      ["B-001", 9],
      ["B-004", 7],
      ["B-002", 6],
      ["B-003", 2],
    ]);
    expect(s.topBugs[0]).toMatchObject({ repo: "octo-org/shop", severity: "high", status: "open" });
    expect(refs(s.newBugs)).toEqual(["B-002"]);
    expect(s.newBugs[0]?.countInRange).toBe(6);
    expect(refs(s.regressions)).toEqual(["B-004"]);
    // B3: resolved 2026-11-23 10:30, first seen 2026-11-22 10:00 -> 24.5 h.
    expect(s.meanTimeToResolutionMs).toBe(24.5 * 3_600_000);
  });

  it("widens a range to whole hours, so edges inside an hour give the same figures", async () => {
    const s = await stats.summary({
      projectIds: [shop],
      from: new Date("2026-11-23T08:20:00Z"),
      to: new Date("2026-11-23T11:40:00Z"),
    });
    expect(s.from).toEqual(FROM);
    expect(s.to).toEqual(TO);
    expect(s.totals.occurrences).toBe(24);
    expect(s.errorRate).toHaveLength(4);
  });

  it("a one-hour range counts only that hour; first_seen at the end is out, at the start in", async () => {
    const s = await stats.summary({
      projectIds: [shop],
      from: new Date(h("12")),
      to: new Date(h("13")),
    });
    expect(s.totals.occurrences).toBe(50);
    expect(refs(s.newBugs)).toEqual(["B-006"]);
    expect(s.totals.affectedUsers).toBe(1); // u8 at exactly 12:00
    expect(s.errorRate.map((p) => p.count)).toEqual([50]);
  });

  it("filters by environment", async () => {
    const s = await stats.summary({
      projectIds: [shop],
      from: FROM,
      to: TO,
      environment: "production",
    });
    expect(s.totals.occurrences).toBe(18);
    expect(s.errorRate.map((p) => p.count)).toEqual([3, 7, 0, 8]);
    expect(s.totals.affectedUsers).toBe(3);
    expect(s.byEnvironment).toEqual([{ key: "production", count: 18, bugs: 3 }]);
    // B3 was only seen without an environment: its resolution is not a production figure.
    expect(s.totals.resolved).toBe(0);
    expect(s.meanTimeToResolutionMs).toBeNull();
    expect(s.totals.regressions).toBe(1);
  });

  it("filters by service, '' meaning reported without one", async () => {
    const web = await stats.summary({ projectIds: [shop], from: FROM, to: TO, service: "web" });
    expect(web.totals).toMatchObject({
      occurrences: 6,
      activeBugs: 1,
      newBugs: 1,
      regressions: 0,
      resolved: 0,
      affectedUsers: 1,
    });
    expect(refs(web.topBugs)).toEqual(["B-002"]);
    const none = await stats.summary({ projectIds: [shop], from: FROM, to: TO, service: "" });
    expect(none.totals.occurrences).toBe(4);
    expect(none.totals.affectedUsers).toBe(0); // the staging event has no user
  });

  it("adds projects together and never reads a project it was not given", async () => {
    const both = await stats.summary({ projectIds: [shop, other], from: FROM, to: TO });
    expect(both.totals.occurrences).toBe(64);
    expect(both.totals.affectedUsers).toBe(4);
    expect(both.totals.newBugs).toBe(2);
    const none = await stats.summary({ projectIds: [], from: FROM, to: TO });
    expect(none.totals.occurrences).toBe(0);
    expect(none.errorRate.map((p) => p.count)).toEqual([0, 0, 0, 0]);
    expect(none.bySeverity.every((c) => c.count === 0)).toBe(true);
  });

  it("rejects an empty or reversed range", async () => {
    await expect(stats.summary({ projectIds: [shop], from: TO, to: FROM })).rejects.toThrow(
      "from must be before to",
    );
  });
});
