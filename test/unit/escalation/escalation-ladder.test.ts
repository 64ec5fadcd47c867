import { describe, expect, it } from "vitest";
import {
  type EscalationBug,
  type EscalationLadder,
  nextEscalationDueAt,
  nextEscalationStep,
  raiseSeverity,
} from "../../../src/escalation/index.js";

const HOUR = 3_600_000;
const ladder: EscalationLadder = {
  critical: 1 * HOUR,
  high: 4 * HOUR,
  medium: 24 * HOUR,
  low: null,
};

const opened = new Date("2026-11-23T09:00:00.000Z");
const at = (iso: string) => new Date(iso);

const bug = (overrides: Partial<EscalationBug> = {}): EscalationBug => ({
  severity: "high",
  status: "open",
  openedAt: opened,
  escalationLevel: 0,
  lastEscalatedAt: null,
  assignedByHuman: false,
  ...overrides,
});

describe("nextEscalationStep", () => {
  it("assigns once the severity's interval has passed since the cycle started", () => {
    expect(nextEscalationStep(bug(), ladder, at("2026-11-23T12:59:59.999Z"))).toBeNull();
    expect(nextEscalationStep(bug(), ladder, at("2026-11-23T13:00:00.000Z"))).toEqual({
      step: 1,
      action: "assign",
    });
    expect(nextEscalationStep(bug(), ladder, at("2026-11-25T00:00:00.000Z"))).toEqual({
      step: 1,
      action: "assign",
    });
  });

  it("walks the whole ladder, each step timed from the previous one", () => {
    const step1At = at("2026-11-23T13:05:00.000Z"); // the job ran 5 minutes late
    const afterStep1 = bug({ escalationLevel: 1, lastEscalatedAt: step1At });
    expect(nextEscalationStep(afterStep1, ladder, at("2026-11-23T17:04:59.999Z"))).toBeNull();
    expect(nextEscalationStep(afterStep1, ladder, at("2026-11-23T17:05:00.000Z"))).toEqual({
      step: 2,
      action: "mention",
    });

    const step2At = at("2026-11-23T17:05:00.000Z");
    const afterStep2 = bug({ escalationLevel: 2, lastEscalatedAt: step2At });
    expect(nextEscalationStep(afterStep2, ladder, at("2026-11-23T21:04:59.999Z"))).toBeNull();
    expect(nextEscalationStep(afterStep2, ladder, at("2026-11-23T21:05:00.000Z"))).toEqual({
      step: 3,
      action: "raise_severity",
    });

    // step 3 raised high -> critical; nothing follows, however long the bug stays open
    const afterStep3 = bug({
      severity: "critical",
      escalationLevel: 3,
      lastEscalatedAt: at("2026-11-23T21:05:00.000Z"),
    });
    expect(nextEscalationStep(afterStep3, ladder, at("2027-11-23T00:00:00.000Z"))).toBeNull();
    expect(nextEscalationDueAt(afterStep3, ladder)).toBeNull();
  });

  it("is idempotent: a rerun with the step recorded gets nothing", () => {
    const now = at("2026-11-23T13:00:00.000Z");
    expect(nextEscalationStep(bug(), ladder, now)?.step).toBe(1);
    const recorded = bug({ escalationLevel: 1, lastEscalatedAt: now });
    expect(nextEscalationStep(recorded, ladder, now)).toBeNull();
    expect(nextEscalationStep(recorded, ladder, at("2026-11-23T13:00:30.000Z"))).toBeNull();
  });

  it("does not catch up several steps at once after downtime", () => {
    // Scheduler down for two days: still only step 1 now, step 2 one interval after it.
    const now = at("2026-11-25T09:00:00.000Z");
    expect(nextEscalationStep(bug(), ladder, now)).toEqual({ step: 1, action: "assign" });
    const recorded = bug({ escalationLevel: 1, lastEscalatedAt: now });
    expect(nextEscalationStep(recorded, ladder, now)).toBeNull();
    expect(nextEscalationDueAt(recorded, ladder)).toEqual(at("2026-11-25T13:00:00.000Z"));
  });

  it("uses the interval of the current severity", () => {
    const now = at("2026-11-23T10:00:00.000Z"); // 1 h after opening
    expect(nextEscalationStep(bug({ severity: "high" }), ladder, now)).toBeNull();
    expect(nextEscalationStep(bug({ severity: "critical" }), ladder, now)?.step).toBe(1);
    // relabelled from high to medium after step 1: the 24 h interval now applies
    const lowered = bug({
      severity: "medium",
      escalationLevel: 1,
      lastEscalatedAt: at("2026-11-23T13:00:00.000Z"),
    });
    expect(nextEscalationStep(lowered, ladder, at("2026-11-23T17:00:00.000Z"))).toBeNull();
    expect(nextEscalationDueAt(lowered, ladder)).toEqual(at("2026-11-24T13:00:00.000Z"));
  });

  it("never escalates a severity whose interval is null", () => {
    const low = bug({ severity: "low" });
    expect(nextEscalationStep(low, ladder, at("2030-01-01T00:00:00.000Z"))).toBeNull();
    expect(nextEscalationDueAt(low, ladder)).toBeNull();
    const lowAfterStep1 = bug({ severity: "low", escalationLevel: 1, lastEscalatedAt: opened });
    expect(nextEscalationStep(lowAfterStep1, ladder, at("2030-01-01T00:00:00.000Z"))).toBeNull();
  });

  it("treats a zero interval as due immediately", () => {
    const instant: EscalationLadder = { ...ladder, critical: 0 };
    expect(nextEscalationStep(bug({ severity: "critical" }), instant, opened)?.step).toBe(1);
  });

  it.each([["in_progress"], ["resolved"], ["wontfix"], ["ignored"]] as const)(
    "stops for a %s bug",
    (status) => {
      expect(
        nextEscalationStep(bug({ status }), ladder, at("2026-12-31T00:00:00.000Z")),
      ).toBeNull();
    },
  );

  it("stops once a human assigned the issue", () => {
    const taken = bug({ assignedByHuman: true, escalationLevel: 1, lastEscalatedAt: opened });
    expect(nextEscalationStep(taken, ladder, at("2026-12-31T00:00:00.000Z"))).toBeNull();
  });

  it("restarts from the regression time, ignoring a step time from the previous cycle", () => {
    const regressedAt = at("2026-12-01T08:00:00.000Z");
    const regressed = bug({
      openedAt: regressedAt,
      escalationLevel: 0,
      lastEscalatedAt: at("2026-11-23T21:05:00.000Z"),
    });
    expect(nextEscalationStep(regressed, ladder, at("2026-12-01T11:59:59.999Z"))).toBeNull();
    expect(nextEscalationStep(regressed, ladder, at("2026-12-01T12:00:00.000Z"))?.step).toBe(1);
    // level 1 with a stale step time (older than the cycle start): time from the cycle start
    const stale = bug({
      openedAt: regressedAt,
      escalationLevel: 1,
      lastEscalatedAt: at("2026-11-23T13:00:00.000Z"),
    });
    expect(nextEscalationDueAt(stale, ladder)).toEqual(at("2026-12-01T12:00:00.000Z"));
  });

  it("does nothing when the clock is behind the cycle start", () => {
    expect(nextEscalationStep(bug(), ladder, at("2026-11-23T08:00:00.000Z"))).toBeNull();
  });

  it("refuses nonsense levels instead of guessing", () => {
    const now = at("2026-12-31T00:00:00.000Z");
    expect(nextEscalationStep(bug({ escalationLevel: 4 }), ladder, now)).toBeNull();
    expect(nextEscalationStep(bug({ escalationLevel: Number.NaN }), ladder, now)).toBeNull();
    expect(nextEscalationStep(bug({ escalationLevel: -1 }), ladder, now)?.step).toBe(1);
  });
});

describe("nextEscalationDueAt", () => {
  it("gives the instant the next step becomes due", () => {
    expect(nextEscalationDueAt(bug(), ladder)).toEqual(at("2026-11-23T13:00:00.000Z"));
    expect(
      nextEscalationDueAt(
        bug({ escalationLevel: 2, lastEscalatedAt: at("2026-11-23T17:00:00.000Z") }),
        ladder,
      ),
    ).toEqual(at("2026-11-23T21:00:00.000Z"));
  });
});

describe("raiseSeverity", () => {
  it.each([
    ["low", "medium"],
    ["medium", "high"],
    ["high", "critical"],
    ["critical", "critical"],
  ] as const)("%s -> %s", (from, to) => {
    expect(raiseSeverity(from)).toBe(to);
  });
});
