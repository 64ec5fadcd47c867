import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOutboxWorker, planGithubEffects } from "../../src/github/index.js";
import { issueMarker, issueTitle } from "../../src/github/render/index.js";
import {
  type Project,
  type ProjectConfigs,
  createProjectConfigs,
} from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { API, APP_ID, nockLabels, testOctokit } from "../helpers/github.js";

// Per-repository config in GitHub sync: labels, threshold, milestones, comments, body refresh.

const START = new Date("2026-03-01T12:00:10Z");
const FIVE_MINUTES = 5 * 60 * 1000;
const WINDOW_END = new Date("2026-03-01T12:05:00Z");

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;
let projectConfigs: ProjectConfigs;
let now: Date;

function report(payload: Record<string, unknown> = { error_type: "TypeError", message: "boom" }) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: { level: "error", ...payload },
  });
}

async function reports(n: number) {
  for (let i = 0; i < n; i++) expect((await report()).statusCode).toBe(202);
}

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit: testOctokit,
    appId: APP_ID,
    clock: () => now,
    projectConfigs,
  });
}

async function outboxRows() {
  return testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
}

async function bug1() {
  return testDb.db.selectFrom("bugs").selectAll().where("number", "=", 1).executeTakeFirstOrThrow();
}

/** The bug already has issue #21 and its open_issue row is done. */
async function linkIssue() {
  await testDb.db.updateTable("bugs").set({ issue_number: 21, issue_url: "u21" }).execute();
  await testDb.db.updateTable("outbox").set({ done_at: now }).execute();
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  testDb = await createTestDb({ poolSize: 10 });
});
afterAll(async () => {
  await app?.close();
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await app?.close();
  await testDb.truncate();
  now = START;
  projectConfigs = createProjectConfigs(testDb.db);
  ({ app, project } = await buildTestApp(testDb.db, {
    clock: () => now,
    effects: [planGithubEffects()],
  }));
  await testDb.db
    .updateTable("projects")
    .set({ installation_id: 4242 })
    .where("id", "=", project.id)
    .execute();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe("GitHub sync with the repository's config", () => {
  it("creates the configured labels with their colours and uses them on the issue", async () => {
    await projectConfigs.save(
      project.id,
      {
        labels: {
          bug: "defect",
          severity: { high: "sev/high" },
          colors: { bug: "#FF0000", high: "00ff00" },
        },
      },
      now,
    );
    await reports(1);
    const bug = await bug1();
    // "defect" is missing (created with its colour), "sev/high" exists.
    const labels = nockLabels("octo-org/shop", ["sev/high"], ["defect"]);
    let created: unknown;
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        created = body;
        return true;
      })
      .reply(201, { number: 21, html_url: "u21" });
    expect(await worker().runOnce()).toBe(1);
    expect(labels).toEqual([{ name: "defect", color: "ff0000" }]);
    expect(created).toEqual({
      title: issueTitle({
        number: 1,
        title: bug.title,
        ...(bug.culprit ? { culprit: bug.culprit } : {}),
      }),
      body: expect.stringContaining(issueMarker(bug)),
      labels: ["defect", "sev/high"],
    });
    expect((await bug1()).issue_number).toBe(21);
  });

  it("threshold 3 opens the issue at the 3rd report", async () => {
    await projectConfigs.save(project.id, { threshold: 3 }, now);
    await reports(2);
    expect(await outboxRows()).toEqual([]);
    await reports(1);
    const rows = await outboxRows();
    expect(rows.map((r) => [r.kind, r.idempotency_key])).toEqual([
      ["open_issue", `open_issue:${rows[0]?.bug_id}`],
    ]);
  });

  it("plans milestone comments at the configured counts only", async () => {
    await projectConfigs.save(
      project.id,
      { milestones: [3, 5], body_update_interval: "never" },
      now,
    );
    await reports(12);
    const rows = await outboxRows();
    expect(rows.map((r) => r.idempotency_key)).toEqual([
      `open_issue:${rows[0]?.bug_id}`,
      `milestone:${rows[0]?.bug_id}:3`,
      `milestone:${rows[0]?.bug_id}:5`,
    ]);
  });

  it("plans no milestone comments when comments.on_milestone is off", async () => {
    await projectConfigs.save(project.id, { comments: { on_milestone: false } }, now);
    await reports(11);
    expect((await outboxRows()).map((r) => r.kind)).toEqual(["open_issue"]);
  });

  it("reopens without a comment when comments.on_regression is off", async () => {
    await projectConfigs.save(
      project.id,
      { comments: { on_regression: false }, body_update_interval: "never" },
      now,
    );
    await reports(1);
    await linkIssue();
    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved", resolved_at: new Date(now.getTime() - 60_000) })
      .execute();
    await reports(1);
    expect((await outboxRows()).map((r) => r.kind)).toEqual(["open_issue", "reopen_issue"]);
    nock(API).patch("/repos/octo-org/shop/issues/21", { state: "open" }).reply(200, { number: 21 });
    expect(await worker().runOnce()).toBe(1);
  });

  it("a storm of 50 reports in one window makes exactly one body edit, with the final count", async () => {
    // Only the body refresh is looked at here (the count passes the default milestone 10).
    await projectConfigs.save(project.id, { comments: { on_milestone: false } }, now);
    await reports(1);
    await linkIssue();
    const storm = await Promise.all(Array.from({ length: 50 }, () => report()));
    expect(storm.every((r) => r.statusCode === 202)).toBe(true);
    expect((await bug1()).occurrence_count).toBe(51);

    const refresh = (await outboxRows()).filter((r) => r.kind === "update_issue_body");
    expect(refresh).toHaveLength(1);
    const windowKey = Math.floor(START.getTime() / FIVE_MINUTES);
    expect(refresh[0]).toMatchObject({
      idempotency_key: `issue_body:${refresh[0]?.bug_id}:${FIVE_MINUTES}:${windowKey}`,
      bug_id: (await bug1()).id,
      done_at: null,
    });
    expect(refresh[0]?.run_after.toISOString()).toBe(WINDOW_END.toISOString());

    // Not before the window ends.
    now = new Date(WINDOW_END.getTime() - 1);
    expect(await worker().runOnce()).toBe(0);

    now = WINDOW_END;
    const bug = await bug1();
    const edits: Record<string, unknown>[] = [];
    nock(API)
      .patch("/repos/octo-org/shop/issues/21", (body) => {
        edits.push(body);
        return true;
      })
      .reply(200, { number: 21 });
    expect(await worker().runOnce()).toBe(1);
    expect(edits).toHaveLength(1);
    expect(Object.keys(edits[0] ?? {})).toEqual(["body"]);
    const body = String(edits[0]?.body);
    expect(body.startsWith(issueMarker(bug))).toBe(true);
    expect(body).toContain("seen 51 times");
    expect(await worker().runOnce()).toBe(0);

    // The next window gets its own (single) refresh.
    now = new Date(WINDOW_END.getTime() + 1000);
    await reports(3);
    const next = (await outboxRows()).filter((r) => r.kind === "update_issue_body");
    expect(next.map((r) => r.idempotency_key)).toEqual([
      `issue_body:${bug.id}:${FIVE_MINUTES}:${windowKey}`,
      `issue_body:${bug.id}:${FIVE_MINUTES}:${windowKey + 1}`,
    ]);
  });

  it("plans no body refresh for a bug without an issue", async () => {
    await reports(5);
    expect((await outboxRows()).map((r) => r.kind)).toEqual(["open_issue"]);
  });

  it("skips the edit when the bug lost its issue meanwhile", async () => {
    await reports(1);
    await linkIssue();
    await reports(1);
    await testDb.db.updateTable("bugs").set({ issue_number: null, issue_url: null }).execute();
    now = WINDOW_END;
    expect(await worker().runOnce()).toBe(1);
    const refresh = (await outboxRows()).find((r) => r.kind === "update_issue_body");
    expect(refresh?.done_at).toBeInstanceOf(Date);
  });

  it("body_update_interval: never switches the refresh off", async () => {
    await projectConfigs.save(project.id, { body_update_interval: "never" }, now);
    await reports(1);
    await linkIssue();
    await reports(8);
    expect((await outboxRows()).map((r) => r.kind)).toEqual(["open_issue"]);
  });

  it("a custom interval sets the window", async () => {
    await projectConfigs.save(project.id, { body_update_interval: "1m" }, now);
    await reports(1);
    await linkIssue();
    await reports(2);
    const refresh = (await outboxRows()).filter((r) => r.kind === "update_issue_body");
    expect(refresh).toHaveLength(1);
    expect(refresh[0]?.run_after.toISOString()).toBe("2026-03-01T12:01:00.000Z");
  });
});
