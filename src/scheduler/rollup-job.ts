/**
 * The daily-rollup job: compacts finished UTC days into bug_monthly, project_hourly and the user
 * rollups, so that long-range stats read a row per day instead of a row per hour or event.
 * Runs often (cheap when there is nothing to do) so a day is compacted soon after it ends,
 * and well before retention deletes its events.
 */
import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import { type CompactionResult, compactFinishedDays } from "../stats/daily-rollup.js";

export interface RollupJobDeps {
  db: Kysely<Database>;
}

export function runDailyRollup(deps: RollupJobDeps, now: Date): Promise<CompactionResult> {
  return compactFinishedDays(deps.db, now);
}
