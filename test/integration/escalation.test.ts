import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createScheduledJobHandlers,
  runEscalations,
  topInAppFrame,
} from "../../src/escalation/index.js";
import { createOutboxWorker } from "../../src/github/outbox/worker.js";
import { registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import { createNotificationHandlers } from "../../src/notifications/index.js";
import type { Project } from "../../src/projects/index.js";
import type { Services } from "../../src/services.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  API,
  APP_ID,
  createTestProbot,
  nockContents,
  sendWebhook,
  testOctokit,
  webhookExample,
  withoutCommentMarker,
} from "../helpers/github.js";

const HOUR = 3_600_000;
const T0 = new Date("2026-11-23T08:00:00Z");
const ISSUE = 17;
const STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at Router.handle (/app/node_modules/express/lib/router/index.js:284:7)
    at applyCoupon (/app/src/cart/checkout.ts:42:17)`;
const REPO = "/repos/octo-org/shop";

let testDb: TestDb;
let app: FastifyInstance;
let services: Services;
let project: Project;
let now: Date;

const at = (ms: number) => new Date(T0.getTime() + ms);

function escalate() {
  return runEscalations({ db: testDb.db, projectConfigs: services.projectConfigs }, now);
}

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit: testOctokit,
    clock: () => now,
    projectConfigs: services.projectConfigs,
    handlers: {
      // A fixed public address: no DNS lookups from tests.
      ...createNotificationHandlers({ resolveHost: async () => ["93.184.216.34"] }),
      ...createScheduledJobHandlers({ projectConfigs: services.projectConfigs }),
    },
  });
}

async function configure(raw: Record<string, unknown>) {
  await services.projectConfigs.save(project.id, raw, now);
}

/** A new bug through the real report route, with an issue, at `now`. */
async function newBug(
  severity: "critical" | "high" | "medium" | "low",
  options: { message?: string; issue?: number } = {},
) {
  const response = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    // A bug per message: messages do not split bugs whose frames say the same, so each message
    // stands for its own code site.
    payload: {
      error_type: "TypeError",
      message: options.message ?? "boom",
      stack: options.message
        ? STACK.replace("applyCoupon", `site_${options.message.replace(/\W/g, "_")}`)
        : STACK,
    },
  });
  expect(response.statusCode).toBe(202);
  const number = Number(String(response.json().bug).slice(2));
  const bug = await testDb.db
    .updateTable("bugs")
    .set({ severity, issue_number: options.issue ?? ISSUE })
    .where("number", "=", number)
    .returningAll()
    .executeTakeFirstOrThrow();
  return bug;
}

const bugRow = (id: number) =>
  testDb.db.selectFrom("bugs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const escalations = () => testDb.db.selectFrom("escalations").selectAll().orderBy("id").execute();
const pendingOutbox = () =>
  testDb.db
    .selectFrom("outbox")
    .select(["kind", "idempotency_key", "payload", "last_error"])
    .where("done_at", "is", null)
    .orderBy("id")
    .execute();

function nockNoCodeowners() {
  for (const path of [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"]) {
    nockContents("octo-org/shop", path, { status: 404 });
  }
}

function nockAssign(issue: number, assignees: string[]) {
  return nock(API)
    .post(`${REPO}/issues/${issue}/assignees`, { assignees })
    .reply(201, { number: issue });
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
  now = T0;
  const probot = createTestProbot();
  registerWebhookHandlers(probot, {
    db: testDb.db,
    clock: () => now,
    appId: APP_ID,
    appSlug: "faultline",
  });
  await probot.ready();
  ({ app, project, services } = await buildTestApp(testDb.db, {
    clock: () => now,
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

describe("escalation ladder", () => {
  it("assigns, then mentions, then raises the severity, each once, with exact GitHub calls", async () => {
    await configure({
      escalation: { team: ["@octo-org/sre"], default_assignees: ["carol"] },
      oncall: { rotation: ["alice", "bob"], start: "2026-11-01T00:00:00Z", period: "7d" },
      notifications: { webhook_url: "https://alerts.example.com/hook", events: ["escalation"] },
    });
    const bug = await newBug("high");

    // Step 1 after 4 hours (high), counted from the cycle start.
    now = at(4 * HOUR - 1);
    expect(await escalate()).toEqual({ projects: 1, steps: 0 });
    now = at(4 * HOUR);
    expect(await escalate()).toEqual({ projects: 1, steps: 1 });
    expect(await escalate()).toEqual({ projects: 1, steps: 0 });
    expect((await pendingOutbox()).map((r) => [r.kind, r.idempotency_key])).toEqual([
      ["escalate_assign", `escalation:${bug.id}:${T0.toISOString()}:1`],
      ["notify_webhook", `notify_webhook:escalation:${bug.id}:${T0.toISOString()}:1`],
    ]);
    let row = await bugRow(bug.id);
    expect(row.escalation_level).toBe(1);
    expect(row.last_escalated_at).toEqual(now);

    // The handler reads CODEOWNERS: the last matching rule wins, as on GitHub.
    nockContents("octo-org/shop", ".github/CODEOWNERS", {
      status: 200,
      yaml: "* @octo-org/core\n/src/cart/ @dana @octo-org/payments\n/src/cart/legacy/ @erin\n",
    });
    const assign = nockAssign(ISSUE, ["dana"]);
    nock("https://alerts.example.com").post("/hook").reply(204);
    await worker().runOnce();
    expect(assign.isDone()).toBe(true);
    expect((await escalations())[0]).toMatchObject({
      bug_id: bug.id,
      step: 1,
      action: "assign",
      cycle_started_at: T0,
      detail: {
        assignees: ["dana"],
        reason: "codeowners",
        teams: ["octo-org/payments"],
        codeownersPath: ".github/CODEOWNERS",
      },
    });

    // Step 2 four hours after step 1: a comment pinging the assignee and the teams.
    now = at(8 * HOUR - 1);
    expect((await escalate()).steps).toBe(0);
    now = at(8 * HOUR);
    expect((await escalate()).steps).toBe(1);
    let comment = "";
    nock(API)
      .post(`${REPO}/issues/${ISSUE}/comments`, (body) => {
        comment = body.body;
        return true;
      })
      .reply(201, { id: 1 });
    nock("https://alerts.example.com").post("/hook").reply(204);
    await worker().runOnce();
    expect(withoutCommentMarker(comment)).toBe(
      "B-001 (high) has been unresolved for 8 hours. @dana @octo-org/sre @octo-org/payments, could you take a look, or set the severity with `/faultline severity <level>` if it can wait?",
    );

    // Step 3: severity one level up in the database and on the labels, plus `escalated`.
    now = at(12 * HOUR);
    expect((await escalate()).steps).toBe(1);
    row = await bugRow(bug.id);
    expect(row.severity).toBe("critical");
    expect(row.escalation_level).toBe(3);
    const labels = nock(API)
      .get(`${REPO}/labels/severity%3Acritical`)
      .reply(404, { message: "Not Found" })
      .post(`${REPO}/labels`, { name: "severity:critical", color: "b60205" })
      .reply(201, {})
      .get(`${REPO}/labels/escalated`)
      .reply(200, { name: "escalated" })
      .delete(`${REPO}/issues/${ISSUE}/labels/severity%3Ahigh`)
      .reply(200, [])
      .post(`${REPO}/issues/${ISSUE}/labels`, { labels: ["severity:critical", "escalated"] })
      .reply(200, []);
    nock("https://alerts.example.com").post("/hook").reply(204);
    await worker().runOnce();
    expect(labels.isDone()).toBe(true);

    // The ladder is done: nothing more, however long it stays open.
    now = at(100 * HOUR);
    expect((await escalate()).steps).toBe(0);
    expect((await escalations()).map((e) => [e.step, e.action, e.detail])).toEqual([
      [1, "assign", expect.objectContaining({ assignees: ["dana"] })],
      [2, "mention", { mentioned: ["dana", "octo-org/sre", "octo-org/payments"] }],
      [3, "raise_severity", { from: "high", to: "critical" }],
    ]);
    expect(await pendingOutbox()).toEqual([]);
  });

  it("takes the on-call person at the step's time, across a period boundary", async () => {
    // A period boundary at 2026-11-23T09:05: alice before it, bob after it.
    await configure({
      oncall: { rotation: ["alice", "bob"], start: "2026-11-16T09:05:00Z", period: "7d" },
      escalation: { default_assignees: ["carol"] },
    });
    const first = await newBug("critical", { message: "first", issue: 21 });
    now = at(10 * 60_000); // 08:10, the second bug starts later
    const second = await newBug("critical", { message: "second", issue: 22 });

    now = at(HOUR); // 09:00: the first bug is due, alice is on call
    expect((await escalate()).steps).toBe(1);
    now = at(HOUR + 10 * 60_000); // 09:10: the second is due, bob is on call
    expect((await escalate()).steps).toBe(1);

    // Both rows run after the handover; each assigns who was on call when its step was taken.
    nockNoCodeowners();
    nockNoCodeowners();
    const alice = nockAssign(21, ["alice"]);
    const bob = nockAssign(22, ["bob"]);
    await worker().runOnce();
    expect(alice.isDone() && bob.isDone()).toBe(true);
    expect((await escalations()).map((e) => [e.bug_id, e.detail])).toEqual([
      [first.id, expect.objectContaining({ assignees: ["alice"], reason: "oncall" })],
      [second.id, expect.objectContaining({ assignees: ["bob"], reason: "oncall" })],
    ]);
  });

  it("falls back to the default assignees", async () => {
    await configure({ escalation: { default_assignees: ["carol", "@dave"] } });
    const bug = await newBug("critical");
    now = at(HOUR);
    await escalate();
    nockNoCodeowners();
    const assign = nockAssign(ISSUE, ["carol", "dave"]);
    await worker().runOnce();
    expect(assign.isDone()).toBe(true);
    expect((await escalations())[0]?.detail).toMatchObject({ reason: "default" });
    expect((await bugRow(bug.id)).escalation_level).toBe(1);
  });

  it("assigns the suspect commit's author before CODEOWNERS, unless escalation.assign says otherwise", async () => {
    await configure({ escalation: { default_assignees: ["carol"] } });
    const bug = await newBug("critical");
    await testDb.db
      .updateTable("bugs")
      .set({
        suspect: JSON.stringify({
          path: "src/cart/checkout.ts",
          line: 42,
          revision: "HEAD",
          commit: {
            oid: "3f9c0e1d2b4a5c6d7e8f90123456789abcdef012",
            url: "https://github.com/octo-org/shop/commit/3f9c0e1",
            headline: "Apply coupons before tax",
            authorName: "Bob",
            authorLogin: "bob",
          },
          pullRequest: null,
        }),
      })
      .where("id", "=", bug.id)
      .execute();
    now = at(HOUR);
    await escalate();
    const codeowners = "/src/cart/ @dana @octo-org/payments\n";
    nockContents("octo-org/shop", ".github/CODEOWNERS", { status: 200, yaml: codeowners });
    const toBob = nockAssign(ISSUE, ["bob"]);
    await worker().runOnce();
    expect(toBob.isDone()).toBe(true);
    expect((await escalations())[0]?.detail).toMatchObject({
      assignees: ["bob"],
      reason: "suspect",
      teams: ["octo-org/payments"],
    });

    // The same bug in a repository that puts CODEOWNERS first.
    await configure({ escalation: { assign: ["codeowners", "suspect"] } });
    const other = await newBug("critical", { message: "other", issue: 77 });
    await testDb.db
      .updateTable("bugs")
      .set({
        suspect:
          (await bugRow(bug.id)).suspect === null
            ? null
            : JSON.stringify((await bugRow(bug.id)).suspect),
      })
      .where("id", "=", other.id)
      .execute();
    now = at(2 * HOUR);
    await escalate();
    nockContents("octo-org/shop", ".github/CODEOWNERS", { status: 200, yaml: codeowners });
    const toDana = nockAssign(77, ["dana"]);
    await worker().runOnce();
    expect(toDana.isDone()).toBe(true);
  });

  it("finds a root CODEOWNERS; a file owned by a team only falls back but keeps the team", async () => {
    await configure({ escalation: { default_assignees: ["carol"] } });
    await newBug("critical");
    now = at(HOUR);
    await escalate();
    nockContents("octo-org/shop", ".github/CODEOWNERS", { status: 404 });
    nockContents("octo-org/shop", "CODEOWNERS", {
      status: 200,
      yaml: "# owners\n/src/cart/ @octo-org/payments\n/docs/ @erin\n",
    });
    const assign = nockAssign(ISSUE, ["carol"]);
    await worker().runOnce();
    expect(assign.isDone()).toBe(true);
    expect((await escalations())[0]?.detail).toEqual({
      assignees: ["carol"],
      reason: "default",
      teams: ["octo-org/payments"],
      codeownersPath: "CODEOWNERS",
    });
  });

  it("retries the step when GitHub fails, without planning it again", async () => {
    await newBug("critical");
    now = at(HOUR);
    await escalate();
    nock(API).get(`${REPO}/contents/.github%2FCODEOWNERS`).reply(500, { message: "oops" });
    await worker().runOnce();
    const [failed] = await testDb.db.selectFrom("outbox").selectAll().execute();
    expect(failed).toMatchObject({ kind: "escalate_assign", attempts: 1, done_at: null });
    now = at(2 * HOUR - 1);
    expect((await escalate()).steps).toBe(0);
    expect(await testDb.db.selectFrom("outbox").select("id").execute()).toHaveLength(1);

    // Step 2 comes on time, but its comment waits until step 1 has chosen whom to mention.
    now = at(2 * HOUR);
    expect((await escalate()).steps).toBe(1);
    nock(API).get(`${REPO}/contents/.github%2FCODEOWNERS`).reply(502, { message: "bad gateway" });
    await worker().runOnce();
    const rows = await testDb.db
      .selectFrom("outbox")
      .select(["kind", "attempts", "last_error", "done_at"])
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      expect.objectContaining({ kind: "escalate_assign", attempts: 2, done_at: null }),
      {
        kind: "escalate_mention",
        attempts: 0,
        last_error: "waiting for the assign step",
        done_at: null,
      },
    ]);
  });

  it("two runs at once (say, a job lock lost) still take each step once", async () => {
    await newBug("critical", { message: "a", issue: 41 });
    await newBug("critical", { message: "b", issue: 42 });
    now = at(HOUR);
    const runs = await Promise.all([escalate(), escalate(), escalate()]);
    expect(runs.reduce((sum, r) => sum + r.steps, 0)).toBe(2);
    expect((await escalations()).map((e) => e.step)).toEqual([1, 1]);
    expect(await pendingOutbox()).toHaveLength(2);
  });

  it("never escalates low bugs by default, nor any bug when switched off", async () => {
    await newBug("low", { message: "low one" });
    now = at(1000 * HOUR);
    expect((await escalate()).steps).toBe(0);
    await configure({ escalation: { enabled: false } });
    await newBug("critical", { message: "critical one" });
    now = at(2000 * HOUR);
    expect((await escalate()).steps).toBe(0);
  });

  it("skips bugs without an issue, resolved ones and projects without an installation", async () => {
    const noIssue = await newBug("critical", { message: "a" });
    await testDb.db
      .updateTable("bugs")
      .set({ issue_number: null })
      .where("id", "=", noIssue.id)
      .execute();
    const resolved = await newBug("critical", { message: "b", issue: 30 });
    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved" })
      .where("id", "=", resolved.id)
      .execute();
    now = at(2 * HOUR);
    expect((await escalate()).steps).toBe(0);
    await testDb.db.updateTable("projects").set({ installation_id: null }).execute();
    await newBug("critical", { message: "c", issue: 31 });
    now = at(4 * HOUR);
    expect(await escalate()).toEqual({ projects: 0, steps: 0 });
  });
});

describe("who stops the ladder", () => {
  function assigned(sender: { login: string; type: "User" | "Bot" }) {
    const payload = webhookExample("issues", "assigned");
    payload.repository = {
      ...payload.repository,
      id: 9001,
      name: "shop",
      full_name: "octo-org/shop",
      owner: { ...payload.repository.owner, login: "octo-org" },
    };
    payload.issue.number = ISSUE;
    payload.sender = { ...payload.sender, ...sender };
    return payload;
  }

  it("a person assigning the issue stops it", async () => {
    const bug = await newBug("critical");
    const { response } = await sendWebhook(
      app,
      "issues",
      assigned({ login: "alice", type: "User" }),
    );
    expect(response.statusCode).toBe(200);
    expect((await bugRow(bug.id)).status).toBe("in_progress");
    now = at(10 * HOUR);
    expect((await escalate()).steps).toBe(0);
  });

  it("Faultline's own assignment (a bot) does not", async () => {
    const bug = await newBug("critical");
    await sendWebhook(app, "issues", assigned({ login: "faultline[bot]", type: "Bot" }));
    expect((await bugRow(bug.id)).status).toBe("open");
    now = at(HOUR);
    expect((await escalate()).steps).toBe(1);
  });

  it("a step planned before a person took the bug does nothing on GitHub", async () => {
    const bug = await newBug("critical");
    now = at(HOUR);
    await escalate();
    await sendWebhook(app, "issues", assigned({ login: "alice", type: "User" }));
    await worker().runOnce(); // no nock: any GitHub call would fail the row
    const [step] = await escalations();
    expect(step?.detail).toEqual({ skipped: "bug is in_progress" });
    expect(await pendingOutbox()).toEqual([]);
    expect((await bugRow(bug.id)).status).toBe("in_progress");
  });

  it("resolving stops it; a regression starts a new cycle from step 1", async () => {
    const bug = await newBug("critical");
    now = at(HOUR);
    expect((await escalate()).steps).toBe(1);
    nockNoCodeowners();
    await worker().runOnce();
    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved", resolved_at: now })
      .where("id", "=", bug.id)
      .execute();
    now = at(5 * HOUR);
    expect((await escalate()).steps).toBe(0);

    // It happens again: record-occurrence reopens it and resets the cycle.
    const regressedAt = at(6 * HOUR);
    now = regressedAt;
    await app.inject({
      method: "POST",
      url: "/api/reports",
      headers: { authorization: `Bearer ${project.ingestKey}` },
      payload: { error_type: "TypeError", message: "boom", stack: STACK },
    });
    const reopened = await bugRow(bug.id);
    expect(reopened).toMatchObject({ status: "open", escalation_level: 0 });
    expect(reopened.escalation_started_at).toEqual(regressedAt);
    now = at(7 * HOUR);
    expect((await escalate()).steps).toBe(1);
    expect((await escalations()).map((e) => [e.step, e.cycle_started_at])).toEqual([
      [1, T0],
      [1, regressedAt],
    ]);
  });
});

describe("stale steps", () => {
  it("a step planned in a cycle that a regression has since replaced does nothing", async () => {
    const bug = await newBug("critical");
    now = at(HOUR);
    await escalate();
    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved", resolved_at: now })
      .where("id", "=", bug.id)
      .execute();
    now = at(2 * HOUR);
    await app.inject({
      method: "POST",
      url: "/api/reports",
      headers: { authorization: `Bearer ${project.ingestKey}` },
      payload: { error_type: "TypeError", message: "boom", stack: STACK },
    });
    expect((await bugRow(bug.id)).status).toBe("open");
    await worker().runOnce(); // no nock: any GitHub call would fail the row
    expect((await escalations())[0]?.detail).toEqual({ skipped: "a new cycle began" });
    expect(await pendingOutbox()).toEqual([]);
  });
});

describe("top in-app frame", () => {
  it("is the raising-most application frame of the latest event", async () => {
    const bug = await newBug("critical");
    expect(await topInAppFrame(testDb.db, bug.id)).toMatchObject({
      filename: expect.stringContaining("src/cart/checkout.ts"),
    });
  });
});
