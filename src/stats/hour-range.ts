const HOUR_MS = 3_600_000;

/** Longest range a summary covers: a year of hourly points is ~8,800, still a small answer. */
export const MAX_RANGE_MS = 366 * 24 * HOUR_MS;

/** [from, to) on whole UTC hours. */
export interface HourRange {
  from: Date;
  to: Date;
}

export class InvalidRangeError extends Error {
  override name = "InvalidRangeError";
}

/**
 * Widens [from, to) to whole UTC hours: the rollups are hourly, so every figure of a summary
 * covers the same whole hours and the hourly series has no partial first or last point.
 */
export function toHourRange(from: Date, to: Date): HourRange {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) {
    throw new InvalidRangeError("from and to must be valid dates");
  }
  if (to.getTime() <= from.getTime()) throw new InvalidRangeError("from must be before to");
  const start = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  const end = Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS;
  if (end - start > MAX_RANGE_MS) throw new InvalidRangeError("the range is longer than 366 days");
  return { from: new Date(start), to: new Date(end) };
}

/** Start of every hour of the range, in order. */
export function eachHour(range: HourRange): Date[] {
  const hours: Date[] = [];
  for (let t = range.from.getTime(); t < range.to.getTime(); t += HOUR_MS) hours.push(new Date(t));
  return hours;
}
