import type { Kysely } from "kysely";
import type { BugSuspect, Database } from "../db/index.js";

/** What GitHub says about a bug besides its issue: pull requests, suspect commit, resolution. */
export interface BugGithubLinks {
  /** Pull requests that say they fix the bug, first linked first. */
  pullRequests: {
    number: number;
    url: string;
    title: string;
    state: "open" | "closed" | "merged";
    /** What linked it: title, body, commit or issue (it closes the bug's issue). */
    via: string;
    mergeCommitSha: string | null;
    linkedAt: Date;
  }[];
  /** The commit that last changed the top in-app frame's line, when GitHub's blame found it. */
  suspect: BugSuspect | null;
  /** How the bug was resolved (while it is): the commit, and the release condition if any. */
  resolution: {
    commit: string | null;
    mode: "now" | "in_release" | "next_release";
    release: string | null;
  } | null;
}

export async function bugGithubLinks(db: Kysely<Database>, bugId: number): Promise<BugGithubLinks> {
  const bug = await db
    .selectFrom("bugs")
    .select([
      "status",
      "suspect",
      "resolved_commit",
      "resolved_release_mode",
      "resolved_in_release",
    ])
    .where("id", "=", bugId)
    .executeTakeFirst();
  const prs = await db
    .selectFrom("bug_pull_requests")
    .selectAll()
    .where("bug_id", "=", bugId)
    .orderBy("linked_at")
    .orderBy("number")
    .limit(50)
    .execute();
  return {
    pullRequests: prs.map((p) => ({
      number: p.number,
      url: p.url,
      title: p.title,
      state: p.state,
      via: p.via,
      mergeCommitSha: p.merge_commit_sha,
      linkedAt: p.linked_at,
    })),
    suspect: bug?.suspect ?? null,
    resolution:
      bug?.status === "resolved"
        ? {
            commit: bug.resolved_commit,
            mode:
              bug.resolved_release_mode === "next"
                ? "next_release"
                : bug.resolved_release_mode === "in"
                  ? "in_release"
                  : "now",
            release: bug.resolved_in_release,
          }
        : null,
  };
}
