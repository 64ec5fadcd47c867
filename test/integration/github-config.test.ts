import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import {
  createLoadConfigHandler,
  planConfigLoad,
  planMissingConfigLoads,
} from "../../src/github/config/index.js";
import { createOutboxWorker, planGithubEffects } from "../../src/github/index.js";
import {
  CONFIG_ISSUE_MARKER,
  CONFIG_ISSUE_TITLE,
  renderConfigFixedComment,
  renderConfigIssueBody,
} from "../../src/github/render/index.js";
import { registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import {
  type Project,
  type ProjectConfigs,
  createProjectConfigs,
} from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  API,
  APP_ID,
  type Payload,
  authoredByApp,
  createTestProbot,
  nockContents,
  sendWebhook,
  testOctokit,
  webhookExample,
  withoutCommentMarker,
} from "../helpers/github.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const CONFIG = ".github/faultline.yml";
const SHOP = { id: 9001, node_id: "x", name: "shop", full_name: "octo-org/shop", private: false };

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;
let projectConfigs: ProjectConfigs;

function worker() {
  return createOutboxWorker({
    db: testDb.db,
    getOctokit: testOctokit,
    appId: APP_ID,
    clock: () => NOW,
    projectConfigs,
    handlers: { load_config: createLoadConfigHandler({ projectConfigs }) },
  });
}

async function outboxRows() {
  return testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
}

async function projectRow() {
  return testDb.db
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", project.id)
    .executeTakeFirstOrThrow();
}

/** Plans a load directly (as the webhooks do) and runs it; returns the rows the worker ran. */
async function load(reason: string) {
  await planConfigLoad(testDb.db, { projectId: project.id, reason, now: NOW });
  return worker().runOnce();
}

async function installShop() {
  await testDb.db
    .updateTable("projects")
    .set({ installation_id: 4242, repo_id: 9001 })
    .where("id", "=", project.id)
    .execute();
}

function push(repo: Payload, options: { ref?: string; after?: string; files?: string[] } = {}) {
  const payload = webhookExample("push");
  payload.repository = {
    ...payload.repository,
    ...repo,
    owner: { ...payload.repository.owner, login: "octo-org" },
    default_branch: "main",
  };
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.ref = options.ref ?? "refs/heads/main";
  payload.after = options.after ?? "a".repeat(40);
  payload.commits = [
    {
      ...(payload.head_commit ?? {}),
      id: payload.after,
      message: "Tune faultline",
      added: [],
      removed: [],
      modified: options.files ?? [CONFIG],
    },
  ];
  return payload;
}

function nockSearchConfigIssue(items: unknown[] = []) {
  return nock(API)
    .get("/search/issues")
    .query(
      (q) =>
        q.q === `repo:octo-org/shop "${CONFIG_ISSUE_MARKER}" in:body is:issue` &&
        q.per_page === "20",
    )
    .reply(200, {
      total_count: items.length,
      incomplete_results: false,
      items: items.map((item) => authoredByApp(item as object)),
    });
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
  await app?.close();
  await testDb.truncate();
  projectConfigs = createProjectConfigs(testDb.db);
  const probot = createTestProbot();
  registerWebhookHandlers(probot, {
    db: testDb.db,
    clock: () => NOW,
    appId: APP_ID,
    appSlug: "faultline",
  });
  await probot.ready();
  ({ app, project } = await buildTestApp(testDb.db, {
    clock: () => NOW,
    effects: [planGithubEffects()],
    extra: { probot },
  }));
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe("loading .github/faultline.yml", () => {
  it("is planned on installation.created and stored by the worker", async () => {
    const payload = webhookExample("installation", "created");
    payload.installation.id = 4242;
    payload.repositories = [SHOP];
    const { response, id } = await sendWebhook(app, "installation", payload);
    expect(response.statusCode).toBe(200);
    const planned = await outboxRows();
    expect(planned.map((r) => [r.kind, r.idempotency_key, r.bug_id, r.project_id])).toEqual([
      ["load_config", `load_config:${project.id}:install:${id}`, null, project.id],
    ]);
    // A redelivery plans nothing more.
    await sendWebhook(app, "installation", payload, { id });
    expect(await outboxRows()).toHaveLength(1);

    nockContents("octo-org/shop", CONFIG, {
      status: 200,
      yaml: "threshold: 3\nlabels:\n  bug: defect\n",
    });
    expect(await worker().runOnce()).toBe(1);
    expect((await outboxRows())[0]?.done_at).toBeInstanceOf(Date);
    const row = await projectRow();
    expect(row.config).toEqual({ threshold: 3, labels: { bug: "defect" } });
    expect(row.config_errors).toEqual([]);
    expect(row.config_loaded_at?.toISOString()).toBe(NOW.toISOString());
    // Other code reads it through the stored row (a fresh cache, as in another process).
    const fresh = await createProjectConfigs(testDb.db).get(project.id);
    expect(fresh.threshold).toBe(3);
    expect(fresh.labels.bug).toBe("defect");
    expect(fresh.labels.severity.high).toBe("severity:high");
  });

  it("is planned for each repository added to an installation", async () => {
    const added = webhookExample("installation_repositories", "added");
    added.installation.id = 4242;
    added.repositories_added = [
      SHOP,
      { id: 9002, node_id: "y", name: "api", full_name: "octo-org/api", private: false },
    ];
    const { id } = await sendWebhook(app, "installation_repositories", added);
    const projects = await testDb.db.selectFrom("projects").select("id").orderBy("id").execute();
    expect(projects).toHaveLength(2);
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual(
      projects.map((p) => `load_config:${p.id}:install:${id}`),
    );
    await testDb.db.deleteFrom("outbox").execute();
  });

  it("a missing file (404 in the repo and in the owner's .github) means defaults", async () => {
    await installShop();
    await projectConfigs.save(project.id, { threshold: 9 }, NOW);
    nockContents("octo-org/shop", CONFIG, { status: 404 });
    nockContents("octo-org/.github", CONFIG, { status: 404 });
    expect(await load("a")).toBe(1);
    const row = await projectRow();
    expect(row.config).toBeNull();
    expect(row.config_errors).toEqual([]);
    expect((await projectConfigs.get(project.id)).threshold).toBe(1);
  });

  it("honours _extends from the organisation's .github repository", async () => {
    await installShop();
    nockContents("octo-org/shop", CONFIG, {
      status: 200,
      yaml: "_extends: .github\nthreshold: 2\n",
    });
    nockContents("octo-org/.github", CONFIG, {
      status: 200,
      yaml: "threshold: 7\nmilestones: [50, 5]\nlabels:\n  bug: org-bug\n",
    });
    expect(await load("a")).toBe(1);
    const config = await createProjectConfigs(testDb.db).get(project.id);
    expect(config.threshold).toBe(2); // the repository's own value wins
    expect(config.milestones).toEqual([5, 50]);
    expect(config.labels.bug).toBe("org-bug");
  });

  it("uses the owner's .github file when the repository has none", async () => {
    await installShop();
    nockContents("octo-org/shop", CONFIG, { status: 404 });
    nockContents("octo-org/.github", CONFIG, { status: 200, yaml: "threshold: 4\n" });
    expect(await load("a")).toBe(1);
    expect((await createProjectConfigs(testDb.db).get(project.id)).threshold).toBe(4);
  });

  it("a push to the default branch touching the file plans a load", async () => {
    await installShop();
    await sendWebhook(app, "push", push(SHOP, { ref: "refs/heads/feature" }));
    await sendWebhook(app, "push", push(SHOP, { files: ["README.md"] }));
    expect(await outboxRows()).toEqual([]);

    const sha = "b".repeat(40);
    await sendWebhook(app, "push", push(SHOP, { after: sha }));
    // The same head delivered again (or a re-push of it) adds nothing.
    await sendWebhook(app, "push", push(SHOP, { after: sha }));
    // A bot's commit changes the config just as well.
    const byBot = push(SHOP, { after: "c".repeat(40) });
    byBot.sender.type = "Bot";
    await sendWebhook(app, "push", byBot);
    // A burst of pushes shares the load still waiting: it reads the newest file when it runs.
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `load_config:${project.id}:push:${sha}`,
    ]);
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: 5\n" });
    expect(await worker().runOnce()).toBe(1);
    expect((await projectConfigs.get(project.id)).threshold).toBe(5);

    // Once it ran, the next push plans a new load.
    await sendWebhook(app, "push", byBot);
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `load_config:${project.id}:push:${sha}`,
      `load_config:${project.id}:push:${"c".repeat(40)}`,
    ]);
    await testDb.db.deleteFrom("outbox").execute();
  });

  it("a push to the owner's .github repository reloads every installed project of that owner", async () => {
    await installShop();
    const other = await testDb.db
      .insertInto("projects")
      .values({
        owner: "Octo-Org",
        name: "api",
        full_name_lower: "octo-org/api",
        installation_id: 4242,
        ingest_key: "k2",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await testDb.db
      .insertInto("projects")
      .values({ owner: "someone", name: "x", full_name_lower: "someone/x", ingest_key: "k3" })
      .execute();
    const sha = "d".repeat(40);
    await sendWebhook(
      app,
      "push",
      push({ id: 1, name: ".github", full_name: "octo-org/.github" }, { after: sha }),
    );
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `load_config:${project.id}:push:${sha}`,
      `load_config:${other.id}:push:${sha}`,
    ]);
    await testDb.db.deleteFrom("outbox").execute();
  });

  it("plans a first load at startup for installed projects never read", async () => {
    await installShop();
    await testDb.db
      .insertInto("projects")
      .values([
        { owner: "octo-org", name: "read", full_name_lower: "octo-org/read", ingest_key: "k1" },
        { owner: "octo-org", name: "gone", full_name_lower: "octo-org/gone", ingest_key: "k2" },
      ])
      .execute();
    await testDb.db
      .updateTable("projects")
      .set({ installation_id: 4242, config_loaded_at: NOW })
      .where("name", "=", "read")
      .execute();
    await testDb.db
      .updateTable("projects")
      .set({ installation_id: 4242, suspended_at: NOW })
      .where("name", "=", "gone")
      .execute();
    expect(await planMissingConfigLoads(testDb.db, NOW)).toBe(1);
    expect(await planMissingConfigLoads(testDb.db, NOW)).toBe(1);
    expect((await outboxRows()).map((r) => r.idempotency_key)).toEqual([
      `load_config:${project.id}:initial`,
    ]);
    await testDb.db.deleteFrom("outbox").execute();
  });

  it("runs one load per project at a time, the older first", async () => {
    await installShop();
    await planConfigLoad(testDb.db, { projectId: project.id, reason: "a", now: NOW });
    // Row "a" is held by another worker, so a new push plans "b"; "b" must wait for "a".
    await testDb.db
      .updateTable("outbox")
      .set({ locked_until: new Date(NOW.getTime() + 60_000) })
      .execute();
    await planConfigLoad(testDb.db, { projectId: project.id, reason: "b", now: NOW });
    expect(await worker().runOnce()).toBe(1);
    const [, second] = await outboxRows();
    expect(second).toMatchObject({
      idempotency_key: `load_config:${project.id}:b`,
      attempts: 0,
      done_at: null,
    });
    expect(second?.last_error).toMatch(/is running/);
    expect(second?.run_after.getTime()).toBeGreaterThan(NOW.getTime());
    await testDb.db.deleteFrom("outbox").execute();
  });

  it("keeps the row and retries when GitHub fails", async () => {
    await installShop();
    nock(API)
      .get(`/repos/octo-org/shop/contents/${encodeURIComponent(CONFIG)}`)
      .reply(502, {});
    expect(await load("a")).toBe(1);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ attempts: 1, done_at: null });
    expect((await projectRow()).config_loaded_at).toBeNull();
  });
});

describe("the config error issue", () => {
  const broken = "threshold: zero\nlabels:\n  colors:\n    bug: red\n";
  const brokenErrors = parseRepoConfig({
    threshold: "zero",
    labels: { colors: { bug: "red" } },
  }).errors;

  it("is created, edited in place, left alone while unchanged, closed when fixed, reopened", async () => {
    await installShop();
    expect(brokenErrors).toHaveLength(2);

    // 1. Errors: searched by marker first, then created.
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: broken });
    nockSearchConfigIssue();
    let created: unknown;
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        created = body;
        return true;
      })
      .reply(201, { number: 77, html_url: "https://github.com/octo-org/shop/issues/77" });
    expect(await load("1")).toBe(1);
    expect(created).toEqual({
      title: CONFIG_ISSUE_TITLE,
      body: renderConfigIssueBody(brokenErrors),
    });
    expect(renderConfigIssueBody(brokenErrors)).toContain(
      "The defaults are used for these settings until the file is fixed",
    );
    expect(renderConfigIssueBody(brokenErrors)).toContain("threshold: expected a number");
    let row = await projectRow();
    expect(row.config_issue_number).toBe(77);
    expect(row.config_errors).toEqual(brokenErrors);
    // Valid keys still apply; the bad ones use their defaults.
    expect((await projectConfigs.get(project.id)).threshold).toBe(1);
    expect((await projectConfigs.get(project.id)).labels.colors.bug).toBe("d73a4a");

    // 2. Other errors: the same issue is edited (no search, no second issue).
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: zero\n" });
    let edited: unknown;
    nock(API)
      .patch("/repos/octo-org/shop/issues/77", (body) => {
        edited = body;
        return true;
      })
      .reply(200, { number: 77 });
    expect(await load("2")).toBe(1);
    const fewer = parseRepoConfig({ threshold: "zero" }).errors;
    expect(edited).toEqual({ body: renderConfigIssueBody(fewer), state: "open" });

    // 3. Same errors again: only the file is read.
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: zero\n" });
    expect(await load("3")).toBe(1);

    // 4. Valid: a short comment, then closed.
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: 2\n" });
    const sent: unknown[] = [];
    nock(API)
      .get("/repos/octo-org/shop/issues/77")
      .reply(200, { number: 77, state: "open" })
      .post("/repos/octo-org/shop/issues/77/comments", (body) => {
        sent.push(body);
        return true;
      })
      .reply(201, { id: 1 })
      .patch("/repos/octo-org/shop/issues/77", (body) => {
        sent.push(body);
        return true;
      })
      .reply(200, { number: 77 });
    expect(await load("4")).toBe(1);
    expect(sent).toEqual([
      { body: expect.stringMatching(/<!-- faultline:comment row=\d+\.1 -->$/) },
      { state: "closed", state_reason: "completed" },
    ]);
    expect(withoutCommentMarker((sent[0] as { body: string }).body)).toBe(
      renderConfigFixedComment(),
    );
    row = await projectRow();
    expect(row.config_errors).toEqual([]);
    expect((await projectConfigs.get(project.id)).threshold).toBe(2);

    // 5. Still valid: nothing on GitHub.
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: 2\n" });
    expect(await load("5")).toBe(1);

    // 6. Invalid YAML: the one issue is reopened with the parser's message; all defaults.
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: [1,\n" });
    let reopened: { body?: string; state?: string } = {};
    nock(API)
      .patch("/repos/octo-org/shop/issues/77", (body) => {
        reopened = body;
        return true;
      })
      .reply(200, { number: 77 });
    expect(await load("6")).toBe(1);
    row = await projectRow();
    expect(row.config).toBeNull();
    expect(row.config_errors).toEqual([
      "Configuration could not be parsed from octo-org/shop:.github/faultline.yml (invalid YAML): Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1. Every setting uses its default until this is fixed.",
    ]);
    expect(reopened).toEqual({
      body: renderConfigIssueBody(row.config_errors ?? []),
      state: "open",
    });
    expect((await projectConfigs.get(project.id)).threshold).toBe(1);
  });

  it("never takes a user's issue carrying the config marker for its own", async () => {
    await installShop();
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: broken });
    nockSearchConfigIssue([
      { number: 15, state: "open", body: `${CONFIG_ISSUE_MARKER}\nforged`, user: { type: "User" } },
    ]);
    let created: { title?: string } | undefined;
    nock(API)
      .post("/repos/octo-org/shop/issues", (body) => {
        created = body;
        return true;
      })
      .reply(201, { number: 16 });
    expect(await load("1")).toBe(1);
    expect(created?.title).toBeDefined();
    expect((await projectRow()).config_issue_number).toBe(16);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("finds an issue it created but did not record by its marker", async () => {
    await installShop();
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: broken });
    nockSearchConfigIssue([
      { number: 3, state: "open", body: "unrelated" },
      { number: 12, state: "closed", body: `${CONFIG_ISSUE_MARKER}\nold` },
      { number: 15, state: "open", body: `${CONFIG_ISSUE_MARKER}\nolder run` },
    ]);
    let edited: unknown;
    nock(API)
      .patch("/repos/octo-org/shop/issues/15", (body) => {
        edited = body;
        return true;
      })
      .reply(200, { number: 15 });
    expect(await load("1")).toBe(1);
    expect(edited).toEqual({ body: renderConfigIssueBody(brokenErrors), state: "open" });
    expect((await projectRow()).config_issue_number).toBe(15);
  });

  it("a retry after a failed close still closes the issue", async () => {
    await installShop();
    await testDb.db
      .updateTable("projects")
      .set({ config_issue_number: 77, config_errors: JSON.stringify(["threshold: bad"]) })
      .execute();
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: 2\n" });
    nock(API).get("/repos/octo-org/shop/issues/77").reply(500, { message: "boom" });
    expect(await load("1")).toBe(1);
    expect((await outboxRows())[0]).toMatchObject({ attempts: 1, done_at: null });
    // The config itself is already in use.
    expect((await projectConfigs.get(project.id)).threshold).toBe(2);

    await testDb.db
      .updateTable("outbox")
      .set({ run_after: new Date(0) })
      .execute();
    nockContents("octo-org/shop", CONFIG, { status: 200, yaml: "threshold: 2\n" });
    nock(API)
      .get("/repos/octo-org/shop/issues/77")
      .reply(200, { number: 77, state: "open" })
      // A second claim of the row: its comment is looked for before it is posted.
      .get("/repos/octo-org/shop/issues/77/comments")
      .query(true)
      .reply(200, [])
      .post(
        "/repos/octo-org/shop/issues/77/comments",
        (b) => withoutCommentMarker(b.body) === renderConfigFixedComment(),
      )
      .reply(201, { id: 1 })
      .patch("/repos/octo-org/shop/issues/77", { state: "closed", state_reason: "completed" })
      .reply(200, { number: 77 });
    expect(await worker().runOnce()).toBe(1);
    expect((await outboxRows())[0]?.done_at).toBeInstanceOf(Date);
  });
});

describe("severity labels from the config", () => {
  it("issues.labeled maps the repository's own severity label names", async () => {
    await installShop();
    await projectConfigs.save(
      project.id,
      { labels: { severity: { critical: "P0", high: "P1" } } },
      NOW,
    );
    const reported = await app.inject({
      method: "POST",
      url: "/api/reports",
      headers: { authorization: `Bearer ${project.ingestKey}` },
      payload: { error_type: "TypeError", message: "boom", level: "error" },
    });
    expect(reported.statusCode).toBe(202);
    await testDb.db.updateTable("bugs").set({ issue_number: 42 }).execute();
    const labeled = (name: string) => {
      const payload = webhookExample("issues", "labeled");
      payload.repository = { ...payload.repository, ...SHOP };
      payload.sender = { ...payload.sender, login: "alice", type: "User" };
      payload.issue.number = 42;
      payload.label = { ...payload.label, name };
      return payload;
    };
    const severity = async () =>
      (await testDb.db.selectFrom("bugs").select("severity").executeTakeFirstOrThrow()).severity;
    expect(await severity()).toBe("high");
    await sendWebhook(app, "issues", labeled("severity:critical")); // the default name: not ours
    expect(await severity()).toBe("high");
    await sendWebhook(app, "issues", labeled("P0"));
    expect(await severity()).toBe("critical");
    await testDb.db.deleteFrom("outbox").execute();
  });
});
