/**
 * `pull_request` webhooks: a pull request whose title or body says it fixes a bug (`fixes
 * B-007`, or closing the bug's issue: `Fixes #42`) is linked to the bug, with one comment on the
 * issue; its commits are read from GitHub by an outbox row (scan_pull_request) for the same.
 * Merged into the default branch, it resolves its bugs as `pull_requests.resolve` says.
 */
import type { Kysely, Transaction } from "kysely";
import type { Probot } from "probot";
import type { Database } from "../../db/index.js";
import { readProjectGithubSettings } from "../config/read-project-config.js";
import { enqueue } from "../outbox/plan-effects.js";
import type { OwnSenderCheck } from "../webhooks/own-sender.js";
import { fixReferences } from "./fix-references.js";
import { TRIAGE_KINDS } from "./kinds.js";
import {
  type LinkVia,
  type PullRequestRef,
  type PullRequestState,
  bugsNamed,
  linkPullRequest,
  mergeSource,
  resolveByChange,
  updatePullRequestLinks,
} from "./link-changes.js";

type Trx = Transaction<Database>;

export interface PullRequestWebhookDeps {
  db: Kysely<Database>;
  clock: () => Date;
  own: OwnSenderCheck;
  claimDelivery(
    db: Kysely<Database>,
    deliveryId: string,
    event: string,
    fn: (trx: Trx) => Promise<void>,
  ): Promise<boolean>;
  findProject(
    trx: Trx,
    repository: { id: number; full_name: string },
  ): Promise<{ id: number } | undefined>;
}

/** Payload of a scan_pull_request row. */
export interface ScanPullRequestPayload {
  number: number;
  url: string;
  title: string;
  state: PullRequestState;
  mergeCommitSha: string | null;
  /** Merged into the default branch: bugs its commits fix are resolved too. */
  mergedIntoDefault: boolean;
  mergedBy: string | null;
}

const ACTIONS = [
  "pull_request.opened",
  "pull_request.edited",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.closed",
] as const;

export function registerPullRequestWebhooks(probot: Probot, deps: PullRequestWebhookDeps): void {
  const { db, clock } = deps;
  probot.on([...ACTIONS], async (context) => {
    const payload = context.payload;
    if (await deps.own.isOwn(payload.sender)) return;
    const pr = payload.pull_request;
    const repository = payload.repository;
    const merged = payload.action === "closed" && pr.merged === true;
    const ref: PullRequestRef = {
      number: pr.number,
      url: pr.html_url,
      title: pr.title ?? "",
      state: merged ? "merged" : pr.state === "closed" ? "closed" : "open",
      mergeCommitSha: merged ? (pr.merge_commit_sha ?? null) : null,
    };
    const mergedIntoDefault =
      merged && !!repository.default_branch && pr.base?.ref === repository.default_branch;
    const fromTitle = fixReferences([pr.title], repository.full_name);
    const fromBody = fixReferences([pr.body], repository.full_name);

    await deps.claimDelivery(db, context.id, `pull_request.${payload.action}`, async (trx) => {
      const project = await deps.findProject(trx, repository);
      if (!project) return;
      const now = clock();
      const named = new Map<number, LinkVia>();
      for (const [refs, via] of [
        [fromTitle, "title"],
        [fromBody, "body"],
      ] as const) {
        for (const bug of await bugsNamed(trx, project.id, { bugs: refs.bugs, issues: [] })) {
          if (!named.has(bug.id)) named.set(bug.id, via);
        }
        for (const bug of await bugsNamed(trx, project.id, { bugs: [], issues: refs.issues })) {
          if (!named.has(bug.id)) named.set(bug.id, "issue");
        }
      }
      await linkPullRequest(trx, {
        projectId: project.id,
        pr: ref,
        bugs: [...named].map(([id, via]) => ({ id, via })),
        now,
      });
      const linked = await updatePullRequestLinks(trx, project.id, ref, now);

      // Its commits may name bugs too: read from GitHub by the outbox (once per head commit,
      // and once more when it merges, to resolve what they name).
      // Only while the repository has bugs left to fix: a busy repository's pushes to pull
      // requests cost no GitHub call when there is nothing their commits could name.
      if (
        payload.action !== "edited" &&
        (ref.state === "open" || mergedIntoDefault) &&
        (await hasUnresolvedBugs(trx, project.id))
      ) {
        const scan: ScanPullRequestPayload = {
          number: ref.number,
          url: ref.url,
          title: ref.title,
          state: ref.state,
          mergeCommitSha: ref.mergeCommitSha,
          mergedIntoDefault,
          mergedBy: pr.merged_by?.login ?? payload.sender?.login ?? null,
        };
        await enqueue(trx, {
          projectId: project.id,
          bugId: null,
          kind: TRIAGE_KINDS.scanPullRequest,
          key: `pr_scan:${project.id}:${ref.number}:${pr.head?.sha ?? ""}:${mergedIntoDefault ? "merged" : "open"}`,
          payload: { ...scan },
          runAfter: now,
        });
      }

      if (mergedIntoDefault) {
        const { config } = await readProjectGithubSettings(trx, project.id);
        await resolveByChange(trx, {
          projectId: project.id,
          config,
          bugs: { ids: linked },
          by: pr.merged_by?.login ?? payload.sender?.login ?? null,
          commit: ref.mergeCommitSha,
          source: mergeSource(ref),
          now,
        });
      }
    });
  });
}

async function hasUnresolvedBugs(trx: Trx, projectId: number): Promise<boolean> {
  const row = await trx
    .selectFrom("bugs")
    .select("id")
    .where("project_id", "=", projectId)
    .where("status", "in", ["open", "in_progress"])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
