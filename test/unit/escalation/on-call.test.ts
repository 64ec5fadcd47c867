import { describe, expect, it } from "vitest";
import { type Rotation, onCallAt } from "../../../src/escalation/index.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Weekly rotation handing over on Mondays at 09:00 UTC. */
const weekly: Rotation = {
  people: ["alice", "bob", "carol"],
  start: new Date("2026-01-05T09:00:00.000Z"),
  periodMs: WEEK,
};

describe("onCallAt", () => {
  it("gives the first person from the start instant", () => {
    expect(onCallAt(weekly, new Date("2026-01-05T09:00:00.000Z"))).toBe("alice");
  });

  it("hands over exactly at the period boundary, not a millisecond before", () => {
    expect(onCallAt(weekly, new Date("2026-01-12T08:59:59.999Z"))).toBe("alice");
    expect(onCallAt(weekly, new Date("2026-01-12T09:00:00.000Z"))).toBe("bob");
    expect(onCallAt(weekly, new Date("2026-01-12T09:00:00.001Z"))).toBe("bob");
    expect(onCallAt(weekly, new Date("2026-01-19T09:00:00.000Z"))).toBe("carol");
  });

  it("wraps around after the last person", () => {
    expect(onCallAt(weekly, new Date("2026-01-26T09:00:00.000Z"))).toBe("alice");
    expect(onCallAt(weekly, new Date("2026-01-26T08:59:59.999Z"))).toBe("carol");
  });

  it("counts UTC milliseconds: a DST change in Europe or the US shifts nothing", () => {
    // 2026-03-29 is the EU spring-forward Sunday, 2026-03-08 the US one.
    expect(onCallAt(weekly, new Date("2026-03-30T08:59:59.999Z"))).toBe(
      onCallAt(weekly, new Date("2026-03-23T09:00:00.000Z")),
    );
    expect(onCallAt(weekly, new Date("2026-03-30T09:00:00.000Z"))).not.toBe(
      onCallAt(weekly, new Date("2026-03-30T08:59:59.999Z")),
    );
  });

  it("stays exact many periods later", () => {
    // 1000 weeks after the start: 1000 mod 3 = 1 -> bob, for the whole week.
    const t = weekly.start.getTime() + 1000 * WEEK;
    expect(onCallAt(weekly, new Date(t))).toBe("bob");
    expect(onCallAt(weekly, new Date(t + WEEK - 1))).toBe("bob");
    expect(onCallAt(weekly, new Date(t + WEEK))).toBe("carol");
    expect(onCallAt(weekly, new Date(t - 1))).toBe("alice");
  });

  it("works with daily and odd periods", () => {
    const daily: Rotation = { people: ["a", "b"], start: new Date(0), periodMs: DAY };
    expect(onCallAt(daily, new Date("1970-01-01T23:59:59.999Z"))).toBe("a");
    expect(onCallAt(daily, new Date("1970-01-02T00:00:00.000Z"))).toBe("b");
    const sevenMinutes: Rotation = {
      people: ["x", "y", "z"],
      start: new Date(0),
      periodMs: 7 * 60_000,
    };
    expect(onCallAt(sevenMinutes, new Date(20 * 60_000))).toBe("z"); // floor(20/7) = 2
    expect(onCallAt(sevenMinutes, new Date(21 * 60_000))).toBe("x"); // 3 mod 3 = 0
  });

  it("has nobody on call before the start, so callers fall back to defaults", () => {
    expect(onCallAt(weekly, new Date("2026-01-05T08:59:59.999Z"))).toBeUndefined();
    expect(onCallAt(weekly, new Date("2025-06-01T00:00:00.000Z"))).toBeUndefined();
  });

  it("has nobody on call for an empty list or an unusable period", () => {
    const now = new Date("2026-02-01T00:00:00.000Z");
    expect(onCallAt({ ...weekly, people: [] }, now)).toBeUndefined();
    expect(onCallAt({ ...weekly, periodMs: 0 }, now)).toBeUndefined();
    expect(onCallAt({ ...weekly, periodMs: -WEEK }, now)).toBeUndefined();
    expect(onCallAt({ ...weekly, periodMs: Number.NaN }, now)).toBeUndefined();
    expect(onCallAt({ ...weekly, start: new Date(Number.NaN) }, now)).toBeUndefined();
  });

  it("returns logins without a leading @", () => {
    expect(onCallAt({ ...weekly, people: ["@alice"] }, weekly.start)).toBe("alice");
  });
});
