/**
 * The escalation ladder: an open bug nobody has taken is assigned, then its assignees are
 * pinged, then its severity is raised, each after the interval its severity allows. Pure: the
 * scheduler records each step (escalation_level, last_escalated_at) and asks again next run, so
 * a repeated run with the recorded state gets null instead of a second step.
 */

export type Severity = "critical" | "high" | "medium" | "low";
export type BugStatus = "open" | "in_progress" | "resolved" | "wontfix" | "ignored";

export interface EscalationBug {
  severity: Severity;
  status: BugStatus;
  /** Start of the current cycle: first_seen, or the last regression (the ladder restarts). */
  openedAt: Date;
  /** Steps already done in this cycle, 0..3. */
  escalationLevel: number;
  lastEscalatedAt: Date | null;
  /** A person assigned the issue: they own it now, escalation stops. */
  assignedByHuman: boolean;
}

/** Wait per severity in ms between steps; null = never escalate that severity. */
export type EscalationLadder = Record<Severity, number | null>;

export type EscalationAction = "assign" | "mention" | "raise_severity";

export interface EscalationStep {
  step: 1 | 2 | 3;
  action: EscalationAction;
}

const STEPS: readonly EscalationStep[] = [
  { step: 1, action: "assign" },
  { step: 2, action: "mention" },
  { step: 3, action: "raise_severity" },
];

/**
 * When the next step becomes due, or null when no step is coming (not open, a human has it, the
 * ladder is done, or the bug's current severity never escalates). Useful on its own to show
 * "escalates at …".
 */
export function nextEscalationDueAt(bug: EscalationBug, ladder: EscalationLadder): Date | null {
  // in_progress means a human took it; resolved/wontfix/ignored need nothing more.
  if (bug.status !== "open" || bug.assignedByHuman) return null;
  const level = Math.max(0, Math.floor(bug.escalationLevel));
  if (!Number.isFinite(level) || level >= STEPS.length) return null;
  // The current severity decides: a bug raised to critical at step 3 is not re-timed backwards,
  // and one lowered to a never-escalating severity stops.
  const interval = ladder[bug.severity];
  if (interval === null || !Number.isFinite(interval) || interval < 0) return null;
  return new Date(stepBase(bug, level) + interval);
}

/** The step to do now, or null. Each step once: `escalationLevel` says which are done. */
export function nextEscalationStep(
  bug: EscalationBug,
  ladder: EscalationLadder,
  now: Date,
): EscalationStep | null {
  const dueAt = nextEscalationDueAt(bug, ladder);
  if (dueAt === null || now.getTime() < dueAt.getTime()) return null;
  return STEPS[Math.max(0, Math.floor(bug.escalationLevel))] ?? null;
}

/**
 * Step 1 counts from the cycle start; later steps from the previous step. A last_escalated_at
 * older than the cycle start is left over from before a regression, so the cycle start wins.
 */
function stepBase(bug: EscalationBug, level: number): number {
  const opened = bug.openedAt.getTime();
  if (level === 0 || bug.lastEscalatedAt === null) return opened;
  return Math.max(opened, bug.lastEscalatedAt.getTime());
}

const ORDER: readonly Severity[] = ["low", "medium", "high", "critical"];

/** One level up; critical stays critical. */
export function raiseSeverity(severity: Severity): Severity {
  return ORDER[Math.min(ORDER.indexOf(severity) + 1, ORDER.length - 1)] ?? "critical";
}
