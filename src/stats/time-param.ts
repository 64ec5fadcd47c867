const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

// A date, or a date and time with an optional zone: what toISOString and people write.
const ISO =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const RELATIVE = /^(\d{1,6})(m|h|d|w)$/;

/**
 * A point in time from an API parameter or CLI flag: an ISO 8601 date/time, or a duration back
 * from now like `30m`, `24h`, `7d`, `2w`. Undefined when the text is neither.
 */
export function parseTimeParam(text: string, now: Date): Date | undefined {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit]);
  }
  if (!ISO.test(trimmed)) return undefined;
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const TIME_PARAM_HELP =
  "an ISO 8601 date/time or a duration back from now like 24h, 7d, 30m";
