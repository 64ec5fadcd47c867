import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  bugRefsClosedBy,
  mapIssueEvent,
  registerWebhookHandlers,
} from "../../src/github/webhooks/index.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  APP_ID,
  type Payload,
  createTestProbot,
  webhookExample as example,
  sendWebhook,
} from "../helpers/github.js";
import { fakeApp, nockRoute, nockRouteError } from "../helpers/openapi.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const ISSUE = 42;

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

function toShop(payload: Payload): Payload {
  payload.repository = {
    ...payload.repository,
    id: 9001,
    name: "shop",
    full_name: "octo-org/shop",
    owner: { ...payload.repository.owner, login: "octo-org" },
    default_branch: "main",
  };
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  return payload;
}

function issueEvent(action: string, extra: (p: Payload) => void = () => {}) {
  const base =
    action === "closed"
      ? { ...example("issues", "reopened"), action: "closed" }
      : example("issues", action);
  const payload = toShop(base);
  payload.issue.number = ISSUE;
  if (action === "closed") {
    payload.issue.state = "closed";
    payload.issue.state_reason = "completed";
  }
  extra(payload);
  return payload;
}

function send(event: string, payload: unknown, options: { id?: string; secret?: string } = {}) {
  return sendWebhook(app, event, payload, options);
}

async function bug() {
  return testDb.db
    .selectFrom("bugs")
    .selectAll()
    .where("project_id", "=", project.id)
    .where("number", "=", 1)
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  nock.disableNetConnect();
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
  const probot = createTestProbot();
  registerWebhookHandlers(probot, {
    db: testDb.db,
    clock: () => NOW,
    appId: APP_ID,
    appSlug: "faultline",
  });
  await probot.ready();
  ({ app, project } = await buildTestApp(testDb.db, { clock: () => NOW, extra: { probot } }));
  const created = await app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload: { error_type: "TypeError", message: "boom", level: "error" },
  });
  expect(created.statusCode).toBe(202);
  await testDb.db
    .updateTable("bugs")
    .set({ issue_number: ISSUE, issue_url: `https://github.com/octo-org/shop/issues/${ISSUE}` })
    .execute();
  expect(nock.pendingMocks()).toEqual([]);
});

describe("POST /api/github/webhooks", () => {
  it("closing the issue as completed resolves the bug", async () => {
    await testDb.db.updateTable("bugs").set({ count_since_resolved: 5 }).execute();
    const { response } = await send("issues", issueEvent("closed"));
    expect(response.statusCode).toBe(200);
    const row = await bug();
    expect(row.status).toBe("resolved");
    expect(row.resolved_by).toBe("alice");
    expect(new Date(row.resolved_at as Date).toISOString()).toBe(NOW.toISOString());
    expect(row.count_since_resolved).toBe(0);
  });

  it("closing as not planned marks it wontfix; reopening opens it again", async () => {
    await send(
      "issues",
      issueEvent("closed", (p) => {
        p.issue.state_reason = "not_planned";
      }),
    );
    expect((await bug()).status).toBe("wontfix");
    await send("issues", issueEvent("reopened"));
    const row = await bug();
    expect(row.status).toBe("open");
    expect(row.resolved_at).toBeNull();
  });

  it("a redelivery of the same delivery id does nothing", async () => {
    const payload = issueEvent("closed");
    const { id } = await send("issues", payload);
    expect((await bug()).status).toBe("resolved");
    await testDb.db.updateTable("bugs").set({ status: "open", resolved_at: null }).execute();
    const again = await send("issues", payload, { id });
    expect(again.response.statusCode).toBe(200);
    expect((await bug()).status).toBe("open");
  });

  it("rejects a bad signature with 401 and changes nothing", async () => {
    const { response } = await send("issues", issueEvent("closed"), { secret: "wrong" });
    expect(response.statusCode).toBe(401);
    expect((await bug()).status).toBe("open");
  });

  it("ignores issues Faultline did not create", async () => {
    await send(
      "issues",
      issueEvent("closed", (p) => {
        p.issue.number = 7;
      }),
    );
    expect((await bug()).status).toBe("open");
  });

  it("ignores events sent by Faultline's own bot", async () => {
    for (const action of ["closed", "labeled"]) {
      await send(
        "issues",
        issueEvent(action, (p) => {
          p.sender.type = "Bot";
          p.sender.login = "faultline[bot]";
          if (p.label) p.label = { ...p.label, name: "severity:critical" };
        }),
      );
    }
    expect(await bug()).toMatchObject({ status: "open", severity: "high" });
  });

  it("applies every other actor's events, bots included: github-actions closes, reopens, labels", async () => {
    const actions = (p: Payload) => {
      p.sender = { ...p.sender, login: "github-actions[bot]", id: 41898282, type: "Bot" };
    };
    await send("issues", issueEvent("closed", actions));
    expect(await bug()).toMatchObject({ status: "resolved", resolved_by: "github-actions[bot]" });
    await send("issues", issueEvent("reopened", actions));
    expect((await bug()).status).toBe("open");
    await send(
      "issues",
      issueEvent("labeled", (p) => {
        actions(p);
        p.label = { ...p.label, name: "severity:low" };
      }),
    );
    expect((await bug()).severity).toBe("low");
    // A stale bot closing as not planned.
    await send(
      "issues",
      issueEvent("closed", (p) => {
        p.sender = { ...p.sender, login: "stale[bot]", type: "Bot" };
        p.issue.state_reason = "not_planned";
      }),
    );
    expect((await bug()).status).toBe("wontfix");
  });

  it("without APP_SLUG, reads the App's slug from GitHub (GET /app) once", async () => {
    await app.close();
    const probot = createTestProbot();
    registerWebhookHandlers(probot, { db: testDb.db, clock: () => NOW, appId: APP_ID });
    await probot.ready();
    ({ app } = await buildTestApp(testDb.db, { clock: () => NOW, extra: { probot } }));
    const appScope = nockRoute("/app", "get", {}, { body: fakeApp("faultline-dev", APP_ID) });
    const ours = (p: Payload) => {
      p.sender = { ...p.sender, login: "faultline-dev[bot]", type: "Bot" };
    };
    await send("issues", issueEvent("closed", ours));
    await send("issues", issueEvent("closed", ours));
    expect(appScope.isDone()).toBe(true);
    expect((await bug()).status).toBe("open");
    await send(
      "issues",
      issueEvent("closed", (p) => {
        p.sender = { ...p.sender, login: "renovate[bot]", type: "Bot" };
      }),
    );
    expect((await bug()).status).toBe("resolved");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("when GitHub cannot tell the slug, a bot's event is applied (and GitHub asked again later)", async () => {
    await app.close();
    const probot = createTestProbot();
    registerWebhookHandlers(probot, { db: testDb.db, clock: () => NOW, appId: APP_ID });
    await probot.ready();
    ({ app } = await buildTestApp(testDb.db, { clock: () => NOW, extra: { probot } }));
    const down = nockRouteError("/app", "get", {}, 502);
    const { response } = await send(
      "issues",
      issueEvent("closed", (p) => {
        p.sender = { ...p.sender, login: "someapp[bot]", type: "Bot" };
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(down.isDone()).toBe(true);
    expect((await bug()).status).toBe("resolved");
  });

  it("a severity label sets the severity; other labels do not", async () => {
    await send(
      "issues",
      issueEvent("labeled", (p) => {
        p.label = { ...p.label, name: "severity:critical" };
      }),
    );
    expect((await bug()).severity).toBe("critical");
    await send("issues", issueEvent("labeled"));
    await send(
      "issues",
      issueEvent("unlabeled", (p) => {
        p.label = { ...p.label, name: "severity:critical" };
      }),
    );
    expect((await bug()).severity).toBe("critical");
  });

  it("assigning an open bug's issue marks it in progress", async () => {
    await send("issues", issueEvent("assigned"));
    expect((await bug()).status).toBe("in_progress");
  });

  it("deleting the issue unlinks the bug", async () => {
    await send("issues", issueEvent("deleted"));
    const row = await bug();
    expect(row.issue_number).toBeNull();
    expect(row.issue_url).toBeNull();
  });

  it("installation.created creates projects and links existing ones", async () => {
    const payload = example("installation", "created");
    payload.installation.id = 555;
    payload.repositories = [
      { id: 9001, node_id: "x", name: "shop", full_name: "octo-org/shop", private: false },
      { id: 9002, node_id: "y", name: "api", full_name: "octo-org/api", private: false },
    ];
    const { response } = await send("installation", payload);
    expect(response.statusCode).toBe(200);
    const rows = await testDb.db
      .selectFrom("projects")
      .select(["full_name_lower", "installation_id", "repo_id"])
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { full_name_lower: "octo-org/shop", installation_id: 555, repo_id: 9001 },
      { full_name_lower: "octo-org/api", installation_id: 555, repo_id: 9002 },
    ]);

    const suspend = example("installation", "suspend");
    suspend.installation.id = 555;
    await send("installation", suspend);
    const suspended = await testDb.db.selectFrom("projects").select("suspended_at").execute();
    expect(suspended.every((r) => r.suspended_at !== null)).toBe(true);

    const unsuspend = example("installation", "unsuspend");
    unsuspend.installation.id = 555;
    await send("installation", unsuspend);
    const back = await testDb.db.selectFrom("projects").select("suspended_at").execute();
    expect(back.every((r) => r.suspended_at === null)).toBe(true);
  });

  it("installation_repositories.removed suspends the project; added links it again", async () => {
    const removed = example("installation_repositories", "removed");
    removed.repositories_removed = [
      { id: 9001, node_id: "x", name: "shop", full_name: "octo-org/shop", private: false },
    ];
    await send("installation_repositories", removed);
    const row = await testDb.db.selectFrom("projects").selectAll().executeTakeFirstOrThrow();
    expect(row.suspended_at).not.toBeNull();

    const added = example("installation_repositories", "added");
    added.installation.id = 777;
    added.repositories_added = removed.repositories_removed;
    await send("installation_repositories", added);
    const back = await testDb.db.selectFrom("projects").selectAll().execute();
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ suspended_at: null, installation_id: 777, repo_id: 9001 });
  });

  it("a push to the default branch with `fixes B-001` resolves the bug", async () => {
    const make = (ref: string) => {
      const payload = toShop(example("push"));
      payload.ref = ref;
      payload.commits = [
        {
          ...(payload.head_commit ?? {}),
          id: "abc",
          message: "Guard the coupon lookup\n\nFixes b-1",
          author: { name: "Bob", email: "bob@example.com", username: "bob" },
        },
      ];
      return payload;
    };
    await send("push", make("refs/heads/feature"));
    expect((await bug()).status).toBe("open");
    await send("push", make("refs/heads/main"));
    const row = await bug();
    expect(row.status).toBe("resolved");
    expect(row.resolved_by).toBe("bob");
    expect(row.resolved_in_release).toBeNull();
    expect(row.resolved_commit).toBe("abc");
    // Its issue is closed through the outbox, saying which commit resolved it.
    const rows = await testDb.db.selectFrom("outbox").select(["kind", "payload"]).execute();
    expect(rows).toEqual([
      {
        kind: "close_resolved",
        payload: { commit: { sha: "abc", url: expect.any(String) }, nextRelease: false },
      },
    ]);
  });

  it("a push by a bot (a merge queue, a release workflow) resolves too", async () => {
    const payload = toShop(example("push"));
    payload.ref = "refs/heads/main";
    payload.sender = { ...payload.sender, login: "github-actions[bot]", type: "Bot" };
    payload.commits = [{ ...(payload.head_commit ?? {}), id: "def", message: "fix: B-001" }];
    await send("push", payload);
    expect(await bug()).toMatchObject({ status: "resolved", resolved_commit: "def" });
  });
});

describe("mapIssueEvent", () => {
  const open = { status: "open", severity: "medium" } as const;
  it("maps close reasons, reopen, labels, assignment and removal", () => {
    const closed = (state_reason: string | null) => ({ action: "closed", issue: { state_reason } });
    expect(mapIssueEvent(closed("completed"), open)).toEqual({ type: "resolve" });
    expect(mapIssueEvent(closed(null), open)).toEqual({ type: "resolve" });
    expect(mapIssueEvent(closed("not_planned"), open)).toEqual({ type: "wontfix" });
    expect(mapIssueEvent({ action: "reopened" }, { ...open, status: "resolved" })).toEqual({
      type: "reopen",
    });
    expect(mapIssueEvent({ action: "reopened" }, open)).toEqual({ type: "none" });
    expect(mapIssueEvent({ action: "labeled", label: { name: "Severity:High" } }, open)).toEqual({
      type: "set_severity",
      severity: "high",
    });
    expect(mapIssueEvent({ action: "labeled", label: { name: "bug" } }, open)).toEqual({
      type: "none",
    });
    expect(
      mapIssueEvent({ action: "unlabeled", label: { name: "severity:medium" } }, open),
    ).toEqual({ type: "none" });
    expect(mapIssueEvent({ action: "assigned" }, open)).toEqual({ type: "in_progress" });
    expect(mapIssueEvent({ action: "assigned" }, { ...open, status: "resolved" })).toEqual({
      type: "none",
    });
    expect(mapIssueEvent({ action: "transferred" }, open)).toEqual({ type: "unlink" });
  });

  it("finds closing keywords in commit messages", () => {
    expect(bugRefsClosedBy("fixes B-007, closes B-7 and Resolves b-12")).toEqual([7, 12]);
    expect(bugRefsClosedBy("see B-3; prefixes B-4")).toEqual([]);
  });
});
