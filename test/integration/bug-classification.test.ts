import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLoadConfigHandler } from "../../src/github/config/index.js";
import { createOutboxWorker, planGithubEffects } from "../../src/github/index.js";
import { registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import type { Project } from "../../src/projects/index.js";
import type { Services } from "../../src/services.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  API,
  APP_ID,
  createTestProbot,
  nockContents,
  nockLabels,
  sendWebhook,
  testOctokit,
  webhookExample,
} from "../helpers/github.js";

/**
 * A new bug's category and starting severity, through the real report route: the built-in
 * category, `categories.rules` and `severity_rules` of .github/faultline.yml (loaded from GitHub
 * by the worker, as in production), and the `category:<name>` label on the issue.
 */

const NOW = new Date("2026-12-08T12:00:00Z");
const CONFIG = ".github/faultline.yml";

let testDb: TestDb;
let app: FastifyInstance;
let services: Services;
let project: Project;
let now = NOW;

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
  await app?.close();
  await testDb.truncate();
  now = NOW;
  const probot = createTestProbot();
  registerWebhookHandlers(probot, { db: testDb.db, clock: () => now });
  await probot.ready();
  ({ app, services, project } = await buildTestApp(testDb.db, {
    clock: () => now,
    effects: [planGithubEffects()],
    extra: { probot },
  }));
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

async function report(payload: Record<string, unknown>) {
  const response = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload,
  });
  expect(response.statusCode).toBe(202);
  return response.json() as { bug: string };
}

async function bug(number: number) {
  return testDb.db
    .selectFrom("bugs")
    .select(["severity", "category", "category_reason"])
    .where("project_id", "=", project.id)
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit: testOctokit,
    appId: APP_ID,
    clock: () => now,
    // The services' own configs: what ingestion reads is what the load wrote.
    projectConfigs: services.projectConfigs,
    handlers: { load_config: createLoadConfigHandler({ projectConfigs: services.projectConfigs }) },
  });
}

/** A push that changes .github/faultline.yml: GitHub serves `yaml`, the worker stores it. */
async function pushConfig(yaml: string, sha: string) {
  const payload = webhookExample("push");
  payload.repository = {
    ...payload.repository,
    id: 9001,
    name: "shop",
    full_name: "octo-org/shop",
    owner: { ...payload.repository.owner, login: "octo-org" },
    default_branch: "main",
  };
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.ref = "refs/heads/main";
  payload.after = sha;
  payload.commits = [
    { ...payload.head_commit, id: sha, added: [], removed: [], modified: [CONFIG] },
  ];
  expect((await sendWebhook(app, "push", payload)).response.statusCode).toBe(200);
  nockContents("octo-org/shop", CONFIG, { status: 200, yaml });
  expect(await worker().runOnce()).toBe(1);
  expect(
    (await testDb.db.selectFrom("projects").select("config_errors").executeTakeFirstOrThrow())
      .config_errors,
  ).toEqual([]);
}

describe("categories of new bugs", () => {
  it("derives the category from type, message, status and frames, and says why", async () => {
    await report({ error_type: "Error", message: "connect ECONNREFUSED 10.0.0.7:5432" });
    await report({ error_type: "Error", message: "no such cart", status_code: 404, url: "/c/1" });
    await report({ error_type: "TypeError", message: "Cannot read properties of undefined" });
    await report({ error_type: "CheckoutError", message: "checkout failed" });
    expect(await bug(1)).toEqual({
      severity: "high",
      category: "network",
      category_reason: 'message matches "ECONNREFUSED"',
    });
    expect(await bug(2)).toMatchObject({ category: "not_found", category_reason: "status 404" });
    expect(await bug(3)).toMatchObject({ category: "programming_error" });
    expect(await bug(4)).toMatchObject({ category: "unknown" });
  });

  it("keeps each release's first and last sighting and its count", async () => {
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    for (const [minutes, release] of [
      [0, "2.4.0"],
      [5, "2.4.1"],
      [9, "2.4.0"],
      [12, undefined],
    ] as const) {
      now = at(minutes);
      await report({ error_type: "TypeError", message: "x", ...(release ? { release } : {}) });
    }
    const rows = await testDb.db
      .selectFrom("bug_releases")
      .select(["release", "first_seen", "last_seen", "count"])
      .orderBy("release")
      .execute();
    expect(rows).toEqual([
      { release: "2.4.0", first_seen: at(0), last_seen: at(9), count: 2 },
      { release: "2.4.1", first_seen: at(5), last_seen: at(5), count: 1 },
    ]);
  });
});

describe("rules of .github/faultline.yml at ingestion", () => {
  beforeEach(async () => {
    await testDb.db
      .updateTable("projects")
      .set({ installation_id: 4242, repo_id: 9001 })
      .where("id", "=", project.id)
      .execute();
  });

  it("applies severity_rules and categories.rules when a bug is created, and labels its issue", async () => {
    // Before any rule: a TypeError (level error) is high.
    await report({ error_type: "TypeError", message: "before the rules" });
    expect(await bug(1)).toMatchObject({ severity: "high", category: "programming_error" });
    // Its open_issue row is not what this test is about.
    await testDb.db.deleteFrom("outbox").execute();

    await pushConfig(
      [
        "severity_rules:",
        '  - match: { error_type: "^TypeError$" }',
        "    severity: critical",
        "  - match: { category: external_service }",
        "    severity: low",
        "categories:",
        "  label: true",
        "  rules:",
        '    - match: { error_type: "^PaymentDeclined$" }',
        "      category: external_service",
        "",
      ].join("\n"),
      "a".repeat(40),
    );

    await report({ error_type: "TypeError", message: "Cannot read properties of null" });
    await report({ error_type: "PaymentDeclined", message: "card declined", level: "fatal" });
    expect(await bug(2)).toMatchObject({ severity: "critical", category: "programming_error" });
    // The category rule wins over the built-in one; the severity rule on that category over the
    // level (fatal would be critical).
    expect(await bug(3)).toEqual({
      severity: "low",
      category: "external_service",
      category_reason: "rule 1 of categories.rules",
    });
    // An existing bug keeps what it had: people may have changed it since.
    await report({ error_type: "TypeError", message: "before the rules" });
    expect(await bug(1)).toMatchObject({ severity: "high" });

    // The issue of B-002 carries its severity and category labels.
    const issues: { title: string; labels: string[]; body: string }[] = [];
    // Each label is read once (not found), then created.
    const created = nockLabels(
      "octo-org/shop",
      [],
      [
        "bug",
        "severity:critical",
        "category:programming_error",
        "severity:low",
        "category:external_service",
      ],
    ) as { name: string; color: string }[];
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        issues.push(body);
        return true;
      })
      .times(2)
      .reply(201, (_uri, body) => {
        const n = 10 + issues.indexOf(body as (typeof issues)[number]);
        return { number: n, html_url: `https://github.com/octo-org/shop/issues/${n}` };
      });
    expect(await worker().runOnce()).toBe(2);
    expect(issues.map((i) => i.labels)).toEqual([
      ["bug", "severity:critical", "category:programming_error"],
      ["bug", "severity:low", "category:external_service"],
    ]);
    expect(created.map((l) => `${l.name} #${l.color}`)).toContain(
      "category:external_service #c5def5",
    );
    expect(issues[0]?.body).toContain("| Category | programming error |");
  });
});
