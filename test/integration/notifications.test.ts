import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { planGithubEffects } from "../../src/github/outbox/plan-effects.js";
import type { OutboxOctokit } from "../../src/github/outbox/worker.js";
import { createOutboxWorker } from "../../src/github/outbox/worker.js";
import {
  type NotificationHandlerOptions,
  createNotificationHandlers,
  enqueueNotification,
  planNotifications,
} from "../../src/notifications/index.js";
import type { Project } from "../../src/projects/index.js";
import type { Services } from "../../src/services.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

const SLACK = "https://hooks.slack.com";
const SLACK_PATH = "/services/T000/B000/XXXX";
const HOOK = "https://alerts.example.com";
const HOOK_PATH = "/faultline";
const SECRET = "s3cret-for-tests";
const STACK = `TypeError: Cannot read properties of undefined (reading 'id')
    at applyCoupon (/app/src/cart/checkout.ts:42:17)`;

let testDb: TestDb;
let app: FastifyInstance;
let services: Services;
let project: Project;
let now: Date;

const getOctokit = async (): Promise<OutboxOctokit> => {
  throw new Error("notifications never need GitHub");
};

function worker(options: NotificationHandlerOptions = {}) {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit,
    clock: () => now,
    handlers: createNotificationHandlers({
      signingSecret: SECRET,
      resolveHost: async () => ["93.184.216.34"],
      ...options,
    }),
  });
}

function report(payload: Record<string, unknown> = { error_type: "TypeError", stack: STACK }) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload,
  });
}

async function configure(notifications: Record<string, unknown>) {
  await services.projectConfigs.save(project.id, { notifications }, now);
}

const outboxRows = () => testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
const bug1 = () =>
  testDb.db.selectFrom("bugs").selectAll().where("number", "=", 1).executeTakeFirstOrThrow();

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
  now = new Date("2026-11-23T10:00:00Z");
  ({ app, services, project } = await buildTestApp(testDb.db, {
    effects: [planNotifications()],
    clock: () => now,
  }));
  await configure({
    slack_webhook_url: `${SLACK}${SLACK_PATH}`,
    webhook_url: `${HOOK}${HOOK_PATH}`,
  });
});
afterEach(() => {
  nock.cleanAll();
});

describe("notifications", () => {
  it("plans one row per target for a new bug, once, and sends the exact bodies", async () => {
    expect(
      (await report({ error_type: "TypeError", stack: STACK, environment: "prod" })).statusCode,
    ).toBe(202);
    expect((await report()).statusCode).toBe(202);
    const bug = await bug1();
    expect((await outboxRows()).map((r) => [r.kind, r.idempotency_key, r.bug_id])).toEqual([
      ["notify_slack", `notify_slack:new_bug:${bug.id}`, bug.id],
      ["notify_webhook", `notify_webhook:new_bug:${bug.id}`, bug.id],
    ]);
    // The issue was opened meanwhile: the messages link to it.
    await testDb.db
      .updateTable("bugs")
      .set({ issue_number: 7, issue_url: "https://github.com/octo-org/shop/issues/7" })
      .execute();

    const title = `B-001: ${bug.title}`;
    const text = `New bug B-001 in octo-org/shop (prod): ${bug.title}`;
    const slack = nock(SLACK)
      .post(SLACK_PATH, {
        text,
        blocks: [
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: `*<https://github.com/octo-org/shop/issues/7|${title}>*\n${text}`,
            },
          },
          {
            type: "context",
            elements: [
              { type: "mrkdwn", text: "*Severity:* high" },
              { type: "mrkdwn", text: "*Occurrences:* 2" },
              { type: "mrkdwn", text: "*Status:* open" },
              { type: "mrkdwn", text: "*Repository:* octo-org/shop" },
            ],
          },
        ],
      })
      .reply(200, "ok");
    let rawBody = "";
    let headers: Record<string, string | string[] | undefined> = {};
    const hook = nock(HOOK)
      .post(HOOK_PATH, (body) => {
        expect(body).toEqual({
          event: "new_bug",
          project: "octo-org/shop",
          title,
          text,
          url: "https://github.com/octo-org/shop/issues/7",
          bug: {
            ref: "B-001",
            title: bug.title,
            severity: "high",
            status: "open",
            occurrences: 2,
            issue_url: "https://github.com/octo-org/shop/issues/7",
          },
          at: "2026-11-23T10:00:00.000Z",
          data: { environment: "prod", release: null },
        });
        return true;
      })
      .reply(function (_uri, body) {
        rawBody = typeof body === "string" ? body : JSON.stringify(body);
        headers = this.req.headers;
        return [204];
      });

    expect(await worker().runOnce()).toBe(2);
    expect(slack.isDone() && hook.isDone()).toBe(true);
    expect(headers["content-type"]).toBe("application/json");
    expect(headers["user-agent"]).toBe("Faultline");
    expect(headers["x-faultline-event"]).toBe("new_bug");
    expect(headers["x-faultline-signature"]).toBe(
      `sha256=${createHmac("sha256", SECRET).update(rawBody).digest("hex")}`,
    );
    const rows = await outboxRows();
    expect(rows.map((r) => [r.done_at instanceof Date, r.last_error])).toEqual([
      [true, null],
      [true, null],
    ]);
    expect(await worker().runOnce()).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("concurrent first reports of one bug plan one notification per target", async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => report()));
    expect(answers.every((a) => a.statusCode === 202)).toBe(true);
    const bug = await bug1();
    expect(bug.occurrence_count).toBe(12);
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `notify_slack:new_bug:${bug.id}`,
      `notify_webhook:new_bug:${bug.id}`,
    ]);
  });

  it("follows notifications.events, and notifies a regression once per regression", async () => {
    await configure({ webhook_url: `${HOOK}${HOOK_PATH}`, events: ["regression"] });
    await report();
    expect(await outboxRows()).toEqual([]);

    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved", resolved_at: now, resolved_in_release: "1.2.0" })
      .execute();
    await report({ error_type: "TypeError", stack: STACK, release: "1.3.0" });
    await report({ error_type: "TypeError", stack: STACK, release: "1.3.0" });
    const bug = await bug1();
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `notify_webhook:regression:${bug.id}:1`,
    ]);
    const hook = nock(HOOK)
      .post(HOOK_PATH, (body) => {
        expect(body.event).toBe("regression");
        expect(body.text).toBe(
          `Regression: B-001 in octo-org/shop occurred again after it was resolved (1.3.0): ${bug.title}`,
        );
        expect(body.data).toMatchObject({ release: "1.3.0", regression_count: 1 });
        return true;
      })
      .reply(200);
    expect(await worker().runOnce()).toBe(1);
    expect(hook.isDone()).toBe(true);
  });

  it("keeps the row after a 500 and delivers on the retry", async () => {
    await configure({ webhook_url: `${HOOK}${HOOK_PATH}` });
    await report();
    nock(HOOK).post(HOOK_PATH).reply(500, "upstream down");
    const w = worker();
    expect(await w.runOnce()).toBe(1);
    let [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, done_at: null });
    expect(row?.last_error).toContain("HTTP 500: upstream down");
    expect(row?.run_after.getTime()).toBe(now.getTime() + 10_000);
    expect(await w.runOnce()).toBe(0);

    now = new Date(now.getTime() + 10_000);
    const retry = nock(HOOK).post(HOOK_PATH).reply(200);
    expect(await w.runOnce()).toBe(1);
    expect(retry.isDone()).toBe(true);
    [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    expect(row?.done_at).toBeInstanceOf(Date);
  });

  it("retries a timeout and honours Retry-After on a 429", async () => {
    await configure({ webhook_url: `${HOOK}${HOOK_PATH}` });
    await report();
    nock(HOOK).post(HOOK_PATH).delay(500).reply(200);
    await worker({ timeoutMs: 50 }).runOnce();
    let [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, done_at: null });
    expect(row?.last_error).toContain("no answer within 50 ms");

    now = new Date(now.getTime() + 60_000);
    nock(HOOK).post(HOOK_PATH).reply(429, "slow down", { "Retry-After": "120" });
    await worker().runOnce();
    [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 2, done_at: null });
    expect(row?.run_after.getTime()).toBe(now.getTime() + 120_000);
  });

  it("gives up at once on a 404 and after the last allowed attempt", async () => {
    await report();
    nock(SLACK).post(SLACK_PATH).reply(404, "no_service");
    nock(HOOK).post(HOOK_PATH).reply(503);
    await testDb.db.updateTable("outbox").set({ attempts: 2 }).execute();
    await worker({ maxAttempts: 3 }).runOnce();
    const rows = await outboxRows();
    expect(rows.map((r) => [r.kind, r.attempts, r.done_at instanceof Date])).toEqual([
      ["notify_slack", 3, true],
      ["notify_webhook", 3, true],
    ]);
    expect(rows[0]?.last_error).toBe(
      "Error: notify_slack to https://hooks.slack.com/… not retried: endpoint answered HTTP 404: no_service",
    );
    expect(rows[1]?.last_error).toBe(
      "Error: notify_webhook to https://alerts.example.com/… gave up after 3 attempts: endpoint answered HTTP 503",
    );
    now = new Date(now.getTime() + 86_400_000);
    expect(await worker().runOnce()).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("sends to the current URL: a rotated one wins, a removed one drops the row", async () => {
    await report();
    await configure({ slack_webhook_url: "https://hooks.slack.com/services/NEW/URL/1" });
    const rotated = nock(SLACK).post("/services/NEW/URL/1").reply(200, "ok");
    expect(await worker().runOnce()).toBe(2);
    expect(rotated.isDone()).toBe(true);
    const rows = await outboxRows();
    expect(rows.map((r) => [r.kind, r.done_at instanceof Date, r.last_error])).toEqual([
      ["notify_slack", true, null],
      ["notify_webhook", true, null],
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("enqueueNotification: keyed per target, nothing when the event is off or no URL is set", async () => {
    const config = await services.projectConfigs.get(project.id);
    const n = {
      projectId: project.id,
      bugId: null,
      event: "spike" as const,
      key: "spike:project:1:2026-11-23T10:00:00.000Z",
      title: "Spike in octo-org/shop",
      text: "412 errors in the last hour (5x the usual)",
      data: { count: 412 },
      at: now,
    };
    await enqueueNotification(testDb.db, config, n);
    await enqueueNotification(testDb.db, config, n);
    expect((await outboxRows()).map((r) => [r.kind, r.idempotency_key, r.payload])).toEqual([
      [
        "notify_slack",
        `notify_slack:${n.key}`,
        {
          event: "spike",
          title: n.title,
          text: n.text,
          url: null,
          severity: null,
          data: { count: 412 },
          at: "2026-11-23T10:00:00.000Z",
        },
      ],
      ["notify_webhook", `notify_webhook:${n.key}`, expect.any(Object)],
    ]);
    await testDb.truncate();
    await enqueueNotification(
      testDb.db,
      { ...config, notifications: { ...config.notifications, events: ["new_bug"] } },
      n,
    );
    await enqueueNotification(
      testDb.db,
      {
        ...config,
        notifications: { slack_webhook_url: null, webhook_url: null, events: ["spike"] },
      },
      n,
    );
    expect(await outboxRows()).toEqual([]);
  });

  it("a spike without a bug sends a document with bug: null", async () => {
    const config = await services.projectConfigs.get(project.id);
    await enqueueNotification(testDb.db, config, {
      projectId: project.id,
      bugId: null,
      event: "spike",
      key: "spike:1",
      title: "Spike",
      text: "412 errors in the last hour",
      at: now,
    });
    nock(SLACK)
      .post(SLACK_PATH, {
        text: "412 errors in the last hour",
        blocks: [
          {
            type: "section",
            text: { type: "mrkdwn", text: "*Spike*\n412 errors in the last hour" },
          },
          { type: "context", elements: [{ type: "mrkdwn", text: "*Repository:* octo-org/shop" }] },
        ],
      })
      .reply(200, "ok");
    nock(HOOK)
      .post(HOOK_PATH, {
        event: "spike",
        project: "octo-org/shop",
        title: "Spike",
        text: "412 errors in the last hour",
        url: null,
        bug: null,
        at: "2026-11-23T10:00:00.000Z",
        data: {},
      })
      .reply(202);
    expect(await worker().runOnce()).toBe(2);
    expect(nock.pendingMocks()).toEqual([]);
    expect((await outboxRows()).every((r) => r.done_at && r.last_error === null)).toBe(true);
  });

  it("planned after planGithubEffects, a new-bug message links to the issue opened just before", async () => {
    await app.close();
    ({ app, services, project } = await buildTestApp(testDb.db, {
      effects: [planGithubEffects(), planNotifications()],
      clock: () => now,
    }));
    await testDb.db.updateTable("projects").set({ installation_id: 4242 }).execute();
    await configure({ slack_webhook_url: `${SLACK}${SLACK_PATH}` });
    await report();
    expect((await outboxRows()).map((r) => r.kind)).toEqual(["open_issue", "notify_slack"]);

    const API = "https://api.github.com";
    nock(API)
      .get(/\/repos\/octo-org\/shop\/labels\/.*/)
      .times(2)
      .reply(200, {});
    nock(API)
      .post("/repos/octo-org/shop/issues")
      .reply(201, { number: 17, html_url: "https://github.com/octo-org/shop/issues/17" });
    let slackText = "";
    nock(SLACK)
      .post(SLACK_PATH, (body) => {
        slackText = body.blocks[0].text.text;
        return true;
      })
      .reply(200, "ok");
    const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { enabled: false },
    }));
    const w = createOutboxWorker({
      db: testDb.db,
      getOctokit: async () => new TestOctokit({ auth: { token: "t" } }) as OutboxOctokit,
      clock: () => now,
      handlers: createNotificationHandlers({ resolveHost: async () => ["93.184.216.34"] }),
    });
    expect(await w.runOnce()).toBe(2);
    expect(slackText.startsWith("*<https://github.com/octo-org/shop/issues/17|B-001: ")).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("refuses URLs on private networks unless allowed", async () => {
    await configure({
      slack_webhook_url: "http://169.254.169.254/latest/meta-data",
      webhook_url: `${HOOK}${HOOK_PATH}`,
    });
    await report();
    await worker({ resolveHost: async () => ["93.184.216.34", "10.1.2.3"] }).runOnce();
    const rows = await outboxRows();
    expect(rows.map((r) => [r.kind, r.done_at instanceof Date, r.attempts])).toEqual([
      ["notify_slack", true, 1],
      ["notify_webhook", true, 1],
    ]);
    expect(rows[0]?.last_error).toContain(
      "169.254.169.254 resolves to 169.254.169.254, a private or local address",
    );
    expect(rows[1]?.last_error).toContain("alerts.example.com resolves to 10.1.2.3");

    await testDb.db.updateTable("outbox").set({ done_at: null, attempts: 0 }).execute();
    const internal = nock(HOOK).post(HOOK_PATH).reply(200);
    const metadata = nock("http://169.254.169.254").post("/latest/meta-data").reply(200);
    await worker({
      allowPrivateNetworks: true,
      resolveHost: async () => ["10.1.2.3"],
    }).runOnce();
    expect(internal.isDone() && metadata.isDone()).toBe(true);
  });
});

describe("notification URL guard at connect time", () => {
  it("connects to the address it checked: a DNS answer that turns private is refused", async () => {
    const hits: string[] = [];
    const local = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(200).end("ok");
    });
    await new Promise<void>((done) => local.listen(0, "127.0.0.1", done));
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
    try {
      const { port } = local.address() as AddressInfo;
      await configure({ webhook_url: `http://localhost:${port}/hook`, slack_webhook_url: null });
      await report();
      // A rebinding name server: a public answer to the check, then the private one.
      const answers = [["93.184.216.34"]];
      const resolveHost = async () => answers.shift() ?? ["127.0.0.1"];
      await worker({ resolveHost }).runOnce();
      const rows = await outboxRows();
      expect(hits).toEqual([]);
      expect(rows.map((r) => [r.kind, r.done_at instanceof Date])).toEqual([
        ["notify_webhook", true],
      ]);
      expect(rows[0]?.last_error).toContain("localhost resolves to 127.0.0.1");
    } finally {
      nock.enableNetConnect("127.0.0.1");
      await new Promise((done) => local.close(done));
    }
  });
});
