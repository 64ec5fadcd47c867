import { describe, expect, it } from "vitest";
import {
  type SpikeTrack,
  floorToHour,
  shouldNotifySpike,
  spikeKey,
} from "../../../src/escalation/index.js";

const h = (hh: string) => new Date(`2026-11-23T${hh}:00:00.000Z`);

/** Runs the hourly job over a series of (hour, spiking) and returns the hours notified. */
function run(hours: [string, boolean][], start: SpikeTrack | null = null): string[] {
  let track = start;
  const notified: string[] = [];
  for (const [hour, spiking] of hours) {
    const decision = shouldNotifySpike(track, spiking, h(hour));
    track = decision.track;
    if (decision.notify && track) notified.push(spikeKey("bug", 7, track.startedAt));
  }
  return notified;
}

describe("spikeKey", () => {
  it("names the spike by scope, id and first hour", () => {
    expect(spikeKey("bug", 42, h("09"))).toBe("spike:bug:42:2026-11-23T09:00:00.000Z");
    expect(spikeKey("project", "acme/shop", h("09"))).toBe(
      "spike:project:acme/shop:2026-11-23T09:00:00.000Z",
    );
  });

  it("is the same for any instant within the hour", () => {
    expect(spikeKey("critical", 1, new Date("2026-11-23T09:59:59.999Z"))).toBe(
      spikeKey("critical", 1, h("09")),
    );
  });
});

describe("floorToHour", () => {
  it("floors to the UTC hour", () => {
    expect(floorToHour(new Date("2026-11-23T09:41:12.345Z"))).toEqual(h("09"));
    expect(floorToHour(h("10"))).toEqual(h("10"));
  });
});

describe("shouldNotifySpike", () => {
  it("notifies a 3-hour spike once", () => {
    expect(
      run([
        ["08", false],
        ["09", true],
        ["10", true],
        ["11", true],
        ["12", false],
      ]),
    ).toEqual(["spike:bug:7:2026-11-23T09:00:00.000Z"]);
  });

  it("notifies again for a new spike after a quiet hour", () => {
    expect(
      run([
        ["09", true],
        ["10", true],
        ["11", false],
        ["12", true],
        ["13", true],
      ]),
    ).toEqual(["spike:bug:7:2026-11-23T09:00:00.000Z", "spike:bug:7:2026-11-23T12:00:00.000Z"]);
  });

  it("treats an hour nobody evaluated as a quiet one", () => {
    // the job did not run at 10:00: 11:00 cannot be shown to continue the 09:00 spike
    expect(
      run([
        ["09", true],
        ["11", true],
      ]),
    ).toEqual(["spike:bug:7:2026-11-23T09:00:00.000Z", "spike:bug:7:2026-11-23T11:00:00.000Z"]);
  });

  it("is idempotent: re-evaluating the same hour never notifies twice", () => {
    const first = shouldNotifySpike(null, true, h("09"));
    expect(first).toEqual({
      notify: true,
      track: { startedAt: h("09"), lastSpikingHour: h("09") },
    });
    const again = shouldNotifySpike(first.track, true, new Date("2026-11-23T09:30:00.000Z"));
    expect(again).toEqual({ notify: false, track: first.track });
  });

  it("never notifies for an hour older than the last spiking one", () => {
    const track = { startedAt: h("09"), lastSpikingHour: h("11") };
    expect(shouldNotifySpike(track, true, h("10"))).toEqual({ notify: false, track });
    expect(shouldNotifySpike(track, true, h("05"))).toEqual({ notify: false, track });
  });

  it("extends a continuing spike without renaming it", () => {
    const track = { startedAt: h("09"), lastSpikingHour: h("10") };
    expect(shouldNotifySpike(track, true, new Date("2026-11-23T11:15:00.000Z"))).toEqual({
      notify: false,
      track: { startedAt: h("09"), lastSpikingHour: h("11") },
    });
  });

  it("leaves the state alone on a quiet hour", () => {
    const track = { startedAt: h("09"), lastSpikingHour: h("10") };
    const decision = shouldNotifySpike(track, false, h("11"));
    expect(decision.notify).toBe(false);
    expect(decision.track).toBe(track);
    expect(shouldNotifySpike(null, false, h("11"))).toEqual({ notify: false, track: null });
  });

  it("crosses midnight like any other hour", () => {
    const track = { startedAt: h("23"), lastSpikingHour: h("23") };
    expect(shouldNotifySpike(track, true, new Date("2026-11-24T00:00:00.000Z")).notify).toBe(false);
  });
});
