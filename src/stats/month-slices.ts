import { DAY_MS, type Interval, monthStart } from "./rollup-coverage.js";

/** Days first..last (1-based, inclusive) of a month: counts[first:last] of a bug_monthly row. */
export interface DayRun {
  first: number;
  last: number;
}

/** A month (its UTC start) and the runs of its days a range covers, in order. */
export interface MonthSlices {
  month: Date;
  runs: DayRun[];
}

/**
 * The compacted days of a range (coverage.daily: whole UTC days, runs of consecutive days) as
 * runs of days per month, cut at month ends: what to sum of each month's bug_monthly rows.
 * A month's runs are apart when a day between them is not compacted (read hourly instead). Pure.
 */
export function monthSlices(daily: readonly Interval[]): MonthSlices[] {
  const byMonth = new Map<number, DayRun[]>();
  for (const interval of daily) {
    let t = interval.from.getTime();
    const to = interval.to.getTime();
    while (t < to) {
      const start = new Date(t);
      const month = monthStart(start).getTime();
      const nextMonth = monthStart(start, 1).getTime();
      const end = Math.min(to, nextMonth);
      const run = {
        first: start.getUTCDate(),
        last: new Date(end - DAY_MS).getUTCDate(),
      };
      byMonth.set(month, [...(byMonth.get(month) ?? []), run]);
      t = end;
    }
  }
  return [...byMonth.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([month, runs]) => ({
      month: new Date(month),
      runs: runs.sort((a, b) => a.first - b.first),
    }));
}
