/**
 * Outbox handler of spike comments: posts the planned text on the issue and pings whoever is
 * assigned to it now (read from GitHub when the row runs) and the configured escalation team.
 */
import type { RepoConfig } from "../config/repo-config.js";
import type { OutboxRow } from "../db/schema.js";
import { GiveUp, NotYet, type OutboxHandler, type OutboxHandlerContext } from "../github/index.js";
import { ESCALATION_KINDS } from "./escalation-kinds.js";

export interface SpikeHandlerDeps {
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
}

/** A bug whose issue is not open after this long will not get one soon: the comment is dropped. */
const WAIT_FOR_ISSUE_MS = 60 * 60 * 1000;

const HANDLE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

export function createSpikeHandlers(deps: SpikeHandlerDeps): Record<string, OutboxHandler> {
  return { [ESCALATION_KINDS.spikeComment]: (row, ctx) => commentSpike(deps, row, ctx) };
}

async function commentSpike(deps: SpikeHandlerDeps, row: OutboxRow, ctx: OutboxHandlerContext) {
  const body = (row.payload as { body?: unknown }).body;
  if (typeof body !== "string" || body === "") {
    throw new GiveUp(`outbox row ${row.id} (spike_comment) has no body`);
  }
  const { bug, project, octokit, repo } = await ctx.loadBugContext();
  if (bug.issue_number === null) {
    const planned = Date.parse(String((row.payload as { plannedAt?: unknown }).plannedAt));
    const since = Number.isNaN(planned) ? new Date(row.created_at).getTime() : planned;
    const waited = ctx.clock().getTime() - since;
    if (waited < WAIT_FOR_ISSUE_MS) throw new NotYet("the issue is not open yet");
    ctx.log?.info({ outboxId: row.id, bugId: bug.id }, "spike comment dropped: no issue");
    return;
  }
  const issue = await octokit.rest.issues.get({ ...repo, issue_number: bug.issue_number });
  const assignees = (issue.data.assignees ?? []).map((a) => a.login);
  const team = (await deps.projectConfigs.get(project.id)).escalation.team;
  const mentions = [...new Set([...assignees, ...team])]
    .filter((h) => HANDLE.test(h))
    .map((h) => `@${h}`);
  await octokit.rest.issues.createComment({
    ...repo,
    issue_number: bug.issue_number,
    body: mentions.length > 0 ? `${body}\n\ncc ${mentions.join(" ")}` : body,
  });
}
