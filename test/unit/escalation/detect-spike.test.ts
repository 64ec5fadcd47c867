import { describe, expect, it } from "vitest";
import { type SpikeInput, detectSpike } from "../../../src/escalation/index.js";

const flat = (n: number) => Array.from({ length: 24 }, () => n);

const input = (overrides: Partial<SpikeInput>): SpikeInput => ({
  lastHourCount: 0,
  trailing24hCounts: flat(10),
  absoluteThreshold: null,
  factor: 3,
  minEvents: 20,
  ...overrides,
});

describe("detectSpike", () => {
  it("is relative when strictly above factor × the trailing average", () => {
    expect(detectSpike(input({ lastHourCount: 30 }))).toEqual({ spiking: false, average: 10 });
    expect(detectSpike(input({ lastHourCount: 31 }))).toEqual({
      spiking: true,
      reason: "relative",
      average: 10,
    });
  });

  it("needs at least minEvents for a relative spike", () => {
    const quiet = input({ trailing24hCounts: flat(1), minEvents: 20 });
    expect(detectSpike({ ...quiet, lastHourCount: 19 }).spiking).toBe(false);
    expect(detectSpike({ ...quiet, lastHourCount: 20 })).toMatchObject({
      spiking: true,
      reason: "relative",
    });
  });

  it("averages over 24 hours with zeros included", () => {
    // 48 events in one hour of the day: 2 per hour on average, not 48.
    const counts = [...flat(0).slice(0, 23), 48];
    expect(detectSpike(input({ trailing24hCounts: counts, lastHourCount: 20 }))).toEqual({
      spiking: true,
      reason: "relative",
      average: 2,
    });
  });

  it("counts missing hours as quiet ones", () => {
    // a bug first seen 2 hours ago: 24 + 24 events over 24 hours = 2 per hour
    expect(detectSpike(input({ trailing24hCounts: [24, 24], lastHourCount: 7 })).average).toBe(2);
  });

  it("uses only the 24 most recent trailing hours", () => {
    const counts = [1000, ...flat(1)];
    expect(detectSpike(input({ trailing24hCounts: counts, lastHourCount: 20 }))).toMatchObject({
      spiking: true,
      average: 1,
    });
  });

  it("spikes from nothing once minEvents is reached", () => {
    expect(detectSpike(input({ trailing24hCounts: flat(0), lastHourCount: 20 }))).toEqual({
      spiking: true,
      reason: "relative",
      average: 0,
    });
    expect(detectSpike(input({ trailing24hCounts: [], lastHourCount: 0 })).spiking).toBe(false);
  });

  it("is absolute when strictly above the threshold, whatever the history", () => {
    const busy = input({ trailing24hCounts: flat(1000), absoluteThreshold: 500 });
    expect(detectSpike({ ...busy, lastHourCount: 500 }).spiking).toBe(false);
    expect(detectSpike({ ...busy, lastHourCount: 501 })).toEqual({
      spiking: true,
      reason: "absolute",
      average: 1000,
    });
  });

  it("reports absolute first when both rules hold", () => {
    expect(detectSpike(input({ lastHourCount: 100, absoluteThreshold: 50 })).reason).toBe(
      "absolute",
    );
  });

  it("ignores negative or non-numeric counts", () => {
    const counts = [...flat(2).slice(0, 22), -100, Number.NaN];
    expect(detectSpike(input({ trailing24hCounts: counts })).average).toBeCloseTo(44 / 24);
  });
});
