/** Scheduled jobs: the cron scheduler with per-job advisory locks, and the job list. */
export { createDefaultJobs, type DefaultJobsDeps, JOB_CRONS } from "./default-jobs.js";
export { createJobLock, type JobLock, type JobLockOptions } from "./job-lock.js";
export {
  type BookkeepingRetention,
  DEFAULT_BOOKKEEPING_RETENTION,
  type RetentionJobDeps,
  type RetentionRunResult,
  runRetention,
} from "./retention-job.js";
export { type RollupJobDeps, runDailyRollup } from "./rollup-job.js";
export {
  createScheduler,
  type JobOutcome,
  type ScheduledJob,
  type Scheduler,
  SchedulerConfigError,
  type SchedulerLogger,
  type SchedulerOptions,
} from "./scheduler.js";
