/**
 * Cron scheduling of the background jobs. node-cron only says when; each run takes the job's
 * Postgres advisory lock (so N replicas run it once), never overlaps itself in this process, and
 * logs its outcome. Jobs are plain `run(now)` functions, testable with a fake clock.
 */
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
  /** `running`: still busy in this process; `locked`: another replica holds the lock. */
  | { status: "skipped"; reason: "running" | "locked" }
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
}

export interface Scheduler {
  /** Starts the cron timers. */
  start(): void;
  /** Runs a job once now (tests, the CLI), under the same lock and overlap rules. */
  runNow(name: string): Promise<JobOutcome>;
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

  async function runLocked(job: ScheduledJob): Promise<JobOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const attempt = await lock.withLock(job.name, () => job.run(clock()));
      if (!attempt.acquired) {
        log.info({ job: job.name }, "job skipped: another replica is running it");
        return { status: "skipped", reason: "locked" };
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

  function run(job: ScheduledJob): Promise<JobOutcome> {
    // An overrunning run is not started again here: the cron tick (or runNow) is skipped.
    if (running.has(job.name)) {
      log.warn({ job: job.name }, "job skipped: the previous run is still going");
      return Promise.resolve({ status: "skipped", reason: "running" });
    }
    const promise = runLocked(job).finally(() => running.delete(job.name));
    running.set(job.name, promise);
    return promise;
  }

  return {
    start() {
      if (stopped || tasks.length > 0) return;
      for (const job of jobs.values()) {
        const task = createTask(job.cron, () => run(job), {
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
      if (!job) {
        const known = [...jobs.keys()].join(", ") || "none";
        return Promise.reject(new SchedulerConfigError(`no job "${name}" (known: ${known})`));
      }
      return run(job);
    },
    async stop() {
      stopped = true;
      await Promise.all(tasks.map((t) => t.destroy()));
      tasks.length = 0;
      await Promise.allSettled(running.values());
    },
  };
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
