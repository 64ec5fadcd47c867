/**
 * Is the last hour a spike? Either an absolute ceiling was passed, or the hour is well above the
 * usual rate of the previous day. Counts come from `bug_hourly`, so nothing scans events.
 */

export interface SpikeInput {
  lastHourCount: number;
  /** Hourly counts of the 24 hours before the last hour, oldest first. */
  trailing24hCounts: readonly number[];
  /** Spike when the last hour has more than this many events; null = no absolute rule. */
  absoluteThreshold: number | null;
  /** Spike when the last hour is above `factor` × the trailing hourly average... */
  factor: number;
  /** ...and has at least this many events, so 0 -> 3 events is not news. */
  minEvents: number;
}

export interface SpikeResult {
  spiking: boolean;
  reason?: "absolute" | "relative";
  /** Trailing events per hour, over 24 hours. */
  average: number;
}

export const TRAILING_HOURS = 24;

export function detectSpike(input: SpikeInput): SpikeResult {
  const { lastHourCount, absoluteThreshold, factor, minEvents } = input;
  // Always divided by 24: hours without a bug_hourly row are quiet hours, not missing data, and
  // a bug that is new today must not look "usual" from its few hours of history.
  const recent = input.trailing24hCounts.slice(-TRAILING_HOURS);
  const sum = recent.reduce((acc, n) => acc + (Number.isFinite(n) && n > 0 ? n : 0), 0);
  const average = sum / TRAILING_HOURS;

  if (absoluteThreshold !== null && lastHourCount > absoluteThreshold) {
    return { spiking: true, reason: "absolute", average };
  }
  if (lastHourCount >= minEvents && lastHourCount > factor * average) {
    return { spiking: true, reason: "relative", average };
  }
  return { spiking: false, average };
}
