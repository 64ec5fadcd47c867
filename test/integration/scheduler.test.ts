import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProjectConfigs } from "../../src/projects/index.js";
import {
  type ScheduledJob,
  type Scheduler,
  SchedulerConfigError,
  createDefaultJobs,
  createScheduler,
} from "../../src/scheduler/index.js";
import { type TestDb, createTestDb } from "../helpers/db.js";

const NOW = new Date("2026-11-23T10:00:00Z");
// Advisory locks are database-wide: other test files on the same server must not share ours.
const PREFIX = `test:${randomBytes(4).toString("hex")}:`;

let testDb: TestDb;
const schedulers: Scheduler[] = [];

beforeAll(async () => {
  testDb = await createTestDb({ poolSize: 6 });
});
afterAll(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  await testDb.close();
});

interface LogLine {
  level: "info" | "warn" | "error";
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function collectingLog() {
  const lines: LogLine[] = [];
  const at = (level: LogLine["level"]) => (obj: unknown, msg?: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } };
}

function scheduler(jobs: ScheduledJob[], log = collectingLog().log) {
  const s = createScheduler({
    db: testDb.db,
    dbKind: testDb.kind,
    log,
    clock: () => NOW,
    jobs,
    lockKeyPrefix: PREFIX,
  });
  schedulers.push(s);
  return s;
}

/** A job that runs until `release()` is called, counting its starts. */
function blockingJob(name: string, cron = "0 0 1 1 *") {
  let release = () => {};
  let starts = 0;
  const job: ScheduledJob = {
    name,
    cron,
    run: async () => {
      starts++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { starts };
    },
  };
  return { job, release: () => release(), starts: () => starts };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("scheduler", () => {
  it("runs a job with the clock's time and logs the outcome", async () => {
    const seen: Date[] = [];
    const { lines, log } = collectingLog();
    const s = scheduler(
      [
        {
          name: "stamp",
          cron: "*/5 * * * *",
          run: async (now) => {
            seen.push(now);
            return { done: 1 };
          },
        },
      ],
      log,
    );
    const outcome = await s.runNow("stamp");
    expect(outcome).toMatchObject({ status: "ran", result: { done: 1 } });
    expect(seen).toEqual([NOW]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: "job done",
        obj: expect.objectContaining({ job: "stamp", result: { done: 1 } }),
      }),
    );
  });

  it("runs Faultline's default jobs on an empty database", async () => {
    const jobs = createDefaultJobs({
      db: testDb.db,
      projectConfigs: createProjectConfigs(testDb.db),
    });
    expect(jobs.map((j) => [j.name, j.cron])).toEqual([
      ["escalation", "*/5 * * * *"],
      ["spikes", "*/5 * * * *"],
      ["retention", "17 3 * * *"],
      ["daily-rollup", "*/10 * * * *"],
      ["categories", "*/10 * * * *"],
    ]);
    const s = scheduler(jobs);
    expect(await s.runNow("escalation")).toMatchObject({
      status: "ran",
      result: { projects: 0, steps: 0 },
    });
    expect(await s.runNow("spikes")).toMatchObject({ status: "ran", result: { announced: 0 } });
    expect(await s.runNow("retention")).toMatchObject({ status: "ran", result: { deleted: 0 } });
    expect(await s.runNow("daily-rollup")).toMatchObject({
      status: "ran",
      result: { compacted: [] },
    });
    expect(await s.runNow("categories")).toMatchObject({
      status: "ran",
      result: { categorised: 0 },
    });
  });

  it("refuses a bad cron expression, a duplicate name and an unknown job", async () => {
    const run = async () => null;
    expect(() => scheduler([{ name: "x", cron: "every minute", run }])).toThrow(
      SchedulerConfigError,
    );
    expect(() =>
      scheduler([
        { name: "x", cron: "* * * * *", run },
        { name: "x", cron: "* * * * *", run },
      ]),
    ).toThrow(/listed twice/);
    await expect(scheduler([{ name: "x", cron: "* * * * *", run }]).runNow("y")).rejects.toThrow(
      /no job "y" \(known: x\)/,
    );
  });

  it("logs a failing run, and the next run takes the lock again", async () => {
    let calls = 0;
    const { lines, log } = collectingLog();
    const s = scheduler(
      [
        {
          name: "flaky",
          cron: "* * * * *",
          run: async () => {
            calls++;
            if (calls === 1) throw new Error("database went away");
            return "ok";
          },
        },
      ],
      log,
    );
    const failed = await s.runNow("flaky");
    expect(failed.status).toBe("failed");
    expect(lines.find((l) => l.level === "error")?.obj).toMatchObject({ job: "flaky" });
    expect(await s.runNow("flaky")).toMatchObject({ status: "ran", result: "ok" });
  });

  it("does not start a run while the previous one in this process is still going", async () => {
    const blocking = blockingJob("slow");
    const s = scheduler([blocking.job]);
    const first = s.runNow("slow");
    await tick(50);
    expect(await s.runNow("slow")).toEqual({ status: "skipped", reason: "running" });
    blocking.release();
    expect(await first).toMatchObject({ status: "ran" });
    expect(blocking.starts()).toBe(1);
  });

  it("cron ticks of an overrunning job are skipped, not stacked", async () => {
    // Every second; the run lasts ~2.5 s, so two or three ticks fall inside it.
    const blocking = blockingJob("overrun", "* * * * * *");
    const { lines, log } = collectingLog();
    const s = scheduler([blocking.job], log);
    s.start();
    await tick(3_200);
    expect(blocking.starts()).toBe(1);
    expect(
      lines.filter((l) => l.obj.job === "overrun" && l.level === "warn").length,
    ).toBeGreaterThan(0);
    blocking.release();
    await s.stop();
  }, 10_000);

  it("stop() waits for the run in progress", async () => {
    const blocking = blockingJob("draining");
    const s = scheduler([blocking.job]);
    const run = s.runNow("draining");
    await tick(50);
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await tick(50);
    expect(stopped).toBe(false);
    blocking.release();
    await stopping;
    expect(stopped).toBe(true);
    expect(await run).toMatchObject({ status: "ran" });
  });
});

describe("cron ticks across replicas", () => {
  // Each replica's timer fires a little apart (3 of 23 ticks ran twice in a two-replica run, issue
  // #19: the lock is free again once the first run is over). Half of these ticks fire the second
  // replica after the first one's run has ended, half at the same moment.
  it("two replicas run each tick once, whichever fires first and however late", async () => {
    const runs = new Map<number, number>();
    let slotOf = 0;
    const job = (): ScheduledJob => ({
      name: "tick-once",
      cron: "*/5 * * * *",
      run: async () => {
        runs.set(slotOf, (runs.get(slotOf) ?? 0) + 1);
        await tick(5);
        return null;
      },
    });
    const a = scheduler([job()]);
    const b = scheduler([job()]);
    for (let i = 0; i < 23; i++) {
      const slot = new Date(NOW.getTime() + i * 5 * 60_000);
      slotOf = slot.getTime();
      const [first, second] = i % 3 === 0 ? [b, a] : [a, b];
      const outcomes =
        i % 2 === 0
          ? [await first.runTick("tick-once", slot), await second.runTick("tick-once", slot)]
          : await Promise.all([
              first.runTick("tick-once", slot),
              second.runTick("tick-once", slot),
            ]);
      expect(outcomes.filter((o) => o.status === "ran")).toHaveLength(1);
      expect(outcomes.find((o) => o.status === "skipped")).toMatchObject({
        reason: expect.stringMatching(/^(already_ran|locked)$/),
      });
    }
    expect([...runs.values()]).toEqual(Array(23).fill(1));
    const row = await testDb.db
      .selectFrom("job_runs")
      .selectAll()
      .where("job", "=", "tick-once")
      .executeTakeFirstOrThrow();
    expect(row.slot).toEqual(new Date(NOW.getTime() + 22 * 5 * 60_000));
  });

  it("a late replica's older tick does not run again; runNow is not bound to ticks", async () => {
    let runs = 0;
    const job: ScheduledJob = {
      name: "late-tick",
      cron: "*/5 * * * *",
      run: async () => {
        runs++;
        return null;
      },
    };
    const a = scheduler([job]);
    const b = scheduler([job]);
    expect(await a.runTick("late-tick", new Date("2026-11-23T10:05:00.000Z"))).toMatchObject({
      status: "ran",
    });
    // b's clock is behind: its 10:00 tick fires after a's 10:05 one.
    expect(await b.runTick("late-tick", new Date("2026-11-23T10:00:00.000Z"))).toEqual({
      status: "skipped",
      reason: "already_ran",
    });
    // Milliseconds of a timer's delay do not make another tick.
    expect(await b.runTick("late-tick", new Date("2026-11-23T10:05:00.250Z"))).toEqual({
      status: "skipped",
      reason: "already_ran",
    });
    expect(await b.runTick("late-tick", new Date("2026-11-23T10:10:00.000Z"))).toMatchObject({
      status: "ran",
    });
    expect(await a.runNow("late-tick")).toMatchObject({ status: "ran" });
    expect(runs).toBe(3);
  });

  it("two started replicas on a per-second cron run each tick once", async () => {
    const startedAt: number[] = [];
    const job = (): ScheduledJob => ({
      name: "every-second",
      cron: "* * * * * *",
      run: async () => {
        startedAt.push(Date.now());
        await tick(20);
        return null;
      },
    });
    const a = scheduler([job()]);
    const b = scheduler([job()]);
    a.start();
    b.start();
    await tick(3_300);
    await Promise.all([a.stop(), b.stop()]);
    expect(startedAt.length).toBeGreaterThanOrEqual(2);
    // Two runs of one tick would start within milliseconds of each other.
    const gaps = startedAt.slice(1).map((t, i) => t - (startedAt[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThan(500);
    // The cron path claims the tick node-cron scheduled (a whole second), not the clock's time.
    const row = await testDb.db
      .selectFrom("job_runs")
      .selectAll()
      .where("job", "=", "every-second")
      .executeTakeFirstOrThrow();
    expect(row.slot.getMilliseconds()).toBe(0);
    expect(Math.abs(row.slot.getTime() - (startedAt.at(-1) as number))).toBeLessThan(1_000);
  }, 10_000);
});

// PGlite is one session in one process: replicas only exist on a real Postgres.
describe.skipIf(!process.env.TEST_DATABASE_URL && !process.env.DATABASE_URL)(
  "scheduler replicas on one Postgres",
  () => {
    it("two replicas firing the same tick run the job once", async () => {
      let runs = 0;
      const job = (): ScheduledJob => ({
        name: "shared",
        cron: "*/5 * * * *",
        run: async () => {
          runs++;
          await tick(300);
          return runs;
        },
      });
      const a = scheduler([job()]);
      const b = scheduler([job()]);
      const outcomes = await Promise.all([a.runNow("shared"), b.runNow("shared")]);
      expect(runs).toBe(1);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["ran", "skipped"]);
      expect(outcomes.find((o) => o.status === "skipped")).toEqual({
        status: "skipped",
        reason: "locked",
      });
    });

    it("the other replica runs it once the first one is done", async () => {
      const blocking = blockingJob("handover");
      const a = scheduler([blocking.job]);
      const b = scheduler([blocking.job]);
      const first = a.runNow("handover");
      await tick(100);
      expect(await b.runNow("handover")).toEqual({ status: "skipped", reason: "locked" });
      blocking.release();
      await first;
      const second = b.runNow("handover");
      await tick(100);
      blocking.release();
      expect(await second).toMatchObject({ status: "ran" });
      expect(blocking.starts()).toBe(2);
    });
  },
);
