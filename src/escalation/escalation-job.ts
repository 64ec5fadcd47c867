/**
 * The escalation job: for each open bug with an issue, takes the ladder step that is due, once
 * per bug per cycle. The step is recorded (escalations row, bug's level) in the same transaction
 * that plans its GitHub work in the outbox; the job itself never calls GitHub.
 */
import type { Kysely, Transaction } from "kysely";
import type { RepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/schema.js";
import { enqueue } from "../github/outbox/plan-effects.js";
import { bugRef } from "../github/render/index.js";
import { enqueueNotification } from "../notifications/enqueue-notification.js";
import { ESCALATION_KINDS, type EscalationPayload } from "./escalation-kinds.js";
import {
  type EscalationLadder,
  type EscalationStep,
  type Severity,
  nextEscalationStep,
  raiseSeverity,
} from "./escalation-ladder.js";

export interface EscalationJobDeps {
  db: Kysely<Database>;
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
}

export interface EscalationRunResult {
  projects: number;
  steps: number;
}

const KIND_OF_ACTION = {
  assign: ESCALATION_KINDS.assign,
  mention: ESCALATION_KINDS.mention,
  raise_severity: ESCALATION_KINDS.raise,
} as const;

export function ladderOf(config: RepoConfig): EscalationLadder {
  const e = config.escalation;
  return {
    critical: e.critical.after,
    high: e.high.after,
    medium: e.medium.after,
    low: e.low.after,
  };
}

export async function runEscalations(
  deps: EscalationJobDeps,
  now: Date,
): Promise<EscalationRunResult> {
  const { db } = deps;
  const projects = await db
    .selectFrom("projects")
    .select(["id"])
    .where("installation_id", "is not", null)
    .where("suspended_at", "is", null)
    .orderBy("id")
    .execute();
  let steps = 0;
  for (const project of projects) {
    const config = await deps.projectConfigs.get(project.id);
    if (!config.escalation.enabled) continue;
    const ladder = ladderOf(config);
    const candidates = await db
      .selectFrom("bugs")
      .select([
        "id",
        "severity",
        "status",
        "escalation_level",
        "escalation_started_at",
        "last_escalated_at",
      ])
      .where("project_id", "=", project.id)
      .where("status", "=", "open")
      .where("issue_number", "is not", null)
      .where("merged_into_id", "is", null)
      .where("escalation_level", "<", 3)
      .orderBy("id")
      .execute();
    for (const candidate of candidates) {
      if (!dueStep(candidate, ladder, now)) continue;
      const taken = await db
        .transaction()
        .execute((trx) => takeStep(trx, config, candidate.id, ladder, now));
      if (taken) steps++;
    }
  }
  return { projects: projects.length, steps };
}

interface LadderRow {
  severity: Severity;
  status: "open" | "in_progress" | "resolved" | "wontfix" | "ignored";
  escalation_level: number;
  escalation_started_at: Date;
  last_escalated_at: Date | null;
}

function dueStep(bug: LadderRow, ladder: EscalationLadder, now: Date): EscalationStep | null {
  return nextEscalationStep(
    {
      severity: bug.severity,
      status: bug.status,
      openedAt: new Date(bug.escalation_started_at),
      escalationLevel: bug.escalation_level,
      lastEscalatedAt: bug.last_escalated_at ? new Date(bug.last_escalated_at) : null,
      // A human's assignment moves the bug to in_progress (webhook), which the ladder skips.
      assignedByHuman: false,
    },
    ladder,
    now,
  );
}

/** Re-reads the bug under its row lock, so a webhook or another run in between wins. */
async function takeStep(
  trx: Transaction<Database>,
  config: RepoConfig,
  bugId: number,
  ladder: EscalationLadder,
  now: Date,
): Promise<boolean> {
  const bug = await trx
    .selectFrom("bugs")
    .selectAll()
    .where("id", "=", bugId)
    .forUpdate()
    .executeTakeFirst();
  if (!bug || bug.issue_number === null) return false;
  const step = dueStep(bug, ladder, now);
  if (!step) return false;
  const cycle = new Date(bug.escalation_started_at);
  const raisedTo = step.action === "raise_severity" ? raiseSeverity(bug.severity) : undefined;

  const inserted = await trx
    .insertInto("escalations")
    .values({
      bug_id: bug.id,
      project_id: bug.project_id,
      cycle_started_at: cycle,
      step: step.step,
      action: step.action,
      at: now,
      detail: JSON.stringify(raisedTo ? { from: bug.severity, to: raisedTo } : {}),
    })
    .onConflict((oc) => oc.columns(["bug_id", "cycle_started_at", "step"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  // Already taken in this cycle (a level lost in a restore, say): only catch the level up.
  await trx
    .updateTable("bugs")
    .set({
      escalation_level: step.step,
      last_escalated_at: now,
      ...(raisedTo && inserted ? { severity: raisedTo } : {}),
      updated_at: now,
    })
    .where("id", "=", bug.id)
    .execute();
  if (!inserted) return false;

  const payload: EscalationPayload = {
    escalationId: inserted.id,
    step: step.step,
    cycle: cycle.toISOString(),
    at: now.toISOString(),
    ...(raisedTo ? { from: bug.severity, to: raisedTo } : {}),
  };
  const key = `escalation:${bug.id}:${cycle.toISOString()}:${step.step}`;
  await enqueue(trx, {
    projectId: bug.project_id,
    bugId: bug.id,
    kind: KIND_OF_ACTION[step.action],
    key,
    payload: payload as unknown as Record<string, unknown>,
    runAfter: now,
  });
  const ref = bugRef(bug.number);
  await enqueueNotification(trx, config, {
    projectId: bug.project_id,
    bugId: bug.id,
    event: "escalation",
    key,
    title: `${ref} escalated (step ${step.step}: ${describeStep(step, raisedTo)})`,
    text: `${ref} "${bug.title}" (${bug.severity}) is still unresolved since ${cycle.toISOString()}.`,
    url: bug.issue_url,
    severity: raisedTo ?? bug.severity,
    data: { step: step.step, action: step.action, cycleStartedAt: cycle.toISOString() },
    at: now,
  });
  return true;
}

function describeStep(step: EscalationStep, raisedTo: Severity | undefined): string {
  switch (step.action) {
    case "assign":
      return "assigned";
    case "mention":
      return "owners pinged";
    case "raise_severity":
      return `severity raised to ${raisedTo}`;
  }
}
