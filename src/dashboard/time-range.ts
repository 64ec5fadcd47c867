const HOUR_MS = 3_600_000;

/** The ranges the dashboard offers, in hours. */
export const TIME_RANGES = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24 } as const;
export type TimeRangeKey = keyof typeof TIME_RANGES;
export const DEFAULT_TIME_RANGE: TimeRangeKey = "24h";

export function isTimeRangeKey(value: unknown): value is TimeRangeKey {
  return typeof value === "string" && Object.hasOwn(TIME_RANGES, value);
}

/**
 * The last N whole UTC hours up to and including the current one: the chart then has exactly N
 * bars, the last one filling up as the hour goes on.
 */
export function rangeWindow(key: TimeRangeKey, now: Date): { from: Date; to: Date } {
  const to = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  return { from: new Date(to - TIME_RANGES[key] * HOUR_MS), to: new Date(to) };
}
