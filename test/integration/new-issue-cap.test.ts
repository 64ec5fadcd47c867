import type { FastifyInstance } from "fastify";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import { NEW_BUGS_KIND, createNewBugsHandler } from "../../src/github/index.js";
import { planGithubEffects } from "../../src/github/outbox/plan-effects.js";
import { type OutboxOctokit, createOutboxWorker } from "../../src/github/outbox/worker.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { API, APP_ID } from "../helpers/github.js";

const HOUR = 60 * 60 * 1000;
const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const getOctokit = async () => new TestOctokit({ auth: { token: "test" } }) as OutboxOctokit;

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

const config = parseRepoConfig({ new_issues_per_hour: 2 }).config;

function worker(now: Date) {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit,
    appId: APP_ID,
    clock: () => now,
    config,
    handlers: { [NEW_BUGS_KIND]: createNewBugsHandler() },
  });
}

const outboxRows = () => testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
const bugs = () =>
  testDb.db
    .selectFrom("bugs")
    .select(["id", "number", "severity", "issue_number"])
    .orderBy("number")
    .execute();

/**
 * GitHub answers for opening `numbers.length` issues: one read of each label (all exist; a
 * worker remembers them), then the creates.
 */
function nockOpens(numbers: number[], titles: string[], labels: string[]) {
  for (const name of labels) {
    nock(API)
      .get(`/repos/octo-org/shop/labels/${encodeURIComponent(name)}`)
      .reply(200, { name, color: "ededed" });
  }
  for (const number of numbers) {
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        titles.push(body.title);
        return true;
      })
      .reply(201, { number, html_url: `https://github.com/octo-org/shop/issues/${number}` });
  }
}

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  ({ app, project } = await buildTestApp(testDb.db, { effects: [planGithubEffects()] }));
  await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
});
afterEach(() => {
  nock.cleanAll();
});

describe("new issues per repository and hour", () => {
  it("opens the most severe up to the limit, lists the rest in one issue, opens them next hour", async () => {
    // A burst of four new bugs: two low, one high, one critical (reported in that order).
    for (const [type, level] of [
      ["LowA", "info"],
      ["LowB", "info"],
      ["HighC", "error"],
      ["CriticalD", "fatal"],
    ]) {
      const res = await app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { authorization: `Bearer ${project.ingestKey}` },
        payload: { error_type: type, message: "boom", level },
      });
      expect(res.statusCode).toBe(202);
    }
    // Ten past an hour still to come (the reports' rows are due by then).
    const now = new Date((Math.floor(Date.now() / HOUR) + 2) * HOUR + 10 * 60_000);
    const titles: string[] = [];
    nockOpens([11, 12], titles, ["bug", "severity:critical", "severity:high"]);
    expect(await worker(now).runOnce()).toBe(4);

    // The critical and the high bug got the hour's two issues, in that order.
    expect(titles.map((t) => t.split(":")[0])).toEqual(["B-004", "B-003"]);
    expect((await bugs()).map((b) => [b.number, b.issue_number])).toEqual([
      [1, null],
      [2, null],
      [3, 12],
      [4, 11],
    ]);
    const nextHour = new Date((Math.floor(now.getTime() / HOUR) + 1) * HOUR);
    const rows = await outboxRows();
    const deferred = rows.filter((r) => r.kind === "open_issue" && r.done_at === null);
    expect(deferred.map((r) => [r.run_after.getTime(), r.payload])).toEqual([
      [nextHour.getTime(), { batched: true }],
      [nextHour.getTime(), { batched: true }],
    ]);
    const batch = rows.find((r) => r.kind === NEW_BUGS_KIND);
    const [b1, b2] = await bugs();
    expect(batch?.payload).toEqual({
      hour: Math.floor(now.getTime() / HOUR),
      bug_ids: [b1?.id, b2?.id],
    });
    expect(nock.pendingMocks()).toEqual([]);

    // Five minutes on: one "2 new bugs" issue lists both.
    let batchIssue: { title?: string; body?: string } = {};
    nock(API).get("/search/issues").query(true).reply(200, { total_count: 0, items: [] });
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        batchIssue = body;
        return true;
      })
      .reply(201, { number: 20 });
    expect(batch?.run_after).toEqual(new Date(now.getTime() + 5 * 60_000));
    expect(await worker(new Date(now.getTime() + 5 * 60_000)).runOnce()).toBe(1);
    expect(batchIssue.title).toBe("Faultline: 2 new bugs past the hourly issue limit");
    expect(batchIssue.body).toContain("- **B-001** (low, 1×): LowA");
    expect(batchIssue.body).toContain("- **B-002** (low, 1×): LowB");
    expect(nock.pendingMocks()).toEqual([]);

    // The next hour: both get their own issue, and are not listed again.
    nock.cleanAll();
    nockOpens([13, 14], titles, ["bug", "severity:low"]);
    // Their rows were claimed before (and deferred): a re-claimed create first looks for what an
    // earlier claim may have made (create-once.ts), the App's recent issues then the search.
    nock(API).get("/repos/octo-org/shop/issues").query(true).times(2).reply(200, []);
    nock(API).get("/search/issues").query(true).times(2).reply(200, { total_count: 0, items: [] });
    expect(await worker(new Date(nextHour.getTime() + 1000)).runOnce()).toBeGreaterThanOrEqual(2);
    expect((await bugs()).map((b) => b.issue_number)).toEqual([13, 14, 12, 11]);
    expect((await outboxRows()).filter((r) => r.kind === NEW_BUGS_KIND)).toHaveLength(1);
  });

  it("claims the most severe bug's work first", async () => {
    for (const [type, level] of [
      ["LowA", "info"],
      ["CriticalB", "fatal"],
    ]) {
      await app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { authorization: `Bearer ${project.ingestKey}` },
        payload: { error_type: type, message: "boom", level },
      });
    }
    const titles: string[] = [];
    nockOpens([11], titles, ["bug", "severity:critical"]);
    const w = createOutboxWorker({
      db: testDb.db,
      getOctokit,
      appId: APP_ID,
      batchSize: 1,
      config,
    });
    expect(await w.runOnce()).toBe(1);
    expect(titles[0]?.startsWith("B-002")).toBe(true);
  });
});
