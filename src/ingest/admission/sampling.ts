import { createHash } from "node:crypto";
import type { RepoConfig } from "../../config/repo-config.js";
import type { Level } from "../../grouping/index.js";

/** The share of events of `level` whose event row is stored (`sampling:` in faultline.yml). */
export function sampleRate(level: Level, sampling: RepoConfig["sampling"]): number {
  switch (level) {
    case "fatal":
    case "critical":
      return sampling.critical;
    case "error":
      return sampling.error;
    case "warning":
      return sampling.warning;
    case "info":
      return sampling.info;
    case "debug":
      return sampling.debug;
  }
}

/**
 * A point in [0, 1) drawn from the event id: the same event always draws the same point, so an
 * SDK's retry of one event is decided exactly like the first delivery. Hashed because clients may
 * choose their own ids (sequential, mostly zeros) and must not be able to steer the draw.
 */
export function sampleDraw(eventId: string): number {
  const digest = createHash("sha256").update(eventId).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Whether an event with this id is kept at `rate` (1 keeps all, 0 none). */
export function keepSample(eventId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return sampleDraw(eventId) < rate;
}
