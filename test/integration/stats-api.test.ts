import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureReadKey } from "../../src/stats/read-key.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedEvent, seedHourly, seedProject } from "../helpers/read-seed.js";

const ADMIN = "admin-token-0123456789abcdef";
const NOW = new Date("2026-11-23T12:30:00Z");

let t: TestDb;
let app: FastifyInstance;
let shop: { id: number; ingestKey: string };
let other: { id: number };
let shopKey: string;
let otherKey: string;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

beforeEach(async () => {
  await app?.close();
  await t.truncate();
  const built = await buildTestApp(t.db, { clock: () => NOW, extra: { adminToken: ADMIN } });
  app = built.app;
  shop = built.project;
  other = await seedProject(t.db, "octo-org/other");
  shopKey = await ensureReadKey(t.db, shop.id);
  otherKey = await ensureReadKey(t.db, other.id);
});

const get = (url: string, token?: string) =>
  app.inject({
    method: "GET",
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

describe("read API auth", () => {
  it("401 without a token, with an unknown one, and with an ingest key", async () => {
    const none = await get("/api/stats");
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: "missing_token" });
    const unknown = await get("/api/bugs", "flr_nope");
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toMatchObject({ error: "invalid_token" });
    const ingest = await get("/api/bugs", shop.ingestKey);
    expect(ingest.statusCode).toBe(401);
    expect(ingest.json().message).toContain("ingest key");
  });

  it("a read key sees its project only; 403 for another repo, known or not", async () => {
    await seedBug(t.db, shop.id, 1, { title: "shop bug" });
    await seedBug(t.db, other.id, 1, { title: "other bug" });
    const mine = await get("/api/bugs", shopKey);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().items.map((b: { title: string }) => b.title)).toEqual(["shop bug"]);
    expect((await get("/api/bugs?repo=Octo-Org/Shop", shopKey)).statusCode).toBe(200);
    const theirs = await get("/api/bugs?repo=octo-org/other", shopKey);
    expect(theirs.statusCode).toBe(403);
    expect(theirs.json()).toMatchObject({ error: "forbidden" });
    expect((await get("/api/bugs?repo=octo-org/ghost", shopKey)).statusCode).toBe(403);
    expect((await get("/api/stats?repo=octo-org/other", shopKey)).statusCode).toBe(403);
    expect((await get("/api/export/bugs?format=csv&repo=octo-org/other", shopKey)).statusCode).toBe(
      403,
    );
  });

  it("the admin token sees every project, or one by repo; 404 for an unknown repo", async () => {
    await seedBug(t.db, shop.id, 1, { title: "shop bug" });
    await seedBug(t.db, other.id, 1, { title: "other bug" });
    const all = await get("/api/bugs", ADMIN);
    expect(all.json().items.map((b: { repo: string }) => b.repo)).toEqual([
      "octo-org/other",
      "octo-org/shop",
    ]);
    const one = await get("/api/bugs?repo=octo-org/other", ADMIN);
    expect(one.json().items).toHaveLength(1);
    const ghost = await get("/api/bugs?repo=octo-org/ghost", ADMIN);
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json()).toMatchObject({ error: "unknown_repo" });
    expect((await get("/api/bugs", `${ADMIN}x`)).statusCode).toBe(401);
  });

  it("a rotated read key stops working", async () => {
    const { rotateReadKey } = await import("../../src/stats/read-key.js");
    const fresh = await rotateReadKey(t.db, shop.id);
    expect((await get("/api/bugs", shopKey)).statusCode).toBe(401);
    expect((await get("/api/bugs", fresh)).statusCode).toBe(200);
    expect(await ensureReadKey(t.db, shop.id)).toBe(fresh);
  });
});

describe("GET /api/stats", () => {
  it("defaults to the last 24 hours and answers the summary", async () => {
    const bug = await seedBug(t.db, shop.id, 1, { first_seen: "2026-11-23T10:00:00Z" });
    await seedHourly(t.db, bug, shop.id, "2026-11-23T10:00:00Z", 4, "production", "api");
    await seedHourly(t.db, bug, shop.id, "2026-11-22T11:00:00Z", 9, "production", "api");
    await seedEvent(t.db, bug, shop.id, "2026-11-23T10:05:00Z", { userId: "u1" });
    const res = await get("/api/stats", shopKey);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // now 12:30 -> [11-22 12:30, 11-23 12:30) widened to [11-22 12:00, 11-23 13:00): 25 hours.
    expect(body.from).toBe("2026-11-22T12:00:00.000Z");
    expect(body.to).toBe("2026-11-23T13:00:00.000Z");
    expect(body.errorRate).toHaveLength(25);
    expect(body.totals).toMatchObject({ occurrences: 4, newBugs: 1, affectedUsers: 1 });
    expect(body.topBugs[0]).toMatchObject({ ref: "B-001", countInRange: 4 });
  });

  it("takes relative and ISO times and filters", async () => {
    const bug = await seedBug(t.db, shop.id, 1);
    await seedHourly(t.db, bug, shop.id, "2026-11-22T11:00:00Z", 9, "production", "api");
    await seedHourly(t.db, bug, shop.id, "2026-11-22T11:00:00Z", 2, "staging", "api");
    const week = await get("/api/stats?from=7d", shopKey);
    expect(week.json().totals.occurrences).toBe(11);
    const iso = await get(
      "/api/stats?from=2026-11-22T11:00:00Z&to=2026-11-22T12:00:00Z&environment=staging",
      shopKey,
    );
    expect(iso.json().totals.occurrences).toBe(2);
    expect(iso.json().errorRate).toEqual([{ hour: "2026-11-22T11:00:00.000Z", count: 2 }]);
  });

  it("400 naming the bad parameter", async () => {
    const cases: [string, string][] = [
      ["/api/stats?from=yesterday", "from"],
      ["/api/stats?to=2026-13-45", "to"],
      ["/api/stats?from=1h&to=2h", "from"],
      ["/api/stats?from=400d", "from"],
      ["/api/stats?colour=red", "colour"],
      ["/api/stats?from=1d&from=2d", "from"],
      ["/api/bugs?status=closed", "status"],
      ["/api/bugs?limit=0", "limit"],
      ["/api/bugs?limit=abc", "limit"],
      ["/api/bugs?cursor=garbage", "cursor"],
      ["/api/export/bugs?format=xml", "format"],
      ["/api/export/bugs", "format"],
      ["/api/bugs/XYZ/events", "ref"],
      ["/api/export/events?format=csv&bug=nope", "bug"],
    ];
    for (const [url, parameter] of cases) {
      const res = await get(url, shopKey);
      expect({ url, status: res.statusCode, body: res.json() }).toMatchObject({
        url,
        status: 400,
        body: { error: "invalid_parameter", parameter },
      });
    }
  });
});

describe("GET /api/bugs", () => {
  it("pages with no gaps or repeats, even while bugs are added, and filters", async () => {
    for (let n = 1; n <= 23; n++) {
      await seedBug(t.db, shop.id, n, {
        severity: n % 3 === 0 ? "high" : "low",
        status: n % 5 === 0 ? "resolved" : "open",
        title: n === 7 ? "Checkout 50% off_coupon failed" : `Bug number ${n}`,
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/bugs?limit=5${cursor ? `&cursor=${cursor}` : ""}`, shopKey);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { ref: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((b) => b.ref));
      cursor = body.nextCursor;
      pages++;
      // A bug created mid-way is newer than every cursor: it never shifts later pages.
      if (pages === 2) await seedBug(t.db, shop.id, 24);
    } while (cursor);
    expect(pages).toBe(5);
    const expected = Array.from({ length: 23 }, (_, i) => `B-${String(23 - i).padStart(3, "0")}`);
    expect(seen).toEqual(expected);

    const high = await get("/api/bugs?severity=high&status=open", shopKey);
    expect(high.json().items.map((b: { number: number }) => b.number)).toEqual([
      21, 18, 12, 9, 6, 3,
    ]);
    const like = await get(`/api/bugs?q=${encodeURIComponent("50% off_")}`, shopKey);
    expect(like.json().items.map((b: { ref: string }) => b.ref)).toEqual(["B-007"]);
    // LIKE wildcards are literal: "5_%" must not match "Bug number 5".
    expect((await get("/api/bugs?q=5_%25", shopKey)).json().items).toEqual([]);
    const byRef = await get("/api/bugs?q=b-12", shopKey);
    expect(byRef.json().items.map((b: { ref: string }) => b.ref)).toEqual(["B-012"]);
  });

  it("filters by service through the rollups", async () => {
    const a = await seedBug(t.db, shop.id, 1);
    const b = await seedBug(t.db, shop.id, 2);
    await seedHourly(t.db, a, shop.id, "2026-11-20T10:00:00Z", 1, "production", "web");
    await seedHourly(t.db, b, shop.id, "2026-11-20T10:00:00Z", 1, "production", "api");
    const res = await get("/api/bugs?service=web", shopKey);
    expect(res.json().items.map((x: { ref: string }) => x.ref)).toEqual(["B-001"]);
  });
});

describe("GET /api/bugs/:ref/events", () => {
  it("pages recent events first, ties and microseconds included", async () => {
    const bug = await seedBug(t.db, shop.id, 7);
    // Same millisecond, different microseconds, and exact ties: a ms cursor would lose rows.
    const times = [
      "2026-11-23 10:00:00.000100+00",
      "2026-11-23 10:00:00.000200+00",
      "2026-11-23 10:00:00.000200+00",
      "2026-11-23 10:00:00.000300+00",
      "2026-11-23 10:00:00.000300+00",
      "2026-11-23 09:00:00+00",
      "2026-11-23 11:00:00+00",
    ];
    for (const [i, time] of times.entries()) {
      await sql`
        INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level,
          source, error_type, message)
        VALUES (${shop.id}, ${bug}, ${`e${i}`}, ${time}::timestamptz, now(), 'error', 'http',
          'Error', ${`m${i}`})`.execute(t.db);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/api/bugs/B-007/events?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        shopKey,
      );
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { eventId: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((e) => e.eventId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["e6", "e4", "e3", "e2", "e1", "e0", "e5"]);
  });

  it("GET /api/bugs/:ref says why the bug's events are together", async () => {
    for (const key of ["banana", "sku-1521"]) {
      const answer = await app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { authorization: `Bearer ${shop.ingestKey}` },
        payload: {
          error_type: "KeyError",
          message: `'${key}'`,
          stack_trace: [
            { filename: "shop/prices.py", function: "lookup_price", lineno: 12, in_app: true },
          ],
        },
      });
      expect(answer.statusCode).toBe(202);
      expect(answer.json().bug).toBe("B-001");
    }
    const bug = await get("/api/bugs/B-001", shopKey);
    expect(bug.statusCode).toBe(200);
    expect(bug.json()).toMatchObject({
      ref: "B-001",
      occurrenceCount: 2,
      grouping: {
        version: 2,
        basis: "stacktrace",
        parts: ["type: KeyError", "frame: shop/prices.py in lookup_price"],
      },
    });
    expect((await get("/api/bugs", shopKey)).json().items[0].grouping.basis).toBe("stacktrace");
    expect((await get("/api/bugs/B-404", shopKey)).statusCode).toBe(404);
  });

  it("404 for an unknown bug; the admin token needs repo", async () => {
    expect((await get("/api/bugs/B-404/events", shopKey)).statusCode).toBe(404);
    const admin = await get("/api/bugs/B-001/events", ADMIN);
    expect(admin.statusCode).toBe(400);
    expect(admin.json()).toMatchObject({ parameter: "repo" });
  });
});
