import type { FastifyInstance } from "fastify";
import { type KyselyPlugin, sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formatExport } from "../../src/stats/export-format.js";
import { streamEvents } from "../../src/stats/export-stream.js";
import { ensureReadKey } from "../../src/stats/read-key.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedEvent, seedProject } from "../helpers/read-seed.js";

let t: TestDb;
let app: FastifyInstance;
let shopId: number;
let key: string;
/** Export batch queries the server ran (SELECTs ordered by events.received_at). */
let eventBatchQueries = 0;

const countEventBatches: KyselyPlugin = {
  transformQuery(args) {
    const node = args.node;
    if (
      node.kind === "SelectQueryNode" &&
      JSON.stringify(node.orderBy ?? "").includes("received_at")
    )
      eventBatchQueries++;
    return node;
  },
  async transformResult(args) {
    // In-process PGlite answers without I/O; yield a turn as a network round trip would, so the
    // HTTP client in this same process gets to read between batches.
    await new Promise((resolve) => setImmediate(resolve));
    return args.result;
  },
};

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
  const built = await buildTestApp(t.db.withPlugin(countEventBatches));
  app = built.app;
  shopId = built.project.id;
  key = await ensureReadKey(t.db, shopId);
  eventBatchQueries = 0;
});

const get = (url: string) =>
  app.inject({ method: "GET", url, headers: { authorization: `Bearer ${key}` } });

describe("export", () => {
  it("CSV quotes commas, quotes and newlines, prints ISO dates and empty nulls", async () => {
    await seedBug(t.db, shopId, 1, {
      title: 'Cannot read "id", of undefined\nat line 2',
      error_type: "TypeError",
      severity: "high",
      first_seen: "2026-11-23T10:00:00Z",
      last_seen: "2026-11-23T11:00:00Z",
    });
    await seedBug(t.db, shopId, 2, {
      title: "plain",
      culprit: "a,b",
      first_seen: "2026-11-23T10:00:00Z",
      last_seen: "2026-11-23T10:00:00Z",
    });
    const res = await get("/api/export/bugs?format=csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe('attachment; filename="faultline-bugs.csv"');
    expect(res.body).toBe(
      [
        "repo,ref,title,errorType,culprit,severity,category,status,occurrenceCount,firstSeen,lastSeen,resolvedAt,regressionCount,firstRelease,lastRelease,issueUrl",
        'octo-org/shop,B-001,"Cannot read ""id"", of undefined\nat line 2",TypeError,,high,unknown,open,0,2026-11-23T10:00:00.000Z,2026-11-23T11:00:00.000Z,,0,,,',
        'octo-org/shop,B-002,plain,Error,"a,b",medium,unknown,open,0,2026-11-23T10:00:00.000Z,2026-11-23T10:00:00.000Z,,0,,,',
        "",
      ].join("\n"),
    );
  });

  it("JSON is one array; NDJSON one object a line; an empty export is valid too", async () => {
    const empty = await get("/api/export/bugs?format=json");
    expect(empty.json()).toEqual([]);
    expect((await get("/api/export/bugs?format=csv")).body.split("\n")).toHaveLength(2);

    const bug = await seedBug(t.db, shopId, 3, { title: 'say "hi"' });
    await seedEvent(t.db, bug, shopId, "2026-11-23T10:00:00Z", { message: "a\nb", userId: "u1" });
    await seedEvent(t.db, bug, shopId, "2026-11-23T10:00:01Z", { message: "c" });
    const json = await get("/api/export/events?format=json&bug=B-003");
    expect(json.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(json.json()).toMatchObject([
      { bugRef: "B-003", message: "a\nb", userId: "u1", receivedAt: "2026-11-23T10:00:00.000Z" },
      { bugRef: "B-003", message: "c", userId: null },
    ]);
    const ndjson = await get("/api/export/events?format=ndjson");
    const lines = ndjson.body.trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(["a\nb", "c"]);
    expect((await get("/api/export/events?format=csv&bug=B-099")).statusCode).toBe(404);
  });

  it("streams over HTTP: the first bytes arrive long before the last batch is read", async () => {
    const bug = await seedBug(t.db, shopId, 1);
    const total = 20_000; // 20 batches of 1,000
    await sql`
      INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
        error_type, message, user_id)
      SELECT ${shopId}, ${bug}, 'e' || i, timestamptz '2026-11-01' + i * interval '1 second',
        timestamptz '2026-11-01', 'error', 'http', 'Error', 'message number ' || i, 'user-' || i
      FROM generate_series(1, ${total}) AS i`.execute(t.db);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    const response = await fetch(`http://127.0.0.1:${address.port}/api/export/events?format=csv`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    const queriesAtFirstChunk = eventBatchQueries;
    expect(first.done).toBe(false);
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    expect(text.trimEnd().split("\n")).toHaveLength(total + 1);
    expect(eventBatchQueries).toBe(total / 1000 + 1); // the last, empty batch ends the stream
    expect(queriesAtFirstChunk).toBeLessThan(eventBatchQueries / 2);
  }, 60_000);

  it("pulls batches only as the consumer reads: memory holds one batch", async () => {
    const bug = await seedBug(t.db, shopId, 1);
    await sql`
      INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
        error_type, message)
      SELECT ${shopId}, ${bug}, 'e' || i, timestamptz '2026-11-01' + (i % 7) * interval '1 ms',
        timestamptz '2026-11-01', 'error', 'http', 'Error', 'm' || i
      FROM generate_series(1, 500) AS i`.execute(t.db);
    let fetched = 0;
    const batches = (async function* () {
      for await (const batch of streamEvents(t.db, { projectIds: [shopId], batchSize: 50 })) {
        fetched++;
        yield batch;
      }
    })();
    const chunks = formatExport(batches, "ndjson", ["eventId"]);
    const first = await chunks.next();
    expect(first.done).toBe(false);
    expect(fetched).toBe(1);
    const ids = new Set((first.value as string).trimEnd().split("\n"));
    for await (const chunk of chunks) {
      for (const line of chunk.trimEnd().split("\n")) ids.add(line);
    }
    // Keyset on (received_at, id) over many equal timestamps: every event once.
    expect(ids.size).toBe(500);
    expect(fetched).toBe(10);
  });

  it("never exports another project's rows", async () => {
    const other = await seedProject(t.db, "octo-org/other");
    const theirs = await seedBug(t.db, other.id, 1, { title: "secret" });
    await seedEvent(t.db, theirs, other.id, "2026-11-23T10:00:00Z", { message: "secret" });
    const bugs = await get("/api/export/bugs?format=json");
    const events = await get("/api/export/events?format=json");
    expect(bugs.json()).toEqual([]);
    expect(events.json()).toEqual([]);
  });
});
