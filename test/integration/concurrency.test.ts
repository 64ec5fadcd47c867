import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  DuplicateEventRace,
  type ReportService,
  createReportService,
} from "../../src/bugs/index.js";
import { planGithubEffects } from "../../src/github/index.js";
import { parseReport } from "../../src/ingest/index.js";
import { type Project, ensureProject } from "../../src/projects/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

// Several replicas (one group committer each) writing into one database at once: their batches
// overlap on bugs, on new fingerprints and on retried event ids. Meaningful on real Postgres;
// on PGlite (one session) the batches simply queue.

let testDb: TestDb;
let projects: Project[];
let replicas: ReportService[] = [];

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 20 });
});
afterAll(async () => {
  for (const r of replicas) await r.close();
  await testDb.close();
});
beforeEach(async () => {
  for (const r of replicas) await r.close();
  await testDb.truncate();
  projects = [
    (await ensureProject(testDb.db, { fullName: "octo-org/shop", installationId: 1 })).project,
    (await ensureProject(testDb.db, { fullName: "octo-org/admin", installationId: 1 })).project,
  ];
});

const times = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

describe("replicas committing groups concurrently", () => {
  it("loses nothing, counts retries once, keeps B-numbers gap-free and never deadlocks", async () => {
    const failures: unknown[] = [];
    replicas = times(3, () =>
      createReportService({
        db: testDb.db,
        effects: [planGithubEffects({ threshold: 1, milestones: [10, 50] })],
        groupCommit: { maxInFlight: 2, maxBatch: 40 },
        onBatchFailure: (error) => failures.push(error),
      }),
    );
    // A pool of event ids that several replicas deliver (client retries after a timeout).
    const retried = times(40, () => randomBytes(16).toString("hex"));
    const submits = times(900, (i) => {
      const project = projects[i % 2] as Project;
      const body: Record<string, unknown> = {
        error_type: `Concurrent${(i * 7) % 25}Error`,
        message: "boom",
      };
      if (i % 5 === 0) body.event_id = retried[i % retried.length];
      const replica = replicas[i % 3] as ReportService;
      return replica.submit(project.id, parseReport("generic", body, new Date()));
    });
    const answers = await Promise.all(submits);

    const fresh = answers.filter((a) => !a.duplicate);
    const distinctEvents = new Set(answers.map((a) => a.eventId)).size;
    expect(fresh).toHaveLength(distinctEvents);

    const bugs = await testDb.db
      .selectFrom("bugs")
      .select(["project_id", "number", "occurrence_count"])
      .orderBy("project_id")
      .orderBy("number")
      .execute();
    for (const project of projects) {
      const numbers = bugs.filter((b) => b.project_id === project.id).map((b) => b.number);
      expect(numbers).toEqual(times(numbers.length, (i) => i + 1));
    }
    const counted = bugs.reduce((sum, b) => sum + Number(b.occurrence_count), 0);
    expect(counted).toBe(distinctEvents);
    const events = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events`.execute(
      testDb.db,
    );
    expect(events.rows[0]?.n).toBe(distinctEvents);
    const hourly = await sql<{ n: number }>`SELECT sum(count)::int AS n FROM bug_hourly`.execute(
      testDb.db,
    );
    expect(hourly.rows[0]?.n).toBe(distinctEvents);
    // Within each bug, the fresh answers carry the positions 1..count, each once.
    const positions = new Map<string, number[]>();
    answers.forEach((a, i) => {
      if (a.duplicate) return;
      const k = `${(projects[i % 2] as Project).id}:${a.bug}`;
      positions.set(k, [...(positions.get(k) ?? []), a.occurrences]);
    });
    for (const list of positions.values()) {
      expect(list.sort((x, y) => x - y)).toEqual(times(list.length, (i) => i + 1));
    }
    // One open_issue per bug, whatever the number of replicas and groups.
    const outbox = await sql<{ n: number; keys: number }>`
      SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM outbox
      WHERE kind = 'open_issue'`.execute(testDb.db);
    expect(outbox.rows[0]).toEqual({ n: bugs.length, keys: bugs.length });
    // A group fails only when a retried event races another group (it is then stored report by
    // report); never a deadlock or anything else.
    expect(failures.filter((e) => !(e instanceof DuplicateEventRace))).toEqual([]);
  });
});
