/** Outbox kinds of the scheduled jobs; their handlers live next to the jobs that plan them. */
export const ESCALATION_KINDS = {
  assign: "escalate_assign",
  mention: "escalate_mention",
  raise: "escalate_raise",
  spikeComment: "spike_comment",
} as const;

/** What every escalation row carries: which step of which cycle it is. */
export interface EscalationPayload {
  escalationId: number;
  step: 1 | 2 | 3;
  /** The cycle start (ISO): ties the row to its `escalations` row. */
  cycle: string;
  /** When the step was taken (ISO): on-call is read at this time, not when the row runs. */
  at: string;
  /** Step 3: the severity before and after. */
  from?: string;
  to?: string;
}
