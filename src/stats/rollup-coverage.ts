import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import type { HourRange } from "./hour-range.js";

export const DAY_MS = 86_400_000;

/** A half-open [from, to) interval. */
export interface Interval {
  from: Date;
  to: Date;
}

/**
 * How a summary range is read: whole compacted UTC days from the daily rollups, and everything
 * else (partial edge days, days not compacted yet) from bug_hourly / events.
 */
export interface RollupCoverage {
  /** Runs of consecutive compacted days wholly inside the range, as intervals. */
  daily: Interval[];
  /** The rest of the range, as intervals. */
  hourly: Interval[];
  /** The compacted days themselves (day starts), in order. */
  days: Date[];
}

/** UTC midnight at or before `t`. */
export function dayStart(t: Date): Date {
  return new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);
}

/** The first UTC midnight of `t`'s month, `months` months later (0 = its own). */
export function monthStart(t: Date, months = 0): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + months, 1));
}

/** Splits a range given the compacted day starts (any order, any extent). Pure. */
export function splitRange(range: HourRange, compactedDays: readonly Date[]): RollupCoverage {
  const from = range.from.getTime();
  const to = range.to.getTime();
  const inside = [
    ...new Set(compactedDays.map((d) => d.getTime()).filter((d) => d >= from && d + DAY_MS <= to)),
  ].sort((a, b) => a - b);
  const daily: Interval[] = [];
  for (const day of inside) {
    const last = daily.at(-1);
    if (last && last.to.getTime() === day) last.to = new Date(day + DAY_MS);
    else daily.push({ from: new Date(day), to: new Date(day + DAY_MS) });
  }
  const hourly: Interval[] = [];
  let cursor = from;
  for (const run of daily) {
    if (run.from.getTime() > cursor) hourly.push({ from: new Date(cursor), to: run.from });
    cursor = run.to.getTime();
  }
  if (cursor < to) hourly.push({ from: new Date(cursor), to: new Date(to) });
  return { daily, hourly, days: inside.map((d) => new Date(d)) };
}

/** Reads which days of the range are compacted and splits it accordingly. */
export async function rollupCoverage(
  db: Kysely<Database>,
  range: HourRange,
): Promise<RollupCoverage> {
  const rows = await db
    .selectFrom("rollup_days")
    .select("day")
    .where("day", ">=", dayStart(range.from))
    .where("day", "<", range.to)
    .execute();
  return splitRange(
    range,
    rows.map((r) => r.day),
  );
}

/** Everything from bug_hourly / events: what a summary reads when nothing is compacted. */
export function uncompacted(range: HourRange): RollupCoverage {
  return { daily: [], hourly: [{ from: range.from, to: range.to }], days: [] };
}
