const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The ranges the dashboard offers, in hours. */
export const TIME_RANGES = { "24h": 24, "7d": 7 * 24, "30d": 30 * 24, "90d": 90 * 24 } as const;
export type TimeRangeKey = keyof typeof TIME_RANGES;
export const DEFAULT_TIME_RANGE: TimeRangeKey = "24h";

export function isTimeRangeKey(value: unknown): value is TimeRangeKey {
  return typeof value === "string" && Object.hasOwn(TIME_RANGES, value);
}

/** Charts of 30 days and longer are drawn by the day; shorter ones by the hour. */
export function rangeUnit(key: TimeRangeKey): "hour" | "day" {
  return TIME_RANGES[key] >= 30 * 24 ? "day" : "hour";
}

/**
 * Hourly ranges: the last N whole UTC hours up to and including the current one, so the chart
 * has exactly N bars, the last one filling up as the hour goes on. Daily ranges: the last N
 * whole UTC days, today included, the same way.
 */
export function rangeWindow(key: TimeRangeKey, now: Date): { from: Date; to: Date } {
  const unit = rangeUnit(key) === "day" ? DAY_MS : HOUR_MS;
  const to = Math.floor(now.getTime() / unit) * unit + unit;
  return { from: new Date(to - TIME_RANGES[key] * HOUR_MS), to: new Date(to) };
}
