import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOutboxWorker, createTriageHandlers } from "../../src/github/index.js";
import { fixReferences } from "../../src/github/triage/index.js";
import { bugRefsClosedBy, registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import { type Project, createProjectConfigs } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  API,
  APP_ID,
  type Payload,
  createTestProbot,
  webhookExample as example,
  sendWebhook,
  testOctokit,
  withoutCommentMarker,
} from "../helpers/github.js";
import {
  fakeComment,
  fakeCommit,
  fakeIssue,
  nockRoute,
  nockRouteError,
} from "../helpers/openapi.js";

const ISSUE = 42;
const ADMIN = "admin-token-0123456789abcdef";
const PR = 7;
const MERGE_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

let now = new Date("2026-03-01T12:00:00Z");
let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

const COMMITS = "/repos/{owner}/{repo}/pulls/{pull_number}/commits" as const;
const COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments" as const;
const ISSUE_ROUTE = "/repos/{owner}/{repo}/issues/{issue_number}" as const;
const shop = { owner: "octo-org", repo: "shop" };

function pullRequestEvent(action: string, pr: { title?: string; body?: string | null } = {}) {
  const base =
    action === "closed" ? example("pull_request", "closed") : example("pull_request", "opened");
  const payload: Payload = { ...base, action };
  payload.repository = {
    ...payload.repository,
    id: 9001,
    name: "shop",
    full_name: "octo-org/shop",
    owner: { ...payload.repository.owner, login: "octo-org" },
    default_branch: "main",
  };
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.number = PR;
  payload.pull_request = {
    ...payload.pull_request,
    number: PR,
    html_url: `https://github.com/octo-org/shop/pull/${PR}`,
    title: pr.title ?? "Guard the coupon lookup",
    body: pr.body === undefined ? "Fixes B-001" : pr.body,
    state: action === "closed" ? "closed" : "open",
    base: { ...payload.pull_request.base, ref: "main" },
    head: { ...payload.pull_request.head, sha: HEAD_SHA },
    merged: false,
    merge_commit_sha: MERGE_SHA,
  };
  return payload;
}

function merged(payload: Payload, base = "main") {
  payload.pull_request.merged = true;
  payload.pull_request.merged_by = { ...payload.sender, login: "carol" };
  payload.pull_request.base.ref = base;
  return payload;
}

async function send(event: string, payload: unknown) {
  const { response } = await sendWebhook(app, event, payload);
  expect(response.statusCode).toBe(200);
}

function report(body: Record<string, unknown> = {}) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: { error_type: "TypeError", message: "boom", level: "error", ...body },
  });
}

async function bug(number: number) {
  return testDb.db
    .selectFrom("bugs")
    .selectAll()
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

async function links() {
  return testDb.db
    .selectFrom("bug_pull_requests")
    .innerJoin("bugs", "bugs.id", "bug_pull_requests.bug_id")
    .select(["bugs.number as bug", "bug_pull_requests.via", "bug_pull_requests.state"])
    .select("bug_pull_requests.merge_commit_sha")
    .orderBy("bugs.number")
    .execute();
}

async function pending(kind?: string) {
  let q = testDb.db.selectFrom("outbox").selectAll().where("done_at", "is", null);
  if (kind) q = q.where("kind", "=", kind);
  return q.orderBy("id").execute();
}

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit: testOctokit,
    appId: APP_ID,
    clock: () => now,
    handlers: createTriageHandlers({ projectConfigs: createProjectConfigs(testDb.db) }),
  });
}

/** Runs due rows until none is left (a handler may plan more). */
async function drain() {
  const w = worker();
  for (let i = 0; i < 10 && (await w.runOnce()) > 0; i++);
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  testDb = await createTestDb();
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  now = new Date("2026-03-01T12:00:00Z");
  await app?.close();
  await testDb.truncate();
  const probot = createTestProbot();
  registerWebhookHandlers(probot, {
    db: testDb.db,
    clock: () => now,
    appId: APP_ID,
    appSlug: "faultline",
  });
  await probot.ready();
  ({ app, project } = await buildTestApp(testDb.db, {
    clock: () => now,
    extra: { probot, adminToken: ADMIN },
  }));
  // B-001 (issue #42) and B-002 (no issue yet).
  expect((await report({ release: "2.4.1" })).statusCode).toBe(202);
  expect((await report({ error_type: "RangeError", message: "other" })).statusCode).toBe(202);
  await testDb.db
    .updateTable("bugs")
    .set({ issue_number: ISSUE, issue_url: `https://github.com/octo-org/shop/issues/${ISSUE}` })
    .where("number", "=", 1)
    .execute();
  await testDb.db.updateTable("projects").set({ installation_id: 4242, repo_id: 9001 }).execute();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe("pull requests that fix bugs", () => {
  it("a PR saying `fixes B-001` is linked, its commits are read, one comment names it", async () => {
    await send("pull_request", pullRequestEvent("opened"));
    expect(await links()).toEqual([{ bug: 1, via: "body", state: "open", merge_commit_sha: null }]);
    expect((await pending()).map((r) => r.kind)).toEqual([
      "pull_request_comment",
      "scan_pull_request",
    ]);

    let comment = "";
    nockRoute(
      COMMENTS,
      "post",
      { ...shop, issue_number: ISSUE },
      { status: 201, body: fakeComment(ISSUE, "") },
      (body) => {
        comment = withoutCommentMarker(body.body);
        return true;
      },
    );
    nockRoute(
      COMMITS,
      "get",
      { ...shop, pull_number: PR },
      {
        body: [fakeCommit(HEAD_SHA, "Guard the coupon lookup\n\nAlso fixes B-2 and closes B-99")],
        query: { per_page: "100", page: "1" },
      },
    );
    await drain();
    expect(comment).toBe(
      "Pull request [#7](https://github.com/octo-org/shop/pull/7) (Guard the coupon lookup) says it fixes B-001 in its description. When it is merged into the default branch, B-001 is resolved.",
    );
    // B-002 (no issue, none on its way) gets the link without a comment; B-099 does not exist.
    expect(await links()).toEqual([
      { bug: 1, via: "body", state: "open", merge_commit_sha: null },
      { bug: 2, via: "commit", state: "open", merge_commit_sha: null },
    ]);
    expect(await pending()).toEqual([]);

    // Edits and new pushes do not comment again.
    await send("pull_request", pullRequestEvent("edited", { body: "Fixes B-001!" }));
    nockRoute(
      COMMITS,
      "get",
      { ...shop, pull_number: PR },
      { body: [fakeCommit(HEAD_SHA, "fixes B-2")], query: { per_page: "100", page: "1" } },
    );
    const sync = pullRequestEvent("synchronize");
    sync.pull_request.head.sha = "1111111111111111111111111111111111111111";
    await send("pull_request", sync);
    await drain();
    expect(await pending()).toEqual([]);
  });

  it("merged into the default branch: its bugs are resolved with the merge commit, issues closed", async () => {
    await send("pull_request", pullRequestEvent("opened", { body: null, title: "Fix B-001" }));
    await send(
      "pull_request",
      merged(pullRequestEvent("closed", { body: null, title: "Fix B-001" })),
    );
    expect(await bug(1)).toMatchObject({
      status: "resolved",
      resolved_by: "carol",
      resolved_commit: MERGE_SHA,
      resolved_release_mode: null,
    });
    expect(await links()).toEqual([
      { bug: 1, via: "title", state: "merged", merge_commit_sha: MERGE_SHA },
    ]);

    const calls: string[] = [];
    nockRoute(
      COMMENTS,
      "post",
      { ...shop, issue_number: ISSUE },
      { status: 201, body: fakeComment(ISSUE, "") },
      (b) => {
        calls.push(`comment: ${withoutCommentMarker(b.body)}`);
        return true;
      },
    ).persist();
    nockRoute(
      ISSUE_ROUTE,
      "patch",
      { ...shop, issue_number: ISSUE },
      { body: fakeIssue(ISSUE, "closed") },
      (b) => {
        calls.push(`update: ${b?.state} ${b?.state_reason}`);
        return true;
      },
    );
    // Two scans (opened, merged): the merged one finds B-002 in a commit and resolves it too.
    nockRoute(
      COMMITS,
      "get",
      { ...shop, pull_number: PR },
      {
        body: [fakeCommit(HEAD_SHA, "wip")],
        query: { per_page: "100", page: "1" },
      },
    );
    nockRoute(
      COMMITS,
      "get",
      { ...shop, pull_number: PR },
      {
        body: [fakeCommit(HEAD_SHA, "wip"), fakeCommit(MERGE_SHA, "resolves B-002")],
        query: { per_page: "100", page: "1" },
      },
    );
    await drain();
    nock.cleanAll();
    expect(calls).toEqual([
      "comment: Pull request [#7](https://github.com/octo-org/shop/pull/7) (Fix B-001) says it fixes B-001 in its title. When it is merged into the default branch, B-001 is resolved.",
      "update: closed completed",
      "comment: B-001 was resolved by [#7](https://github.com/octo-org/shop/pull/7) (merge commit [`6dcb09b`](https://github.com/octo-org/shop/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e)).",
    ]);
    expect(await bug(2)).toMatchObject({ status: "resolved", resolved_commit: MERGE_SHA });
  });

  it("the read API shows a bug's pull requests and how it was resolved", async () => {
    await send("pull_request", merged(pullRequestEvent("closed")));
    const response = await app.inject({
      method: "GET",
      url: "/api/bugs/B-001?repo=octo-org/shop",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      ref: "B-001",
      status: "resolved",
      pullRequests: [
        {
          number: PR,
          url: "https://github.com/octo-org/shop/pull/7",
          title: "Guard the coupon lookup",
          state: "merged",
          via: "body",
          mergeCommitSha: MERGE_SHA,
        },
      ],
      suspect: null,
      resolution: { commit: MERGE_SHA, mode: "now", release: null },
    });
    nock.cleanAll();
  });

  it("a PR closing the bug's issue (`Fixes #42`) links it; merged elsewhere, nothing resolves", async () => {
    await send(
      "pull_request",
      merged(
        pullRequestEvent("closed", { body: "Fixes #42, closes other/repo#42" }),
        "release-2.x",
      ),
    );
    expect(await links()).toEqual([
      { bug: 1, via: "issue", state: "merged", merge_commit_sha: MERGE_SHA },
    ]);
    expect((await bug(1)).status).toBe("open");
    expect((await pending()).map((r) => r.kind)).toEqual(["pull_request_comment"]);
    nock.cleanAll();
  });

  it("GitHub closing the issue first (as `Fixes #42` does) still records the merge commit", async () => {
    const closed = example("issues", "reopened");
    closed.action = "closed";
    closed.repository = { ...closed.repository, id: 9001, full_name: "octo-org/shop" };
    closed.sender = { ...closed.sender, login: "carol", type: "User" };
    closed.issue = { ...closed.issue, number: ISSUE, state: "closed", state_reason: "completed" };
    await send("issues", closed);
    expect(await bug(1)).toMatchObject({ status: "resolved", resolved_commit: null });
    await send("pull_request", merged(pullRequestEvent("closed", { body: "Fixes #42" })));
    expect(await bug(1)).toMatchObject({ status: "resolved", resolved_commit: MERGE_SHA });
  });

  it("with pull_requests.resolve: next_release, a merge resolves in the next release", async () => {
    await testDb.db
      .updateTable("projects")
      .set({ config: JSON.stringify({ pull_requests: { resolve: "next_release" } }) })
      .execute();
    await send("pull_request", merged(pullRequestEvent("closed")));
    expect(await bug(1)).toMatchObject({ status: "resolved", resolved_release_mode: "next" });
    expect((await report({ release: "2.4.1" })).statusCode).toBe(202);
    expect((await bug(1)).status).toBe("resolved");
    expect((await report({ release: "2.4.2" })).statusCode).toBe(202);
    expect(await bug(1)).toMatchObject({ status: "open", regression_count: 1 });
    nock.cleanAll();
  });

  it("pull_requests.resolve: off links without resolving", async () => {
    await testDb.db
      .updateTable("projects")
      .set({ config: JSON.stringify({ pull_requests: { resolve: "off" } }) })
      .execute();
    await send("pull_request", merged(pullRequestEvent("closed")));
    expect((await bug(1)).status).toBe("open");
    expect((await links()).map((l) => l.state)).toEqual(["merged"]);
    nock.cleanAll();
  });

  it("GitHub failing: a 5xx and a secondary rate limit are retried from the outbox", async () => {
    await send("pull_request", pullRequestEvent("opened", { body: "nothing here" }));
    const [scan] = await pending("scan_pull_request");
    expect(scan).toBeDefined();

    nockRouteError(COMMITS, "get", { ...shop, pull_number: PR }, 502);
    await worker().runOnce();
    let row = await testDb.db
      .selectFrom("outbox")
      .selectAll()
      .where("id", "=", scan?.id as number)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, done_at: null });
    expect(row.last_error).toMatch(/502|error/);

    now = new Date(row.run_after.getTime() + 1);
    nockRouteError(COMMITS, "get", { ...shop, pull_number: PR }, 403, { "retry-after": "120" });
    await worker().runOnce();
    row = await testDb.db
      .selectFrom("outbox")
      .selectAll()
      .where("id", "=", scan?.id as number)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 2, done_at: null });
    expect(row.run_after.getTime() - now.getTime()).toBe(120_000);

    now = new Date(row.run_after.getTime() + 1);
    nockRoute(
      COMMITS,
      "get",
      { ...shop, pull_number: PR },
      {
        body: [fakeCommit(HEAD_SHA, "fixes B-2")],
        query: { per_page: "100", page: "1" },
      },
    );
    await drain();
    expect(await links()).toEqual([
      { bug: 2, via: "commit", state: "open", merge_commit_sha: null },
    ]);
    // Meanwhile reports were taken as always: GitHub is never on the ingestion path.
    expect((await report()).statusCode).toBe(202);
  });

  it("GitHub failing on the link comment or the close: retried, nothing lost or doubled", async () => {
    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved" })
      .where("number", "=", 2)
      .execute();
    await send("pull_request", merged(pullRequestEvent("closed")));
    await testDb.db.deleteFrom("outbox").where("kind", "=", "scan_pull_request").execute();
    expect((await pending()).map((r) => r.kind)).toEqual([
      "pull_request_comment",
      "close_resolved",
    ]);

    nockRouteError(COMMENTS, "post", { ...shop, issue_number: ISSUE }, 403, {
      "retry-after": "60",
    });
    nockRouteError(ISSUE_ROUTE, "patch", { ...shop, issue_number: ISSUE }, 500);
    await worker().runOnce();
    const failed = await pending();
    expect(failed.map((r) => [r.kind, r.attempts])).toEqual([
      ["pull_request_comment", 1],
      ["close_resolved", 1],
    ]);
    expect((failed[0]?.run_after as Date).getTime() - now.getTime()).toBe(60_000);

    now = new Date(now.getTime() + 3_600_000);
    // Both rows were claimed before: each looks for a comment an earlier attempt may have posted
    // (create-once.ts) before posting its own.
    nock(API)
      .get(`/repos/octo-org/shop/issues/${ISSUE}/comments`)
      .query(true)
      .times(2)
      .reply(200, []);
    const bodies: string[] = [];
    for (let i = 0; i < 2; i++) {
      nockRoute(
        COMMENTS,
        "post",
        { ...shop, issue_number: ISSUE },
        { status: 201, body: fakeComment(ISSUE, "") },
        (b) => {
          bodies.push(b.body);
          return true;
        },
      );
    }
    nockRoute(
      ISSUE_ROUTE,
      "patch",
      { ...shop, issue_number: ISSUE },
      { body: fakeIssue(ISSUE, "closed") },
    );
    await drain();
    expect(await pending()).toEqual([]);
    expect(bodies).toHaveLength(2);
    expect(withoutCommentMarker(bodies[1] ?? "")).toMatch(/^B-001 was resolved by/);
  });

  it("reads no commits while the repository has no unresolved bug", async () => {
    await testDb.db.updateTable("bugs").set({ status: "resolved" }).execute();
    await send("pull_request", pullRequestEvent("opened", { body: "Refactor" }));
    await send("pull_request", pullRequestEvent("synchronize", { body: "Refactor" }));
    expect(await pending()).toEqual([]);
  });

  it("a deleted pull request gives its scan up; odd payloads never crash", async () => {
    await send("pull_request", pullRequestEvent("opened", { body: null, title: "" }));
    nockRouteError(COMMITS, "get", { ...shop, pull_number: PR }, 404);
    await worker().runOnce();
    expect(await pending()).toEqual([]);
    const huge = `${"fixes #".repeat(50_000)}fixes B-001`;
    await send("pull_request", pullRequestEvent("edited", { body: huge }));
    expect(await links()).toEqual([]); // past the 64 KB that are read
    nock.cleanAll();
  });
});

describe("fixReferences", () => {
  it("reads bug refs and this repository's closing issue references only", () => {
    expect(
      fixReferences(
        [
          "Fixes #12, closes octo-org/shop#13, resolved https://github.com/octo-org/shop/issues/14",
          "fix other/repo#15; see #16; Closes: B-7",
          null,
        ],
        "Octo-Org/Shop",
      ),
    ).toEqual({ bugs: [7], issues: [12, 13, 14] });
    expect(fixReferences(["fix: B-3", "fixes :#4", "closes\n\tB-5"], "o/r")).toEqual({
      bugs: [3, 5],
      issues: [4],
    });
  });

  it("is linear on hostile text (anyone who can open a pull request writes it)", () => {
    const hostile = [
      `fixes${" ".repeat(60_000)}x`,
      `closes${"\t".repeat(30_000)}:${" ".repeat(30_000)}x`,
      "fix ".repeat(16_000),
      `fixes https://${"a".repeat(60_000)}`,
    ];
    const started = performance.now();
    for (const text of hostile) {
      expect(fixReferences([text], "octo-org/shop")).toEqual({ bugs: [], issues: [] });
      expect(bugRefsClosedBy(text)).toEqual([]);
    }
    // Quadratic backtracking took seconds per text; linear is well under a millisecond each.
    expect(performance.now() - started).toBeLessThan(200);
  });
});
