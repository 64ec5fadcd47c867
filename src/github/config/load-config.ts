import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/index.js";
import type { ProjectConfigs } from "../../projects/index.js";
import { OUTBOX_KINDS, enqueue } from "../outbox/plan-effects.js";
import { NotYet, type OutboxHandler } from "../outbox/worker.js";
import { fetchRepoConfig } from "./fetch-repo-config.js";
import { closeConfigIssue, showConfigErrors } from "./sync-config-issue.js";

/**
 * Plans a read of the project's `.github/faultline.yml`. `reason` makes the key (the webhook
 * delivery id, a push's head sha), so a redelivered webhook adds no row. A burst of pushes shares
 * one row: while a load of the project waits unclaimed, it will read the file as it is when it
 * runs (GitHub sends the webhook after the push landed), so no second row is needed.
 */
export async function planConfigLoad(
  trx: Transaction<Database> | Kysely<Database>,
  input: { projectId: number; reason: string; now: Date },
): Promise<void> {
  const waiting = await trx
    .selectFrom("outbox")
    .select("id")
    .where("kind", "=", OUTBOX_KINDS.loadConfig)
    .where("project_id", "=", input.projectId)
    .where("done_at", "is", null)
    // Not a failing one (it may wait an hour) nor one a worker holds (it may have read already).
    .where("attempts", "=", 0)
    .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", input.now)]))
    .limit(1)
    .executeTakeFirst();
  if (waiting) return;
  await enqueue(trx, {
    projectId: input.projectId,
    bugId: null,
    kind: OUTBOX_KINDS.loadConfig,
    key: `load_config:${input.projectId}:${input.reason}`,
    payload: { reason: input.reason },
    runAfter: input.now,
  });
}

/**
 * Plans a first read for installed projects whose file was never read (installed before config
 * loading existed, or while it failed to plan): run once at startup. Returns how many it planned.
 */
export async function planMissingConfigLoads(db: Kysely<Database>, now: Date): Promise<number> {
  const rows = await db
    .selectFrom("projects")
    .select("id")
    .where("installation_id", "is not", null)
    .where("suspended_at", "is", null)
    .where("config_loaded_at", "is", null)
    .orderBy("id")
    .execute();
  for (const { id } of rows) await planConfigLoad(db, { projectId: id, reason: "initial", now });
  return rows.length;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * The `load_config` outbox handler: reads the file from GitHub (retried by the outbox when GitHub
 * fails), stores it for `projectConfigs.get` (invalid keys fall back to defaults), and keeps the
 * repository's config issue in step: opened or edited while there are errors, closed once valid.
 */
export function createLoadConfigHandler(deps: { projectConfigs: ProjectConfigs }): OutboxHandler {
  return async (row, ctx) => {
    if (row.project_id == null) throw new Error(`load_config row ${row.id} has no project`);
    // One load per project at a time, the older first: two at once could both open a config issue.
    const older = await ctx.db
      .selectFrom("outbox")
      .select("id")
      .where("kind", "=", OUTBOX_KINDS.loadConfig)
      .where("project_id", "=", row.project_id)
      .where("done_at", "is", null)
      .where("id", "<", row.id)
      .where("locked_until", ">", ctx.clock())
      .limit(1)
      .executeTakeFirst();
    if (older) throw new NotYet(`load_config row ${older.id} of this project is running`);
    const project = await ctx.db
      .selectFrom("projects")
      .select([
        "id",
        "owner",
        "name",
        "installation_id",
        "suspended_at",
        "config_errors",
        "config_issue_number",
      ])
      .where("id", "=", row.project_id)
      .executeTakeFirst();
    // Uninstalled since: nothing to read with; the next installation plans a new load.
    if (!project || project.installation_id == null || project.suspended_at !== null) return;
    const octokit = await ctx.getOctokit(project.installation_id);
    const repo = { owner: project.owner, repo: project.name };

    const fetched = await fetchRepoConfig(octokit, repo);
    const previousErrors = project.config_errors ?? [];
    const loaded = await deps.projectConfigs.save(project.id, fetched.raw, ctx.clock());
    const errors = [...fetched.errors, ...loaded.errors];
    if (fetched.errors.length > 0) {
      // Problems with the file as a whole are stored with the per-key ones, for whoever shows them.
      await ctx.db
        .updateTable("projects")
        .set({ config_errors: JSON.stringify(errors) })
        .where("id", "=", project.id)
        .execute();
      deps.projectConfigs.invalidate(project.id);
    }

    const target = { projectId: project.id, repo, issueNumber: project.config_issue_number };
    const issueDeps = { db: ctx.db, octokit, log: ctx.log, appId: ctx.appId };
    // A retry may follow a run that stored the new errors but failed on GitHub: compare nothing
    // then, and bring the issue in step anyway.
    const retry = row.attempts > 0;
    if (errors.length > 0) {
      if (retry || project.config_issue_number === null || !sameList(errors, previousErrors)) {
        await showConfigErrors(issueDeps, target, errors);
      }
    } else if (retry || previousErrors.length > 0) {
      await closeConfigIssue(issueDeps, target);
    }
    ctx.log?.info(
      { projectId: project.id, repo, errors: errors.length, found: fetched.raw !== null },
      "loaded .github/faultline.yml",
    );
  };
}
