/** Faultline's scheduled jobs and when they run (UTC). */
import type { Kysely } from "kysely";
import { categoriseOlderBugs } from "../bugs/index.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/index.js";
import { runEscalations, runSpikeDetection } from "../escalation/index.js";
import { bugClassifierFor } from "../projects/index.js";
import { type BookkeepingRetention, runRetention } from "./retention-job.js";
import { runDailyRollup } from "./rollup-job.js";
import type { ScheduledJob } from "./scheduler.js";

export interface DefaultJobsDeps {
  db: Kysely<Database>;
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
  /** Outbox and webhook delivery retention (the server's settings); defaults otherwise. */
  bookkeeping?: BookkeepingRetention;
}

export const JOB_CRONS = {
  /** Ladder steps are hours apart: a step is at most 5 minutes late. */
  escalation: "*/5 * * * *",
  /** The current hour is re-read: a spike is announced within 5 minutes of passing the limit. */
  spikes: "*/5 * * * *",
  /** Daily, off the hour, when traffic is usually low. */
  retention: "17 3 * * *",
  /** Cheap when idle; compacts a finished day within ~15 minutes of its end (5 min grace). */
  dailyRollup: "*/10 * * * *",
  /** Categorises bugs older than categories after an upgrade; a partial index scan when idle. */
  categories: "*/10 * * * *",
} as const;

export function createDefaultJobs(deps: DefaultJobsDeps): ScheduledJob[] {
  return [
    { name: "escalation", cron: JOB_CRONS.escalation, run: (now) => runEscalations(deps, now) },
    { name: "spikes", cron: JOB_CRONS.spikes, run: (now) => runSpikeDetection(deps, now) },
    { name: "retention", cron: JOB_CRONS.retention, run: (now) => runRetention(deps, now) },
    {
      name: "daily-rollup",
      cron: JOB_CRONS.dailyRollup,
      run: (now) => runDailyRollup(deps, now),
    },
    {
      name: "categories",
      cron: JOB_CRONS.categories,
      run: () =>
        categoriseOlderBugs({
          db: deps.db,
          classifierFor: async (id) => bugClassifierFor(await deps.projectConfigs.get(id)),
        }),
    },
  ];
}
