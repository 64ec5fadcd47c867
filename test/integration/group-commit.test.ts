import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Occurrence,
  type OccurrenceEffect,
  type OccurrenceOutcome,
  type ReportService,
  type ReportServiceDeps,
  StoreUnavailableError,
  createGroupCommitter,
  createReportService,
  groupEvent,
  recordOccurrences,
} from "../../src/bugs/index.js";
import { planGithubEffects } from "../../src/github/index.js";
import { parseReport } from "../../src/ingest/index.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { buildServer } from "../../src/server.js";
import { createServices } from "../../src/services.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

let testDb: TestDb;
let project: Project;
let service: ReportService | undefined;

function errorEvent(body: Record<string, unknown>) {
  return parseReport(
    "generic",
    { error_type: "TypeError", message: "x is undefined", ...body },
    new Date(),
  );
}

function newService(deps: Partial<ReportServiceDeps> = {}) {
  service = createReportService({ db: testDb.db, ...deps });
  return service;
}

async function bugs() {
  return testDb.db.selectFrom("bugs").selectAll().orderBy("number").execute();
}

async function total(table: "events" | "bug_hourly") {
  if (table === "events") {
    const row = await testDb.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  const row = await sql<{ n: number | null }>`SELECT sum(count) AS n FROM bug_hourly`.execute(
    testDb.db,
  );
  return Number(row.rows[0]?.n ?? 0);
}

const times = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 20 });
});
afterAll(async () => {
  await service?.close();
  await testDb.close();
});
beforeEach(async () => {
  await service?.close();
  service = undefined;
  await testDb.truncate();
  ({ project } = await ensureProject(testDb.db, { fullName: "octo-org/shop" }));
});

describe("group commit", () => {
  it("200 concurrent reports of one new error: one bug, count 200, positions 1..200", async () => {
    const batches: number[] = [];
    const recorder: OccurrenceEffect = async (_trx, outcome) => {
      batches.push(outcome.bug.occurrenceCount - outcome.previousOccurrenceCount);
    };
    const reports = newService({ effects: [recorder] });
    const answers = await Promise.all(times(200, () => reports.submit(project.id, errorEvent({}))));

    const rows = await bugs();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ number: 1, occurrence_count: 200, count_since_resolved: 200 });
    expect(await total("events")).toBe(200);
    expect(await total("bug_hourly")).toBe(200);
    expect(new Set(answers.map((a) => a.bug))).toEqual(new Set(["B-001"]));
    expect(answers.map((a) => a.occurrences).sort((a, b) => a - b)).toEqual(
      times(200, (i) => i + 1),
    );
    expect(answers.filter((a) => !a.known)).toHaveLength(1);
    expect(answers.find((a) => !a.known)?.occurrences).toBe(1);
    // Effects ran once per group, and the groups add up to every report.
    expect(batches.reduce((a, b) => a + b, 0)).toBe(200);
    expect(batches.length).toBeLessThan(200);
  });

  it("300 concurrent reports over 30 new errors: B-001..B-030, gap-free, one bug each", async () => {
    const reports = newService();
    const answers = await Promise.all(
      times(300, (i) => reports.submit(project.id, errorEvent({ error_type: `E${i % 30}Error` }))),
    );
    const rows = await bugs();
    expect(rows.map((r) => r.number)).toEqual(times(30, (i) => i + 1));
    expect(new Set(rows.map((r) => r.fingerprint)).size).toBe(30);
    expect(rows.every((r) => r.occurrence_count === 10)).toBe(true);
    expect(await total("events")).toBe(300);
    expect(new Set(answers.map((a) => a.bug)).size).toBe(30);
    const project2 = await testDb.db
      .selectFrom("projects")
      .select("bug_seq")
      .where("id", "=", project.id)
      .executeTakeFirstOrThrow();
    expect(project2.bug_seq).toBe(30);
  });

  it("a poison report fails alone; the rest of its group is committed", async () => {
    const failures: number[] = [];
    const poison: OccurrenceEffect = async (_trx, _outcome, occurrence) => {
      if (occurrence.event.errorType === "PoisonError") throw new Error("poisoned");
    };
    const reports = newService({
      effects: [poison],
      onBatchFailure: (_error, size) => failures.push(size),
    });
    const results = await Promise.allSettled(
      times(20, (i) =>
        reports.submit(project.id, errorEvent(i === 7 ? { error_type: "PoisonError" } : {})),
      ),
    );
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(String((rejected[0] as PromiseRejectedResult).reason)).toMatch(/poisoned/);
    expect(failures.some((size) => size > 1)).toBe(true);
    const rows = await bugs();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ error_type: "TypeError", occurrence_count: 19 });
    expect(await total("events")).toBe(19);
    expect(await total("bug_hourly")).toBe(19);
  });

  it("a duplicate event id counts once, within a group and across groups", async () => {
    const reports = newService();
    const id = randomBytes(16).toString("hex");
    const within = await Promise.all(
      times(5, () => reports.submit(project.id, errorEvent({ event_id: id }))),
    );
    expect(within.filter((a) => a.duplicate)).toHaveLength(4);
    expect(within.every((a) => a.bug === "B-001")).toBe(true);
    const later = await reports.submit(project.id, errorEvent({ event_id: id }));
    expect(later).toMatchObject({ duplicate: true, bug: "B-001", occurrences: 1 });

    // Separate groups racing on one retried event (groups of one, several in flight).
    await service?.close();
    const racing = newService({ groupCommit: { maxBatch: 1, maxInFlight: 4 } });
    const other = randomBytes(16).toString("hex");
    const raced = await Promise.all(
      times(8, () => racing.submit(project.id, errorEvent({ event_id: other }))),
    );
    expect(raced.filter((a) => !a.duplicate)).toHaveLength(1);

    expect((await bugs())[0]?.occurrence_count).toBe(2);
    expect(await total("events")).toBe(2);
    expect(await total("bug_hourly")).toBe(2);
  });

  it("a group of known fingerprints still finds a retried event (lookup skipped)", async () => {
    const failures: unknown[] = [];
    const reports = newService({ onBatchFailure: (error) => failures.push(error) });
    await reports.submit(project.id, errorEvent({})); // creates B-001
    const id = randomBytes(16).toString("hex");
    // Found by the lookup this time: the fingerprint is known from now on.
    await reports.submit(project.id, errorEvent({ event_id: id }));
    const answers = await Promise.all([
      reports.submit(project.id, errorEvent({ event_id: id })),
      reports.submit(project.id, errorEvent({})),
      reports.submit(project.id, errorEvent({})),
    ]);
    expect(answers[0]).toMatchObject({ duplicate: true, bug: "B-001" });
    expect(answers.slice(1).map((a) => a.duplicate)).toEqual([false, false]);
    expect((await bugs())[0]?.occurrence_count).toBe(4);
    expect(await total("events")).toBe(4);
    // Stored again as a group with its lookup, not report by report.
    expect(failures).toEqual([]);
  });

  it("a group of known fingerprints counts on the target of a bug merged since", async () => {
    const failures: unknown[] = [];
    const reports = newService({ onBatchFailure: (error) => failures.push(error) });
    await reports.submit(project.id, errorEvent({ error_type: "OldError" }));
    await reports.submit(project.id, errorEvent({ error_type: "OldError" })); // known from here
    await reports.submit(project.id, errorEvent({ error_type: "TargetError" }));
    const [old, target] = await bugs();
    await testDb.db
      .updateTable("bugs")
      .set({ merged_into_id: target?.id })
      .where("id", "=", old?.id as number)
      .execute();

    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(
        times(4, () => reports.submit(project.id, errorEvent({ error_type: "OldError" }))),
      );
      expect(new Set(answers.map((a) => a.bug))).toEqual(new Set(["B-002"]));
    }
    const after = await bugs();
    expect(after.map((b) => b.occurrence_count)).toEqual([2, 9]);
    expect(failures).toEqual([]);
  });

  it("counts storeEvent=false occurrences without an event row", async () => {
    const occurrence = (storeEvent: boolean): Occurrence => ({
      ...groupEvent(project.id, errorEvent({}), new Date()),
      storeEvent,
    });
    const batch = [occurrence(true), occurrence(false), occurrence(false), occurrence(true)];
    const result = await testDb.db.transaction().execute((trx) => recordOccurrences(trx, batch));
    expect(result.outcomes.map((o) => o.eventStored)).toEqual([true, false, false, true]);
    expect(result.outcomes.map((o) => o.bug.occurrenceCount)).toEqual([1, 2, 3, 4]);
    expect(result.perBug).toHaveLength(1);
    expect(result.perBug[0]?.outcome).toMatchObject({ isNew: true, previousOccurrenceCount: 0 });
    expect((await bugs())[0]?.occurrence_count).toBe(4);
    expect(await total("events")).toBe(2);
    expect(await total("bug_hourly")).toBe(4);
  });

  it("follows merges: reports of a merged fingerprint count on the target bug", async () => {
    const reports = newService();
    await reports.submit(project.id, errorEvent({ error_type: "OldError" }));
    await reports.submit(project.id, errorEvent({ error_type: "MiddleError" }));
    await reports.submit(project.id, errorEvent({ error_type: "TargetError" }));
    const [old, middle, target] = await bugs();
    await testDb.db
      .updateTable("bugs")
      .set({ merged_into_id: middle?.id })
      .where("id", "=", old?.id as number)
      .execute();
    await testDb.db
      .updateTable("bugs")
      .set({ merged_into_id: target?.id })
      .where("id", "=", middle?.id as number)
      .execute();

    const answers = await Promise.all([
      ...times(10, () => reports.submit(project.id, errorEvent({ error_type: "OldError" }))),
      ...times(5, () => reports.submit(project.id, errorEvent({ error_type: "TargetError" }))),
    ]);
    expect(new Set(answers.map((a) => a.bug))).toEqual(new Set(["B-003"]));
    expect(answers.map((a) => a.occurrences).sort((a, b) => a - b)).toEqual(
      times(15, (i) => i + 2),
    );
    const after = await bugs();
    expect(after.map((b) => b.occurrence_count)).toEqual([1, 1, 16]);
  });

  it("a regression inside a group reopens the bug once and plans one reopen", async () => {
    await testDb.db.updateTable("projects").set({ installation_id: 1 }).execute();
    const seen: OccurrenceOutcome[] = [];
    const reports = newService({
      effects: [planGithubEffects(), async (_trx, outcome) => void seen.push(outcome)],
    });
    await reports.submit(project.id, errorEvent({}));
    await testDb.db
      .updateTable("bugs")
      .set({ status: "resolved", resolved_at: new Date(), escalation_level: 2 })
      .execute();

    const answers = await Promise.all(times(30, () => reports.submit(project.id, errorEvent({}))));
    const [bug] = await bugs();
    expect(bug).toMatchObject({
      status: "open",
      regression_count: 1,
      occurrence_count: 31,
      escalation_level: 0,
    });
    expect(answers.every((a) => a.status === "open" && a.known)).toBe(true);
    expect(seen.filter((o) => o.isRegression)).toHaveLength(1);
    const reopen = await testDb.db
      .selectFrom("outbox")
      .select("idempotency_key")
      .where("kind", "=", "reopen_issue")
      .execute();
    expect(reopen.map((r) => r.idempotency_key)).toEqual([`regression:${bug?.id}:1`]);
  });

  it("plans a milestone crossed inside a group once", async () => {
    await testDb.db.updateTable("projects").set({ installation_id: 1 }).execute();
    const crossing: OccurrenceOutcome[] = [];
    const reports = newService({
      effects: [
        planGithubEffects({ threshold: 1, milestones: [10, 25, 1000] }),
        async (_trx, outcome) => {
          if (outcome.previousOccurrenceCount < 25 && outcome.bug.occurrenceCount >= 25) {
            crossing.push(outcome);
          }
        },
      ],
    });
    await Promise.all(times(60, () => reports.submit(project.id, errorEvent({}))));
    const rows = await testDb.db
      .selectFrom("outbox")
      .select(["kind", "payload"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => r.kind).sort()).toEqual([
      "comment_milestone",
      "comment_milestone",
      "open_issue",
    ]);
    expect(rows.filter((r) => r.kind === "comment_milestone").map((r) => r.payload)).toEqual([
      { milestone: 10 },
      { milestone: 25 },
    ]);
    expect(crossing).toHaveLength(1);
  });

  it("writes a group's outbox rows in one statement, in planning order", async () => {
    await testDb.db.updateTable("projects").set({ installation_id: 1 }).execute();
    const planned: number[] = [];
    const reports = newService({
      effects: [
        planGithubEffects({ threshold: 1, milestones: [] }),
        async (_trx, _outcome, _occurrence, outbox) => void planned.push(outbox.rows.length),
      ],
    });
    await Promise.all(
      times(40, (i) => reports.submit(project.id, errorEvent({ error_type: `E${i}Error` }))),
    );
    const rows = await testDb.db
      .selectFrom("outbox")
      .innerJoin("bugs", "bugs.id", "outbox.bug_id")
      .select(["outbox.id", "bugs.number"])
      .where("kind", "=", "open_issue")
      .orderBy("outbox.id")
      .execute();
    expect(rows).toHaveLength(40);
    // Rows are inserted after the group's last effect: the plan grew while effects ran.
    expect(Math.max(...planned)).toBeGreaterThan(1);
    expect(rows.map((r) => r.number)).toEqual([...rows.map((r) => r.number)].sort((a, b) => a - b));
  });

  it("plans a body refresh again when the group that planned it rolled back", async () => {
    await testDb.db.updateTable("projects").set({ installation_id: 1 }).execute();
    let poisoned = 0;
    const reports = newService({
      effects: [
        planGithubEffects({ threshold: 1000 }),
        async () => {
          // The group's first attempt fails after the refresh was planned: the group rolls back
          // and its reports are retried alone.
          if (poisoned++ === 1) throw new Error("boom");
        },
      ],
    });
    await reports.submit(project.id, errorEvent({}));
    await testDb.db.updateTable("bugs").set({ issue_number: 7 }).execute();
    await Promise.all(times(5, () => reports.submit(project.id, errorEvent({}))));
    const refresh = await testDb.db
      .selectFrom("outbox")
      .select("kind")
      .where("kind", "=", "update_issue_body")
      .execute();
    expect(refresh).toHaveLength(1);
    const [bug] = await bugs();
    expect(bug?.occurrence_count).toBe(6);
  });

  it("close() drains the queue, then refuses new reports", async () => {
    const reports = newService();
    const pending = times(50, (i) =>
      reports.submit(project.id, errorEvent({ error_type: `E${i % 3}Error` })),
    );
    await reports.close();
    const counts = await bugs();
    expect(counts.reduce((sum, b) => sum + Number(b.occurrence_count), 0)).toBe(50);
    expect(await Promise.all(pending)).toHaveLength(50);
    await expect(reports.submit(project.id, errorEvent({}))).rejects.toMatchObject({
      code: "closing",
    });
  });
});

describe("the adaptive committer", () => {
  function recording(options: { maxBatch?: number; maxInFlight?: number; fail?: number } = {}) {
    const batches: number[][] = [];
    let release: () => void = () => {};
    let gate: Promise<void> | undefined;
    const committer = createGroupCommitter<number, string>({
      ...options,
      commitBatch: async (items) => {
        batches.push([...items]);
        if (gate) await gate;
        if (items.includes(options.fail ?? -1)) throw new Error("batch failed");
        return items.map((i) => `batch:${i}`);
      },
      commitOne: async (item) => {
        if (item === options.fail) throw new Error(`item ${item} is bad`);
        return `alone:${item}`;
      },
    });
    const hold = () => {
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
    };
    return { committer, batches, hold, release: () => release() };
  }

  it("writes a lone item on the next turn, not after a timer", async () => {
    const { committer, batches } = recording();
    const pending = committer.submit(1);
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    expect(await pending).toBe("batch:1");
  });

  it("groups what arrives while every slot is busy, up to maxBatch", async () => {
    const { committer, batches, hold, release } = recording({ maxInFlight: 1, maxBatch: 4 });
    hold();
    const first = committer.submit(0);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = times(9, (i) => committer.submit(i + 1));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]);
  });

  it("starts the next group's transaction before it answers the group that committed", async () => {
    const { committer, batches, hold, release } = recording({ maxInFlight: 1 });
    hold();
    const first = committer.submit(0);
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [committer.submit(1), committer.submit(2)];
    // What had started when the first answer arrived.
    const startedBeforeAnswer = first.then(() => batches.map((b) => [...b]));
    release();
    expect(await startedBeforeAnswer).toEqual([[0], [1, 2]]);
    expect(await Promise.all(rest)).toEqual(["batch:1", "batch:2"]);
  });

  it("retries a failed batch item by item: only the bad item fails", async () => {
    const { committer } = recording({ fail: 3 });
    const results = await Promise.allSettled(times(5, (i) => committer.submit(i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : "failed"))).toEqual([
      "alone:0",
      "alone:1",
      "alone:2",
      "failed",
      "alone:4",
    ]);
  });
});

describe("backpressure", () => {
  it("refuses with queue_full once the queue holds maxQueue items", async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const committer = createGroupCommitter<number, number>({
      maxQueue: 3,
      maxInFlight: 1,
      commitBatch: async (items) => {
        await gate;
        return [...items];
      },
      commitOne: async (item) => item,
    });
    const first = committer.submit(0);
    await new Promise((resolve) => setImmediate(resolve)); // 0 is in flight, held by the gate
    const queued = [1, 2, 3].map((i) => committer.submit(i));
    await expect(committer.submit(4)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(committer.submit(4)).rejects.toMatchObject({ code: "queue_full" });
    release();
    expect(await Promise.all([first, ...queued])).toEqual([0, 1, 2, 3]);
    await committer.close();
  });

  it("answers 503 with Retry-After when the store is full", async () => {
    const services = createServices({ db: testDb.db });
    const full: ReportService = {
      submit: () =>
        Promise.reject(new StoreUnavailableError("queue_full", "too many reports waiting", 2)),
      flush: async () => {},
      close: async () => {},
    };
    const app = await buildServer({ ...services, reportService: full });
    try {
      const res = await app.inject({
        method: "POST",
        url: "/api/reports",
        headers: { authorization: `Bearer ${project.ingestKey}` },
        payload: { error_type: "TypeError", message: "x" },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBe("2");
      expect(res.json()).toMatchObject({ error: "queue_full" });
    } finally {
      await app.close();
      await services.reportService.close();
    }
  });
});
