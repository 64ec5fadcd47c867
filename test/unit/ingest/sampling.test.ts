import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../../src/config/repo-config.js";
import { keepSample, sampleDraw, sampleRate } from "../../../src/ingest/admission/index.js";

/** Deterministic, realistic event ids: 32 hex characters derived from a counter. */
const ids = (n: number, salt = "") =>
  Array.from({ length: n }, (_, i) => createHash("md5").update(`${salt}${i}`).digest("hex"));

const { sampling } = parseRepoConfig(null).config;

describe("sampleRate", () => {
  it("maps levels onto the default rates", () => {
    expect(sampleRate("fatal", sampling)).toBe(1);
    expect(sampleRate("critical", sampling)).toBe(1);
    expect(sampleRate("error", sampling)).toBe(1);
    expect(sampleRate("warning", sampling)).toBe(0.5);
    expect(sampleRate("info", sampling)).toBe(0.1);
    expect(sampleRate("debug", sampling)).toBe(0.01);
  });

  it("uses the repo's own rates", () => {
    const custom = parseRepoConfig({ sampling: { error: 0.25 } }).config.sampling;
    expect(sampleRate("error", custom)).toBe(0.25);
    expect(sampleRate("warning", custom)).toBe(0.5);
  });
});

describe("keepSample", () => {
  it("decides one event id alike every time (retries are sampled like the first delivery)", () => {
    for (const id of ids(200)) {
      const first = keepSample(id, 0.3);
      for (let i = 0; i < 3; i++) expect(keepSample(id, 0.3)).toBe(first);
    }
  });

  it("keeps all at 1 and none at 0", () => {
    expect(ids(500).every((id) => keepSample(id, 1))).toBe(true);
    expect(ids(500).some((id) => keepSample(id, 0))).toBe(false);
  });

  it.each([
    // rate, n, bounds at about ±4 standard deviations of the binomial
    [0.5, 10_000, 4800, 5200],
    [0.1, 10_000, 880, 1120],
    [0.01, 20_000, 145, 255],
  ])("keeps about %d of events (n=%d)", (rate, n, low, high) => {
    for (const salt of ["a", "b", "c"]) {
      const kept = ids(n, salt).filter((id) => keepSample(id, rate)).length;
      expect(kept).toBeGreaterThanOrEqual(low);
      expect(kept).toBeLessThanOrEqual(high);
    }
  });

  it("is not steered by sequential or mostly-zero ids", () => {
    const sequential = Array.from({ length: 10_000 }, (_, i) => i.toString(16).padStart(32, "0"));
    const kept = sequential.filter((id) => keepSample(id, 0.1)).length;
    expect(kept).toBeGreaterThanOrEqual(880);
    expect(kept).toBeLessThanOrEqual(1120);
    for (const id of sequential.slice(0, 100)) {
      expect(sampleDraw(id)).toBeGreaterThanOrEqual(0);
      expect(sampleDraw(id)).toBeLessThan(1);
    }
  });
});
