/**
 * Pull requests and pushed commits that fix bugs, on the database side: links (bug_pull_requests)
 * with the one comment each plans on the bug's issue, and resolutions when a fix reaches the
 * default branch, with the close of the issue they plan. Runs in the webhook's transaction (or
 * the outbox row's, for commits read from GitHub); GitHub work goes to the outbox.
 */
import { type Transaction, sql } from "kysely";
import { type Resolution, resolveBugs } from "../../bugs/index.js";
import type { RepoConfig } from "../../config/repo-config.js";
import type { Database } from "../../db/index.js";
import { enqueue } from "../outbox/plan-effects.js";
import { TRIAGE_KINDS } from "./kinds.js";

type Trx = Transaction<Database>;

export type PullRequestState = "open" | "closed" | "merged";

export interface PullRequestRef {
  number: number;
  url: string;
  title: string;
  state: PullRequestState;
  mergeCommitSha: string | null;
}

/** What linked a bug to a pull request. */
export type LinkVia = "title" | "body" | "commit" | "issue";

/** Payload of a pull_request_comment row. */
export interface PullRequestCommentPayload {
  number: number;
  url: string;
  title: string;
  via: LinkVia;
}

/** Payload of a close_resolved row: what resolved the bug. */
export interface CloseResolvedPayload {
  pullRequest?: { number: number; url: string };
  commit?: { sha: string; url?: string };
  nextRelease: boolean;
}

const TITLE_LIMIT = 300;

/**
 * The bugs of a project named by number or by their issue's number (merged bugs: their target).
 * Unknown numbers are left out: `fixes B-999` in some pull request is not an error.
 */
export async function bugsNamed(
  trx: Trx,
  projectId: number,
  refs: { bugs: readonly number[]; issues: readonly number[] },
): Promise<{ id: number; number: number; issue_number: number | null }[]> {
  if (refs.bugs.length === 0 && refs.issues.length === 0) return [];
  const rows = await trx
    .selectFrom("bugs")
    .select(["id", "number", "issue_number", "merged_into_id"])
    .where("project_id", "=", projectId)
    .where((eb) =>
      eb.or([
        ...(refs.bugs.length > 0 ? [eb("number", "in", [...refs.bugs])] : []),
        ...(refs.issues.length > 0 ? [eb("issue_number", "in", [...refs.issues])] : []),
      ]),
    )
    .orderBy("id")
    .execute();
  const found = new Map<number, { id: number; number: number; issue_number: number | null }>();
  for (const row of rows) {
    let target = row;
    if (row.merged_into_id !== null) {
      const into = await trx
        .selectFrom("bugs")
        .select(["id", "number", "issue_number", "merged_into_id"])
        .where("id", "=", row.merged_into_id)
        .executeTakeFirst();
      if (into) target = into;
    }
    found.set(target.id, {
      id: target.id,
      number: target.number,
      issue_number: target.issue_number,
    });
  }
  return [...found.values()];
}

/**
 * Links bugs to a pull request (or refreshes the link: title, state, merge commit) and plans,
 * for each bug linked for the first time, one comment on its issue naming the pull request.
 * Returns the ids of the newly linked bugs.
 */
export async function linkPullRequest(
  trx: Trx,
  input: {
    projectId: number;
    pr: PullRequestRef;
    bugs: readonly { id: number; via: LinkVia }[];
    now: Date;
  },
): Promise<number[]> {
  const { projectId, pr, now } = input;
  const title = pr.title.slice(0, TITLE_LIMIT);
  const newly: number[] = [];
  const sorted = [...input.bugs].sort((a, b) => a.id - b.id);
  for (const bug of sorted) {
    const row = await trx
      .insertInto("bug_pull_requests")
      .values({
        bug_id: bug.id,
        project_id: projectId,
        number: pr.number,
        url: pr.url,
        title,
        state: pr.state,
        via: bug.via,
        merge_commit_sha: pr.mergeCommitSha,
        linked_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(["bug_id", "number"]).doUpdateSet({
          url: pr.url,
          title,
          state: pr.state,
          merge_commit_sha: pr.mergeCommitSha,
          updated_at: now,
        }),
      )
      // xmax = 0: the row was inserted, not updated.
      .returning(sql<boolean>`(xmax = 0)`.as("inserted"))
      .executeTakeFirstOrThrow();
    if (!row.inserted) continue;
    newly.push(bug.id);
    const payload: PullRequestCommentPayload = {
      number: pr.number,
      url: pr.url,
      title,
      via: bug.via,
    };
    await enqueue(trx, {
      projectId,
      bugId: bug.id,
      kind: TRIAGE_KINDS.pullRequestComment,
      key: `pr_comment:${bug.id}:${pr.number}`,
      payload: { ...payload },
      runAfter: now,
    });
  }
  return newly;
}

/** Refreshes every link of a pull request (its state changed: closed, merged, reopened). */
export async function updatePullRequestLinks(
  trx: Trx,
  projectId: number,
  pr: PullRequestRef,
  now: Date,
): Promise<number[]> {
  const rows = await trx
    .updateTable("bug_pull_requests")
    .set({
      url: pr.url,
      title: pr.title.slice(0, TITLE_LIMIT),
      state: pr.state,
      merge_commit_sha: pr.mergeCommitSha,
      updated_at: now,
    })
    .where("project_id", "=", projectId)
    .where("number", "=", pr.number)
    .returning("bug_id")
    .execute();
  return rows.map((r) => r.bug_id);
}

/** `pull_requests.resolve` as a resolution; null for `off`. */
export function mergeResolution(config: RepoConfig): Resolution | null {
  switch (config.pull_requests.resolve) {
    case "merged":
      return { kind: "now" };
    case "next_release":
      return { kind: "next_release" };
    case "off":
      return null;
  }
}

/**
 * A fix reached the default branch (a merged pull request, a pushed commit): resolves the bugs
 * as `pull_requests.resolve` says, recording the commit, and plans closing their issues.
 */
export async function resolveByChange(
  trx: Trx,
  input: {
    projectId: number;
    config: RepoConfig;
    bugs: { numbers?: readonly number[]; ids?: readonly number[] };
    by: string | null;
    commit: string | null;
    source: Omit<CloseResolvedPayload, "nextRelease">;
    now: Date;
  },
): Promise<number[]> {
  const how = mergeResolution(input.config);
  if (!how) return [];
  const resolved = await resolveBugs(trx, input.projectId, input.bugs, how, {
    now: input.now,
    by: input.by,
    commit: input.commit,
  });
  for (const bug of resolved) {
    if (bug.issue_number === null) continue;
    const payload: CloseResolvedPayload = {
      ...input.source,
      nextRelease: how.kind === "next_release",
    };
    await enqueue(trx, {
      projectId: input.projectId,
      bugId: bug.id,
      kind: TRIAGE_KINDS.closeResolved,
      key: `close_resolved:${bug.id}:${input.commit ?? input.now.toISOString()}`,
      payload: { ...payload },
      runAfter: input.now,
    });
  }
  return resolved.map((b) => b.id);
}

/** What a merged pull request resolved a bug by: the pull request and its merge commit. */
export function mergeSource(pr: {
  number: number;
  url: string;
  mergeCommitSha: string | null;
}): Omit<CloseResolvedPayload, "nextRelease"> {
  const repoUrl = pr.url.replace(/\/pull\/\d+$/, "");
  return {
    pullRequest: { number: pr.number, url: pr.url },
    ...(pr.mergeCommitSha
      ? { commit: { sha: pr.mergeCommitSha, url: `${repoUrl}/commit/${pr.mergeCommitSha}` } }
      : {}),
  };
}
