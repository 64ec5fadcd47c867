import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FaultlineOctokit,
  type OutboxOctokit,
  createOutboxWorker,
  observeGithubRequests,
  outboxBacklog,
  planGithubEffects,
  registerWebhookHandlers,
} from "../../src/github/index.js";
import { startMetricsServer } from "../../src/observability/metrics-server.js";
import { type Metrics, createMetrics } from "../../src/observability/metrics.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { createScheduler } from "../../src/scheduler/index.js";
import { buildServer } from "../../src/server.js";
import { type Services, createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { API, createTestProbot, sendWebhook, webhookExample } from "../helpers/github.js";

/**
 * GET /metrics after a run of reports, webhooks, an outbox batch and a job: every figure is
 * checked against what was sent.
 */

const ADMIN = "metrics-admin-token-0123456789";
let testDb: TestDb;
let metrics: Metrics;
let services: Services;
let app: FastifyInstance;
let project: Project;

/** The samples of an exposition text: name, labels, value. */
function samples(text: string) {
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries(
        [...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
      );
      return { name: m[1] ?? "", labels, value: Number(m[3]) };
    });
}

function value(text: string, name: string, labels: Record<string, string> = {}) {
  const found = samples(text).filter(
    (s) =>
      s.name === name &&
      Object.keys(labels).length === Object.keys(s.labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) return undefined;
  return found[0]?.value;
}

function report(payload: Record<string, unknown>, key = project.ingestKey) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${key}` },
    payload,
  });
}

async function scrape() {
  const res = await app.inject({
    method: "GET",
    url: "/metrics",
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toContain("text/plain");
  return res.body;
}

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  metrics = createMetrics({
    outboxBacklog: () => outboxBacklog(testDb.db, new Date()),
    ...(testDb.poolStats ? { poolStats: testDb.poolStats } : {}),
  });
  services = createServices({ db: testDb.db, metrics, effects: [planGithubEffects()] });
  const probot = createTestProbot();
  registerWebhookHandlers(probot, { db: testDb.db, clock: () => new Date() });
  await probot.ready();
  app = await buildServer({ ...services, probot, adminToken: ADMIN, metrics });
  ({ project } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
  await testDb.db
    .updateTable("projects")
    .set({ installation_id: 4242, repo_id: 9001 })
    .where("id", "=", project.id)
    .execute();
  await services.projectConfigs.save(
    project.id,
    {
      filters: { exclude_environments: ["test"] },
      sampling: { info: 0 },
      rate_limits: { per_bug_per_minute: 4, per_project_per_minute: 1000 },
    },
    new Date(),
  );
});

afterAll(async () => {
  observeGithubRequests(undefined);
  await app?.close();
  await services?.reportService.close();
  await testDb?.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("GET /metrics", () => {
  it("is behind FAULTLINE_ADMIN_TOKEN, or off with a message saying how to turn it on", async () => {
    expect((await app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: "GET",
      url: "/metrics",
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.statusCode).toBe(401);
    const off = await buildServer({ ...services, metrics });
    const res = await off.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toContain("FAULTLINE_ADMIN_TOKEN");
    await off.close();
    // With a port of its own, the main port has no /metrics at all.
    const own = await buildServer({ ...services, metrics: { ...metrics, ownPort: true } });
    expect((await own.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);
    await own.close();
  });

  it("counts reports accepted, filtered, not stored and refused, by reason, and group commits", async () => {
    const stack = (file: string) => `TypeError: boom\n    at f (/app/src/${file}.ts:1:1)`;
    const statuses: number[] = [];
    // Bug A: 6 reports, over the per-bug limit of 4 a minute (counted, 2 events not stored).
    for (let i = 0; i < 6; i++) {
      statuses.push((await report({ error_type: "TypeError", stack: stack("a") })).statusCode);
    }
    // Bug B: 2 reports.
    for (let i = 0; i < 2; i++) {
      statuses.push((await report({ error_type: "TypeError", stack: stack("b") })).statusCode);
    }
    // Bug C: 3 info reports, sampled out at rate 0 (counted, not stored).
    for (let i = 0; i < 3; i++) {
      statuses.push((await report({ message: "cache warm", level: "info" })).statusCode);
    }
    // Filtered: the test environment.
    for (let i = 0; i < 2; i++) {
      statuses.push(
        (await report({ error_type: "TypeError", stack: stack("c"), environment: "test" }))
          .statusCode,
      );
    }
    expect(statuses).toEqual(Array(13).fill(202));
    // Refused: an unknown key twice, an invalid report once.
    expect((await report({ error_type: "E" }, "0".repeat(32))).statusCode).toBe(401);
    expect((await report({ error_type: "E" }, "1".repeat(32))).statusCode).toBe(401);
    expect((await report({ level: "error" })).statusCode).toBe(400);

    const text = await scrape();
    expect(value(text, "faultline_reports_accepted_total", { bug: "new" })).toBe(3);
    expect(value(text, "faultline_reports_accepted_total", { bug: "known" })).toBe(8);
    expect(
      value(text, "faultline_reports_filtered_total", { reason: "excluded_environment" }),
    ).toBe(2);
    expect(value(text, "faultline_reports_not_stored_total", { reason: "rate_limited" })).toBe(2);
    expect(value(text, "faultline_reports_not_stored_total", { reason: "sampled_out" })).toBe(3);
    expect(value(text, "faultline_reports_refused_total", { reason: "unauthorized" })).toBe(2);
    expect(value(text, "faultline_reports_refused_total", { reason: "invalid" })).toBe(1);
    // One report at a time: 11 groups of one.
    expect(value(text, "faultline_group_commit_size_count")).toBe(11);
    expect(value(text, "faultline_group_commit_size_sum")).toBe(11);
    expect(value(text, "faultline_group_commit_size_bucket", { le: "1" })).toBe(11);
    expect(value(text, "faultline_group_commit_seconds_count")).toBe(11);
    expect(value(text, "faultline_group_commit_seconds_sum")).toBeGreaterThan(0);
    // Three new bugs, three issues to open; the oldest row waited a little already.
    expect(value(text, "faultline_outbox_pending", { kind: "open_issue" })).toBe(3);
    expect(
      value(text, "faultline_outbox_oldest_pending_seconds", { kind: "open_issue" }),
    ).toBeGreaterThan(0);
    expect(value(text, "faultline_outbox_dead", { kind: "open_issue" })).toBe(0);
    // The stored events match: 4 of A, 2 of B, none of C.
    const events = await testDb.db.selectFrom("events").select("id").execute();
    expect(events).toHaveLength(6);
  });

  it("counts GitHub requests by status with the rate limit left, and outbox runs", async () => {
    observeGithubRequests((method, status, headers) =>
      metrics.githubRequest(method, status, headers),
    );
    const ProbeOctokit = FaultlineOctokit.defaults({
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const limits = { "x-ratelimit-remaining": "4990", "x-ratelimit-resource": "core" };
    nock(API)
      .get(/\/repos\/octo-org\/shop\/labels\/.*/)
      .times(2)
      .reply(200, { name: "x" }, limits)
      .post("/repos/octo-org/shop/issues")
      .reply(
        201,
        { number: 7, html_url: "https://github.com/octo-org/shop/issues/7" },
        {
          "x-ratelimit-remaining": "4987",
          "x-ratelimit-resource": "core",
        },
      );
    const worker = createOutboxWorker({
      db: testDb.db,
      getOctokit: async () => new ProbeOctokit({ auth: { token: "t" } }) as OutboxOctokit,
      batchSize: 1,
      observe: (event) => metrics.outboxRun(event.kind, event.outcome),
    });
    expect(await worker.runOnce()).toBe(1);
    const text = await scrape();
    expect(value(text, "faultline_github_requests_total", { method: "GET", status: "200" })).toBe(
      2,
    );
    expect(value(text, "faultline_github_requests_total", { method: "POST", status: "201" })).toBe(
      1,
    );
    expect(value(text, "faultline_github_rate_limit_remaining", { resource: "core" })).toBe(4987);
    expect(
      value(text, "faultline_outbox_runs_total", { kind: "open_issue", outcome: "done" }),
    ).toBe(1);
    expect(value(text, "faultline_outbox_pending", { kind: "open_issue" })).toBe(2);
  });

  it("counts webhook deliveries (unverified ones apart) and job runs", async () => {
    const payload = webhookExample("issues", "opened");
    expect((await sendWebhook(app, "issues", payload)).response.statusCode).toBe(200);
    expect(
      (await sendWebhook(app, "issues", payload, { secret: "forged" })).response.statusCode,
    ).toBe(401);
    const scheduler = createScheduler({
      db: testDb.db,
      dbKind: testDb.kind,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      lockKeyPrefix: `metrics-test:${Math.random()}:`,
      jobs: [
        { name: "probe", cron: "* * * * *", run: async () => "ok" },
        {
          name: "broken",
          cron: "* * * * *",
          run: async () => {
            throw new Error("boom");
          },
        },
      ],
      onOutcome: (job, outcome) =>
        metrics.jobRun(job, outcome.status, "ms" in outcome ? outcome.ms : undefined),
    });
    await scheduler.runNow("probe");
    await scheduler.runNow("probe");
    await scheduler.runNow("broken");
    await scheduler.stop();
    const text = await scrape();
    expect(
      value(text, "faultline_webhook_deliveries_total", { event: "issues", status: "200" }),
    ).toBe(1);
    expect(
      value(text, "faultline_webhook_deliveries_total", { event: "unverified", status: "401" }),
    ).toBe(1);
    expect(value(text, "faultline_job_runs_total", { job: "probe", status: "ran" })).toBe(2);
    expect(value(text, "faultline_job_runs_total", { job: "broken", status: "failed" })).toBe(1);
    expect(value(text, "faultline_job_duration_seconds_count", { job: "probe" })).toBe(2);
    if (testDb.kind === "postgres") {
      expect(value(text, "faultline_db_pool_connections", { state: "max" })).toBe(10);
      expect(value(text, "faultline_db_pool_connections", { state: "total" })).toBeGreaterThan(0);
    } else {
      expect(text).not.toContain("faultline_db_pool_connections");
    }
  });

  it("is served on METRICS_PORT without a token, and nothing else there", async () => {
    const server = await startMetricsServer({ port: 0, host: "127.0.0.1", metrics });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(value(await res.text(), "faultline_reports_accepted_total", { bug: "new" })).toBe(3);
    expect((await fetch(`${base}/api/reports`)).status).toBe(404);
    server.close();
  });
});
