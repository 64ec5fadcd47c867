import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type RepoConfig, parseRepoConfig } from "../../../src/config/repo-config.js";
import type { ErrorEvent, Level } from "../../../src/grouping/index.js";
import { createAdmission, createWindowCounter } from "../../../src/ingest/admission/index.js";

let seq = 0;
function occurrence(fingerprint: string, level: Level = "error", projectId = 1) {
  const event: ErrorEvent = {
    eventId: createHash("md5").update(String(seq++)).digest("hex"),
    timestamp: new Date(0),
    level,
    errorType: "E",
    message: "m",
    frames: [],
    source: "generic",
    tags: {},
    context: {},
  };
  return { projectId, fingerprint, event };
}

function setup(raw: unknown = null) {
  const config: RepoConfig = parseRepoConfig(raw).config;
  let now = new Date("2026-11-23T12:00:00.000Z");
  const admission = createAdmission({
    projectConfigs: { get: async () => config },
    clock: () => now,
  });
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  return { admission, advance };
}

describe("rate limits", () => {
  it("stores exactly 100 events per bug per minute by default, and the next minute again", async () => {
    const { admission, advance } = setup();
    const decisions = await Promise.all(
      Array.from({ length: 150 }, () => admission.decide(occurrence("bug-a"))),
    );
    expect(decisions.filter((d) => d === "store")).toHaveLength(100);
    expect(decisions.filter((d) => d === "rate_limited")).toHaveLength(50);
    // Another bug has its own budget.
    expect(await admission.decide(occurrence("bug-b"))).toBe("store");
    advance(60_000);
    expect(await admission.decide(occurrence("bug-a"))).toBe("store");
    expect(admission.counters(1)).toEqual({ filtered: {}, sampledOut: 0, rateLimited: 50 });
  });

  it("caps the project across bugs, from the repo config", async () => {
    const { admission } = setup({
      rate_limits: { per_bug_per_minute: 7, per_project_per_minute: 20 },
    });
    const stored: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      const fp = `bug-${i % 5}`;
      if (await admission.storeEvent(occurrence(fp))) stored[fp] = (stored[fp] ?? 0) + 1;
    }
    expect(Object.values(stored).reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.max(...Object.values(stored))).toBeLessThanOrEqual(7);
    // Other projects are not affected.
    expect(await admission.storeEvent(occurrence("bug-0", "error", 2))).toBe(true);
  });

  it("does not spend the budget on sampled-out events", async () => {
    const { admission } = setup({
      sampling: { info: 0 },
      rate_limits: { per_bug_per_minute: 3 },
    });
    for (let i = 0; i < 10; i++)
      expect(await admission.decide(occurrence("x", "info"))).toBe("sampled_out");
    const errors = await Promise.all(
      Array.from({ length: 5 }, () => admission.decide(occurrence("x"))),
    );
    expect(errors).toEqual(["store", "store", "store", "rate_limited", "rate_limited"]);
    expect(admission.counters(1)).toMatchObject({ sampledOut: 10, rateLimited: 2 });
  });
});

describe("filter counters", () => {
  it("counts what each filter dropped, per project", async () => {
    const { admission } = setup({ filters: { exclude_environments: ["dev"] } });
    const dev = occurrence("x").event;
    dev.environment = "dev";
    expect(await admission.filter(1, dev)).toBe("excluded_environment");
    expect(await admission.filter(1, dev)).toBe("excluded_environment");
    expect(await admission.filter(1, occurrence("x").event)).toBeUndefined();
    expect(admission.counters(1).filtered).toEqual({ excluded_environment: 2 });
    expect(admission.counters(9).filtered).toEqual({});
  });
});

describe("createWindowCounter", () => {
  it("counts per fixed window and forgets the least recently used key past its cap", () => {
    const counter = createWindowCounter({ windowMs: 60_000, maxKeys: 2 });
    const t = new Date("2026-11-23T12:00:30Z");
    counter.add("a", t);
    counter.add("a", t);
    expect(counter.count("a", t)).toBe(2);
    // 12:01:00 is a new window even though only 30 s passed.
    expect(counter.count("a", new Date("2026-11-23T12:01:00Z"))).toBe(0);
    counter.add("b", t);
    counter.add("c", t);
    expect(counter.count("a", t)).toBe(0);
    expect(counter.count("c", t)).toBe(1);
  });

  it("forgets the least recently used key past its cap within one window", () => {
    const counter = createWindowCounter({ windowMs: 60_000, maxKeys: 2 });
    const t = new Date("2026-11-23T12:00:30Z");
    counter.add("a", t);
    counter.add("b", t);
    counter.add("a", t);
    counter.add("c", t);
    expect(counter.count("a", t)).toBe(2);
    expect(counter.count("b", t)).toBe(0);
    expect(counter.count("c", t)).toBe(1);
  });

  it("keeps only the current window's keys", () => {
    const counter = createWindowCounter({ windowMs: 60_000, maxKeys: 100_000 });
    const minute = new Date("2026-11-23T12:00:10Z");
    for (let i = 0; i < 1000; i++) counter.add(`bug-${i}`, minute);
    expect(counter.size).toBe(1000);
    const next = new Date("2026-11-23T12:01:05Z");
    counter.add("bug-1", next);
    expect(counter.size).toBe(1);
    expect(counter.count("bug-1", next)).toBe(1);
    expect(counter.count("bug-2", next)).toBe(0);
  });
});
