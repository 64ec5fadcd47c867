import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BugStatus } from "../../src/db/index.js";
import {
  type Project,
  type ProjectConfigs,
  createProjectConfigs,
  ensureProject,
} from "../../src/projects/index.js";
import { runRetention } from "../../src/scheduler/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

const DAY = 86_400_000;
const NOW = new Date("2026-11-23T03:17:00Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

let testDb: TestDb;
let configs: ProjectConfigs;
let shop: Project;
let eventSeq = 0;

const retain = (batchSize?: number) =>
  runRetention(
    { db: testDb.db, projectConfigs: configs, ...(batchSize ? { batchSize } : {}) },
    NOW,
  );

async function insertBug(project: Project, number: number, status: BugStatus) {
  return testDb.db
    .insertInto("bugs")
    .values({
      project_id: project.id,
      number,
      fingerprint: `fp-${number}`,
      fingerprint_version: 1,
      title: `Error ${number}`,
      error_type: "Error",
      culprit: null,
      severity: "high",
      status,
      first_seen: ago(200),
      last_seen: ago(1),
      escalation_started_at: ago(200),
      issue_number: null,
      issue_url: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Events of a bug received `days` ago; returns their event ids. */
async function insertEvents(
  project: Project,
  bugId: number,
  days: number,
  count = 1,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const eventId = `e${++eventSeq}-${days}d`;
    ids.push(eventId);
    await testDb.db
      .insertInto("events")
      .values({
        project_id: project.id,
        bug_id: bugId,
        event_id: eventId,
        received_at: ago(days),
        occurred_at: ago(days),
        level: "error",
        source: "generic",
        error_type: "Error",
        message: "boom",
        stacktrace: "[]",
        tags: "{}",
        context: "{}",
      })
      .execute();
  }
  return ids;
}

async function remainingEventIds(): Promise<string[]> {
  const rows = await testDb.db.selectFrom("events").select("event_id").orderBy("id").execute();
  return rows.map((r) => r.event_id);
}

beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await testDb.close();
});
beforeEach(async () => {
  await testDb.truncate();
  eventSeq = 0;
  configs = createProjectConfigs(testDb.db);
  ({ project: shop } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
});

describe("retention", () => {
  it("deletes events of resolved bugs after 30 days and the others after 90 by default", async () => {
    const resolved = await insertBug(shop, 1, "resolved");
    const open = await insertBug(shop, 2, "open");
    const wontfix = await insertBug(shop, 3, "wontfix");
    await testDb.db
      .insertInto("bug_hourly")
      .values({
        bug_id: resolved.id,
        project_id: shop.id,
        hour: ago(40),
        environment: "",
        service: "",
        count: 2,
      })
      .execute();

    await insertEvents(shop, resolved.id, 31);
    const keptResolved = await insertEvents(shop, resolved.id, 29);
    await insertEvents(shop, open.id, 91);
    const keptOpen = [
      ...(await insertEvents(shop, open.id, 89)),
      ...(await insertEvents(shop, open.id, 31)),
    ];
    await insertEvents(shop, wontfix.id, 95);
    const keptWontfix = await insertEvents(shop, wontfix.id, 45);

    expect(await retain()).toMatchObject({ projects: 1, deleted: 3 });
    expect(await remainingEventIds()).toEqual([...keptResolved, ...keptOpen, ...keptWontfix]);
    // Bugs and their hourly counts stay.
    expect(await testDb.db.selectFrom("bugs").select("id").execute()).toHaveLength(3);
    expect(await testDb.db.selectFrom("bug_hourly").selectAll().execute()).toHaveLength(1);
    expect(await retain()).toMatchObject({ deleted: 0 });
  });

  it("follows each project's own retention, and never means never", async () => {
    const { project: blog } = await ensureProject(testDb.db, { fullName: "octo-org/blog" });
    await configs.save(blog.id, { retention: { resolved_events: "never", events: "7d" } }, NOW);
    const blogResolved = await insertBug(blog, 1, "resolved");
    const blogOpen = await insertBug(blog, 2, "open");
    const shopOpen = await insertBug(shop, 1, "open");

    const keptForever = await insertEvents(blog, blogResolved.id, 400);
    await insertEvents(blog, blogOpen.id, 8);
    const keptRecent = await insertEvents(blog, blogOpen.id, 6);
    const keptShop = await insertEvents(shop, shopOpen.id, 8);

    expect(await retain()).toMatchObject({ projects: 2, deleted: 1 });
    expect((await remainingEventIds()).sort()).toEqual(
      [...keptForever, ...keptRecent, ...keptShop].sort(),
    );
  });

  it("deletes in bounded batches until nothing is left", async () => {
    const resolved = await insertBug(shop, 1, "resolved");
    const open = await insertBug(shop, 2, "open");
    await insertEvents(shop, resolved.id, 40, 7);
    await insertEvents(shop, open.id, 100, 3);
    const kept = await insertEvents(shop, open.id, 10, 2);

    // Resolved: 3 + 3 + 1; others: 3, then an empty check (a full batch may hide more).
    expect(await retain(3)).toMatchObject({ projects: 1, deleted: 10, statements: 5 });
    expect(await remainingEventIds()).toEqual(kept);
  });

  it("refuses a nonsensical batch size before deleting anything", async () => {
    const open = await insertBug(shop, 1, "open");
    await insertEvents(shop, open.id, 100);
    await expect(retain(0.5)).rejects.toThrow(/batchSize must be a positive integer/);
    expect(await remainingEventIds()).toHaveLength(1);
  });
});
