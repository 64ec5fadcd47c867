import { describe, expect, it } from "vitest";
import { repoConfigSchema } from "../../../src/config/repo-config.js";
import { ladderOf } from "../../../src/escalation/index.js";
import {
  renderBugSpikeComment,
  renderProjectSpikeComment,
} from "../../../src/escalation/spike-comment.js";

const HOUR = new Date("2026-11-23T10:00:00.000Z");

describe("spike comments", () => {
  it("say which limit a bug passed", () => {
    expect(
      renderBugSpikeComment(7, {
        hourStart: HOUR,
        count: 1234,
        average: 3,
        reason: "absolute",
        threshold: 1000,
        factor: 5,
      }),
    ).toBe(
      "**Spike:** B-007 happened **1,234** times in the hour from 2026-11-23T10:00:00Z, above the limit of 1,000 per hour.",
    );
  });

  it("say how far above the usual rate a relative spike is", () => {
    const base = { hourStart: HOUR, reason: "relative" as const, threshold: null, factor: 5 };
    expect(renderBugSpikeComment(1, { ...base, count: 40, average: 2.25 })).toContain(
      "more than 5× its usual 2.3 per hour over the previous 24 hours",
    );
    expect(renderBugSpikeComment(1, { ...base, count: 900, average: 140.4 })).toContain(
      "its usual 140 per hour",
    );
  });

  it("explain where a project spike is posted, or leave it out when nowhere", () => {
    const facts = {
      hourStart: HOUR,
      count: 300,
      average: 20,
      reason: "absolute" as const,
      threshold: 100,
      factor: 5,
      fullName: "octo-org/shop",
      topBugs: [1, 2, 3, 4, 5, 6].map((n) => ({ number: n, count: 60 - n })),
    };
    expect(renderProjectSpikeComment({ ...facts, commentOn: 2 })).toBe(
      "**Spike across octo-org/shop:** **300** errors in the hour from 2026-11-23T10:00:00Z, above the limit of 100 per hour.\n\nPosted on B-002 because it is the bug with the most events in that hour. Busiest bugs: B-001 (59), B-002 (58), B-003 (57), B-004 (56), B-005 (55).",
    );
    expect(renderProjectSpikeComment({ ...facts, commentOn: null })).not.toContain("Posted on");
  });
});

describe("ladderOf", () => {
  it("reads the ladder from the config, defaults 1h / 4h / 8h / never", () => {
    expect(ladderOf(repoConfigSchema.parse({}))).toEqual({
      critical: 3_600_000,
      high: 4 * 3_600_000,
      medium: 8 * 3_600_000,
      low: null,
    });
    const custom = repoConfigSchema.parse({
      escalation: { low: { after: "2d" }, high: { after: "never" } },
    });
    expect(ladderOf(custom)).toMatchObject({ low: 2 * 86_400_000, high: null });
  });
});
