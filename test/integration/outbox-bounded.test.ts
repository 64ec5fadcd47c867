import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { outboxCommand } from "../../src/cli/commands/outbox.js";
import { type OutboxOctokit, dropOutbox, listOutbox, retryOutbox } from "../../src/github/index.js";
import { planGithubEffects } from "../../src/github/outbox/plan-effects.js";
import { createOutboxWorker } from "../../src/github/outbox/worker.js";
import { registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import type { Project } from "../../src/projects/index.js";
import { runRetention } from "../../src/scheduler/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  API,
  APP_ID,
  TestOctokit,
  createTestProbot,
  nockIssueSearch,
  nockLabels,
  nockRecentIssues,
  sendWebhook,
  webhookExample,
} from "../helpers/github.js";

/**
 * The outbox stays bounded: rows that can never succeed stop (dead, with their reason and last
 * error), dead rows can be retried or dropped, and the retention job prunes finished rows, dead
 * ones and webhook delivery ids past their windows.
 */

const DAY = 86_400_000;
const STACK = "TypeError: boom\n    at pay (/app/src/pay.ts:1:1)";

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;
let now = new Date("2026-12-08T12:00:00Z");
let getOctokit = async (_id: number): Promise<OutboxOctokit> =>
  new TestOctokit({ auth: { token: "t" } }) as OutboxOctokit;

const logged: { level: string; obj: unknown; msg: string }[] = [];
const log = {
  info: (obj: unknown, msg?: string) => logged.push({ level: "info", obj, msg: msg ?? "" }),
  warn: (obj: unknown, msg?: string) => logged.push({ level: "warn", obj, msg: msg ?? "" }),
  error: (obj: unknown, msg?: string) => logged.push({ level: "error", obj, msg: msg ?? "" }),
};

function worker(extra: { maxAttempts?: number; maxWaitMs?: number } = {}) {
  return createOutboxWorker({
    log,
    db: testDb.db,
    getOctokit: (id) => getOctokit(id),
    appId: APP_ID,
    clock: () => now,
    ...extra,
  });
}

async function outbox() {
  return testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
}

async function newBug() {
  const res = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: { error_type: "TypeError", stack: STACK },
  });
  expect(res.statusCode).toBe(202);
}

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  logged.length = 0;
  await app?.close();
  await testDb.truncate();
  now = new Date("2026-12-08T12:00:00Z");
  getOctokit = async () => new TestOctokit({ auth: { token: "t" } }) as OutboxOctokit;
  const probot = createTestProbot();
  registerWebhookHandlers(probot, { db: testDb.db, clock: () => now });
  await probot.ready();
  ({ app, project } = await buildTestApp(testDb.db, {
    effects: [planGithubEffects()],
    extra: { probot },
  }));
  await testDb.db
    .updateTable("projects")
    .set({ installation_id: 4242, repo_id: 9001 })
    .where("id", "=", project.id)
    .execute();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("rows that can never succeed stop", () => {
  it("when the installation is suspended: no GitHub call; installing again resumes them", async () => {
    await newBug();
    await testDb.db.updateTable("projects").set({ suspended_at: now }).execute();
    expect(await worker().runOnce()).toBe(1);
    const [row] = await outbox();
    expect(row).toMatchObject({ kind: "open_issue", dead_reason: "suspended" });
    expect(row?.dead_at).toEqual(now);
    expect(row?.done_at).toEqual(now);
    expect(row?.last_error).toContain(
      "the App is not installed on octo-org/shop (installation suspended or removed since 2026-12-08T12:00:00.000Z)",
    );
    // Nothing pending: the worker leaves it alone.
    expect(await worker().runOnce()).toBe(0);

    const unsuspend = webhookExample("installation", "unsuspend");
    unsuspend.installation.id = 4242;
    expect((await sendWebhook(app, "installation", unsuspend)).response.statusCode).toBe(200);
    expect(await outbox()).toEqual([
      expect.objectContaining({ kind: "open_issue", dead_at: null, done_at: null, attempts: 0 }),
    ]);
    // Claimed before: the create first looks for an issue an earlier attempt may have opened.
    nockLabels("octo-org/shop", ["bug", "severity:high"]);
    nockRecentIssues("octo-org/shop", []);
    nockIssueSearch("octo-org/shop", []);
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .reply(201, { number: 5, html_url: "https://github.com/octo-org/shop/issues/5" });
    expect(await worker().runOnce()).toBe(1);
    expect((await outbox())[0]).toMatchObject({ dead_at: null, last_error: null });
    // One line when a row stops, one when an issue is opened.
    expect(logged.filter((l) => l.msg.includes("stopped")).map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /^outbox row 1 \(open_issue\) stopped: the App is not installed on octo-org\/shop/,
      ),
    ]);
    expect(logged.filter((l) => l.msg.startsWith("opened issue"))).toEqual([
      {
        level: "info",
        obj: expect.objectContaining({ repo: "octo-org/shop", bug: "B-001", issue: 5 }),
        msg: "opened issue octo-org/shop#5 for B-001",
      },
    ]);
  });

  it("when GitHub no longer knows the installation: its projects are suspended", async () => {
    await newBug();
    getOctokit = async () => {
      throw Object.assign(new Error("Not Found"), { status: 404 });
    };
    await worker().runOnce();
    expect((await outbox())[0]).toMatchObject({ dead_reason: "suspended" });
    expect((await outbox())[0]?.last_error).toContain("GitHub does not know installation 4242");
    const [p] = await testDb.db.selectFrom("projects").select("suspended_at").execute();
    expect(p?.suspended_at).toEqual(now);
    // Reports go on being counted; the planner gives the suspended project no GitHub work.
    await newBug();
    expect(await outbox()).toHaveLength(1);
  });

  it("when the repository is gone (404, and the repository answers 404 too)", async () => {
    await newBug();
    nockLabels("octo-org/shop", ["bug", "severity:high"]);
    nock(API).post("/repos/octo-org/shop/issues").reply(404, { message: "Not Found" });
    nock(API).get("/repos/octo-org/shop").reply(404, { message: "Not Found" });
    await worker().runOnce();
    const [row] = await outbox();
    expect(row).toMatchObject({ dead_reason: "gone" });
    expect(row?.last_error).toContain("repository octo-org/shop is gone");
    const [p] = await testDb.db.selectFrom("projects").select("suspended_at").execute();
    expect(p?.suspended_at).toEqual(now);
  });

  it("when GitHub refuses the request for good (422), the repository being there", async () => {
    await newBug();
    nockLabels("octo-org/shop", ["bug", "severity:high"]);
    nock(API).post("/repos/octo-org/shop/issues").reply(422, { message: "Validation Failed" });
    await worker().runOnce();
    const [row] = await outbox();
    expect(row).toMatchObject({ dead_reason: "refused", attempts: 1 });
    expect(row?.last_error).toContain("Validation Failed");
    const [p] = await testDb.db.selectFrom("projects").select("suspended_at").execute();
    expect(p?.suspended_at).toBeNull();
  });

  it("after the last allowed attempt, whatever the kind", async () => {
    await newBug();
    for (let attempt = 1; attempt <= 3; attempt++) {
      // GitHub fails before anything is created (a failed create is looked for afterwards).
      nock(API).get("/repos/octo-org/shop/labels/bug").reply(500, { message: "oops" });
      expect(await worker({ maxAttempts: 3 }).runOnce()).toBe(1);
      const [row] = await outbox();
      expect(row?.attempts).toBe(attempt);
      expect(row?.dead_reason ?? null).toBe(attempt === 3 ? "attempts" : null);
      now = new Date(now.getTime() + DAY);
    }
    expect((await outbox())[0]?.last_error).toMatch(/^gave up after 3 attempts: HttpError: oops/);
  });

  it("after waiting too long for something else (a comment for an issue never opened)", async () => {
    await newBug();
    const bugId = (await outbox())[0]?.bug_id ?? 0;
    // The issue could not be opened; its milestone comment waits for it.
    await testDb.db.deleteFrom("outbox").execute();
    await testDb.db
      .insertInto("outbox")
      .values({
        project_id: project.id,
        bug_id: bugId,
        kind: "comment_milestone",
        payload: JSON.stringify({ milestone: 10 }),
        idempotency_key: `milestone:${bugId}:10`,
        run_after: now,
        created_at: now,
      })
      .execute();
    await worker({ maxWaitMs: 2 * DAY }).runOnce();
    expect((await outbox())[0]).toMatchObject({ dead_at: null, attempts: 0 });
    now = new Date(now.getTime() + 2 * DAY);
    await worker({ maxWaitMs: 2 * DAY }).runOnce();
    const [row] = await outbox();
    expect(row).toMatchObject({ dead_reason: "waited" });
    expect(row?.last_error).toBe(
      "waited since 2026-12-08T12:00:00.000Z: the issue is not open yet",
    );
  });
});

describe("dead rows", () => {
  it("are listed with their last error, retried (attempts reset) or dropped", async () => {
    await newBug();
    await testDb.db.updateTable("projects").set({ suspended_at: now }).execute();
    await worker().runOnce();
    const listed = await listOutbox(testDb.db, { limit: 10 });
    expect(listed).toEqual([
      expect.objectContaining({
        kind: "open_issue",
        repo: "octo-org/shop",
        bug: "B-001",
        state: "dead",
        deadReason: "suspended",
        attempts: 1,
      }),
    ]);
    expect(await listOutbox(testDb.db, { state: "pending", limit: 10 })).toEqual([]);
    const id = listed[0]?.id ?? 0;

    expect(await retryOutbox(testDb.db, { ids: [id, 999] }, now)).toEqual({
      changed: [id],
      skipped: [999],
    });
    expect((await outbox())[0]).toMatchObject({ dead_at: null, done_at: null, attempts: 0 });
    await worker().runOnce();
    expect(await retryOutbox(testDb.db, { allDead: true }, now)).toMatchObject({ changed: [id] });
    await worker().runOnce();
    expect(await dropOutbox(testDb.db, { allDead: true })).toEqual({ changed: [id], skipped: [] });
    expect(await outbox()).toEqual([]);
  });
});

describe("faultline outbox", () => {
  const cli = async (...argv: string[]) => {
    const options = outboxCommand.parse(argv, now);
    if ("help" in options) return options.help;
    return outboxCommand.run(testDb.db, options, { now, stdout: process.stdout });
  };

  it("lists pending and dead rows with their last error, retries and drops them", async () => {
    await newBug();
    await testDb.db.updateTable("projects").set({ suspended_at: now }).execute();
    await worker().runOnce();
    await newBug(); // planned nothing: the project is suspended
    const listed = await cli();
    expect(listed.split("\n")).toEqual([
      "outbox: 0 pending (0 failing), 1 dead, 0 done",
      "",
      "ID  KIND        REPO           BUG    STATE             TRIES  NEXT / DIED       LAST ERROR",
      " 1  open_issue  octo-org/shop  B-001  dead (suspended)      1  2026-12-08 12:00  the App is not installed on octo-org/shop (installation suspended or removed since 2026-12-08T12:00…",
    ]);
    expect(await cli("--pending")).toBe(
      "outbox: 0 pending (0 failing), 1 dead, 0 done\nnothing pending",
    );
    expect(await cli("retry", "1", "77")).toBe(
      "retrying 1 row(s): 1\nnot found, or finished successfully (nothing to retry): 77",
    );
    expect((await cli("--pending")).split("\n")[0]).toBe(
      "outbox: 1 pending (0 failing), 0 dead, 0 done",
    );
    expect(await cli("drop", "1")).toBe("dropped 1 row(s): 1");
    expect(await cli()).toBe(
      "outbox: 0 pending (0 failing), 0 dead, 0 done\nnothing pending or dead",
    );
  });

  it("names bad arguments", () => {
    const bad: [string[], string][] = [
      [["retry"], "retry: give row ids (from 'faultline outbox') or --all-dead"],
      [["drop", "1", "--all-dead"], "drop: give row ids (from 'faultline outbox') or --all-dead"],
      [["retry", "x1"], 'retry: "x1" is not a row id'],
      [["purge"], 'unknown outbox action "purge"'],
      [["--pending", "--dead"], "--pending or --dead, not both"],
      [["--all-dead"], "--all-dead goes with retry or drop"],
      [["retry", "1", "--limit", "5"], "--pending, --dead and --limit go with the list, not retry"],
      [["--limit", "0"], "--limit: expected a whole number from 1 to 1000"],
    ];
    for (const [argv, message] of bad) {
      expect(() => outboxCommand.parse(argv, now), argv.join(" ")).toThrow(message);
    }
  });
});

describe("the retention job", () => {
  it("prunes finished rows, dead rows and webhook delivery ids older than their windows", async () => {
    const ago = (days: number) => new Date(now.getTime() - days * DAY);
    const row = (key: string, extra: Record<string, unknown>) => ({
      project_id: project.id,
      kind: "open_issue",
      payload: "{}",
      idempotency_key: key,
      created_at: ago(100),
      ...extra,
    });
    await testDb.db
      .insertInto("outbox")
      .values([
        row("done-old-1", { done_at: ago(8) }),
        row("done-old-2", { done_at: ago(7.5) }),
        row("done-old-3", { done_at: ago(30) }),
        row("done-recent", { done_at: ago(6) }),
        row("dead-old", { done_at: ago(31), dead_at: ago(31), dead_reason: "attempts" }),
        row("dead-recent", { done_at: ago(8), dead_at: ago(8), dead_reason: "refused" }),
        row("pending-ancient", {}),
      ])
      .execute();
    await testDb.db
      .insertInto("webhook_deliveries")
      .values([
        { delivery_id: "d-old", event: "issues", received_at: ago(8) },
        { delivery_id: "d-3d", event: "issues", received_at: ago(3.5) },
        { delivery_id: "d-new", event: "issues", received_at: ago(1) },
      ])
      .execute();
    const result = await runRetention(
      {
        db: testDb.db,
        projectConfigs: {
          get: async () => (await import("../../src/config/repo-config.js")).DEFAULT_REPO_CONFIG,
        },
        batchSize: 2,
        bookkeeping: { finishedMs: 7 * DAY, deadMs: 30 * DAY, deliveriesMs: 3 * DAY },
      },
      now,
    );
    expect(result.pruned).toEqual({ finished: 3, dead: 1, deliveries: 2 });
    expect((await outbox()).map((r) => r.idempotency_key)).toEqual([
      "done-recent",
      "dead-recent",
      "pending-ancient",
    ]);
    const deliveries = await testDb.db
      .selectFrom("webhook_deliveries")
      .select("delivery_id")
      .execute();
    expect(deliveries.map((d) => d.delivery_id)).toEqual(["d-new"]);
  });
});
