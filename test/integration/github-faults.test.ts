import type { FastifyInstance } from "fastify";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OutboxOctokit, createOutboxWorker } from "../../src/github/index.js";
import { planGithubEffects } from "../../src/github/outbox/plan-effects.js";
import { issueMarker } from "../../src/github/render/index.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { API, nockLabels } from "../helpers/github.js";

/**
 * GitHub carries out a create and then answers 502 (issue #19: the retry plugin sent the POST
 * again and a bug had two issues). The octokit here is Probot's with its retry plugin ON, as in
 * production (only throttling is off, to keep the test fast).
 */
const RetryingOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { retryAfterBaseValue: 50 },
  throttle: { enabled: false },
}));
const getOctokit = async () => new RetryingOctokit({ auth: { token: "test" } }) as OutboxOctokit;
const APP_LOGIN = "faultline-test[bot]";

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

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit,
    appLogin: async () => APP_LOGIN,
  });
}

const outboxRows = () => testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
const bug1 = () =>
  testDb.db.selectFrom("bugs").selectAll().where("number", "=", 1).executeTakeFirstOrThrow();

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
  ({ app, project } = await buildTestApp(testDb.db, {
    effects: [planGithubEffects({ threshold: 1, milestones: [3] })],
  }));
  await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
});
afterEach(() => {
  nock.cleanAll();
});

/** A stand-in for GitHub's issues API that stores what is posted and may then answer 502. */
function issuesStandIn() {
  const issues: { number: number; html_url: string; body: string; user: { login: string } }[] = [];
  const posts: unknown[] = [];
  const comments: { id: number; body: string }[] = [];
  nock(API)
    .post("/repos/octo-org/shop/issues")
    .times(5)
    .reply((_uri, body) => {
      posts.push(body);
      const number = 100 + issues.length;
      issues.push({
        number,
        html_url: `https://github.com/octo-org/shop/issues/${number}`,
        body: (body as { body: string }).body,
        user: { login: APP_LOGIN },
      });
      return [502, { message: "Server Error" }];
    });
  // The search index has not caught up: it finds nothing (optional: the listing comes first).
  nock(API)
    .get("/search/issues")
    .query(true)
    .optionally()
    .times(5)
    .reply(200, { total_count: 0, incomplete_results: false, items: [] });
  const listed: Record<string, unknown>[] = [];
  nock(API)
    .get("/repos/octo-org/shop/issues")
    .query((q) => {
      listed.push(q);
      return true;
    })
    .times(5)
    .reply(() => [200, [...issues].reverse()]);
  nock(API)
    .post(/\/repos\/octo-org\/shop\/issues\/\d+\/comments/)
    .times(5)
    .reply((_uri, body) => {
      comments.push({ id: comments.length + 1, body: (body as { body: string }).body });
      return [502, { message: "Server Error" }];
    });
  nock(API)
    .get(/\/repos\/octo-org\/shop\/issues\/\d+\/comments/)
    .query(true)
    .times(5)
    .reply(() => [200, comments]);
  return { issues, posts, comments, listed };
}

describe("GitHub answering 5xx to a create it carried out", () => {
  it("creates then answers 502: one issue, found among the App's recent issues", async () => {
    expect((await report({ error_type: "TypeError", message: "boom" })).statusCode).toBe(202);
    const bug = await bug1();
    nockLabels("octo-org/shop", ["bug", "severity:high"]);
    const github = issuesStandIn();

    expect(await worker().runOnce()).toBe(1);

    // One POST (the retry plugin did not send it again), one issue, and that one is recorded.
    expect(github.posts).toHaveLength(1);
    expect(github.issues).toHaveLength(1);
    expect(github.issues[0]?.body).toContain(issueMarker(bug));
    expect(await bug1()).toMatchObject({ issue_number: 100 });
    expect((await outboxRows())[0]).toMatchObject({ attempts: 0, last_error: null });
    expect((await outboxRows())[0]?.done_at).toBeInstanceOf(Date);
    // The recent issues of the App, newest first (search lags behind writes).
    expect(github.listed[0]).toMatchObject({
      creator: APP_LOGIN,
      state: "all",
      sort: "created",
      direction: "desc",
    });

    // Nothing is left to do: a later run creates nothing.
    expect(await worker().runOnce()).toBe(0);
    expect(github.posts).toHaveLength(1);
  });

  it("creates a comment then answers 502: one comment, found by its hidden marker", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await report({ error_type: "TypeError", message: "boom" })).statusCode).toBe(202);
    }
    await testDb.db.updateTable("bugs").set({ issue_number: 7, issue_url: "u7" }).execute();
    await testDb.db
      .updateTable("outbox")
      .set({ done_at: new Date() })
      .where("kind", "=", "open_issue")
      .execute();
    expect((await outboxRows()).filter((r) => !r.done_at).map((r) => r.kind)).toEqual([
      "comment_milestone",
    ]);
    const github = issuesStandIn();

    expect(await worker().runOnce()).toBe(1);

    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toMatch(
      /has now happened \*\*3\*\* times[\s\S]*\n\n<!-- faultline:comment row=\d+\.1 -->$/,
    );
    const row = (await outboxRows()).find((r) => r.kind === "comment_milestone");
    expect(row).toMatchObject({ attempts: 0, last_error: null });
    expect(row?.done_at).toBeInstanceOf(Date);
  });

  it("a retried row skips the comments an earlier attempt posted, and posts the rest", async () => {
    expect((await report({ error_type: "TypeError", message: "boom" })).statusCode).toBe(202);
    await testDb.db.deleteFrom("outbox").execute();
    const bug = await bug1();
    await testDb.db
      .insertInto("outbox")
      .values({
        project_id: project.id,
        bug_id: bug.id,
        kind: "two_comments",
        payload: "{}",
        idempotency_key: "two_comments:1",
        run_after: new Date(0),
        // An earlier claim posted the first comment and died.
        claims: 1,
      })
      .execute();
    const [row] = await outboxRows();
    const posted: string[] = [];
    nock(API)
      .get("/repos/octo-org/shop/issues/7/comments")
      .query(true)
      .times(2)
      .reply(200, [{ id: 1, body: `first\n\n<!-- faultline:comment row=${row?.id}.1 -->` }])
      .post("/repos/octo-org/shop/issues/7/comments", (b) => {
        posted.push(b.body);
        return true;
      })
      .reply(201, { id: 2 });
    const w = createOutboxWorker({
      db: testDb.db,
      getOctokit,
      handlers: {
        // Two comments through two octokits of the same attempt: numbered 1 and 2 all the same.
        two_comments: async (_row, ctx) => {
          for (const text of ["first", "second"]) {
            const octokit = await ctx.getOctokit(4242);
            await octokit.rest.issues.createComment({
              owner: "octo-org",
              repo: "shop",
              issue_number: 7,
              body: text,
            });
          }
        },
      },
    });
    expect(await w.runOnce()).toBe(1);
    expect(posted).toEqual([`second\n\n<!-- faultline:comment row=${row?.id}.2 -->`]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("a 502 for a create GitHub did not carry out: retried later, created once", async () => {
    expect((await report({ error_type: "TypeError", message: "boom" })).statusCode).toBe(202);
    nockLabels("octo-org/shop", ["bug", "severity:high"]);
    let posts = 0;
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .reply(() => {
        posts++;
        return [502, { message: "Server Error" }];
      });
    // Looked for after the 502, on the next claim before creating: never there.
    nock(API).get("/repos/octo-org/shop/issues").query(true).times(2).reply(200, []);
    nock(API)
      .get("/search/issues")
      .query(true)
      .times(2)
      .reply(200, { total_count: 0, incomplete_results: false, items: [] });
    const w = worker();
    expect(await w.runOnce()).toBe(1);
    expect(posts).toBe(1);
    expect((await outboxRows())[0]).toMatchObject({ attempts: 1, done_at: null });

    await testDb.db
      .updateTable("outbox")
      .set({ run_after: new Date(0) })
      .execute();
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .reply(() => {
        posts++;
        return [201, { number: 9, html_url: "u9" }];
      });
    expect(await w.runOnce()).toBe(1);
    expect(posts).toBe(2);
    expect(await bug1()).toMatchObject({ issue_number: 9 });
    expect(nock.pendingMocks()).toEqual([]);
  });
});
