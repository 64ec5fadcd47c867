/**
 * One notification per spike. A spike is named by the first hour it was seen; consecutive spiking
 * hours belong to it, and one quiet hour (or an hour nobody evaluated) ends it, so the next
 * spiking hour starts — and notifies — a new one.
 */

const HOUR_MS = 3_600_000;

export type SpikeScope = "bug" | "project" | "critical";

/** What the scheduler stores per scope/id between runs; null = no spike seen yet. */
export interface SpikeTrack {
  /** First hour of the current (or last) spike. */
  startedAt: Date;
  /** Latest hour seen spiking. */
  lastSpikingHour: Date;
}

export interface SpikeDecision {
  notify: boolean;
  /** State to store; unchanged (same object) when nothing new happened. */
  track: SpikeTrack | null;
}

/** Start of the UTC hour holding `date`. */
export function floorToHour(date: Date): Date {
  return new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
}

/**
 * Idempotency key of a spike notification, e.g. `spike:bug:42:2026-11-23T09:00:00.000Z`: the
 * outbox's unique key turns a duplicate run (two replicas, a retry) into a no-op.
 */
export function spikeKey(scope: SpikeScope, id: number | string, hourStart: Date): string {
  return `spike:${scope}:${id}:${floorToHour(hourStart).toISOString()}`;
}

/**
 * Feed each evaluated hour in. Notifies when `hourStart` spikes and the hour before it was not a
 * known spiking hour. Re-evaluating an hour already seen (a rerun, an older hour) never notifies.
 * A quiet hour needs no write: the gap it leaves is what ends the spike.
 */
export function shouldNotifySpike(
  previous: SpikeTrack | null,
  spikingNow: boolean,
  hourStart: Date,
): SpikeDecision {
  const hour = floorToHour(hourStart).getTime();
  if (!spikingNow) return { notify: false, track: previous };
  if (previous !== null) {
    const last = floorToHour(previous.lastSpikingHour).getTime();
    if (hour <= last) return { notify: false, track: previous };
    if (hour - last === HOUR_MS) {
      return {
        notify: false,
        track: { startedAt: previous.startedAt, lastSpikingHour: new Date(hour) },
      };
    }
  }
  return { notify: true, track: { startedAt: new Date(hour), lastSpikingHour: new Date(hour) } };
}
