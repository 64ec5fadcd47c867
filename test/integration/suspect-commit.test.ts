import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { commitOfRelease, createSuspectHandlers } from "../../src/escalation/index.js";
import {
  createOutboxWorker,
  planGithubEffects,
  planSuspectLookups,
} from "../../src/github/index.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { type GraphqlCall, nockGraphql, notFound } from "../helpers/github-graphql.js";
import { API, APP_ID, authoredByApp, nockLabels, testOctokit } from "../helpers/github.js";

const STACK = (
  root: string,
  line = 42,
) => `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (${root}src/cart/checkout.ts:${line}:17)
    at CartController.checkout (${root}src/cart/controller.ts:18:5)`;
const SHA = "3f9c0e1d2b4a5c6d7e8f90123456789abcdef012";
const RELEASE_SHA = "0123456789abcdef0123456789abcdef01234567";

let now = new Date("2026-03-01T12:00:00Z");
let testDb: TestDb;
let app: FastifyInstance;
let project: Project;
let blames: string[];

function report(body: Record<string, unknown>) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: { error_type: "TypeError", level: "error", ...body },
  });
}

/** The blame GitHub would give: lines 1-40 by alice, 41-60 by bob in PR #12. */
function commitNode(oid: string, login: string | null, pr: number | null) {
  return {
    __typename: "Commit",
    oid,
    url: `https://github.com/octo-org/shop/commit/${oid}`,
    messageHeadline: `Change by ${login ?? "someone"}`,
    author: { name: login ? login.toUpperCase() : "Someone", user: login ? { login } : null },
    associatedPullRequests: {
      nodes: pr
        ? [{ number: pr, url: `https://github.com/octo-org/shop/pull/${pr}`, title: "Coupons" }]
        : [],
    },
  };
}

function repoRoot(files: Record<string, unknown[]>, revisions = ["HEAD"]) {
  return (vars: Record<string, unknown>) => ({
    repository: {
      object: ({ expression }: { expression: string }) =>
        revisions.includes(expression)
          ? {
              __typename: "Commit",
              oid: expression === "HEAD" ? "feedfacefeedfacefeedfacefeedfacefeedface" : expression,
              blame: ({ path }: { path: string }) => {
                const ranges = files[path];
                if (!ranges) throw notFound(`Could not resolve file for path '${path}'.`);
                return { ranges };
              },
            }
          : null,
    },
    _vars: vars,
  });
}

const SHOP_FILES = {
  "src/cart/checkout.ts": [
    { startingLine: 1, endingLine: 40, commit: commitNode("a".repeat(40), "alice", null) },
    { startingLine: 41, endingLine: 60, commit: commitNode(SHA, "bob", 12) },
  ],
};

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit: testOctokit,
    appId: APP_ID,
    clock: () => now,
    handlers: createSuspectHandlers({ onBlame: (path, rev) => blames.push(`${rev}:${path}`) }),
  });
}

/** A fresh worker opening one issue: it reads each label once (both exist), then creates. */
function nockOpenIssue(capture: (body: string) => void) {
  nockLabels("octo-org/shop", ["bug", "severity:high"]);
  nock(API)
    .post("/repos/octo-org/shop/issues", (b) => {
      capture(b.body);
      return true;
    })
    .reply(
      201,
      authoredByApp({ number: 17, html_url: "https://github.com/octo-org/shop/issues/17" }),
    );
}

async function bug(number = 1) {
  return testDb.db
    .selectFrom("bugs")
    .selectAll()
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

async function rows() {
  return testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
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
  blames = [];
  await app?.close();
  await testDb.truncate();
  ({ app, project } = await buildTestApp(testDb.db, {
    clock: () => now,
    effects: [planSuspectLookups(), planGithubEffects()],
  }));
  await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe("suspect commit", () => {
  it("blames the top in-app frame's line before the issue opens; the body names commit, author, PR", async () => {
    expect((await report({ stack: STACK("/app/") })).statusCode).toBe(202);
    expect((await rows()).map((r) => r.kind)).toEqual(["find_suspect", "open_issue"]);

    const calls: GraphqlCall[] = [];
    nockGraphql(repoRoot(SHOP_FILES), calls);
    let body = "";
    nockOpenIssue((b) => {
      body = b;
    });
    expect(await worker().runOnce()).toBe(2);
    expect(calls.map((c) => c.variables)).toEqual([
      { owner: "octo-org", name: "shop", expression: "HEAD", path: "src/cart/checkout.ts" },
    ]);
    expect((await bug()).suspect).toEqual({
      path: "src/cart/checkout.ts",
      line: 42,
      revision: "HEAD",
      commit: {
        oid: SHA,
        url: `https://github.com/octo-org/shop/commit/${SHA}`,
        headline: "Change by bob",
        authorName: "BOB",
        authorLogin: "bob",
      },
      pullRequest: {
        number: 12,
        url: "https://github.com/octo-org/shop/pull/12",
        title: "Coupons",
      },
    });
    expect(body).toContain("<summary>Suspect commit: 3f9c0e1 by bob (#12)</summary>");
    expect(body).toContain("[bob](https://github.com/bob)");
    expect((await rows()).every((r) => r.done_at !== null)).toBe(true);
  });

  it("caches a file's blame: another bug in it asks GitHub nothing for an hour", async () => {
    await report({ stack: STACK("/app/") });
    await report({ stack: STACK("/app/", 7), error_type: "RangeError" });
    nockGraphql(repoRoot(SHOP_FILES));
    const w = createOutboxWorker({
      db: testDb.db,
      getOctokit: testOctokit,
      clock: () => now,
      handlers: createSuspectHandlers({ onBlame: (path, rev) => blames.push(`${rev}:${path}`) }),
    });
    // Only the find_suspect rows (the issues are not under test here).
    await testDb.db.deleteFrom("outbox").where("kind", "!=", "find_suspect").execute();
    expect(await w.runOnce()).toBe(2);
    expect(blames).toEqual(["HEAD:src/cart/checkout.ts"]);
    expect((await bug(2)).suspect?.commit.authorLogin).toBe("alice");
    expect(
      await testDb.db.selectFrom("blame_cache").select(["revision", "path"]).execute(),
    ).toEqual([{ revision: "HEAD", path: "src/cart/checkout.ts" }]);
  });

  it("blames at the release's commit when the release names one, else the default branch", async () => {
    await report({ stack: STACK("/app/"), release: `shop@${RELEASE_SHA}` });
    await testDb.db.deleteFrom("outbox").where("kind", "!=", "find_suspect").execute();
    const calls: GraphqlCall[] = [];
    nockGraphql(repoRoot(SHOP_FILES, ["HEAD", RELEASE_SHA]), calls);
    await worker().runOnce();
    expect(calls.map((c) => c.variables.expression)).toEqual([RELEASE_SHA]);
    expect((await bug()).suspect?.revision).toBe(RELEASE_SHA);

    // A commit GitHub does not know (a local build): the default branch instead.
    await report({ stack: STACK("/app/"), error_type: "SyntaxError", release: "deadbeefcafe123" });
    nockGraphql(repoRoot(SHOP_FILES), calls);
    nockGraphql(repoRoot(SHOP_FILES), calls);
    await testDb.db.deleteFrom("outbox").where("kind", "!=", "find_suspect").execute();
    await worker().runOnce();
    expect(calls.slice(1).map((c) => c.variables.expression)).toEqual(["deadbeefcafe123", "HEAD"]);
    expect((await bug(2)).suspect?.revision).toBe("HEAD");
  });

  it("tries the frame's path candidates until GitHub has the file", async () => {
    await report({ stack: STACK("/opt/build/") });
    await testDb.db.deleteFrom("outbox").where("kind", "!=", "find_suspect").execute();
    const calls: GraphqlCall[] = [];
    for (let i = 0; i < 3; i++) nockGraphql(repoRoot(SHOP_FILES), calls);
    await worker().runOnce();
    expect(calls.map((c) => c.variables.path)).toEqual([
      "opt/build/src/cart/checkout.ts",
      "build/src/cart/checkout.ts",
      "src/cart/checkout.ts",
    ]);
    expect((await bug()).suspect?.path).toBe("src/cart/checkout.ts");
  });

  it("GitHub failing: the issue opens without waiting; the suspect comes later into its body", async () => {
    await report({ stack: STACK("/app/") });
    nock(API).post("/graphql").reply(502, { message: "Server Error" });
    let body = "";
    nockOpenIssue((b) => {
      body = b;
    });
    expect(await worker().runOnce()).toBe(2);
    expect(body).not.toContain("Suspect commit");
    const [suspectRow] = await rows();
    expect(suspectRow).toMatchObject({ kind: "find_suspect", attempts: 1, done_at: null });

    // A secondary rate limit: retried when GitHub says.
    now = new Date((suspectRow?.run_after as Date).getTime() + 1);
    nock(API)
      .post("/graphql")
      .reply(403, { message: "You have exceeded a secondary rate limit" }, { "retry-after": "90" });
    await worker().runOnce();
    const [limited] = await rows();
    expect(limited).toMatchObject({ attempts: 2, done_at: null });
    expect((limited?.run_after as Date).getTime() - now.getTime()).toBe(90_000);

    // Meanwhile reports are taken as always.
    expect((await report({ stack: STACK("/app/") })).statusCode).toBe(202);

    now = new Date((limited?.run_after as Date).getTime() + 1);
    nockGraphql(repoRoot(SHOP_FILES));
    await worker().runOnce();
    expect((await bug()).suspect?.commit.oid).toBe(SHA);
    const refresh = (await rows()).filter(
      (r) => r.idempotency_key === `issue_body:suspect:${suspectRow?.bug_id}`,
    );
    expect(refresh).toHaveLength(1);
    let patched = "";
    nock(API)
      .patch("/repos/octo-org/shop/issues/17", (b) => {
        patched = b.body;
        return true;
      })
      .reply(200, {});
    await testDb.db
      .deleteFrom("outbox")
      .where("kind", "=", "update_issue_body")
      .where("idempotency_key", "not like", "issue_body:suspect:%")
      .execute();
    await worker().runOnce();
    expect(patched).toContain("<summary>Suspect commit: 3f9c0e1 by bob (#12)</summary>");
  });

  it("no in-app frame with a line, or a line the blame does not cover: no suspect, no error", async () => {
    await report({ message: "no stack at all" });
    await report({ stack: STACK("/app/", 999), error_type: "RangeError" });
    await testDb.db.deleteFrom("outbox").where("kind", "!=", "find_suspect").execute();
    nockGraphql(repoRoot(SHOP_FILES));
    await worker().runOnce();
    expect((await bug(1)).suspect).toBeNull();
    expect((await bug(2)).suspect).toBeNull();
    expect((await rows()).every((r) => r.done_at !== null && r.last_error === null)).toBe(true);
  });

  it("a project without an installation plans no blame", async () => {
    await testDb.db.updateTable("projects").set({ installation_id: null }).execute();
    await report({ stack: STACK("/app/") });
    expect(await rows()).toEqual([]);
  });
});

describe("commitOfRelease", () => {
  it("finds a sha in a release name, not in versions or build numbers", () => {
    expect(commitOfRelease(RELEASE_SHA)).toBe(RELEASE_SHA);
    expect(commitOfRelease("shop-web@3F9C0E1")).toBe("3f9c0e1");
    expect(commitOfRelease("2.4.1+3f9c0e1")).toBe("3f9c0e1");
    expect(commitOfRelease("v2.4.1-14-g3f9c0e1")).toBe("3f9c0e1");
    for (const other of ["2.4.1", "1234567", "build-20260301", "", null, "cafe"]) {
      expect(commitOfRelease(other)).toBeUndefined();
    }
  });
});
