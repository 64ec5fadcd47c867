import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { seedBug, seedEvent, seedHourly, seedProject } from "../helpers/read-seed.js";

/**
 * Migration 2026-12-07T0900-events-project-fk dropped the project keys of events and bug_hourly
 * (a check and a shared row lock per ingested event). What they did must still hold through the
 * bug's key: a deleted project takes its events and rollups along, and no row points at a bug
 * that does not exist.
 */

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.truncate();
});

async function count(table: "events" | "bug_hourly" | "bugs", projectId: number) {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("project_id", "=", projectId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("events and hourly rollups without a project key", () => {
  it("reference bugs only", async () => {
    const keys = await sql<{ table: string; target: string }>`
      SELECT conrelid::regclass::text AS table, confrelid::regclass::text AS target
      FROM pg_constraint
      WHERE contype = 'f' AND conrelid IN ('events'::regclass, 'bug_hourly'::regclass)
      ORDER BY 1`.execute(t.db);
    expect(keys.rows.map((k) => `${k.table} -> ${k.target}`)).toEqual([
      "bug_hourly -> bugs",
      "events -> bugs",
    ]);
  });

  it("go with their project when it is deleted (through its bugs), and only its own", async () => {
    const gone = (await seedProject(t.db, "octo-org/gone")).id;
    const kept = (await seedProject(t.db, "octo-org/kept")).id;
    for (const projectId of [gone, kept]) {
      const bug = await seedBug(t.db, projectId, 1);
      await seedEvent(t.db, bug, projectId, "2026-11-01T10:00:00Z");
      await seedHourly(t.db, bug, projectId, "2026-11-01T10:00:00Z", 1);
    }

    await t.db.deleteFrom("projects").where("id", "=", gone).execute();

    for (const table of ["bugs", "events", "bug_hourly"] as const) {
      expect(await count(table, gone), table).toBe(0);
      expect(await count(table, kept), table).toBe(1);
    }
  });

  it("still refuse a bug that does not exist", async () => {
    const projectId = (await seedProject(t.db, "octo-org/shop")).id;
    const bug = await seedBug(t.db, projectId, 1);
    await expect(seedEvent(t.db, bug + 1000, projectId, "2026-11-01T10:00:00Z")).rejects.toThrow(
      /foreign key/,
    );
    await expect(
      seedHourly(t.db, bug + 1000, projectId, "2026-11-01T10:00:00Z", 1),
    ).rejects.toThrow(/foreign key/);
    expect(await count("events", projectId)).toBe(0);
  });
});
