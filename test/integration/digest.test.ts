import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SeverityColumn } from "../../src/db/schema.js";
import {
  DIGEST_MARKER,
  computeDigest,
  createDigestHandler,
  renderDigest,
  runDigests,
} from "../../src/digest/index.js";
import { type OutboxOctokit, createOutboxWorker } from "../../src/github/outbox/worker.js";
import {
  type ProjectConfigs,
  createProjectConfigs,
  ensureProject,
} from "../../src/projects/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { APP_AUTHOR, APP_ID } from "../helpers/github.js";

const API = "https://api.github.com";
const HOUR = 3_600_000;
const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const getOctokit = async () => new TestOctokit({ auth: { token: "test" } }) as OutboxOctokit;

let testDb: TestDb;
let projectConfigs: ProjectConfigs;
let projectId: number;
let now: Date;

const ago = (ms: number) => new Date(now.getTime() - ms);
const outboxRows = () => testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
const digests = () => runDigests({ db: testDb.db, projectConfigs }, now);

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit,
    appId: APP_ID,
    clock: () => now,
    handlers: { digest_update: createDigestHandler() },
  });
}

async function seedBug(b: {
  project?: number;
  number: number;
  title?: string;
  severity?: SeverityColumn;
  firstSeen: Date;
  total?: number;
  regressedAt?: Date;
  issue?: number;
  mergedInto?: number;
  hourly?: Array<[Date, number]>;
}): Promise<number> {
  const project = b.project ?? projectId;
  const { id } = await testDb.db
    .insertInto("bugs")
    .values({
      project_id: project,
      number: b.number,
      fingerprint: `fp-${project}-${b.number}`,
      fingerprint_version: 1,
      title: b.title ?? `Error ${b.number}`,
      error_type: "Error",
      culprit: null,
      severity: b.severity ?? "high",
      occurrence_count: b.total ?? 1,
      first_seen: b.firstSeen,
      last_seen: now,
      regression_count: b.regressedAt ? 1 : 0,
      escalation_started_at: b.regressedAt ?? b.firstSeen,
      issue_number: b.issue ?? null,
      issue_url: b.issue ? `https://github.com/octo-org/shop/issues/${b.issue}` : null,
      merged_into_id: b.mergedInto ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  for (const [hour, count] of b.hourly ?? []) {
    await testDb.db
      .insertInto("bug_hourly")
      .values({ bug_id: id, project_id: project, hour, environment: "", service: "", count })
      .execute();
  }
  return id;
}

async function escalation(bugId: number, at: Date, step: number, action: string) {
  await testDb.db
    .insertInto("escalations")
    .values({
      bug_id: bugId,
      project_id: projectId,
      cycle_started_at: ago(48 * HOUR),
      step,
      action,
      at,
    })
    .execute();
}

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(async () => {
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await testDb.truncate();
  now = new Date("2026-11-23T09:05:00Z");
  projectConfigs = createProjectConfigs(testDb.db);
  ({
    project: { id: projectId },
  } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
  await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
  await projectConfigs.save(projectId, { digest: { enabled: true, hour_utc: 9 } }, now);
});
afterEach(() => {
  nock.cleanAll();
});

describe("daily digest job", () => {
  it("plans one digest per project per day, once its hour has come", async () => {
    now = new Date("2026-11-23T08:59:00Z");
    expect(await digests()).toEqual([]);
    now = new Date("2026-11-23T09:00:00Z");
    expect(await digests()).toEqual([projectId]);
    now = new Date("2026-11-23T23:45:00Z");
    expect(await digests()).toEqual([]);
    const rows = await outboxRows();
    expect(rows.map((r) => [r.kind, r.idempotency_key, r.bug_id, r.project_id])).toEqual([
      ["digest_update", `digest:${projectId}:2026-11-23`, null, projectId],
    ]);
    now = new Date("2026-11-24T09:15:00Z");
    expect(await digests()).toEqual([projectId]);
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `digest:${projectId}:2026-11-23`,
      `digest:${projectId}:2026-11-24`,
    ]);
  });

  it("plans a single row when two replicas run at the same moment", async () => {
    await seedBug({
      number: 1,
      firstSeen: ago(HOUR),
      hourly: [[new Date("2026-11-23T08:00:00Z"), 2]],
    });
    await Promise.all([digests(), digests(), digests()]);
    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload).toMatchObject({
      digest: { day: "2026-11-23", totalEvents: 2, newBugCount: 1 },
    });
  });

  it("skips projects with the digest off, without an installation, or suspended", async () => {
    const other = (await ensureProject(testDb.db, { fullName: "octo-org/api" })).project.id;
    const third = (await ensureProject(testDb.db, { fullName: "octo-org/web" })).project.id;
    await projectConfigs.save(other, { digest: { enabled: true } }, now);
    await projectConfigs.save(third, { digest: { enabled: true } }, now);
    await testDb.db
      .updateTable("projects")
      .set({ installation_id: 1 })
      .where("id", "=", other)
      .execute();
    await testDb.db
      .updateTable("projects")
      .set({ suspended_at: now })
      .where("id", "=", third)
      .execute();
    await projectConfigs.save(projectId, { digest: { enabled: false } }, now);
    await testDb.db
      .updateTable("projects")
      .set({ installation_id: null })
      .where("id", "=", other)
      .execute();
    expect(await digests()).toEqual([]);
    await testDb.db
      .updateTable("projects")
      .set({ installation_id: 1 })
      .where("id", "=", other)
      .execute();
    expect(await digests()).toEqual([other]);
  });

  it("counts the last 24 hours of seeded bugs and hourly rows", async () => {
    const old = await seedBug({
      number: 1,
      title: "Old | noisy",
      firstSeen: ago(10 * 24 * HOUR),
      total: 500,
      issue: 7,
      hourly: [
        [new Date("2026-11-23T09:00:00Z"), 10],
        [new Date("2026-11-23T07:00:00Z"), 40],
        [new Date("2026-11-22T10:00:00Z"), 3], // first hour of the window
        [new Date("2026-11-22T09:00:00Z"), 30], // outside
      ],
    });
    await seedBug({
      number: 2,
      title: "Fresh",
      severity: "critical",
      firstSeen: ago(3 * HOUR),
      total: 20,
      hourly: [[new Date("2026-11-23T06:00:00Z"), 20]],
    });
    await seedBug({
      number: 3,
      title: "Back again",
      firstSeen: ago(5 * 24 * HOUR),
      regressedAt: ago(5 * HOUR),
      total: 80,
      issue: 9,
      hourly: [[new Date("2026-11-23T04:00:00Z"), 5]],
    });
    await seedBug({ number: 4, firstSeen: ago(9 * 24 * HOUR), regressedAt: ago(3 * 24 * HOUR) });
    await seedBug({ number: 5, firstSeen: ago(HOUR), mergedInto: old });
    const other = (await ensureProject(testDb.db, { fullName: "octo-org/api" })).project.id;
    await seedBug({
      project: other,
      number: 1,
      firstSeen: ago(HOUR),
      hourly: [[new Date("2026-11-23T08:00:00Z"), 999]],
    });
    await escalation(old, ago(HOUR), 2, "mention");
    await escalation(old, ago(30 * HOUR), 1, "assign");

    const d = await computeDigest(testDb.db, projectId, now);
    expect({
      totalEvents: d.totalEvents,
      newBugCount: d.newBugCount,
      regressionCount: d.regressionCount,
      escalationCount: d.escalationCount,
    }).toEqual({ totalEvents: 78, newBugCount: 1, regressionCount: 1, escalationCount: 1 });
    expect(d.topBugs.map((b) => [b.ref, b.windowCount, b.total])).toEqual([
      ["B-001", 53, 500],
      ["B-002", 20, 20],
      ["B-003", 5, 80],
    ]);
    expect(d.newBugs.map((b) => b.ref)).toEqual(["B-002"]);
    expect(d.regressions.map((b) => [b.ref, b.regressedAt])).toEqual([
      ["B-003", "2026-11-23T04:05:00.000Z"],
    ]);
    expect(d.escalations).toEqual([
      {
        ref: "B-001",
        title: "Old | noisy",
        issueUrl: "https://github.com/octo-org/shop/issues/7",
        step: "2: mention",
        at: "2026-11-23T08:05:00.000Z",
      },
    ]);
    const body = renderDigest("octo-org/shop", d);
    expect(body).toContain(
      "Last 24 hours (2026-11-22T09:05:00Z to 2026-11-23T09:05:00Z): **78** events, **1** new bug, **1** regression, **1** escalation.",
    );
    expect(body).toContain(
      "| [B-001](https://github.com/octo-org/shop/issues/7) | Old \\| noisy | high | open | 53 | 500 |",
    );
  });
});

describe("digest issue", () => {
  async function planAndRun() {
    expect(await digests()).toEqual([projectId]);
    expect(await worker().runOnce()).toBe(1);
    const rows = await outboxRows();
    const row = rows[rows.length - 1];
    expect(row).toMatchObject({ done_at: now, last_error: null });
    return row;
  }

  it("creates one issue, then edits the same issue the next days", async () => {
    await seedBug({
      number: 1,
      firstSeen: ago(HOUR),
      issue: 7,
      hourly: [[new Date("2026-11-23T08:00:00Z"), 4]],
    });
    nock(API)
      .get("/search/issues")
      .query({ q: 'repo:octo-org/shop "faultline:digest" in:body is:issue', per_page: "20" })
      .reply(200, { total_count: 0, incomplete_results: false, items: [] });
    let created = "";
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        expect(body.title).toBe("Faultline digest");
        created = body.body;
        return true;
      })
      .reply(201, { number: 31 });
    const first = await planAndRun();
    expect(first?.payload).toMatchObject({ issue_number: 31 });
    expect(
      created.startsWith(`${DIGEST_MARKER}\n\n## Faultline digest for octo-org/shop, 2026-11-23`),
    ).toBe(true);
    expect(created).toContain(
      "| [B-001](https://github.com/octo-org/shop/issues/7) | Error 1 | high | 4 | 2026-11-23T08:05:00Z |",
    );
    expect(nock.pendingMocks()).toEqual([]);

    // Next day: the body of issue 31 is replaced; no search, no new issue, no comment.
    now = new Date(now.getTime() + 24 * HOUR);
    let edited = "";
    nock(API)
      .patch("/repos/octo-org/shop/issues/31", (body) => {
        expect(body.title).toBe("Faultline digest");
        edited = body.body;
        return true;
      })
      .reply(200, { number: 31 });
    const second = await planAndRun();
    expect(second?.payload).toMatchObject({ issue_number: 31 });
    expect(edited).toContain("## Faultline digest for octo-org/shop, 2026-11-24");
    expect(edited).toContain("**0** events, **0** new bugs");
    expect(nock.pendingMocks()).toEqual([]);

    // Run again the same day: nothing planned, nothing sent.
    expect(await digests()).toEqual([]);
    expect(await worker().runOnce()).toBe(0);

    // The issue was deleted: found again by marker (an older one of ours), else created.
    now = new Date(now.getTime() + 24 * HOUR);
    nock(API).patch("/repos/octo-org/shop/issues/31").reply(410, { message: "gone" });
    nock(API)
      .get("/search/issues")
      .query(true)
      .reply(200, {
        total_count: 2,
        incomplete_results: false,
        items: [
          { number: 44, body: "mentions faultline:digest in passing" },
          { number: 40, body: `${DIGEST_MARKER}\n\nold digest`, ...APP_AUTHOR },
        ],
      });
    nock(API).patch("/repos/octo-org/shop/issues/40").reply(200, { number: 40 });
    const third = await planAndRun();
    expect(third?.payload).toMatchObject({ issue_number: 40 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("never edits a user's issue that carries the digest marker", async () => {
    await seedBug({ number: 1, firstSeen: ago(HOUR), issue: 7 });
    nock(API)
      .get("/search/issues")
      .query(true)
      .reply(200, {
        total_count: 1,
        incomplete_results: false,
        items: [{ number: 5, body: `${DIGEST_MARKER}\n\nforged`, user: { type: "User" } }],
      });
    const created = nock(API).post("/repos/octo-org/shop/issues").reply(201, { number: 6 });
    const row = await planAndRun();
    expect(created.isDone()).toBe(true);
    expect(row?.payload).toMatchObject({ issue_number: 6 });
  });

  it("retries after a GitHub error without creating a second issue", async () => {
    nock(API)
      .get("/search/issues")
      .query(true)
      .reply(200, {
        total_count: 1,
        incomplete_results: false,
        items: [{ number: 12, body: `${DIGEST_MARKER}\n\nyesterday`, ...APP_AUTHOR }],
      });
    nock(API).patch("/repos/octo-org/shop/issues/12").reply(502, { message: "bad gateway" });
    expect(await digests()).toEqual([projectId]);
    expect(await worker().runOnce()).toBe(1);
    let [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, done_at: null });

    now = new Date(now.getTime() + 60_000);
    nock(API)
      .get("/search/issues")
      .query(true)
      .reply(200, {
        total_count: 1,
        incomplete_results: false,
        items: [{ number: 12, body: `${DIGEST_MARKER}\n\nyesterday`, ...APP_AUTHOR }],
      });
    nock(API).patch("/repos/octo-org/shop/issues/12").reply(200, { number: 12 });
    expect(await worker().runOnce()).toBe(1);
    [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, last_error: null, payload: { issue_number: 12 } });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("drops a digest still failing when the next day's is planned", async () => {
    nock(API).get("/search/issues").query(true).reply(503, { message: "unavailable" });
    expect(await digests()).toEqual([projectId]);
    expect(await worker().runOnce()).toBe(1);
    now = new Date(now.getTime() + 24 * HOUR);
    expect(await digests()).toEqual([projectId]);
    nock(API)
      .get("/search/issues")
      .query(true)
      .reply(200, { total_count: 0, incomplete_results: false, items: [] });
    let created = "";
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        created = body.body;
        return true;
      })
      .reply(201, { number: 5 });
    expect(await worker().runOnce()).toBe(2);
    const rows = await outboxRows();
    expect(rows.map((r) => [r.done_at instanceof Date, r.last_error])).toEqual([
      [true, `Error: superseded by the digest in outbox row ${rows[1]?.id}`],
      [true, null],
    ]);
    expect(created).toContain("2026-11-24");
    expect(nock.pendingMocks()).toEqual([]);
  });
});
