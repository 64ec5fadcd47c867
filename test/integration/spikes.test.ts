import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createScheduledJobHandlers, runSpikeDetection } from "../../src/escalation/index.js";
import { createOutboxWorker } from "../../src/github/outbox/worker.js";
import {
  type Project,
  type ProjectConfigs,
  createProjectConfigs,
  ensureProject,
} from "../../src/projects/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";
import { API, testOctokit, withoutCommentMarker } from "../helpers/github.js";

const HOUR = 3_600_000;
const H = new Date("2026-11-23T10:00:00Z"); // the hour being evaluated
const REPO = "/repos/octo-org/shop";

let testDb: TestDb;
let configs: ProjectConfigs;
let project: Project;
let now: Date;

const detect = () => runSpikeDetection({ db: testDb.db, projectConfigs: configs }, now);

async function configure(raw: Record<string, unknown>) {
  await configs.save(project.id, raw, now);
}

let nextNumber = 1;
async function insertBug(
  options: { severity?: "critical" | "high" | "medium" | "low"; issue?: number | null } = {},
) {
  const number = nextNumber++;
  return testDb.db
    .insertInto("bugs")
    .values({
      project_id: project.id,
      number,
      fingerprint: `fp-${number}`,
      fingerprint_version: 1,
      title: `TypeError: boom ${number}`,
      error_type: "TypeError",
      culprit: null,
      severity: options.severity ?? "high",
      first_seen: new Date(H.getTime() - 48 * HOUR),
      last_seen: H,
      escalation_started_at: new Date(H.getTime() - 48 * HOUR),
      issue_number: options.issue === undefined ? 100 + number : options.issue,
      issue_url: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sets the bug's count for one hour (split over two environments, as ingestion may store it). */
async function hourly(bugId: number, hour: Date, count: number) {
  const half = Math.floor(count / 2);
  for (const [environment, n] of [
    ["production", count - half],
    ["staging", half],
  ] as const) {
    if (n === 0) continue;
    await testDb.db
      .insertInto("bug_hourly")
      .values({ bug_id: bugId, project_id: project.id, hour, environment, service: "", count: n })
      .onConflict((oc) =>
        oc.columns(["bug_id", "hour", "environment", "service"]).doUpdateSet({ count: n }),
      )
      .execute();
  }
}

/** `perHour` events in each of the 24 hours before `hour`. */
async function history(bugId: number, hour: Date, perHour: number) {
  for (let i = 1; i <= 24; i++) await hourly(bugId, new Date(hour.getTime() - i * HOUR), perHour);
}

const spikes = () => testDb.db.selectFrom("spikes").selectAll().orderBy("notified_at").execute();
const outbox = () =>
  testDb.db
    .selectFrom("outbox")
    .select(["kind", "idempotency_key", "bug_id", "payload"])
    .orderBy("id")
    .execute();

beforeAll(async () => {
  testDb = await createTestDb();
  nock.disableNetConnect();
});
afterAll(async () => {
  await testDb.close();
  nock.enableNetConnect();
});
beforeEach(async () => {
  await testDb.truncate();
  nextNumber = 1;
  now = new Date(H.getTime() + 20 * 60_000);
  configs = createProjectConfigs(testDb.db);
  ({ project } = await ensureProject(testDb.db, {
    fullName: "octo-org/shop",
    installationId: 4242,
    repoId: 9001,
  }));
});
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("bug spikes", () => {
  it("announces a spike once, keeps it through consecutive hours, and a new one after a gap", async () => {
    await configure({ spikes: { bug_per_hour: 50 } });
    const bug = await insertBug();
    await history(bug.id, H, 20); // usual 20/h: the relative rule would need more than 100
    await hourly(bug.id, H, 50);
    expect(await detect()).toEqual({ projects: 1, announced: 0 }); // 50 is not above 50

    await hourly(bug.id, H, 51);
    expect(await detect()).toEqual({ projects: 1, announced: 1 });
    expect(await detect()).toEqual({ projects: 1, announced: 0 }); // same run again
    const key = `spike:bug:${bug.id}:${H.toISOString()}`;
    expect((await outbox()).map((r) => [r.kind, r.idempotency_key, r.bug_id])).toEqual([
      ["spike_comment", key, bug.id],
    ]);
    expect((await outbox())[0]?.payload).toEqual({
      spikeKey: key,
      plannedAt: now.toISOString(),
      body: "**Spike:** B-001 happened **51** times in the hour from 2026-11-23T10:00:00Z, above the limit of 50 per hour.",
    });

    // The next hour still spikes: the same spike, no second comment.
    const next = new Date(H.getTime() + HOUR);
    await hourly(bug.id, next, 80);
    now = new Date(next.getTime() + 5 * 60_000);
    expect((await detect()).announced).toBe(0);
    expect(await spikes()).toMatchObject([
      { key, started_at: H, last_spiking_hour: next, hour_count: 80, reason: "absolute" },
    ]);

    // A quiet hour ends it; spiking again later is a new spike.
    const later = new Date(H.getTime() + 3 * HOUR);
    await hourly(bug.id, later, 70);
    now = new Date(later.getTime() + 5 * 60_000);
    expect((await detect()).announced).toBe(1);
    expect((await spikes()).map((s) => s.key)).toEqual([
      key,
      `spike:bug:${bug.id}:${later.toISOString()}`,
    ]);
  });

  it("uses factor × the trailing 24 h average, with min_events", async () => {
    await configure({ spikes: { factor: 5, min_events: 10, project_per_hour: null } });
    // Busy yesterday, quiet now: keeps the project as a whole far from its own spike.
    const background = await insertBug();
    await history(background.id, H, 100);
    const steady = await insertBug();
    await history(steady.id, H, 2); // average 2/h: more than 10 is a spike
    await hourly(steady.id, H, 10);
    expect((await detect()).announced).toBe(0);
    await hourly(steady.id, H, 11);
    expect((await detect()).announced).toBe(1);

    const quiet = await insertBug();
    await hourly(quiet.id, H, 9); // new and busy, but under min_events
    expect((await detect()).announced).toBe(0);
    expect((await spikes()).map((s) => [s.subject_id, s.reason, s.average])).toEqual([
      [steady.id, "relative", 2],
    ]);
  });

  it("critical bugs have the critical_per_hour ceiling", async () => {
    await configure({ spikes: { project_per_hour: null } });
    const critical = await insertBug({ severity: "critical" });
    const high = await insertBug({ severity: "high" });
    for (const bug of [critical, high]) {
      await history(bug.id, H, 20);
      await hourly(bug.id, H, 51);
    }
    expect((await detect()).announced).toBe(1);
    expect((await spikes()).map((s) => s.subject_id)).toEqual([critical.id]);
  });

  it("ignored bugs never spike, and a bug without an issue still notifies", async () => {
    await configure({
      spikes: { bug_per_hour: 10, project_per_hour: null },
      notifications: { webhook_url: "https://alerts.example.com/hook", events: ["spike"] },
    });
    const ignored = await insertBug();
    await testDb.db
      .updateTable("bugs")
      .set({ status: "ignored" })
      .where("id", "=", ignored.id)
      .execute();
    const noIssue = await insertBug({ issue: null });
    await hourly(ignored.id, H, 500);
    await hourly(noIssue.id, H, 500);
    // The bug, and with it the project (new activity, relative rule): two spikes.
    expect((await detect()).announced).toBe(2);
    expect((await spikes()).map((s) => [s.scope, s.hour_count])).toEqual([
      ["bug", 500],
      ["project", 500],
    ]);
    // Comment planned for when the issue opens (the handler waits for it), notifications now;
    // the project's comment would land on the same issue, so only its notification is sent.
    expect((await outbox()).map((r) => [r.kind, r.bug_id])).toEqual([
      ["spike_comment", noIssue.id],
      ["notify_webhook", noIssue.id],
      ["notify_webhook", null],
    ]);
  });
});

describe("project spikes", () => {
  it("comments once on the issue of the busiest bug that has one, saying why", async () => {
    await configure({ spikes: { project_per_hour: 100 } });
    const a = await insertBug({ issue: null });
    const b = await insertBug({ issue: 7 });
    const c = await insertBug({ issue: 8 });
    for (const bug of [a, b, c]) await history(bug.id, H, 10); // per bug 10/h, project 30/h
    await hourly(a.id, H, 45);
    await hourly(b.id, H, 40);
    await hourly(c.id, H, 30);
    expect(await detect()).toEqual({ projects: 1, announced: 1 });
    expect(await detect()).toEqual({ projects: 1, announced: 0 });
    const [spike] = await spikes();
    expect(spike).toMatchObject({
      key: `spike:project:${project.id}:${H.toISOString()}`,
      scope: "project",
      bug_id: b.id,
      hour_count: 115,
      reason: "absolute",
    });
    expect((await outbox()).map((r) => [r.kind, r.bug_id, r.payload.body])).toEqual([
      [
        "spike_comment",
        b.id,
        "**Spike across octo-org/shop:** **115** errors in the hour from 2026-11-23T10:00:00Z, above the limit of 100 per hour.\n\nPosted on B-002 because it is the bug with the most events in that hour. Busiest bugs: B-001 (45), B-002 (40), B-003 (30).",
      ],
    ]);
  });
});

describe("spike comment handler", () => {
  function worker() {
    return createOutboxWorker({
      db: testDb.db,
      getOctokit: testOctokit,
      clock: () => now,
      handlers: createScheduledJobHandlers({ projectConfigs: configs }),
    });
  }

  it("posts the comment and pings the issue's assignees and the escalation team", async () => {
    await configure({ spikes: { bug_per_hour: 50 }, escalation: { team: ["octo-org/sre"] } });
    const bug = await insertBug({ issue: 12 });
    await hourly(bug.id, H, 60);
    await detect();
    let body = "";
    const scope = nock(API)
      .get(`${REPO}/issues/12`)
      .reply(200, { number: 12, assignees: [{ login: "dana" }] })
      .post(`${REPO}/issues/12/comments`, (b) => {
        body = b.body;
        return true;
      })
      .reply(201, { id: 1 });
    expect(await worker().runOnce()).toBe(1);
    expect(scope.isDone()).toBe(true);
    expect(withoutCommentMarker(body)).toBe(
      "**Spike:** B-001 happened **60** times in the hour from 2026-11-23T10:00:00Z, above the limit of 50 per hour.\n\ncc @dana @octo-org/sre",
    );
  });

  it("waits for the issue, then gives up on it after an hour", async () => {
    await configure({ spikes: { bug_per_hour: 50 } });
    const bug = await insertBug({ issue: null });
    await hourly(bug.id, H, 60);
    await detect();
    await worker().runOnce();
    const [waiting] = await testDb.db.selectFrom("outbox").selectAll().execute();
    expect(waiting).toMatchObject({ done_at: null, last_error: "the issue is not open yet" });
    now = new Date(now.getTime() + 2 * HOUR);
    await worker().runOnce();
    const [dropped] = await testDb.db.selectFrom("outbox").selectAll().execute();
    expect(dropped?.done_at).toEqual(now);
  });
});
