import { type Kysely, type Transaction, sql } from "kysely";
import type { Database, OutboxRow } from "../../db/schema.js";
import { isAuthoredByApp } from "../app-authored.js";
import { bugRef, escapeInline } from "../render/index.js";
import { GiveUp, type OutboxHandler } from "./worker.js";

/**
 * A burst of new fingerprints (200 in 4 s after a bad deploy) used to queue 200 issues, which
 * spammed the repository and starved every other GitHub write behind them. Each repository opens
 * at most `new_issues_per_hour` issues an hour (`.github/faultline.yml`). A bug past the limit
 * waits for the next hour (the queue runs most severe first, so the worst get the next slots)
 * and is listed at once in one "N new bugs" issue per hour, or a comment on it, written at most
 * once per 5-minute slot.
 *
 * The pacing of GitHub's secondary limits (content-creating requests per minute and hour) is the
 * outbox worker's, not this module's.
 */

export const NEW_BUGS_KIND = "new_bugs";
const HOUR_MS = 60 * 60 * 1000;
const SLOT_MS = 5 * 60 * 1000;

export const NEW_BUGS_MARKER = (projectId: number, hour: number) =>
  `<!-- faultline:new-bugs ${projectId}:${hour} -->`;

/**
 * Issues the project's open_issue rows finished (opened, or found by marker) in the current clock
 * hour: the hour a deferred row waits for is a fresh one.
 */
export async function issuesOpenedThisHour(
  db: Kysely<Database>,
  projectId: number,
  now: Date,
): Promise<number> {
  const row = await db
    .selectFrom("outbox")
    .select(sql<string | number>`count(*)`.as("n"))
    .where("kind", "=", "open_issue")
    .where("project_id", "=", projectId)
    .where("done_at", "is not", null)
    .where("done_at", ">=", new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS))
    // A row that stopped (dead) opened nothing.
    .where("dead_at", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Puts an open_issue row past the hourly limit off until the next hour, listing its bug in the
 * current slot's batch (once per bug). Returns when the row should run again.
 */
export async function deferNewIssue(
  db: Kysely<Database>,
  row: OutboxRow,
  now: Date,
): Promise<Date> {
  const until = new Date((Math.floor(now.getTime() / HOUR_MS) + 1) * HOUR_MS);
  const payload = (row.payload ?? {}) as Record<string, unknown>;
  if (payload.batched === true || row.project_id == null || row.bug_id == null) return until;
  const projectId = row.project_id;
  const bugId = row.bug_id;
  await db.transaction().execute(async (trx) => {
    await listInBatch(trx, projectId, bugId, now);
    await trx
      .updateTable("outbox")
      .set({ payload: JSON.stringify({ ...payload, batched: true }) })
      .where("id", "=", row.id)
      .execute();
  });
  return until;
}

/** Adds the bug to the batch row of the current 5-minute slot (created on first use). */
async function listInBatch(
  trx: Transaction<Database>,
  projectId: number,
  bugId: number,
  now: Date,
): Promise<void> {
  const hour = Math.floor(now.getTime() / HOUR_MS);
  const slot = Math.floor(now.getTime() / SLOT_MS);
  const one = JSON.stringify([bugId]);
  await sql`
    INSERT INTO outbox (project_id, bug_id, kind, payload, idempotency_key, run_after)
    VALUES (${projectId}, NULL, ${NEW_BUGS_KIND},
            ${JSON.stringify({ hour, bug_ids: [bugId] })}::jsonb,
            ${`${NEW_BUGS_KIND}:${projectId}:${slot}`}, ${new Date((slot + 1) * SLOT_MS)})
    ON CONFLICT (idempotency_key) DO UPDATE
      SET payload = jsonb_set(outbox.payload, '{bug_ids}', (outbox.payload -> 'bug_ids') || ${one}::jsonb)
      WHERE outbox.done_at IS NULL AND NOT (outbox.payload -> 'bug_ids') @> ${one}::jsonb`.execute(
    trx,
  );
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low"];

/** The `new_bugs` outbox handler: one issue per repository and hour, then comments on it. */
export function createNewBugsHandler(): OutboxHandler {
  return async (row, ctx) => {
    const p = row.payload as { hour?: number; bug_ids?: number[]; issue_number?: number };
    if (row.project_id == null || typeof p.hour !== "number" || !Array.isArray(p.bug_ids)) {
      throw new GiveUp(`outbox row ${row.id} does not hold a new-bugs batch`);
    }
    const project = await ctx.db
      .selectFrom("projects")
      .select(["owner", "name", "installation_id"])
      .where("id", "=", row.project_id)
      .executeTakeFirst();
    if (!project || project.installation_id == null) {
      throw new GiveUp(`project ${row.project_id} has no installation`);
    }
    const bugs = (
      await ctx.db
        .selectFrom("bugs")
        .select(["number", "title", "severity", "occurrence_count"])
        .where("id", "in", p.bug_ids.length > 0 ? p.bug_ids : [-1])
        .execute()
    ).sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
        a.number - b.number,
    );
    if (bugs.length === 0) return;
    const octokit = await ctx.getOctokit(project.installation_id);
    const repo = { owner: project.owner, repo: project.name };
    const list = bugs
      .map(
        (b) =>
          `- **${bugRef(b.number)}** (${b.severity}, ${b.occurrence_count}×): ${escapeInline(b.title)}`,
      )
      .join("\n");
    const note =
      "Faultline opens a limited number of new issues an hour in this repository " +
      "(`new_issues_per_hour` in `.github/faultline.yml`). Each bug listed here gets its own " +
      "issue as that limit allows, the most severe first.";

    // The hour's batch issue: opened by an earlier slot, else found by marker (a run that
    // opened it and died before recording it), else opened now.
    const marker = NEW_BUGS_MARKER(row.project_id, p.hour);
    let issueNumber = p.issue_number ?? (await earlierBatchIssue(ctx.db, row));
    if (issueNumber === undefined) {
      const found = await octokit.request("GET /search/issues", {
        q: `repo:${repo.owner}/${repo.repo} "faultline:new-bugs ${row.project_id}:${p.hour}" in:body is:issue`,
        per_page: 20,
      });
      issueNumber = found.data.items.find(
        (item) => (item.body ?? "").includes(marker) && isAuthoredByApp(item, ctx.appId),
      )?.number;
    }
    if (issueNumber === undefined) {
      const created = await octokit.rest.issues.create({
        ...repo,
        title: `Faultline: ${bugs.length} new bug${bugs.length === 1 ? "" : "s"} past the hourly issue limit`,
        body: `${marker}\n${list}\n\n${note}\n`,
      });
      issueNumber = created.data.number;
    } else {
      await octokit.rest.issues.createComment({
        ...repo,
        issue_number: issueNumber,
        body: `${bugs.length} more new bug${bugs.length === 1 ? "" : "s"}:\n\n${list}\n`,
      });
    }
    await ctx.db
      .updateTable("outbox")
      .set({ payload: JSON.stringify({ ...p, issue_number: issueNumber }) })
      .where("id", "=", row.id)
      .execute();
  };
}

/** The batch issue an earlier slot of the same hour recorded. */
async function earlierBatchIssue(db: Kysely<Database>, row: OutboxRow) {
  const hour = (row.payload as { hour: number }).hour;
  const found = await db
    .selectFrom("outbox")
    .select(sql<string | null>`payload ->> 'issue_number'`.as("issue_number"))
    .where("kind", "=", NEW_BUGS_KIND)
    .where("project_id", "=", row.project_id)
    .where("id", "!=", row.id)
    .where(sql<boolean>`payload ->> 'hour' = ${String(hour)}`)
    .where(sql<boolean>`payload ? 'issue_number'`)
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  return found?.issue_number == null ? undefined : Number(found.issue_number);
}
