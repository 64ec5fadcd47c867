/**
 * Durations in `.github/faultline.yml` are short strings: `"90s"`, `"30m"`, `"4h"`, `"1d"`,
 * `"2w"`, compounds like `"1h30m"`, and `"never"` where turning a timer off makes sense.
 */

const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

type Unit = keyof typeof UNIT_MS;

const WHOLE = /^(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+$/;
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g;

/**
 * Milliseconds for a duration string, `null` for `"never"`, `undefined` when the text is not a
 * duration (the caller reports it). Zero-length durations are refused: "0m" is almost always a
 * mistake for "never".
 */
export function parseDuration(text: string): number | null | undefined {
  const value = text.trim().toLowerCase();
  if (value === "never") return null;
  if (!WHOLE.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  total = Math.round(total);
  return total > 0 ? total : undefined;
}

/** `14400000` -> `"4h"`, `5400000` -> `"1h30m"`, `null` -> `"never"`. Inverse of parseDuration. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "never";
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join("");
}
