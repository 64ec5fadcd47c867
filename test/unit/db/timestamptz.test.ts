import fc from "fast-check";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { parseTimestamptz } from "../../../src/db/timestamptz.js";

const postgresDate = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (
  text: string,
) => Date | number | null;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** timestamptz as Postgres prints it (DateStyle ISO). */
const printed = fc
  .record({
    year: fc.integer({ min: 1000, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
    sign: fc.constantFrom("+", "-"),
    offsetHours: fc.integer({ min: 0, max: 15 }),
    offsetMinutes: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
    offsetSeconds: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
  })
  .map(
    (t) =>
      `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}` +
      `${t.fraction === undefined ? "" : `.${t.fraction}`}${t.sign}${pad(t.offsetHours)}` +
      `${t.offsetMinutes === undefined ? "" : `:${pad(t.offsetMinutes)}`}` +
      `${t.offsetMinutes === undefined || t.offsetSeconds === undefined ? "" : `:${pad(t.offsetSeconds)}`}`,
  );

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date
    ? a.getTime() === b.getTime() || (Number.isNaN(a.getTime()) && Number.isNaN(b.getTime()))
    : Object.is(a, b);

describe("parseTimestamptz", () => {
  it("reads what Postgres prints as postgres-date does", () => {
    fc.assert(
      fc.property(printed, (text) => {
        const fast = parseTimestamptz(text);
        expect(fast).toBeInstanceOf(Date);
        expect((fast as Date).getTime()).toBe((postgresDate(text) as Date).getTime());
      }),
      { numRuns: 5000 },
    );
  });

  it("hands every other form to postgres-date", () => {
    for (const text of [
      "0044-03-15 12:00:00+00 BC",
      "infinity",
      "-infinity",
      "0099-01-01 00:00:00+00",
      "12026-01-01 00:00:00+00",
      "2026-11-23 19:12:36.817+00:30:15:99",
      "2026-11-23T19:12:36Z",
    ]) {
      expect(same(parseTimestamptz(text), postgresDate(text)), text).toBe(true);
    }
  });

  it("never disagrees with postgres-date on mutated text", () => {
    fc.assert(
      fc.property(printed, fc.nat(40), fc.string({ maxLength: 2 }), (text, at, insert) => {
        const mutated = text.slice(0, at) + insert + text.slice(at + insert.length);
        const fast = parseTimestamptz(mutated);
        // Either both read the same instant, or the fast path declined and postgres-date answered.
        expect(same(fast, postgresDate(mutated))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
