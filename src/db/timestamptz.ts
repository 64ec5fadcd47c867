import pg from "pg";

/** pg's own parser (postgres-date): every form Postgres can print, BC dates and infinity too. */
const parseAnyForm = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (
  text: string,
) => Date | number | null;

const digit = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
};
/** Seconds in the offset's minutes and seconds parts (`+05:30:15`). */
const OFFSET_UNITS = [60, 1] as const;

const two = (text: string, i: number) => digit(text, i) * 10 + digit(text, i + 1);

/**
 * timestamptz as Postgres prints it with DateStyle ISO, `2026-11-23 19:12:36.817123+00` (fraction
 * optional, offset `±HH[:MM[:SS]]`), read with char arithmetic: a bug row carries five of them and
 * the group commit reads one row per bug, where postgres-date's regexes cost ~1 µs each. Years
 * 1000-9999 only; any other form (BC, infinity, five-digit years) goes to pg's own parser.
 * Milliseconds are truncated, as postgres-date does.
 */
export function parseTimestamptz(text: string): Date | number | null {
  const n = text.length;
  if (n < 22 || text[4] !== "-" || text[7] !== "-" || text[10] !== " " || text[13] !== ":") {
    return parseAnyForm(text);
  }
  const year = two(text, 0) * 100 + two(text, 2);
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (text[16] !== ":" || !(year >= 1000)) return parseAnyForm(text);
  let i = 19;
  let ms = 0;
  if (text[i] === ".") {
    let scale = 100;
    for (i++; i < n; i++) {
      const d = digit(text, i);
      if (Number.isNaN(d)) break;
      ms += d * scale;
      scale /= 10;
    }
    ms = Math.trunc(ms);
  }
  const sign = text[i] === "+" ? 1 : text[i] === "-" ? -1 : 0;
  let offsetSeconds = two(text, i + 1) * 3600;
  i += 3;
  for (const unit of OFFSET_UNITS) {
    if (i >= n) break;
    if (text[i] !== ":") return parseAnyForm(text);
    offsetSeconds += two(text, i + 1) * unit;
    i += 3;
  }
  const fields = year + month + day + hour + minute + second + offsetSeconds;
  if (sign === 0 || i !== n || Number.isNaN(fields)) return parseAnyForm(text);
  return new Date(
    Date.UTC(year, month - 1, day, hour, minute, second, ms) - sign * offsetSeconds * 1000,
  );
}
