import { Migrator, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { categoriseOlderBugs } from "../../src/bugs/index.js";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import { type DbHandle, createDb, migrateToLatest } from "../../src/db/index.js";
import { migrations } from "../../src/db/migrations/index.js";
import { bugClassifierFor } from "../../src/projects/index.js";
import {
  createTestSchema,
  dropTestSchema,
  newTestSchemaName,
  testDatabaseUrl,
} from "../helpers/db.js";
import { seedBug, seedProject } from "../helpers/read-seed.js";

/**
 * Upgrading a database with bugs from before categories and bug_releases: the migration fills
 * bug_releases from the stored events, and the `categories` job gives the older bugs the
 * category a new bug would get, from their latest event (else their type and title), with the
 * repository's rules.
 */

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

describe("migration 2026-12-08T1210-bug-categories-releases", () => {
  it("fills bug_releases from events; the job categorises older bugs from their latest event", async () => {
    const db = handle.db;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    expect(
      (await migrator.migrateTo("2026-12-08T0900-outbox-opened-issues")).error,
    ).toBeUndefined();

    const shop = (await seedProject(db, "octo-org/shop")).id;
    const bugs = {
      status: await seedBug(db, shop, 1, { title: "Error: boom", error_type: "Error" }),
      chained: await seedBug(db, shop, 2, {
        title: "CheckoutFailed: x",
        error_type: "CheckoutFailed",
      }),
      eventless: await seedBug(db, shop, 3, {
        title: "java.net.SocketTimeoutException: Read timed out",
        error_type: "java.net.SocketTimeoutException",
      }),
      ruled: await seedBug(db, shop, 4, {
        title: "PaymentDeclined: no",
        error_type: "PaymentDeclined",
      }),
    };
    const event = (
      bug: number,
      id: string,
      at: string,
      fields: {
        release?: string;
        status?: number;
        context?: unknown;
        message?: string;
        type?: string;
      },
    ) =>
      sql`
      INSERT INTO events (project_id, bug_id, event_id, received_at, occurred_at, level, source,
        error_type, message, release, status_code, context)
      VALUES (${shop}, ${bug}, ${id}, ${at}::timestamptz, ${at}::timestamptz, 'error', 'sentry',
        ${fields.type ?? "Error"}, ${fields.message ?? "boom"}, ${fields.release ?? null}, ${fields.status ?? null},
        ${JSON.stringify(fields.context ?? {})}::jsonb)`.execute(db);
    await event(bugs.status, "e1", "2026-11-01T10:00:00Z", { release: "1.0", status: 500 });
    await event(bugs.status, "e2", "2026-11-02T10:00:00Z", { release: "1.1", status: 500 });
    // The latest event decides: a 404.
    await event(bugs.status, "e3", "2026-11-03T10:00:00Z", { release: "1.1", status: 404 });
    await event(bugs.chained, "e4", "2026-11-03T11:00:00Z", {
      // As the Sentry mapper stores a chain: oldest first, {type, value}.
      context: { causes: [{ type: "ConnectionRefusedError", value: "[Errno 111]" }] },
      message: "checkout failed",
    });
    await event(bugs.ruled, "e5", "2026-11-03T12:00:00Z", {
      type: "PaymentDeclined",
      message: "card declined",
    });

    await migrateToLatest(db, schema);

    const releases = await db
      .selectFrom("bug_releases")
      .select(["bug_id", "release", "first_seen", "last_seen", "count"])
      .orderBy("bug_id")
      .orderBy("release")
      .execute();
    expect(releases).toEqual([
      {
        bug_id: bugs.status,
        release: "1.0",
        first_seen: new Date("2026-11-01T10:00:00Z"),
        last_seen: new Date("2026-11-01T10:00:00Z"),
        count: 1,
      },
      {
        bug_id: bugs.status,
        release: "1.1",
        first_seen: new Date("2026-11-02T10:00:00Z"),
        last_seen: new Date("2026-11-03T10:00:00Z"),
        count: 2,
      },
    ]);
    const categories = () =>
      db
        .selectFrom("bugs")
        .select(["number", "category", "category_reason"])
        .orderBy("number")
        .execute();
    expect((await categories()).map((b) => [b.category, b.category_reason])).toEqual([
      ["unknown", null],
      ["unknown", null],
      ["unknown", null],
      ["unknown", null],
    ]);

    const { config } = parseRepoConfig({
      categories: {
        rules: [{ match: { error_type: "^PaymentDeclined$" }, category: "external_service" }],
      },
    });
    const deps = { db, classifierFor: async () => bugClassifierFor(config) };
    // Batches of two: the run goes on past its first batch.
    expect(await categoriseOlderBugs(deps, { batchSize: 2 })).toEqual({ categorised: 4 });
    expect(await categories()).toEqual([
      { number: 1, category: "not_found", category_reason: "status 404" },
      { number: 2, category: "network", category_reason: "caused by ConnectionRefusedError" },
      { number: 3, category: "timeout", category_reason: 'type matches "Timeout"' },
      { number: 4, category: "external_service", category_reason: "rule 1 of categories.rules" },
    ]);
    // Nothing left: the next run does nothing.
    expect(await categoriseOlderBugs(deps)).toEqual({ categorised: 0 });
  });
});
