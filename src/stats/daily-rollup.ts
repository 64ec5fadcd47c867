import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { DAY_MS, dayStart, monthStart } from "./rollup-coverage.js";
import { writeUserDaySketches } from "./user-day-sketches.js";

/**
 * Compaction of finished UTC days into the daily rollups (tables in migration
 * 2026-11-23T1500-daily-rollups; bug_monthly in 2026-11-24T0910-bug-monthly). A bug_hourly row
 * never changes once its hour has passed (the rollup hour is the receive hour) and events are
 * insert-only, so a day compacted after it ends (plus a grace period for transactions still
 * committing) stays exact. bug_hourly and events themselves are left alone: edge hours and
 * other readers still use them.
 */

/** A day is compacted once it has been over for this long (in-flight ingestion commits). */
export const COMPACTION_GRACE_MS = 5 * 60_000;
/** Bounds one run: a first run over a long history catches up over several runs. */
export const MAX_DAYS_PER_RUN = 62;

export interface CompactionResult {
  /** Days compacted by this run (ISO dates). */
  compacted: string[];
  /** Days another run had compacted first (the advisory lock normally prevents this). */
  alreadyDone: number;
}

/**
 * Compacts one day (a UTC midnight) in one transaction; false when it was already compacted.
 * The rollup_days row is inserted first: a second run on the same day waits on that row and then
 * finds it, so two replicas never double-count. Every write is also an idempotent replace
 * (counts set, user sketches replaced), so compacting a day twice gives the same rows.
 */
export async function compactDay(db: Kysely<Database>, day: Date): Promise<boolean> {
  if (day.getTime() !== dayStart(day).getTime()) {
    throw new RangeError(`compactDay needs a UTC midnight, got ${day.toISOString()}`);
  }
  const next = new Date(day.getTime() + DAY_MS);
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto("rollup_days")
      .values({ day })
      .onConflict((oc) => oc.column("day").doNothing())
      .returning("day")
      .executeTakeFirst();
    if (!claimed) return false;
    // Joined from projects so each project's part is an index range scan of (project_id, hour).
    // The day is element [d] of its month's 31 counts: a new row gets zeros around it, an existing
    // one has only that element replaced (so the other days' counts stay).
    const d = day.getUTCDate();
    await sql`
      INSERT INTO bug_monthly (bug_id, project_id, month, environment, service, counts)
      SELECT h.bug_id, h.project_id, ${monthStart(day)}::timestamptz, h.environment, h.service,
        array_fill(0, ARRAY[${d - 1}::int]) || sum(h.count)::int
          || array_fill(0, ARRAY[${31 - d}::int])
      FROM projects p JOIN bug_hourly h ON h.project_id = p.id
        AND h.hour >= ${day} AND h.hour < ${next}
      GROUP BY h.bug_id, h.project_id, h.environment, h.service
      ON CONFLICT (bug_id, month, environment, service)
        DO UPDATE SET counts[${d}::int] = excluded.counts[${d}::int]`.execute(trx);
    await sql`
      INSERT INTO project_hourly (project_id, hour, environment, service, count)
      SELECT h.project_id, h.hour, h.environment, h.service, sum(h.count)
      FROM projects p JOIN bug_hourly h ON h.project_id = p.id
        AND h.hour >= ${day} AND h.hour < ${next}
      GROUP BY h.project_id, h.hour, h.environment, h.service
      ON CONFLICT (project_id, hour, environment, service)
        DO UPDATE SET count = excluded.count`.execute(trx);
    // Affected users: one distinct-count sketch per project, day and scope (user-day-sketches.ts).
    await writeUserDaySketches(trx, day, next);
    return true;
  });
}

/**
 * Compacts the finished days not compacted yet, oldest first: from the day after the last
 * compacted one (or the first hour in bug_hourly) up to yesterday, at most MAX_DAYS_PER_RUN.
 */
export async function compactFinishedDays(
  db: Kysely<Database>,
  now: Date,
  maxDays = MAX_DAYS_PER_RUN,
): Promise<CompactionResult> {
  const end = dayStart(new Date(now.getTime() - COMPACTION_GRACE_MS));
  const last = await db
    .selectFrom("rollup_days")
    .select((eb) => eb.fn.max("day").as("day"))
    .executeTakeFirst();
  let start: Date | null = last?.day ? new Date(new Date(last.day).getTime() + DAY_MS) : null;
  if (!start) {
    const first = await db
      .selectFrom("bug_hourly")
      .select((eb) => eb.fn.min("hour").as("hour"))
      .executeTakeFirst();
    start = first?.hour ? dayStart(new Date(first.hour)) : null;
  }
  const result: CompactionResult = { compacted: [], alreadyDone: 0 };
  if (!start) return result;
  for (let t = start.getTime(); t < end.getTime() && result.compacted.length < maxDays; ) {
    const day = new Date(t);
    if (await compactDay(db, day)) result.compacted.push(day.toISOString().slice(0, 10));
    else result.alreadyDone++;
    t += DAY_MS;
  }
  return result;
}
