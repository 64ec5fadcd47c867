/**
 * Who is on call: a fixed rotation where each person holds a period of `periodMs` in turn from
 * `start`. Plain UTC milliseconds, so a "week" is always 7 × 24 h and DST never shifts a handover.
 */

export interface Rotation {
  /** GitHub logins, in rotation order (a leading `@` is tolerated). */
  people: readonly string[];
  /** When `people[0]` starts the first period. */
  start: Date;
  periodMs: number;
}

/**
 * `people[floor((now - start) / periodMs) mod n]`, handover exactly at each period boundary.
 * Before `start` nobody is on call: a rotation that has not begun yet should not page someone
 * picked by counting backwards; the caller falls back to the default assignees. Likewise for an
 * empty list or an unusable period (config validation should have refused those).
 */
export function onCallAt(rotation: Rotation, now: Date): string | undefined {
  const { people, start, periodMs } = rotation;
  const elapsed = now.getTime() - start.getTime();
  if (people.length === 0 || !(periodMs > 0) || !Number.isFinite(periodMs)) return undefined;
  if (!Number.isFinite(elapsed) || elapsed < 0) return undefined;
  const index = Math.floor(elapsed / periodMs) % people.length;
  const login = people[index]?.trim().replace(/^@/, "");
  return login === "" ? undefined : login;
}
