import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { Database, OutboxRow } from "../db/schema.js";
import { isAuthoredByApp } from "../github/app-authored.js";
import { GiveUp, type OutboxHandler, type OutboxOctokit } from "../github/outbox/worker.js";
import type { DigestData } from "./digest-data.js";
import { DIGEST_ISSUE_TITLE, DIGEST_MARKER, renderDigest } from "./render-digest.js";
import { DIGEST_KIND } from "./run-digests.js";

type Repo = { owner: string; repo: string };

function httpStatus(error: unknown): number | undefined {
  return (error as { status?: number } | undefined)?.status;
}

/** The issue an earlier digest edited, remembered in that row's payload. */
async function rememberedIssue(db: Kysely<Database>, projectId: number, rowId: number) {
  const previous = await db
    .selectFrom("outbox")
    .select(sql<number | string | null>`payload->>'issue_number'`.as("issue_number"))
    .where("project_id", "=", projectId)
    .where("kind", "=", DIGEST_KIND)
    .where("id", "!=", rowId)
    .where(sql<boolean>`payload ? 'issue_number'`)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return previous?.issue_number == null ? undefined : Number(previous.issue_number);
}

/** Finds the digest issue by its hidden marker (a run that created it may have died unrecorded). */
async function searchIssue(
  octokit: OutboxOctokit,
  repo: Repo,
  appId: number | undefined,
): Promise<number | undefined> {
  const found = await octokit.request("GET /search/issues", {
    q: `repo:${repo.owner}/${repo.repo} "faultline:digest" in:body is:issue`,
    per_page: 20,
  });
  const mine = found.data.items
    .filter((item) => (item.body ?? "").includes(DIGEST_MARKER) && isAuthoredByApp(item, appId))
    .sort((a, b) => a.number - b.number);
  return mine[0]?.number;
}

/**
 * Outbox handler for `digest_update`: keeps ONE issue per repository, titled "Faultline digest",
 * and replaces its body with the day's digest. The issue is the one an earlier digest edited,
 * else the one found by marker, else a new one; its number is kept in this row's payload.
 */
export function createDigestHandler(): OutboxHandler {
  return async (row: OutboxRow, ctx) => {
    if (row.project_id == null) throw new GiveUp(`digest row ${row.id} has no project`);
    const project = await ctx.db
      .selectFrom("projects")
      .select(["owner", "name", "installation_id"])
      .where("id", "=", row.project_id)
      .executeTakeFirst();
    if (!project) throw new GiveUp(`project ${row.project_id} no longer exists`);
    if (project.installation_id == null) {
      throw new GiveUp(`project ${project.owner}/${project.name} has no installation`);
    }
    const digest = (row.payload as { digest?: DigestData }).digest;
    if (!digest) throw new GiveUp(`digest row ${row.id} holds no digest`);
    // A digest still failing when the next day's is planned would only overwrite it with old news.
    const newer = await ctx.db
      .selectFrom("outbox")
      .select("id")
      .where("project_id", "=", row.project_id)
      .where("kind", "=", DIGEST_KIND)
      .where("id", ">", row.id)
      .executeTakeFirst();
    if (newer) throw new GiveUp(`superseded by the digest in outbox row ${newer.id}`);
    const octokit = await ctx.getOctokit(project.installation_id);
    const repo = { owner: project.owner, repo: project.name };
    const body = renderDigest(`${project.owner}/${project.name}`, digest);

    const edit = async (issue_number: number) => {
      try {
        await octokit.rest.issues.update({
          ...repo,
          issue_number,
          title: DIGEST_ISSUE_TITLE,
          body,
        });
        return true;
      } catch (error) {
        // Deleted (410) or gone elsewhere (404): fall through to the next way of finding it.
        if (httpStatus(error) === 404 || httpStatus(error) === 410) return false;
        throw error;
      }
    };

    let issueNumber = await rememberedIssue(ctx.db, row.project_id, row.id);
    if (issueNumber === undefined || !(await edit(issueNumber))) {
      issueNumber = await searchIssue(octokit, repo, ctx.appId);
      if (issueNumber === undefined || !(await edit(issueNumber))) {
        const created = await octokit.rest.issues.create({
          ...repo,
          title: DIGEST_ISSUE_TITLE,
          body,
        });
        issueNumber = created.data.number;
      }
    }
    await ctx.db
      .updateTable("outbox")
      .set({
        payload: sql`payload || jsonb_build_object('issue_number', ${issueNumber}::int)`,
      })
      .where("id", "=", row.id)
      .execute();
  };
}
