import { describe, expect, it } from "vitest";
import { monthSlices } from "../../../src/stats/month-slices.js";
import { splitRange } from "../../../src/stats/rollup-coverage.js";

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const interval = (from: string, to: string) => ({ from: day(from), to: day(to) });

describe("monthSlices", () => {
  it("cuts a run of days at the month end", () => {
    expect(monthSlices([interval("2026-10-25", "2026-11-04")])).toEqual([
      { month: day("2026-10-01"), runs: [{ first: 25, last: 31 }] },
      { month: day("2026-11-01"), runs: [{ first: 1, last: 3 }] },
    ]);
  });

  it("keeps the runs of a month apart around an uncompacted day", () => {
    const range = { from: new Date("2026-11-01T05:00:00Z"), to: day("2026-11-09") };
    // 11-01 is partial, 11-04 and 11-07 not compacted.
    const compacted = ["01", "02", "03", "05", "06", "08"].map((d) => day(`2026-11-${d}`));
    expect(monthSlices(splitRange(range, compacted).daily)).toEqual([
      {
        month: day("2026-11-01"),
        runs: [
          { first: 2, last: 3 },
          { first: 5, last: 6 },
          { first: 8, last: 8 },
        ],
      },
    ]);
  });

  it("covers day 1 and day 31, whole months, February and a year end", () => {
    expect(
      monthSlices([
        interval("2026-12-31", "2027-01-02"),
        interval("2027-02-01", "2027-03-01"),
        interval("2027-03-31", "2027-04-01"),
      ]),
    ).toEqual([
      { month: day("2026-12-01"), runs: [{ first: 31, last: 31 }] },
      { month: day("2027-01-01"), runs: [{ first: 1, last: 1 }] },
      { month: day("2027-02-01"), runs: [{ first: 1, last: 28 }] },
      { month: day("2027-03-01"), runs: [{ first: 31, last: 31 }] },
    ]);
    expect(monthSlices([])).toEqual([]);
  });
});
