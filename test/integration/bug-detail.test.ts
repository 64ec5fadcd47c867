import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Project } from "../../src/projects/index.js";
import { ensureReadKey } from "../../src/stats/read-key.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { pythonDjangoChained } from "../unit/sentry/sdk-payloads.js";

/**
 * Everything about one bug through the read API: GET /api/bugs/:ref (the latest event in full,
 * releases, its own occurrences chart, category and grouping reasons), GET
 * /api/bugs/:ref/events/:id (any event in full, paged one by one), the lists' filters and the
 * JSON/NDJSON exports, from events reported by a real SDK payload.
 */

const HOUR = 3_600_000;
const NOW = new Date("2026-12-08T12:30:00Z");

let t: TestDb;
let app: FastifyInstance;
let shop: Project;
let key: string;
let now = NOW;

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
  now = NOW;
  ({ app, project: shop } = await buildTestApp(t.db, { clock: () => now }));
  key = await ensureReadKey(t.db, shop.id);
});

const get = (url: string) =>
  app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });

/** The Django payload as sentry-python sends it, `hoursAgo` before NOW. */
async function django(hoursAgo: number, changes: Record<string, unknown> = {}) {
  now = new Date(NOW.getTime() - hoursAgo * HOUR);
  const response = await app.inject({
    method: "POST",
    url: `/api/${shop.id}/store/`,
    headers: {
      "content-type": "application/json",
      "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${shop.ingestKey}`,
    },
    payload: JSON.stringify({
      ...structuredClone(pythonDjangoChained),
      event_id: randomUUID().replaceAll("-", ""),
      timestamp: now.getTime() / 1000,
      tags: { region: "eu-west-1" },
      ...changes,
    }),
  });
  now = NOW;
  expect(response.statusCode).toBe(200);
  return (response.json() as { id: string }).id;
}

async function report(payload: Record<string, unknown>) {
  const response = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${shop.ingestKey}` },
    payload,
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { bug: string; event_id: string };
}

describe("GET /api/bugs/:ref", () => {
  it("answers the latest event in full, releases, the bug's own chart and why it is grouped", async () => {
    await django(30, { event_id: "a".repeat(32), release: "shop@3.0.9" });
    await django(5, { event_id: "b".repeat(32) });
    const latestId = await django(1, { event_id: "c".repeat(32) });
    expect(latestId).toBe("c".repeat(32));

    const res = await get("/api/bugs/B-001?from=2d");
    expect(res.statusCode).toBe(200);
    const bug = res.json();
    expect(bug).toMatchObject({
      ref: "B-001",
      errorType: "shop.errors.CartError",
      occurrenceCount: 3,
      category: "programming_error",
      categoryReason: "caused by KeyError",
      firstRelease: "shop@3.0.9",
      lastRelease: "shop@3.1.0",
      releases: [
        { release: "shop@3.1.0", count: 2, firstSeen: "2026-12-08T07:30:00.000Z" },
        { release: "shop@3.0.9", count: 1, lastSeen: "2026-12-07T06:30:00.000Z" },
      ],
      grouping: { version: 2, basis: "stacktrace" },
    });
    // 2 days back from 12:30 is less than 7 days: hourly points, every hour of the range.
    expect(bug.occurrences).toMatchObject({ interval: "hour", total: 3 });
    expect(bug.occurrences.points).toHaveLength(49);
    expect(bug.occurrences.points.filter((p: { count: number }) => p.count > 0)).toEqual([
      { start: "2026-12-07T06:00:00.000Z", count: 1 },
      { start: "2026-12-08T07:00:00.000Z", count: 1 },
      { start: "2026-12-08T11:00:00.000Z", count: 1 },
    ]);

    const event = bug.latestEvent;
    expect(event).toMatchObject({
      eventId: "c".repeat(32),
      source: "sentry",
      level: "error",
      release: "shop@3.1.0",
      environment: "production",
      userId: "7",
      exception: {
        type: "shop.errors.CartError",
        message: "could not price cart 7",
        causes: [{ type: "KeyError", message: "'sku'" }],
      },
      request: {
        method: "GET",
        url: "https://shop.example.com/api/cart/7/total",
        query: "currency=EUR",
        headers: { Host: "shop.example.com", "User-Agent": "curl/8.5.0" },
      },
      tags: { region: "eu-west-1" },
      contexts: { runtime: { name: "CPython", version: "3.12.3" } },
      breadcrumbs: [{ category: "shop.cart", message: "pricing cart 7", level: "info" }],
      context: { extra: { "sys.argv": ["manage.py", "runserver"] } },
      newerId: null,
    });
    // Frames as stored (outermost first), the library one marked as not the app's.
    expect(
      event.frames.map((f: { function: string; inApp: boolean; contextLine?: string }) => [
        f.function,
        f.inApp,
        f.contextLine ?? null,
      ]),
    ).toEqual([
      ["inner", false, null],
      ["cart_total", true, "        raise CartError(f'could not price cart {cart.id}') from e"],
    ]);
    expect(event.olderId).toEqual(expect.any(Number));
  });

  it("draws 30 days and more by the day", async () => {
    await django(24 * 20);
    await django(24 * 20 + 1);
    await django(2);
    const month = (await get("/api/bugs/B-001?from=30d")).json().occurrences;
    expect(month.interval).toBe("day");
    // Widened to whole UTC days: 11-08 .. 12-08 inclusive.
    expect(month.from).toBe("2026-11-08T00:00:00.000Z");
    expect(month.to).toBe("2026-12-09T00:00:00.000Z");
    expect(month.points).toHaveLength(31);
    expect(month.points.filter((p: { count: number }) => p.count > 0)).toEqual([
      { start: "2026-11-18T00:00:00.000Z", count: 2 },
      { start: "2026-12-08T00:00:00.000Z", count: 1 },
    ]);
    expect((await get("/api/bugs/B-001")).json().occurrences).toMatchObject({
      interval: "hour",
      total: 1,
    });
    const bad = await get("/api/bugs/B-001?from=soon");
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: "invalid_parameter", parameter: "from" });
  });

  it("a bug without stored events answers latestEvent null", async () => {
    await report({ error_type: "TypeError", message: "x" });
    await t.db.deleteFrom("events").execute();
    const bug = (await get("/api/bugs/B-001")).json();
    expect(bug).toMatchObject({ latestEvent: null, firstRelease: null, releases: [] });
  });
});

describe("GET /api/bugs/:ref/events/:id", () => {
  it("finds an event by row id or client event id and pages to its neighbours", async () => {
    const ids = [];
    for (const hoursAgo of [3, 2, 1]) ids.push(await django(hoursAgo));
    const list = (await get("/api/bugs/B-001/events")).json().items;
    expect(list.map((e: { eventId: string }) => e.eventId)).toEqual([...ids].reverse());
    const [newest, middle, oldest] = list;

    const byRow = await get(`/api/bugs/B-001/events/${middle.id}`);
    expect(byRow.statusCode).toBe(200);
    expect(byRow.json()).toMatchObject({
      id: middle.id,
      eventId: middle.eventId,
      newerId: newest.id,
      olderId: oldest.id,
      exception: { type: "shop.errors.CartError" },
    });
    // The client's event id, as the report's answer gave it, dashed or not.
    const dashed = middle.eventId.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    const byEventId = await get(`/api/bugs/B-001/events/${dashed}`);
    expect(byEventId.json().id).toBe(middle.id);
    expect((await get(`/api/bugs/B-001/events/${oldest.id}`)).json().olderId).toBeNull();

    // Another bug's event is not this bug's.
    await report({ error_type: "RangeError", message: "other" });
    const otherEvent = (await get("/api/bugs/B-002/events")).json().items[0];
    expect((await get(`/api/bugs/B-001/events/${otherEvent.id}`)).statusCode).toBe(404);
    expect((await get("/api/bugs/B-001/events/999999")).json()).toMatchObject({
      error: "not_found",
    });
    const bad = await get("/api/bugs/B-001/events/not-an-id");
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: "invalid_parameter", parameter: "id" });
    expect((await get("/api/bugs/B-404/events/1")).statusCode).toBe(404);
    expect((await get(`/api/bugs/B-001/events/${middle.id}?colour=red`)).json()).toMatchObject({
      parameter: "colour",
    });
  });
});

describe("filters and exports", () => {
  beforeEach(async () => {
    await report({
      error_type: "Error",
      message: "connect ECONNREFUSED 10.0.0.1:5432",
      environment: "production",
      service: "api",
      release: "1.0",
    });
    await report({
      error_type: "TypeError",
      message: "x is undefined",
      environment: "staging",
      service: "web",
      release: "1.1",
    });
    await report({ error_type: "Error", message: "no cart", status_code: 404, url: "/c/1" });
  });

  it("lists bugs by category, environment and release", async () => {
    const refs = async (query: string) =>
      (await get(`/api/bugs?${query}`)).json().items.map((b: { ref: string }) => b.ref);
    expect(await refs("category=network")).toEqual(["B-001"]);
    expect(await refs("category=not_found")).toEqual(["B-003"]);
    expect(await refs("environment=staging")).toEqual(["B-002"]);
    expect(await refs("release=1.0")).toEqual(["B-001"]);
    expect(await refs("release=1.0&category=programming_error")).toEqual([]);
    expect(await refs("environment=production&service=api")).toEqual(["B-001"]);
    const bad = await get("/api/bugs?category=nonsense");
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ parameter: "category" });
  });

  it("filters stats by category and breaks them down by category", async () => {
    const all = (await get("/api/stats")).json();
    expect(all.byCategory).toEqual([
      { key: "network", count: 1, bugs: 1 },
      { key: "not_found", count: 1, bugs: 1 },
      { key: "programming_error", count: 1, bugs: 1 },
    ]);
    const network = (await get("/api/stats?category=network")).json();
    expect(network.totals).toMatchObject({ occurrences: 1, activeBugs: 1, newBugs: 1 });
    expect(network.topBugs.map((b: { ref: string }) => b.ref)).toEqual(["B-001"]);
    expect(network.errorRate.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(1);
  });

  it("exports whole events and bugs as JSON/NDJSON; CSV keeps flat columns", async () => {
    const events = (await get("/api/export/events?format=json&bug=B-001")).json();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      bugRef: "B-001",
      message: "connect ECONNREFUSED 10.0.0.1:5432",
      exception: { type: "Error", causes: [] },
      frames: [],
      tags: {},
      breadcrumbs: [],
      contexts: {},
      context: {},
      source: "generic",
    });
    const ndjson = (await get("/api/export/events?format=ndjson")).body.trimEnd().split("\n");
    expect(ndjson.map((l) => Object.keys(JSON.parse(l))).at(0)).toContain("frames");
    const csv = (await get("/api/export/events?format=csv")).body.split("\n")[0];
    expect(csv).toBe(
      "repo,bugRef,eventId,receivedAt,occurredAt,level,service,environment,release,errorType,message,url,method,statusCode,userId",
    );

    const bugs = (await get("/api/export/bugs?format=ndjson&category=network")).body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(bugs).toEqual([
      expect.objectContaining({
        ref: "B-001",
        category: "network",
        categoryReason: 'message matches "ECONNREFUSED"',
        firstRelease: "1.0",
        lastRelease: "1.0",
        grouping: expect.objectContaining({ basis: "message" }),
      }),
    ]);
    const bugCsv = (await get("/api/export/bugs?format=csv")).body.split("\n");
    expect(bugCsv[0]).toBe(
      "repo,ref,title,errorType,culprit,severity,category,status,occurrenceCount,firstSeen,lastSeen,resolvedAt,regressionCount,firstRelease,lastRelease,issueUrl",
    );
    expect(bugCsv[1]).toContain(",network,open,1,");
  });
});
