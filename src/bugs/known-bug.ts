import type { Severity } from "../grouping/error-event.js";

export type BugStatus = "open" | "in_progress" | "resolved" | "wontfix" | "ignored";

/** A group of occurrences of one error in one project: `B-007`. */
export interface KnownBug {
  id: number;
  projectId: number;
  number: number;
  ref: string;
  fingerprint: string;
  fingerprintVersion: number;
  title: string;
  errorType: string;
  culprit: string | null;
  severity: Severity;
  status: BugStatus;
  occurrenceCount: number;
  firstSeen: Date;
  lastSeen: Date;
  resolvedAt: Date | null;
  resolvedInRelease: string | null;
  resolvedBy: string | null;
  regressionCount: number;
  countSinceResolved: number;
  issueNumber: number | null;
  issueUrl: string | null;
  escalationLevel: number;
  lastEscalatedAt: Date | null;
  escalationStartedAt: Date;
  lastNotifiedCount: number;
  mergedIntoId: number | null;
}

/** `B-007`: three digits at least, more when the project has more bugs. */
export function bugRef(number: number): string {
  return `B-${String(Math.trunc(number)).padStart(3, "0")}`;
}

/** Parses `B-7`, `b-007`, `B007` -> 7; anything else -> null. */
export function parseBugRef(text: string): number | null {
  const match = /^B-?(\d{1,9})$/i.exec(text.trim());
  if (!match?.[1]) return null;
  const n = Number.parseInt(match[1], 10);
  return n > 0 ? n : null;
}

/** Statuses in which nobody has dealt with the bug yet. */
export function isUnresolved(status: BugStatus): boolean {
  return status === "open" || status === "in_progress";
}
