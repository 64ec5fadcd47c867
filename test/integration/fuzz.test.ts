import { gzipSync } from "node:zlib";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { type Services, createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { ingestTotals } from "../helpers/ingest-invariants.js";
import { REPORTS } from "../helpers/ingest-samples.js";
import { nodeUncaught, pythonDjangoChained } from "../unit/sentry/sdk-payloads.js";

/**
 * Random and mutated bodies through the real routes into the database: never a 5xx, never a
 * partial write, and the bugs count exactly what the answers said was accepted.
 */

let testDb: TestDb;
let app: FastifyInstance;
let services: Services;
let generic: Project;
let sentry: Project;

const SOURCES = Object.keys(REPORTS);

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 10 });
  services = createServices({ db: testDb.db });
  app = await buildServer(services, {
    bodyLimit: 256 * 1024,
    reportRateLimitPerMinute: 1_000_000,
    sentryRateLimitPerMinute: 1_000_000,
  });
  ({ project: generic } = await ensureProject(testDb.db, { fullName: "octo-org/fuzz-generic" }));
  ({ project: sentry } = await ensureProject(testDb.db, { fullName: "octo-org/fuzz-sentry" }));
});
afterAll(async () => {
  await app?.close();
  await testDb?.close();
});

/** Text made of the characters that break storage and naive code, mixed with ordinary ones. */
const awkwardText = fc.string({
  unit: fc.constantFrom("\u0000", "\ud800", "\udfff", "😀", "é", "a", "\n", '"', "\\", "%s"),
  maxLength: 30,
});

const junk = fc.oneof(
  awkwardText,
  fc.dictionary(awkwardText, awkwardText, { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 5, stringUnit: "binary" }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
  fc.constantFrom("", null, "\u0000", "\ud800x", "9".repeat(40), -1, 1e300, "1e309", "__proto__"),
  fc.nat(6).map((n) => "é".repeat(9000 * n)),
  fc.integer({ min: 50, max: 90 }).map((d) => JSON.parse(`${"[".repeat(d)}1${"]".repeat(d)}`)),
  fc.constant(Array.from({ length: 1500 }, (_, i) => ({ file: `/a${i}.js`, line: i }))),
);

const fieldName = fc.oneof(
  fc.constantFrom(
    "message",
    "error_type",
    "stack",
    "level",
    "tags",
    "context",
    "request",
    "url",
    "status_code",
    "user",
    "fingerprint",
    "timestamp",
    "event_id",
    "environment",
    "exception",
    "error",
  ),
  fc.string({ maxLength: 8 }),
);

/** A report body as bytes: mutated sample, random JSON, or broken text. */
const reportRequest = fc.record({
  source: fc.constantFrom(...SOURCES, "unknown"),
  body: fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...SOURCES),
          fc.array(fc.tuple(fieldName, fc.option(junk, { nil: undefined })), { maxLength: 3 }),
          // Same event id now and then: retries must be recognised, not counted twice.
          fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.constantFrom("1".repeat(32), "2".repeat(32)) },
          ),
        )
        .map(([source, edits, eventId]) => {
          const body: Record<string, unknown> = structuredClone(REPORTS[source] ?? {});
          for (const [key, value] of edits) {
            if (value === undefined) delete body[key];
            else
              Object.defineProperty(body, key, {
                value,
                enumerable: true,
                writable: true,
                configurable: true,
              });
          }
          if (eventId) body.event_id = eventId;
          return JSON.stringify(body);
        }),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  ),
  gzip: fc.boolean(),
});

async function sendReport(request: { source: string; body: string; gzip: boolean }) {
  const payload = request.gzip ? gzipSync(request.body) : request.body;
  return app.inject({
    method: "POST",
    url: request.source === "generic" ? "/api/reports" : `/api/reports/${request.source}`,
    headers: {
      authorization: `Bearer ${generic.ingestKey}`,
      "content-type": "application/json",
      ...(request.gzip ? { "content-encoding": "gzip" } : {}),
    },
    payload,
  });
}

describe("fuzz through the HTTP routes and the database", () => {
  it("/api/reports*: no 5xx, no partial rows, counts equal the accepted answers", async () => {
    let accepted = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(reportRequest, { minLength: 1, maxLength: 4 }), async (batch) => {
        // Concurrent, so bad and good reports share group-commit batches.
        const answers = await Promise.all(batch.map(sendReport));
        for (const answer of answers) {
          statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
          expect(answer.statusCode, answer.body).toBeLessThan(500);
          const body = answer.json();
          if (answer.statusCode === 202 && body.bug && !body.duplicate) accepted++;
          if (answer.statusCode >= 400) expect(body.error).toEqual(expect.any(String));
        }
      }),
      { numRuns: 100 },
    );
    const totals = await ingestTotals(testDb.db);
    expect(totals).toMatchObject({
      orphanEvents: 0,
      bugsWithHourlyMismatch: 0,
      bugsWithMoreEventsThanCount: 0,
    });
    const counted = await testDb.db
      .selectFrom("bugs")
      .where("project_id", "=", generic.id)
      .select((eb) => eb.fn.sum<number>("occurrence_count").as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(counted.n ?? 0)).toBe(accepted);
    // The run exercised both paths, not only rejections.
    expect(
      accepted,
      `${accepted} accepted of ${[...statuses.values()].reduce((a, b) => a + b, 0)}`,
    ).toBeGreaterThan(20);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
  });

  it("Sentry store and envelope: no 5xx, no partial rows, every acknowledged id was counted", async () => {
    const acknowledged = new Set<string>();
    const sentryBody = fc
      .tuple(
        fc.constantFrom(nodeUncaught, pythonDjangoChained),
        fc.array(fc.tuple(fieldName, fc.option(junk, { nil: undefined })), { maxLength: 3 }),
        fc.uuid().map((u) => u.replace(/-/g, "")),
      )
      .map(([seed, edits, id]) => {
        const json: Record<string, unknown> = structuredClone(seed);
        for (const [key, value] of edits) {
          if (value === undefined) delete json[key];
          else
            Object.defineProperty(json, key, {
              value,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
        json.event_id = id;
        return json;
      });
    await fc.assert(
      fc.asyncProperty(
        sentryBody,
        fc.boolean(),
        fc.string({ maxLength: 20 }),
        async (json, asEnvelope, noise) => {
          const text = JSON.stringify(json);
          const answer = await app.inject({
            method: "POST",
            url: `/api/${sentry.id}/${asEnvelope ? "envelope" : "store"}/?sentry_key=${sentry.ingestKey}`,
            headers: { "content-type": "text/plain;charset=UTF-8" },
            payload: asEnvelope ? `{}\n{"type":"event"}\n${text}\n${noise}` : text,
          });
          expect(answer.statusCode, answer.body).toBeLessThan(500);
          if (answer.statusCode === 200 && !asEnvelope) acknowledged.add(answer.json().id);
        },
      ),
      { numRuns: 100 },
    );
    const totals = await ingestTotals(testDb.db);
    expect(totals).toMatchObject({ orphanEvents: 0, bugsWithHourlyMismatch: 0 });
    const counted = await testDb.db
      .selectFrom("bugs")
      .where("project_id", "=", sentry.id)
      .select((eb) => eb.fn.sum<number>("occurrence_count").as("n"))
      .executeTakeFirstOrThrow();
    // Filtered events are acknowledged too (as Sentry does) but not counted.
    const filtered = Object.values(services.admission.counters(sentry.id).filtered).reduce(
      (sum, n) => sum + n,
      0,
    );
    expect(acknowledged.size).toBeGreaterThan(20);
    expect(Number(counted.n ?? 0)).toBeGreaterThanOrEqual(acknowledged.size - filtered);
  });
});
