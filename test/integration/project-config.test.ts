import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { createProjectConfigs, ensureProject } from "../../src/projects/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.close());
beforeEach(async () => t.truncate());

describe("project configs", () => {
  it("gives the defaults for a project without a file", async () => {
    const { project } = await ensureProject(t.db, { fullName: "octo-org/shop" });
    const configs = createProjectConfigs(t.db);
    expect(await configs.get(project.id)).toEqual(DEFAULT_REPO_CONFIG);
    expect((await configs.getLoaded(project.id)).loadedAt).toBeNull();
  });

  it("stores the raw file, parses it with per-key fallback and keeps the errors", async () => {
    const { project } = await ensureProject(t.db, { fullName: "octo-org/shop" });
    const configs = createProjectConfigs(t.db);
    const now = new Date("2026-11-23T10:00:00Z");
    const saved = await configs.save(project.id, { threshold: 5, milestones: "often" }, now);
    expect(saved.config.threshold).toBe(5);
    expect(saved.config.milestones).toEqual(DEFAULT_REPO_CONFIG.milestones);
    expect(saved.errors).toHaveLength(1);
    expect(saved.errors[0]).toContain("milestones");

    // Another process (fresh cache) reads the same from the database.
    const other = createProjectConfigs(t.db);
    const loaded = await other.getLoaded(project.id);
    expect(loaded.config.threshold).toBe(5);
    expect(loaded.errors).toEqual(saved.errors);
    expect(loaded.loadedAt?.toISOString()).toBe(now.toISOString());
    const row = await t.db
      .selectFrom("projects")
      .select("config_errors")
      .where("id", "=", project.id)
      .executeTakeFirstOrThrow();
    expect(row.config_errors).toEqual(saved.errors);
  });

  it("serves a cached copy until invalidated", async () => {
    const { project } = await ensureProject(t.db, { fullName: "octo-org/shop" });
    const reader = createProjectConfigs(t.db);
    expect((await reader.get(project.id)).threshold).toBe(1);
    await createProjectConfigs(t.db).save(project.id, { threshold: 3 }, new Date());
    expect((await reader.get(project.id)).threshold).toBe(1);
    reader.invalidate(project.id);
    expect((await reader.get(project.id)).threshold).toBe(3);
  });
});
