import type { Kysely } from "kysely";
import type { Database } from "../../db/index.js";
import { isAuthoredByApp } from "../app-authored.js";
import type { OutboxLogger, OutboxOctokit } from "../outbox/worker.js";
import {
  CONFIG_ISSUE_MARKER,
  CONFIG_ISSUE_TITLE,
  hasConfigIssueMarker,
  renderConfigFixedComment,
  renderConfigIssueBody,
} from "../render/index.js";

export interface ConfigIssueTarget {
  projectId: number;
  repo: { owner: string; repo: string };
  /** The recorded config issue, if any (kept after closing, so it is reopened, not duplicated). */
  issueNumber: number | null;
}

interface Deps {
  db: Kysely<Database>;
  octokit: OutboxOctokit;
  log?: OutboxLogger | undefined;
  /** The GitHub App's id: only its own issues are found by marker. */
  appId?: number | undefined;
}

function statusOf(error: unknown): number | undefined {
  return (error as { status?: number } | undefined)?.status;
}

/** Finds our config issue by its hidden marker: an open one first, else the newest closed one. */
async function findByMarker(
  octokit: OutboxOctokit,
  repo: { owner: string; repo: string },
  appId: number | undefined,
): Promise<{ number: number; state: string } | undefined> {
  const found = await octokit.request("GET /search/issues", {
    q: `repo:${repo.owner}/${repo.repo} "${CONFIG_ISSUE_MARKER}" in:body is:issue`,
    per_page: 20,
  });
  const ours = found.data.items
    .filter((item) => hasConfigIssueMarker(item.body) && isAuthoredByApp(item, appId))
    .sort((a, b) => (a.state === b.state ? b.number - a.number : a.state === "open" ? -1 : 1));
  const first = ours[0];
  return first ? { number: first.number, state: first.state } : undefined;
}

async function record(db: Kysely<Database>, projectId: number, issueNumber: number | null) {
  await db
    .updateTable("projects")
    .set({ config_issue_number: issueNumber })
    .where("id", "=", projectId)
    .execute();
}

/**
 * Shows the config errors in the repository's one config issue: created when missing (after a
 * marker search, in case an earlier run created it and died), else its body edited in place and
 * the issue reopened. Safe to repeat.
 */
export async function showConfigErrors(
  deps: Deps,
  target: ConfigIssueTarget,
  errors: readonly string[],
): Promise<void> {
  const { db, octokit } = deps;
  const body = renderConfigIssueBody(errors);
  let number =
    target.issueNumber ?? (await findByMarker(octokit, target.repo, deps.appId))?.number ?? null;
  if (number !== null) {
    try {
      await octokit.rest.issues.update({
        ...target.repo,
        issue_number: number,
        body,
        state: "open",
      });
    } catch (error) {
      // Deleted or transferred: open a new one below.
      if (statusOf(error) !== 404 && statusOf(error) !== 410) throw error;
      number = null;
    }
  }
  if (number === null) {
    try {
      const created = await octokit.rest.issues.create({
        ...target.repo,
        title: CONFIG_ISSUE_TITLE,
        body,
      });
      number = created.data.number;
    } catch (error) {
      // Issues switched off in the repository: nowhere to show them; the defaults still apply.
      if (statusOf(error) !== 410) throw error;
      deps.log?.warn(
        { repo: target.repo, errors },
        "faultline.yml has errors, but the repository has issues disabled",
      );
      return;
    }
  }
  if (number !== target.issueNumber) await record(db, target.projectId, number);
}

/** Closes the config issue with a short comment once the file is valid; nothing if not open. */
export async function closeConfigIssue(deps: Deps, target: ConfigIssueTarget): Promise<void> {
  const { octokit } = deps;
  let issue: { number: number; state: string } | undefined;
  if (target.issueNumber !== null) {
    try {
      const got = await octokit.rest.issues.get({
        ...target.repo,
        issue_number: target.issueNumber,
      });
      issue = { number: got.data.number, state: got.data.state };
    } catch (error) {
      if (statusOf(error) !== 404 && statusOf(error) !== 410) throw error;
    }
  } else {
    issue = await findByMarker(octokit, target.repo, deps.appId);
    if (issue) await record(deps.db, target.projectId, issue.number);
  }
  if (issue?.state !== "open") return;
  await octokit.rest.issues.createComment({
    ...target.repo,
    issue_number: issue.number,
    body: renderConfigFixedComment(),
  });
  await octokit.rest.issues.update({
    ...target.repo,
    issue_number: issue.number,
    state: "closed",
    state_reason: "completed",
  });
}
