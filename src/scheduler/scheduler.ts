/**
 * Cron scheduling of the background jobs. node-cron only says when; each tick is claimed in
 * Postgres (`job_runs`: the last tick a job ran for), so that N replicas run it once, and each run
 * takes the job's advisory lock, so that runs never overlap. Jobs are plain `run(now)` functions,
 * testable with a fake clock.
 */
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { type Logger as CronLogger, type ScheduledTask, createTask, validate } from "node-cron";
import type { Database, DbKind } from "../db/index.js";
import { type JobLock, createJobLock } from "./job-lock.js";

export interface ScheduledJob {
  /** Unique; names the advisory lock and the log lines. */
  name: string;
  /** node-cron expression (5 fields, or 6 with seconds), evaluated in UTC. */
  cron: string;
  /** Does one run as of `now`; what it returns is logged (counts, ids). */
  run(now: Date): Promise<unknown>;
}

export interface SchedulerLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export type JobOutcome =
  | { status: "ran"; result: unknown; ms: number }
  /**
   * `running`: still busy in this process; `locked`: another replica holds the lock;
   * `already_ran`: another replica (or this one) has run this cron tick.
   */
  | { status: "skipped"; reason: "running" | "locked" | "already_ran" }
  | { status: "failed"; error: unknown; ms: number };

export interface SchedulerOptions {
  db: Kysely<Database>;
  /**
   * How the advisory lock is held (see job-lock.ts). Required: the Postgres way (a held pooled
   * connection) would deadlock PGlite's single connection.
   */
  dbKind: DbKind;
  log: SchedulerLogger;
  clock?: () => Date;
  jobs: readonly ScheduledJob[];
  /** Advisory lock names are `${lockKeyPrefix}${job.name}`; default `faultline:job:`. */
  lockKeyPrefix?: string;
  /** Told how each run ended (metrics). */
  onOutcome?: (job: string, outcome: JobOutcome) => void;
}

export interface Scheduler {
  /** Starts the cron timers. */
  start(): void;
  /** Runs a job once now (tests, the CLI), under the same lock and overlap rules. */
  runNow(name: string): Promise<JobOutcome>;
  /**
   * What a cron tick does: runs the job for the tick `slot` (the time it was scheduled for) unless
   * a replica has claimed that tick already.
   */
  runTick(name: string, slot: Date): Promise<JobOutcome>;
  /** Stops the timers and waits for runs in progress. */
  stop(): Promise<void>;
}

export class SchedulerConfigError extends Error {
  override name = "SchedulerConfigError";
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { log } = options;
  const clock = options.clock ?? (() => new Date());
  const lock: JobLock = createJobLock(options.db, options.dbKind, {
    ...(options.lockKeyPrefix ? { keyPrefix: options.lockKeyPrefix } : {}),
  });
  const jobs = new Map<string, ScheduledJob>();
  for (const job of options.jobs) {
    if (jobs.has(job.name)) throw new SchedulerConfigError(`job "${job.name}" is listed twice`);
    if (!validate(job.cron)) {
      throw new SchedulerConfigError(`job "${job.name}": "${job.cron}" is not a cron expression`);
    }
    jobs.set(job.name, job);
  }

  const running = new Map<string, Promise<JobOutcome>>();
  const tasks: ScheduledTask[] = [];
  let stopped = false;
  // Names this replica in job_runs (which one ran a tick), for people reading the table.
  const replica = `${process.pid}:${randomBytes(4).toString("hex")}`;

  /**
   * Claims the tick for this replica: true if no one had. The upsert only moves a job's slot
   * forward, and is one statement, so of two replicas claiming one tick exactly one gets it.
   */
  async function claimTick(job: ScheduledJob, slot: Date): Promise<boolean> {
    const claimed = await options.db
      .insertInto("job_runs")
      .values({ job: job.name, slot, claimed_at: clock(), claimed_by: replica })
      .onConflict((oc) =>
        oc
          .column("job")
          .doUpdateSet((eb) => ({
            slot: eb.ref("excluded.slot"),
            claimed_at: eb.ref("excluded.claimed_at"),
            claimed_by: eb.ref("excluded.claimed_by"),
          }))
          .where("job_runs.slot", "<", slot),
      )
      .returning("job")
      .executeTakeFirst();
    return claimed !== undefined;
  }

  async function runLocked(job: ScheduledJob, slot?: Date): Promise<JobOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      let alreadyRan = false;
      const attempt = await lock.withLock(job.name, async () => {
        // Claimed under the lock: a tick is recorded by the replica that runs it.
        if (slot && !(await claimTick(job, slot))) {
          alreadyRan = true;
          return undefined;
        }
        return job.run(clock());
      });
      if (!attempt.acquired) {
        log.info({ job: job.name }, "job skipped: another replica is running it");
        return { status: "skipped", reason: "locked" };
      }
      if (alreadyRan) {
        log.info({ job: job.name, slot }, "job skipped: this tick has run already");
        return { status: "skipped", reason: "already_ran" };
      }
      const ms = elapsed();
      log.info({ job: job.name, ms, result: attempt.value }, "job done");
      return { status: "ran", result: attempt.value, ms };
    } catch (error) {
      const ms = elapsed();
      log.error({ job: job.name, ms, err: error }, "job failed");
      return { status: "failed", error, ms };
    }
  }

  function run(job: ScheduledJob, slot?: Date): Promise<JobOutcome> {
    // An overrunning run is not started again here: the cron tick (or runNow) is skipped.
    if (running.has(job.name)) {
      log.warn({ job: job.name }, "job skipped: the previous run is still going");
      return Promise.resolve({ status: "skipped", reason: "running" });
    }
    const promise = runLocked(job, slot).finally(() => running.delete(job.name));
    if (options.onOutcome) {
      const onOutcome = options.onOutcome;
      void promise.then((outcome) => onOutcome(job.name, outcome));
    }
    running.set(job.name, promise);
    return promise;
  }

  function unknownJob(name: string): Promise<JobOutcome> {
    const known = [...jobs.keys()].join(", ") || "none";
    return Promise.reject(new SchedulerConfigError(`no job "${name}" (known: ${known})`));
  }

  return {
    start() {
      if (stopped || tasks.length > 0) return;
      for (const job of jobs.values()) {
        // node-cron hands each tick the time it was scheduled for (whole seconds), the same in
        // every replica whatever the delay of its timer: that is the tick's identity.
        const task = createTask(job.cron, (context) => run(job, wholeSecond(context.date)), {
          name: job.name,
          timezone: "UTC",
          logger: cronLogger(log, job.name),
        });
        tasks.push(task);
        void task.start();
      }
      log.info({ jobs: [...jobs.values()].map((j) => `${j.name} (${j.cron})`) }, "scheduler on");
    },
    runNow(name) {
      const job = jobs.get(name);
      if (!job) return unknownJob(name);
      return run(job);
    },
    runTick(name, slot) {
      const job = jobs.get(name);
      if (!job) return unknownJob(name);
      return run(job, wholeSecond(slot));
    },
    async stop() {
      stopped = true;
      await Promise.all(tasks.map((t) => t.destroy()));
      tasks.length = 0;
      await Promise.allSettled(running.values());
    },
  };
}

function wholeSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** node-cron's own messages (missed ticks and the like) go to our log, not to the console. */
function cronLogger(log: SchedulerLogger, job: string): CronLogger {
  return {
    info: (message) => log.info({ job }, `node-cron: ${message}`),
    warn: (message) => log.warn({ job }, `node-cron: ${message}`),
    error: (message, err) => log.error({ job, err: err ?? message }, "node-cron error"),
    debug: () => {},
  };
}
