/**
 * Outbox handlers of pull request links and resolutions by a change. Each is safe to repeat:
 * links are upserts, the comment row is planned once per bug and pull request, and closing an
 * issue that is closed changes nothing.
 */
import type { RepoConfig } from "../../config/repo-config.js";
import type { OutboxRow } from "../../db/index.js";
import { readProjectGithubSettings } from "../config/read-project-config.js";
import { GiveUp, NotYet, type OutboxHandler, type OutboxHandlerContext } from "../outbox/worker.js";
import { renderPullRequestLinkComment, renderResolvedByChangeComment } from "../render/index.js";
import { fixReferences } from "./fix-references.js";
import { TRIAGE_KINDS } from "./kinds.js";
import {
  type CloseResolvedPayload,
  type PullRequestCommentPayload,
  bugsNamed,
  linkPullRequest,
  mergeSource,
  resolveByChange,
} from "./link-changes.js";
import type { ScanPullRequestPayload } from "./pull-request-webhooks.js";

export interface TriageHandlerDeps {
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
}

/** GitHub lists at most 250 commits of a pull request. */
const MAX_COMMIT_PAGES = 3;

export function createTriageHandlers(deps: TriageHandlerDeps): Record<string, OutboxHandler> {
  return {
    [TRIAGE_KINDS.scanPullRequest]: (row, ctx) => scanPullRequest(row, ctx),
    [TRIAGE_KINDS.pullRequestComment]: (row, ctx) => pullRequestComment(deps, row, ctx),
    [TRIAGE_KINDS.closeResolved]: (row, ctx) => closeResolved(row, ctx),
  };
}

async function scanPullRequest(row: OutboxRow, ctx: OutboxHandlerContext) {
  const p = row.payload as Partial<ScanPullRequestPayload>;
  if (typeof p.number !== "number" || typeof p.url !== "string" || row.project_id === null) {
    throw new GiveUp(`outbox row ${row.id} has no pull request`);
  }
  const project = await ctx.db
    .selectFrom("projects")
    .selectAll()
    .where("id", "=", row.project_id)
    .executeTakeFirst();
  if (!project || project.installation_id === null || project.suspended_at !== null) return;
  const octokit = await ctx.getOctokit(project.installation_id);
  const messages: string[] = [];
  for (let page = 1; page <= MAX_COMMIT_PAGES; page++) {
    let data: { commit: { message: string } }[];
    try {
      ({ data } = await octokit.rest.pulls.listCommits({
        owner: project.owner,
        repo: project.name,
        pull_number: p.number,
        per_page: 100,
        page,
      }));
    } catch (error) {
      // Gone (deleted repository or pull request): nothing to read, ever.
      if ((error as { status?: number }).status === 404) throw new GiveUp("pull request not found");
      throw error;
    }
    messages.push(...data.map((c) => c.commit.message));
    if (data.length < 100) break;
  }
  const refs = fixReferences(messages, `${project.owner}/${project.name}`);
  if (refs.bugs.length === 0 && refs.issues.length === 0) return;
  const now = ctx.clock();
  await ctx.db.transaction().execute(async (trx) => {
    const bugs = await bugsNamed(trx, project.id, refs);
    const pr = {
      number: p.number as number,
      url: p.url as string,
      title: p.title ?? "",
      state: p.state ?? "open",
      mergeCommitSha: p.mergeCommitSha ?? null,
    };
    await linkPullRequest(trx, {
      projectId: project.id,
      pr,
      bugs: bugs.map((b) => ({ id: b.id, via: "commit" as const })),
      now,
    });
    if (!p.mergedIntoDefault) return;
    const { config } = await readProjectGithubSettings(trx, project.id);
    await resolveByChange(trx, {
      projectId: project.id,
      config,
      bugs: { ids: bugs.map((b) => b.id) },
      by: p.mergedBy ?? null,
      commit: pr.mergeCommitSha,
      source: mergeSource(pr),
      now,
    });
  });
}

async function pullRequestComment(
  deps: TriageHandlerDeps,
  row: OutboxRow,
  ctx: OutboxHandlerContext,
) {
  const p = row.payload as Partial<PullRequestCommentPayload>;
  if (typeof p.number !== "number" || typeof p.url !== "string") {
    throw new GiveUp(`outbox row ${row.id} has no pull request`);
  }
  const { bug, project, octokit, repo } = await ctx.loadBugContext();
  if (bug.issue_number === null) {
    // The issue is on its way (hourly cap, GitHub down): comment once it exists. Otherwise there
    // is no issue to comment on; the link stays on the bug (API, dashboard).
    const pending = await ctx.db
      .selectFrom("outbox")
      .select("id")
      .where("bug_id", "=", bug.id)
      .where("kind", "=", "open_issue")
      .where("done_at", "is", null)
      .executeTakeFirst();
    if (pending) throw new NotYet("the issue is not open yet");
    return;
  }
  const config = await deps.projectConfigs.get(project.id);
  await octokit.rest.issues.createComment({
    ...repo,
    issue_number: bug.issue_number,
    body: renderPullRequestLinkComment({
      bugNumber: bug.number,
      pr: { number: p.number, url: p.url, title: p.title ?? "" },
      via: p.via ?? "body",
      policy: config.pull_requests.resolve,
    }),
  });
}

async function closeResolved(row: OutboxRow, ctx: OutboxHandlerContext) {
  const p = row.payload as Partial<CloseResolvedPayload>;
  const { bug, octokit, repo } = await ctx.loadBugContext();
  // Reopened since (a regression, a person): the issue stays as it is.
  if (bug.issue_number === null || bug.status !== "resolved") return;
  await octokit.rest.issues.update({
    ...repo,
    issue_number: bug.issue_number,
    state: "closed",
    state_reason: "completed",
  });
  await octokit.rest.issues.createComment({
    ...repo,
    issue_number: bug.issue_number,
    body: renderResolvedByChangeComment({
      bugNumber: bug.number,
      ...(p.pullRequest ? { pullRequest: p.pullRequest } : {}),
      ...(p.commit ? { commit: p.commit } : {}),
      nextRelease: p.nextRelease === true,
    }),
  });
}
