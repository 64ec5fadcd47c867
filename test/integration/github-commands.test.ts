import type { FastifyInstance } from "fastify";
import nock from "nock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseSlashCommand, registerWebhookHandlers } from "../../src/github/webhooks/index.js";
import type { Project } from "../../src/projects/index.js";
import { buildTestApp } from "../helpers/app.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import {
  API,
  APP_ID,
  type Payload,
  createTestProbot,
  webhookExample as example,
  sendWebhook,
} from "../helpers/github.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const ISSUE = 42;
const OTHER_ISSUE = 43;

let testDb: TestDb;
let app: FastifyInstance;
let project: Project;

const INSTALLATION = 4321;

/** The App's installation token (Probot asks for one before it calls the API). */
function nockToken() {
  return nock(API)
    .post(`/app/installations/${INSTALLATION}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
}

/** alice's permission on octo-org/shop, as GET …/collaborators/alice/permission answers it. */
function nockPermission(permission: string, roleName = permission) {
  return nock(API)
    .get("/repos/octo-org/shop/collaborators/alice/permission")
    .reply(200, { permission, role_name: roleName, user: { login: "alice", type: "User" } });
}

function commentEvent(body: string, association = "OWNER", issue = ISSUE): Payload {
  const payload = example("issue_comment", "created");
  // Deliveries to a GitHub App carry the installation (the example payload comes from a repo hook).
  payload.installation = {
    id: INSTALLATION,
    node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDMyMQ==",
  };
  payload.repository = {
    ...payload.repository,
    id: 9001,
    name: "shop",
    full_name: "octo-org/shop",
    owner: { ...payload.repository.owner, login: "octo-org" },
  };
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.issue.number = issue;
  payload.comment = {
    ...payload.comment,
    body,
    author_association: association,
    user: { ...payload.comment.user, login: "alice", type: "User" },
  };
  return payload;
}

async function send(payload: unknown, id?: string) {
  const delivery = await sendWebhook(app, "issue_comment", payload, id ? { id } : {});
  expect(delivery.response.statusCode).toBe(200);
  return delivery.id;
}

function report(payload: Record<string, unknown>) {
  return app.inject({
    method: "POST",
    url: "/api/reports",
    headers: { authorization: `Bearer ${project.ingestKey}` },
    payload,
  });
}

async function bug(number = 1) {
  return testDb.db
    .selectFrom("bugs")
    .selectAll()
    .where("project_id", "=", project.id)
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

async function outbox() {
  return testDb.db.selectFrom("outbox").selectAll().orderBy("id").execute();
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
  nock.cleanAll();
  nockToken();
  const probot = createTestProbot();
  registerWebhookHandlers(probot, {
    db: testDb.db,
    clock: () => NOW,
    appId: APP_ID,
    appSlug: "faultline",
  });
  await probot.ready();
  ({ app, project } = await buildTestApp(testDb.db, { clock: () => NOW, extra: { probot } }));
  expect(
    (await report({ error_type: "TypeError", message: "boom", level: "error" })).statusCode,
  ).toBe(202);
  await testDb.db
    .updateTable("bugs")
    .set({ issue_number: ISSUE, issue_url: `https://github.com/octo-org/shop/issues/${ISSUE}` })
    .execute();
});

describe("parseSlashCommand", () => {
  it("parses the commands", () => {
    expect(parseSlashCommand("/faultline severity high")).toEqual({
      cmd: "severity",
      severity: "high",
    });
    expect(parseSlashCommand("thanks!\n/faultline ignore\n")).toEqual({ cmd: "ignore" });
    expect(parseSlashCommand("/faultline resolve")).toEqual({ cmd: "resolve" });
    expect(parseSlashCommand("/faultline resolve in Next Release")).toEqual({
      cmd: "resolve",
      nextRelease: true,
    });
    expect(parseSlashCommand("/faultline resolve in next")).toEqual({
      cmd: "resolve",
      release: "next",
    });
    expect(parseSlashCommand("/faultline resolve in 2.4.1")).toEqual({
      cmd: "resolve",
      release: "2.4.1",
    });
    expect(parseSlashCommand("/faultline merge B-003")).toEqual({ cmd: "merge", target: 3 });
  });
  it("returns null without a command and an error for bad ones", () => {
    expect(parseSlashCommand("just a comment")).toBeNull();
    expect(parseSlashCommand("see /faultline ignore")).toBeNull();
    expect(parseSlashCommand("/faultlines ignore")).toBeNull();
    const unknown = parseSlashCommand("/faultline frobnicate");
    expect(unknown).toHaveProperty("error");
    expect((unknown as { error: string }).error).toContain("/faultline severity");
    expect((unknown as { error: string }).error).toContain("/faultline merge");
    expect(parseSlashCommand("/faultline severity urgent")).toHaveProperty("error");
    expect(parseSlashCommand("/faultline merge nope")).toHaveProperty("error");
    expect(parseSlashCommand("/faultline resolve 2.4.1")).toHaveProperty("error");
  });
});

describe("issue_comment slash commands", () => {
  it("changes the severity and replies", async () => {
    nockPermission("admin");
    const id = await send(commentEvent("/faultline severity critical"));
    expect((await bug()).severity).toBe("critical");
    const rows = await outbox();
    expect(rows.map((r) => [r.kind, r.idempotency_key])).toEqual([
      ["command_reply", `reply:${id}`],
    ]);
    expect(rows[0]?.payload).toMatchObject({ issue_number: ISSUE });
    expect(String(rows[0]?.payload.body)).toContain("✅");
  });

  it("ignores the bug", async () => {
    nockPermission("write");
    await send(commentEvent("/faultline ignore"));
    expect((await bug()).status).toBe("ignored");
  });

  it("resolves in a release", async () => {
    nockPermission("write", "maintain");
    await testDb.db.updateTable("bugs").set({ count_since_resolved: 4 }).execute();
    await send(commentEvent("/faultline resolve in 2.4.1", "MEMBER"));
    const row = await bug();
    expect(row.status).toBe("resolved");
    expect(row.resolved_in_release).toBe("2.4.1");
    expect(row.resolved_by).toBe("alice");
    expect(new Date(row.resolved_at as Date).toISOString()).toBe(NOW.toISOString());
    expect(row.count_since_resolved).toBe(0);
    expect(row.resolved_release_mode).toBe("in");
    // An event from an older release is counted; it does not reopen the bug.
    await report({ error_type: "TypeError", message: "boom", level: "error", release: "2.4.0" });
    expect((await bug()).status).toBe("resolved");
    await report({ error_type: "TypeError", message: "boom", level: "error", release: "2.4.1" });
    expect((await bug()).status).toBe("open");
  });

  it("resolves in the next release: releases seen so far do not reopen it", async () => {
    nockPermission("write");
    await report({ error_type: "TypeError", message: "boom", level: "error", release: "2.4.1" });
    await send(commentEvent("/faultline resolve in next release"));
    const row = await bug();
    expect(row).toMatchObject({ status: "resolved", resolved_release_mode: "next" });
    const [reply] = await outbox();
    expect((reply?.payload as { body: string }).body).toContain("resolved in the next release");
    await report({ error_type: "TypeError", message: "boom", level: "error", release: "2.4.1" });
    expect((await bug()).status).toBe("resolved");
    await report({ error_type: "TypeError", message: "boom", level: "error", release: "2.5.0" });
    expect(await bug()).toMatchObject({ status: "open", regression_count: 1 });
  });

  it("merges another bug into this one and counts its later reports here", async () => {
    nockPermission("write");
    expect(
      (await report({ error_type: "RangeError", message: "other", level: "error" })).statusCode,
    ).toBe(202);
    expect(
      (await report({ error_type: "RangeError", message: "other", level: "error" })).statusCode,
    ).toBe(202);
    await testDb.db
      .updateTable("bugs")
      .set({
        issue_number: OTHER_ISSUE,
        issue_url: `https://github.com/octo-org/shop/issues/${OTHER_ISSUE}`,
      })
      .where("number", "=", 2)
      .execute();
    expect((await bug(2)).occurrence_count).toBe(2);

    await send(commentEvent("/faultline merge B-002", "COLLABORATOR"));
    const target = await bug(1);
    const merged = await bug(2);
    expect(merged.merged_into_id).toBe(target.id);
    expect(merged.status).toBe("open");
    expect(target.occurrence_count).toBe(3);

    const rows = await outbox();
    expect(rows.map((r) => r.kind).sort()).toEqual(["close_duplicate", "command_reply"]);
    expect(rows.find((r) => r.kind === "close_duplicate")?.payload).toEqual({
      issue_number: OTHER_ISSUE,
      target_ref: "B-001",
      target_url: `https://github.com/octo-org/shop/issues/${ISSUE}`,
    });

    expect(
      (await report({ error_type: "RangeError", message: "other", level: "error" })).statusCode,
    ).toBe(202);
    expect((await bug(1)).occurrence_count).toBe(4);
    expect((await bug(2)).occurrence_count).toBe(2);
  });

  it("refuses merging a bug that does not exist", async () => {
    nockPermission("admin");
    await send(commentEvent("/faultline merge B-009"));
    const rows = await outbox();
    expect(rows.map((r) => r.kind)).toEqual(["command_reply"]);
    expect(String(rows[0]?.payload.body)).toContain("⚠️");
  });

  it("a commenter without write access changes nothing but gets an error reply", async () => {
    nockPermission("none");
    await send(commentEvent("/faultline severity critical", "NONE"));
    expect((await bug()).severity).not.toBe("critical");
    const rows = await outbox();
    expect(rows.map((r) => r.kind)).toEqual(["command_reply"]);
    expect(String(rows[0]?.payload.body)).toContain("⚠️");
    expect(String(rows[0]?.payload.body)).toContain("write access");
  });

  it("a MEMBER or COLLABORATOR with read or triage permission only is refused", async () => {
    // author_association says MEMBER (any organisation member) and COLLABORATOR (invited with
    // any role): neither means write access. GitHub's permission endpoint does.
    nockPermission("read", "triage");
    await send(commentEvent("/faultline ignore", "MEMBER"));
    expect((await bug()).status).toBe("open");
    await send(commentEvent("/faultline severity low", "COLLABORATOR"));
    expect((await bug()).severity).not.toBe("low");
    const rows = await outbox();
    expect(rows.map((r) => String(r.payload.body))).toEqual([
      expect.stringContaining("Only people with write access"),
      expect.stringContaining("Only people with write access"),
    ]);
    // One permission request for both commands (cached briefly).
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("an owner whose permission GitHub cannot tell now is asked to try again", async () => {
    nock(API).get("/repos/octo-org/shop/collaborators/alice/permission").reply(502, {});
    await send(commentEvent("/faultline ignore", "OWNER"));
    expect((await bug()).status).toBe("open");
    const rows = await outbox();
    expect(String(rows[0]?.payload.body)).toContain("try again");
  });

  it("an unknown subcommand gets an error reply listing the commands", async () => {
    nockPermission("admin");
    const before = await bug();
    await send(commentEvent("/faultline frobnicate"));
    const after = await bug();
    expect(after.status).toBe(before.status);
    const rows = await outbox();
    expect(rows.map((r) => r.kind)).toEqual(["command_reply"]);
    expect(String(rows[0]?.payload.body)).toContain("⚠️");
    expect(String(rows[0]?.payload.body)).toContain("/faultline resolve");
  });

  it("ignores plain comments, Faultline's own comments and redeliveries", async () => {
    nockPermission("admin");
    await send(commentEvent("looks bad"));
    const ours = commentEvent("/faultline ignore");
    ours.sender = { ...ours.sender, login: "faultline[bot]", type: "Bot" };
    ours.comment.user = { ...ours.comment.user, login: "faultline[bot]", type: "Bot" };
    await send(ours);
    const viaApp = commentEvent("/faultline ignore");
    viaApp.comment.performed_via_github_app = { id: APP_ID, slug: "faultline", name: "Faultline" };
    await send(viaApp);
    expect(await outbox()).toEqual([]);
    expect((await bug()).status).toBe("open");
    const payload = commentEvent("/faultline ignore");
    const id = await send(payload);
    await testDb.db.updateTable("bugs").set({ status: "open" }).execute();
    await send(payload, id);
    expect((await bug()).status).toBe("open");
    expect((await outbox()).length).toBe(1);
  });

  it("another bot's command is checked like anyone's (github-actions has no write access)", async () => {
    const scope = nock(API)
      .get("/repos/octo-org/shop/collaborators/github-actions%5Bbot%5D/permission")
      .reply(404, { message: "Not Found" });
    const payload = commentEvent("/faultline ignore");
    payload.sender = { ...payload.sender, login: "github-actions[bot]", type: "Bot" };
    payload.comment.user = { ...payload.comment.user, login: "github-actions[bot]", type: "Bot" };
    await send(payload);
    expect(scope.isDone()).toBe(true);
    expect((await bug()).status).toBe("open");
    const [reply] = await outbox();
    expect((reply?.payload as { body: string }).body).toContain("write access");
  });
});
