import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { ingestTotals } from "../helpers/ingest-invariants.js";

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

function report(payload: unknown, key = project.ingestKey, url = "/api/reports") {
  return app.inject({
    method: "POST",
    url,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

/** A report whose deepest value sits `depth + 2` levels down (body, context, arrays). */
function nestedJson(depth: number): string {
  return `{"message":"deep","context":{"a":${"[".repeat(depth)}1${"]".repeat(depth)}}}`;
}

beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  const services = createServices({ db: testDb.db });
  app = await buildServer(services, { reportRateLimitPerMinute: 5, sentryRateLimitPerMinute: 50 });
  ({ project } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
});

describe("per-key request rate limit on /api/reports*", () => {
  it("answers 429 with Retry-After and a JSON reason past the limit, per key", async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) {
      answers.push(
        await report({ message: `m${i % 2}` }, project.ingestKey, "/api/reports/generic"),
      );
    }
    expect(answers.slice(0, 5).map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const limited = answers[5];
    expect(limited?.statusCode).toBe(429);
    expect(Number(limited?.headers["retry-after"])).toBeGreaterThan(0);
    expect(Number(limited?.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(limited?.json()).toMatchObject({
      error: "rate_limited",
      reason: expect.stringMatching(/at most 5 reports per minute/),
      retry_after: expect.any(Number),
    });
    // The refused requests stored nothing; the others are all counted.
    expect(await ingestTotals(testDb.db)).toMatchObject({ occurrences: 5, events: 5 });
    // Another project's key has its own budget.
    const { project: other } = await ensureProject(testDb.db, { fullName: "octo-org/other" });
    expect((await report({ message: "x" }, other.ingestKey)).statusCode).toBe(202);
  });
});

describe("JSON nesting depth", () => {
  it("admits 60 levels and refuses 65 with 400 and a reason (generic route)", async () => {
    expect((await report(nestedJson(58))).statusCode).toBe(202);
    const deep = await report(nestedJson(65));
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ error: "invalid_report", message: /deeper than 64/ });
  });

  it("refuses 100,000 levels without a crash, on the generic and the Sentry routes", async () => {
    const generic = await report(nestedJson(100_000));
    expect(generic.statusCode).toBe(400);
    const store = await app.inject({
      method: "POST",
      url: `/api/${project.id}/store/?sentry_key=${project.ingestKey}`,
      headers: { "content-type": "application/json" },
      payload: `{"extra":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    });
    expect(store.statusCode).toBe(400);
    expect(store.json()).toMatchObject({ error: "invalid_event", reason: /deeper than 64/ });
    const envelope = await app.inject({
      method: "POST",
      url: `/api/${project.id}/envelope/?sentry_key=${project.ingestKey}`,
      headers: { "content-type": "application/x-sentry-envelope" },
      payload: `{}\n{"type":"event"}\n{"extra":${'{"a":'.repeat(70)}1${"}".repeat(70)}}\n`,
    });
    expect(envelope.statusCode).toBe(400);
    expect(envelope.json().reason).toMatch(/deeper than 64/);
    expect(await ingestTotals(testDb.db)).toMatchObject({ bugs: 0, events: 0 });
  });
});

describe("text Postgres refuses", () => {
  it("stores NUL characters and lone surrogates as U+FFFD instead of failing with a 500", async () => {
    const res = await report({
      error_type: "Error",
      message: "bad\u0000byte \ud800",
      tags: { "t\u0000": "v\u0000" },
      context: { "k\u0000": ["\u0000"] },
    });
    expect(res.statusCode, res.body).toBe(202);
    const store = await app.inject({
      method: "POST",
      url: `/api/${project.id}/store/?sentry_key=${project.ingestKey}`,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ message: "nul\u0000", extra: { "x\u0000": "\udfff" } }),
    });
    expect(store.statusCode, store.body).toBe(200);
    const rows = await testDb.db
      .selectFrom("events")
      .select(["message", "tags", "context"])
      .orderBy("id")
      .execute();
    expect(rows[0]).toMatchObject({
      message: "bad\uFFFDbyte \uFFFD",
      tags: { "t\uFFFD": "v\uFFFD" },
      context: { "k\uFFFD": ["\uFFFD"] },
    });
    expect(rows[1]?.message).toBe("nul\uFFFD");
  });
});

describe("sizes are cut, stored whole otherwise", () => {
  it("stores a truncated message, 50 tags, 250 frames and notes what was cut", async () => {
    const frames = Array.from({ length: 1200 }, (_, i) => ({
      file: `/app/src/f${i}.php`,
      line: i + 1,
      function: i === 0 ? "x".repeat(3000) : `fn${i}`,
    }));
    const tags = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`tag${i}`, `v${i}`]));
    const res = await report(
      {
        error_type: "RuntimeException",
        message: "a".repeat(30_000),
        stack_trace: frames,
        tags,
        context: { payload: "p".repeat(10_000) },
      },
      project.ingestKey,
      "/api/reports/laravel",
    );
    expect(res.statusCode).toBe(202);
    const row = await testDb.db
      .selectFrom("events")
      .select(["message", "stacktrace", "tags", "context"])
      .executeTakeFirstOrThrow();
    expect(row.message).toBe(`${"a".repeat(8192)}…[truncated 21808 chars]`);
    expect(row.stacktrace).toHaveLength(250);
    expect(Object.keys(row.tags)).toHaveLength(50);
    const context = row.context as Record<string, unknown>;
    expect(context.payload).toMatch(/…\[truncated 5904 chars\]$/);
    expect(context._limits).toMatchObject({
      // 1,200 frames reach the parser cut to their first and last 500 (MAX_CONTAINER_ENTRIES).
      framesOmitted: { count: 750, at: 50 },
      tagsDropped: 20,
      truncated: expect.arrayContaining(["message", "frames.function", "context.payload"]),
    });
  });
});
