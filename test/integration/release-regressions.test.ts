import { sql } from "kysely";
import { compare as semverCompare } from "semver";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type ReportService,
  type Resolution,
  createReportService,
  resolutionValues,
  semverKey,
} from "../../src/bugs/index.js";
import { parseReport } from "../../src/ingest/index.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

let testDb: TestDb;
let project: Project;
let service: ReportService;

function report(release?: string) {
  return service.submit(
    project.id,
    parseReport(
      "generic",
      {
        error_type: "TypeError",
        message: "x is undefined",
        ...(release !== undefined ? { release } : {}),
      },
      new Date(),
    ),
  );
}

async function bug() {
  return testDb.db.selectFrom("bugs").selectAll().executeTakeFirstOrThrow();
}

async function resolve(how: Resolution) {
  await testDb.db.transaction().execute(async (trx) => {
    const values = await resolutionValues(trx, project.id, how, { now: new Date(), by: "alice" });
    await trx.updateTable("bugs").set(values).execute();
  });
}

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 10 });
});
afterAll(async () => {
  await service?.close();
  await testDb.close();
});
beforeEach(async () => {
  await service?.close();
  await testDb.truncate();
  ({ project } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
  service = createReportService({ db: testDb.db });
});

describe("resolved in the next release", () => {
  it("semver: events of releases seen before the fix are counted, a newer one reopens", async () => {
    for (const r of ["2.3.0", "2.4.1", "2.4.0"]) await report(r);
    await resolve({ kind: "next_release" });
    expect(await bug()).toMatchObject({
      status: "resolved",
      resolved_release_mode: "next",
      resolved_release_key: semverKey("2.4.1"),
    });

    for (const r of ["2.4.1", "2.3.0", undefined]) {
      const answer = await report(r);
      expect(answer.status).toBe("resolved");
    }
    // A backport first seen after the fix is older than 2.4.1 by semver.
    await report("2.3.9");
    expect(await bug()).toMatchObject({
      status: "resolved",
      regression_count: 0,
      count_since_resolved: 4,
      occurrence_count: 7,
    });

    const answer = await report("v2.5.0");
    expect(answer.status).toBe("open");
    expect(await bug()).toMatchObject({ status: "open", regression_count: 1 });
  });

  it("names that are not semver follow first-seen order", async () => {
    for (const r of ["nightly-b", "nightly-a"]) await report(r);
    await resolve({ kind: "next_release" });
    await report("nightly-b");
    await report("nightly-a");
    expect((await bug()).status).toBe("resolved");
    await report("nightly-0"); // sorts first by name, but is seen after the fix
    expect(await bug()).toMatchObject({ status: "open", regression_count: 1 });
  });

  it("a project without releases yet: the first event with a release reopens", async () => {
    await report();
    await resolve({ kind: "next_release" });
    await report();
    expect((await bug()).status).toBe("resolved");
    await report("1.0.0");
    expect((await bug()).status).toBe("open");
  });

  it("in one group commit: old and new releases together reopen once", async () => {
    await report("1.0.0");
    await resolve({ kind: "next_release" });
    const answers = await Promise.all([
      report("1.0.0"),
      report("1.0.0"),
      report("1.1.0"),
      report("1.0.0"),
    ]);
    expect(answers).toHaveLength(4);
    expect(await bug()).toMatchObject({
      status: "open",
      regression_count: 1,
      occurrence_count: 5,
    });
  });
});

describe("resolved in a named release", () => {
  it("semver: older releases are counted, the named one or newer reopens", async () => {
    await report("2.4.9");
    await resolve({ kind: "in_release", release: "2.5.0" });
    await report("2.4.9");
    await report("2.5.0-rc.1");
    expect((await bug()).status).toBe("resolved");
    await report("2.5.0");
    expect(await bug()).toMatchObject({ status: "open", regression_count: 1 });
  });

  it("a name not yet seen: older names are counted, the name itself and later ones reopen", async () => {
    await report("argon");
    await resolve({ kind: "in_release", release: "cobalt" });
    await report("argon");
    expect((await bug()).status).toBe("resolved");
    await report("cobalt");
    expect((await bug()).status).toBe("open");

    await resolve({ kind: "in_release", release: "cobalt" });
    await report("argon");
    expect((await bug()).status).toBe("resolved");
    await report("neon"); // first seen after cobalt
    expect(await bug()).toMatchObject({ status: "open", regression_count: 2 });
  });

  it("a plain resolution still reopens on any event", async () => {
    await report("1.0.0");
    await resolve({ kind: "now" });
    expect((await bug()).resolved_release_mode).toBeNull();
    await report();
    expect(await bug()).toMatchObject({ status: "open", regression_count: 1 });
  });
});

describe("releases", () => {
  it("are recorded once per project in first-seen order, and sort by semver in SQL", async () => {
    const versions = [
      "1.10.0",
      "1.2.0",
      "1.2.0-rc.1",
      "1.2.0-alpha",
      "1.2.0-alpha.10",
      "1.2.0-alpha.9",
      "0.9.0",
      "1.2.0-alpha.beta",
    ];
    for (const v of versions) await report(v);
    await report("1.2.0");
    const rows = await testDb.db
      .selectFrom("releases")
      .select(["version", "semver_key"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => r.version)).toEqual(versions);
    const sorted = await sql<{ version: string }>`
      SELECT version FROM releases ORDER BY semver_key COLLATE "C"`.execute(testDb.db);
    expect(sorted.rows.map((r) => r.version)).toEqual([...versions].sort(semverCompare));
  });
});
