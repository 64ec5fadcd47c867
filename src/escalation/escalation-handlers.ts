/**
 * Outbox handlers of the escalation steps: the GitHub side of what the job recorded. Each one is
 * safe to repeat (assigning twice, re-adding a label) and skips a bug a human has taken since.
 */
import type { Kysely } from "kysely";
import type { RepoConfig } from "../config/repo-config.js";
import type { BugRow, Database, OutboxRow } from "../db/schema.js";
import {
  GiveUp,
  NotYet,
  type OutboxHandler,
  type OutboxHandlerContext,
  type OutboxOctokit,
} from "../github/index.js";
import { bugRef, renderEscalationComment } from "../github/render/index.js";
import type { StackFrame } from "../grouping/error-event.js";
import { type AssigneeChoice, chooseAssignees } from "./choose-assignees.js";
import { ESCALATION_KINDS, type EscalationPayload } from "./escalation-kinds.js";
import { fetchCodeowners } from "./fetch-codeowners.js";
import type { Rotation } from "./on-call.js";
import type { FrameLocation } from "./repo-path-for-frame.js";

export interface EscalationHandlerDeps {
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
}

/** What step 1 stores in its escalations row once it has chosen. */
export interface AssignDetail {
  assignees: string[];
  reason: AssigneeChoice["reason"];
  teams: string[];
  codeownersPath: string | null;
}

type Repo = { owner: string; repo: string };

export function createEscalationHandlers(
  deps: EscalationHandlerDeps,
): Record<string, OutboxHandler> {
  return {
    [ESCALATION_KINDS.assign]: (row, ctx) => assign(deps, row, ctx),
    [ESCALATION_KINDS.mention]: (row, ctx) => mention(deps, row, ctx),
    [ESCALATION_KINDS.raise]: (row, ctx) => raise(deps, row, ctx),
  };
}

function payloadOf(row: OutboxRow): EscalationPayload {
  const p = row.payload as Partial<EscalationPayload>;
  if (typeof p.escalationId !== "number" || typeof p.at !== "string" || !p.step) {
    // Retrying cannot mend a payload: close the row with its error.
    throw new GiveUp(`outbox row ${row.id} (${row.kind}) has no escalation payload`);
  }
  return p as EscalationPayload;
}

/**
 * Why the step no longer applies: the bug was resolved or taken by a human, its issue unlinked,
 * or a regression started a new cycle since the step was planned. Undefined: go ahead.
 */
function skipReason(bug: BugRow, p: EscalationPayload): string | undefined {
  if (bug.issue_number === null) return "the issue is unlinked";
  if (bug.status !== "open") return `bug is ${bug.status}`;
  if (new Date(bug.escalation_started_at).toISOString() !== p.cycle) return "a new cycle began";
  return undefined;
}
async function setDetail(
  db: Kysely<Database>,
  escalationId: number,
  detail: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable("escalations")
    .set({ detail: JSON.stringify(detail) })
    .where("id", "=", escalationId)
    .execute();
}

async function assign(deps: EscalationHandlerDeps, row: OutboxRow, ctx: OutboxHandlerContext) {
  const p = payloadOf(row);
  const { bug, project, octokit, repo } = await ctx.loadBugContext();
  const skipped = skipReason(bug, p);
  if (skipped !== undefined || bug.issue_number === null) {
    await setDetail(ctx.db, p.escalationId, { skipped });
    return;
  }
  const config = await deps.projectConfigs.get(project.id);
  const codeowners = await fetchCodeowners(octokit, repo);
  const frame = codeowners ? await topInAppFrame(ctx.db, bug.id) : null;
  const choice = chooseAssignees(
    {
      codeownersRules: codeowners?.rules ?? null,
      topInAppFrame: frame,
      rotation: rotationOf(config),
      defaultAssignees: config.escalation.default_assignees,
      suspectLogin: bug.suspect?.commit.authorLogin ?? null,
      order: config.escalation.assign,
    },
    // Whoever was on call when the step was taken, even if the row runs after a handover.
    new Date(p.at),
  );
  if (choice.logins.length > 0) {
    await octokit.rest.issues.addAssignees({
      ...repo,
      issue_number: bug.issue_number,
      assignees: choice.logins,
    });
  }
  const detail: AssignDetail = {
    assignees: choice.logins,
    reason: choice.reason,
    teams: choice.teams,
    codeownersPath: codeowners?.path ?? null,
  };
  await setDetail(ctx.db, p.escalationId, { ...detail });
}

async function mention(deps: EscalationHandlerDeps, row: OutboxRow, ctx: OutboxHandlerContext) {
  const p = payloadOf(row);
  const { bug, project, octokit, repo } = await ctx.loadBugContext();
  const skipped = skipReason(bug, p);
  if (skipped !== undefined || bug.issue_number === null) {
    await setDetail(ctx.db, p.escalationId, { skipped });
    return;
  }
  const assigned = await ctx.db
    .selectFrom("escalations")
    .select("detail")
    .where("bug_id", "=", bug.id)
    .where("cycle_started_at", "=", new Date(p.cycle))
    .where("step", "=", 1)
    .executeTakeFirst();
  const step1 = (assigned?.detail ?? null) as Partial<AssignDetail> | null;
  // Step 1's row has not chosen its assignees yet (GitHub was down): mention them once it has.
  if (step1 && step1.reason === undefined && !("skipped" in step1)) {
    throw new NotYet("waiting for the assign step");
  }
  const config = await deps.projectConfigs.get(project.id);
  const assignees = step1?.assignees ?? [];
  const team = [...config.escalation.team, ...(step1?.teams ?? [])];
  await octokit.rest.issues.createComment({
    ...repo,
    issue_number: bug.issue_number,
    body: renderEscalationComment({
      ref: bugRef(bug.number),
      assignees,
      team,
      severity: bug.severity,
      age: Math.max(0, new Date(p.at).getTime() - new Date(p.cycle).getTime()),
    }),
  });
  await setDetail(ctx.db, p.escalationId, { mentioned: [...new Set([...assignees, ...team])] });
}

async function raise(deps: EscalationHandlerDeps, row: OutboxRow, ctx: OutboxHandlerContext) {
  const p = payloadOf(row);
  const { bug, project, octokit, repo } = await ctx.loadBugContext();
  if (bug.issue_number === null) return;
  const labels = (await deps.projectConfigs.get(project.id)).labels;
  // The bug row holds the truth: a human may have set another severity since the step.
  const current = labels.severity[bug.severity];
  await ctx.ensureLabel(octokit, repo, current, labels.colors[bug.severity]);
  await ctx.ensureLabel(octokit, repo, labels.escalated, labels.colors.escalated);
  const from = p.from as keyof typeof labels.severity | undefined;
  if (from && from in labels.severity && labels.severity[from] !== current) {
    await removeLabel(octokit, repo, bug.issue_number, labels.severity[from]);
  }
  await octokit.rest.issues.addLabels({
    ...repo,
    issue_number: bug.issue_number,
    labels: [current, labels.escalated],
  });
}

async function removeLabel(octokit: OutboxOctokit, repo: Repo, issue: number, name: string) {
  try {
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: issue, name });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error; // 404: not on the issue
  }
}

function rotationOf(config: RepoConfig): Rotation | null {
  const oncall = config.oncall;
  if (!oncall || oncall.period === null) return null;
  return { people: oncall.rotation, start: new Date(oncall.start), periodMs: oncall.period };
}

/** The raising-most in-app frame of the bug's latest event (frames are stored outermost first). */
export async function topInAppFrame(
  db: Kysely<Database>,
  bugId: number,
): Promise<FrameLocation | null> {
  const latest = await db
    .selectFrom("events")
    .select("stacktrace")
    .where("bug_id", "=", bugId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const frames = (Array.isArray(latest?.stacktrace) ? latest.stacktrace : []) as StackFrame[];
  const located = frames.filter((f) => f && (f.filename || f.absPath));
  // A library frame's path says nothing about who owns the code: unknown counts, false does not.
  const frame =
    located.findLast((f) => f.inApp === true) ?? located.findLast((f) => f.inApp !== false);
  if (!frame) return null;
  return {
    ...(frame.filename ? { filename: frame.filename } : {}),
    ...(frame.absPath ? { absPath: frame.absPath } : {}),
    ...(frame.module ? { module: frame.module } : {}),
  };
}
