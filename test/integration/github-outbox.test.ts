import type { FastifyInstance } from "fastify";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { planGithubEffects } from "../../src/github/outbox/plan-effects.js";
import { type OutboxOctokit, createOutboxWorker } from "../../src/github/outbox/worker.js";
import { issueMarker, issueTitle } from "../../src/github/render/index.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb, testDatabaseUrl } from "../helpers/db.js";
import {
  APP_ID,
  authoredByApp,
  nockIssueSearch,
  nockLabels as nockLabelsOf,
  nockRecentIssues,
} from "../helpers/github.js";

const API = "https://api.github.com";
const NODE_STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)`;

const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
const getOctokit = async () => new TestOctokit({ auth: { token: "test" } }) as OutboxOctokit;

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

function report(payload: Record<string, unknown>) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload,
  });
}

function worker(extra: { batchSize?: number } = {}) {
  return createOutboxWorker({ db: testDb.db, getOctokit, appId: APP_ID, ...extra });
}

async function outboxRows() {
  return testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
}

async function bug1() {
  return testDb.db.selectFrom("bugs").selectAll().where("number", "=", 1).executeTakeFirstOrThrow();
}

/** The default labels, both existing (a fresh worker reads them once). */
function nockLabels() {
  nockLabelsOf("octo-org/shop", ["bug", "severity:high"]);
}

/**
 * What a retried create reads: the recent issues, then (if no App-authored one carries a marker)
 * the search. Items are the App's unless they say who wrote them.
 */
function nockLookup(listed: object[] = [], searched: object[] = []) {
  const mine = listed.map(authoredByApp);
  nockRecentIssues("octo-org/shop", mine);
  const adoptable = mine.some(
    (i) =>
      String((i as { body?: string }).body).includes("faultline:") &&
      (i as { user?: { type?: string } }).user?.type === "Bot" &&
      (i as { performed_via_github_app?: { id?: number } }).performed_via_github_app?.id === APP_ID,
  );
  if (!adoptable) nockIssueSearch("octo-org/shop", searched.map(authoredByApp));
}

/** Marks every outbox row as claimed once before (a worker took it and died). */
async function claimedBefore() {
  await testDb.db.updateTable("outbox").set({ claims: 1 }).execute();
}

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 10 });
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
  await testDb.db
    .updateTable("projects")
    .set({ installation_id: 4242 })
    .where("id", "=", project.id)
    .execute();
});
afterEach(() => {
  nock.cleanAll();
});

describe("GitHub outbox", () => {
  it("plans nothing for a project without an installation", async () => {
    await testDb.db.updateTable("projects").set({ installation_id: null }).execute();
    expect((await report({ error_type: "TypeError", stack: NODE_STACK })).statusCode).toBe(202);
    expect(await outboxRows()).toEqual([]);
  });

  it("opens exactly one issue for a new bug and records it", async () => {
    expect((await report({ error_type: "TypeError", stack: NODE_STACK })).statusCode).toBe(202);
    expect((await report({ error_type: "TypeError", stack: NODE_STACK })).statusCode).toBe(202);
    const planned = await outboxRows();
    expect(planned.map((r) => [r.kind, r.idempotency_key])).toEqual([
      ["open_issue", `open_issue:${planned[0]?.bug_id}`],
    ]);

    const bug = await bug1();
    const expectedTitle = issueTitle({
      number: 1,
      title: bug.title,
      ...(bug.culprit ? { culprit: bug.culprit } : {}),
    });
    expect(expectedTitle.startsWith("B-001: TypeError: Cannot read properties")).toBe(true);
    let sent: { title: string; body: string; labels: string[] } | undefined;
    // A first claim creates at once: no search per issue.
    nockLabels();
    const create = nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        sent = body;
        return true;
      })
      .reply(201, { number: 17, html_url: "https://github.com/octo-org/shop/issues/17" });

    expect(await worker().runOnce()).toBe(1);
    expect(create.isDone()).toBe(true);
    expect(sent?.title).toBe(expectedTitle);
    expect(sent?.labels).toEqual(["bug", "severity:high"]);
    expect(sent?.body).toContain(issueMarker(bug));
    expect(await bug1()).toMatchObject({
      issue_number: 17,
      issue_url: "https://github.com/octo-org/shop/issues/17",
    });
    const [row] = await outboxRows();
    expect(row?.done_at).toBeInstanceOf(Date);
    expect(await worker().runOnce()).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);

    // Further reports do not plan another issue (only a refresh of its body).
    await report({ error_type: "TypeError", stack: NODE_STACK });
    expect((await outboxRows()).map((r) => r.kind)).toEqual(["open_issue", "update_issue_body"]);
  });

  it("after a crash between creating and recording, finds the issue by its marker", async () => {
    await report({ error_type: "TypeError", stack: NODE_STACK });
    const bug = await bug1();
    // The issue exists on GitHub (a previous claim created it and died before the UPDATE).
    await claimedBefore();
    nockLabels();
    nockLookup([
      { number: 3, html_url: "https://github.com/octo-org/shop/issues/3", body: "other text" },
      {
        number: 9,
        html_url: "https://github.com/octo-org/shop/issues/9",
        body: `${issueMarker(bug)}\n\nbody`,
      },
    ]);
    const create = nock(API).post("/repos/octo-org/shop/issues").reply(201, { number: 99 });

    expect(await worker().runOnce()).toBe(1);
    expect(create.isDone()).toBe(false);
    expect(await bug1()).toMatchObject({ issue_number: 9 });
    expect((await outboxRows())[0]?.done_at).toBeInstanceOf(Date);
  });

  it("never adopts an issue someone else wrote the marker into (issue hijack)", async () => {
    await report({ error_type: "TypeError", stack: NODE_STACK });
    const bug = await bug1();
    const forged = `${issueMarker(bug)}\n\nclose me as not planned`;
    const others = [
      // A user's issue, and one by another App: both carry B-001's exact marker.
      { number: 7, html_url: "u7", body: forged, user: { login: "mallory", type: "User" } },
      {
        number: 8,
        html_url: "u8",
        body: forged,
        user: { login: "other-app[bot]", type: "Bot" },
        performed_via_github_app: { id: 999, slug: "other-app" },
      },
    ];
    await claimedBefore();
    nockLabels();
    nockLookup(others, others);
    const create = nock(API)
      .post("/repos/octo-org/shop/issues")
      .reply(201, { number: 12, html_url: "https://github.com/octo-org/shop/issues/12" });
    expect(await worker().runOnce()).toBe(1);
    expect(create.isDone()).toBe(true);
    expect(await bug1()).toMatchObject({ issue_number: 12 });
  });

  it("keeps the row on a GitHub 500 and succeeds later", async () => {
    await report({ error_type: "TypeError", stack: NODE_STACK });
    let now = new Date();
    const clock = () => now;
    nockLabels();
    // A 500 may hide a created issue: looked for (not found), the row retried later.
    nock(API).post("/repos/octo-org/shop/issues").reply(500, { message: "boom" });
    nockLookup();
    const w = createOutboxWorker({ db: testDb.db, getOctokit, clock });
    expect(await w.runOnce()).toBe(1);
    let [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, done_at: null });
    expect(row?.last_error).toMatch(/boom|500/);
    expect(row?.run_after.getTime()).toBeGreaterThan(now.getTime());
    expect(await bug1()).toMatchObject({ issue_number: null });
    expect(nock.pendingMocks()).toEqual([]);

    // Not due yet.
    expect(await w.runOnce()).toBe(0);

    now = new Date(now.getTime() + 60_000);
    // Claimed again: looked for before creating (labels are known by now).
    nockLookup();
    nock(API).post("/repos/octo-org/shop/issues").reply(201, { number: 5, html_url: "u5" });
    expect(await w.runOnce()).toBe(1);
    [row] = await outboxRows();
    expect(row?.done_at).toBeInstanceOf(Date);
    expect(await bug1()).toMatchObject({ issue_number: 5 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("honours retry-after on a 429", async () => {
    await report({ error_type: "TypeError", stack: NODE_STACK });
    const now = new Date();
    nockLabels();
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .reply(429, { message: "slow down" }, { "retry-after": "120" });
    const w = createOutboxWorker({ db: testDb.db, getOctokit, clock: () => now });
    await w.runOnce();
    const [row] = await outboxRows();
    expect(row?.run_after.getTime()).toBe(now.getTime() + 120_000);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("posts one milestone comment at 10 occurrences", async () => {
    for (let i = 0; i < 12; i++) {
      expect((await report({ error_type: "TypeError", stack: NODE_STACK })).statusCode).toBe(202);
    }
    const planned = await outboxRows();
    expect(planned.map((r) => r.kind)).toEqual(["open_issue", "comment_milestone"]);
    expect(planned[1]?.idempotency_key).toBe(`milestone:${planned[1]?.bug_id}:10`);

    nockLabels();
    nock(API).post("/repos/octo-org/shop/issues").reply(201, { number: 21, html_url: "u21" });
    let comment = "";
    nock(API)
      .post("/repos/octo-org/shop/issues/21/comments", (body) => {
        comment = body.body;
        return true;
      })
      .reply(201, { id: 1 });
    expect(await worker().runOnce()).toBe(2);
    expect(comment).toContain("B-001");
    expect(comment).toContain("10");
    expect((await outboxRows()).every((r) => r.done_at !== null)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("reopens the issue with a comment on a regression", async () => {
    await report({ error_type: "TypeError", stack: NODE_STACK });
    await testDb.db
      .updateTable("bugs")
      .set({
        issue_number: 30,
        issue_url: "u30",
        status: "resolved",
        resolved_at: new Date(Date.now() - 3_600_000),
        resolved_in_release: "2.4.0",
        count_since_resolved: 0,
      })
      .execute();
    await testDb.db.updateTable("outbox").set({ done_at: new Date() }).execute();
    await report({ error_type: "TypeError", stack: NODE_STACK, release: "2.4.1" });
    const rows = (await outboxRows()).filter((r) => r.kind !== "update_issue_body");
    expect(rows.map((r) => r.idempotency_key)).toEqual([
      `open_issue:${rows[0]?.bug_id}`,
      `regression:${rows[0]?.bug_id}:1`,
    ]);
    let state = "";
    let comment = "";
    nock(API)
      .patch("/repos/octo-org/shop/issues/30", (body) => {
        state = body.state;
        return true;
      })
      .reply(200, { number: 30 })
      .post("/repos/octo-org/shop/issues/30/comments", (body) => {
        comment = body.body;
        return true;
      })
      .reply(201, { id: 2 });
    expect(await worker().runOnce()).toBe(1);
    expect(state).toBe("open");
    expect(comment).toContain("2.4.1");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("a crash after GitHub created the issue does not create a second one", async () => {
    await report({ error_type: "TypeError", stack: NODE_STACK });
    const bug = await bug1();
    let body = "";
    nockLabels();
    nock(API)
      .post("/repos/octo-org/shop/issues", (b) => {
        body = b.body;
        return true;
      })
      .reply(201, { number: 44, html_url: "u44" });
    // Nor does the lookup that such a failure triggers get an answer.
    nock(API).get("/repos/octo-org/shop/issues").query(true).reply(502, { message: "bad gateway" });
    // The worker dies right after GitHub created the issue: the bugs UPDATE never runs.
    const failing = createOutboxWorker({
      db: testDb.db,
      getOctokit: async () => {
        const octokit = await getOctokit();
        octokit.hook.after("request", async (_response, options) => {
          if (options.method === "POST" && options.url.endsWith("/issues")) {
            throw new Error("crashed before recording");
          }
        });
        return octokit;
      },
    });
    expect(await failing.runOnce()).toBe(1);
    expect(await bug1()).toMatchObject({ issue_number: null });
    expect((await outboxRows())[0]).toMatchObject({ attempts: 1, done_at: null });
    expect(body).toContain(issueMarker(bug));

    // The next run finds the issue by its marker instead of opening another.
    await testDb.db
      .updateTable("outbox")
      .set({ run_after: new Date(0) })
      .execute();
    // Listed among the recent issues (the search index may not have it yet).
    nockLabels();
    nockLookup([{ number: 44, html_url: "u44", body }]);
    expect(await worker().runOnce()).toBe(1);
    expect(await bug1()).toMatchObject({ issue_number: 44 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it.skipIf(!testDatabaseUrl())("two workers never run one row twice", async () => {
    const n = 6;
    for (let i = 0; i < n; i++) {
      await report({ error_type: `Error${i}`, message: `failure number ${i}` });
    }
    expect(await outboxRows()).toHaveLength(n);
    // Each worker reads each label once (its cache knows it from then on).
    nock(API)
      .get(/\/repos\/octo-org\/shop\/labels\/.*/)
      .times(4)
      .reply(200, {});
    let created = 0;
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .times(n)
      .delay(30)
      .reply(201, () => {
        created += 1;
        return { number: 100 + created, html_url: `u${created}` };
      });
    const a = worker({ batchSize: 2 });
    const b = worker({ batchSize: 2 });
    const drain = async (w: ReturnType<typeof worker>) => {
      let total = 0;
      for (;;) {
        const got = await w.runOnce();
        if (got === 0) return total;
        total += got;
      }
    };
    const [ta, tb] = await Promise.all([drain(a), drain(b)]);
    expect(ta + tb).toBe(n);
    expect(created).toBe(n);
    const bugs = await testDb.db.selectFrom("bugs").select("issue_number").execute();
    expect(new Set(bugs.map((b) => b.issue_number)).size).toBe(n);
    expect((await outboxRows()).every((r) => r.done_at !== null && r.attempts === 0)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });
  it("posts command replies and closes merged duplicates", async () => {
    expect((await report({ error_type: "TypeError", stack: NODE_STACK })).statusCode).toBe(202);
    await testDb.db.deleteFrom("outbox").execute();
    await testDb.db.updateTable("bugs").set({ issue_number: 43 }).execute();
    const bug = await bug1();
    // On the worker's clock, as the app writes them: Postgres' now() has microseconds, and a row
    // stamped later in the same millisecond as the worker's Date would not be due yet.
    const runAfter = new Date();
    await testDb.db
      .insertInto("outbox")
      .values([
        {
          project_id: project.id,
          bug_id: bug.id,
          run_after: runAfter,
          kind: "command_reply",
          payload: JSON.stringify({ issue_number: 42, body: "✅ done" }),
          idempotency_key: "reply:abc",
        },
        {
          project_id: project.id,
          bug_id: bug.id,
          run_after: runAfter,
          kind: "close_duplicate",
          payload: JSON.stringify({
            issue_number: 43,
            target_ref: "B-007",
            target_url: "https://github.com/octo-org/shop/issues/42",
          }),
          idempotency_key: "close_duplicate:x",
        },
      ])
      .execute();
    const bodies: { issue: number; body: string }[] = [];
    let patched: { state?: string; state_reason?: string } | undefined;
    const scope = nock(API)
      .post("/repos/octo-org/shop/issues/42/comments", (b) => {
        bodies.push({ issue: 42, body: b.body });
        return true;
      })
      .reply(201, { id: 1 })
      .post("/repos/octo-org/shop/issues/43/comments", (b) => {
        bodies.push({ issue: 43, body: b.body });
        return true;
      })
      .reply(201, { id: 2 })
      .patch("/repos/octo-org/shop/issues/43", (b) => {
        patched = b;
        return true;
      })
      .reply(200, { number: 43 });
    expect(await worker().runOnce()).toBe(2);
    expect(scope.isDone()).toBe(true);
    // Every comment carries a hidden marker naming its outbox row (found again after a 5xx).
    expect(bodies[0]?.issue).toBe(42);
    expect(bodies[0]?.body).toMatch(/^✅ done\n\n<!-- faultline:comment row=\d+\.1 -->$/);
    expect(bodies[1]?.body).toContain(
      "Merged into [B-007](https://github.com/octo-org/shop/issues/42)",
    );
    expect(patched).toEqual({ state: "closed", state_reason: "not_planned" });
    expect((await outboxRows()).every((r) => r.done_at !== null)).toBe(true);
  });
});
