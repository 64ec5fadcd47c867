import type { Kysely, Transaction } from "kysely";
import { LRUCache } from "lru-cache";
import type { Probot } from "probot";
import { NO_RELEASE_THRESHOLD, type Resolution, resolutionValues } from "../../bugs/index.js";
import type { BugUpdate, Database } from "../../db/index.js";
import { ensureProject } from "../../projects/index.js";
import { REPO_CONFIG_PATH, planConfigLoad } from "../config/index.js";
import { readProjectGithubSettings } from "../config/read-project-config.js";
import { resumeStoppedWork } from "../outbox/outbox-admin.js";
import { OUTBOX_KINDS, enqueue } from "../outbox/plan-effects.js";
import { bugRef, renderCommandReply } from "../render/index.js";
import { resolveByChange } from "../triage/link-changes.js";
import { registerPullRequestWebhooks } from "../triage/pull-request-webhooks.js";
import {
  type IssueSyncAction,
  type SeverityLabels,
  bugRefsClosedBy,
  mapIssueEvent,
} from "./map-issue-event.js";
import { createOwnSenderCheck } from "./own-sender.js";
import { type SlashCommand, parseSlashCommand } from "./slash-commands.js";

export interface WebhookDeps {
  db: Kysely<Database>;
  clock: () => Date;
  /**
   * Severity label names for every repository, instead of each one's `.github/faultline.yml`
   * (tests, single-repository setups).
   */
  severityLabels?: SeverityLabels;
  /** How long a commenter's write access, read from GitHub, is trusted (default 60 s). */
  permissionCacheMs?: number;
  /** The GitHub App's id and slug: events its own bot (`<slug>[bot]`) caused are ignored. */
  appId?: number;
  /** Unset: read from GitHub (`GET /app`) when a bot first sends an event. */
  appSlug?: string;
}

type Trx = Transaction<Database>;

interface RepoRef {
  id: number;
  full_name: string;
}

/**
 * GitHub → Faultline sync. Every handler works on the database only, runs in one transaction and
 * first claims the delivery id, so a redelivery changes nothing. One GitHub read: a slash
 * command's author's permission on the repository, before the transaction.
 */
export function registerWebhookHandlers(probot: Probot, deps: WebhookDeps): void {
  const { db, clock } = deps;
  const own = createOwnSenderCheck({
    appId: deps.appId,
    appSlug: deps.appSlug,
    clock,
    log: probot.log,
    async fetchSlug() {
      const app = await probot.auth();
      const { data } = await app.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error("GET /app answered without a slug");
      return data.slug;
    },
  });

  probot.on("issues", async (context) => {
    const payload = context.payload;
    // Only Faultline's own bot is ignored: stale bots and workflows close issues too.
    if (await own.isOwn(payload.sender)) return;
    await claimDelivery(db, context.id, `issues.${payload.action}`, async (trx) => {
      const project = await findProject(trx, payload.repository);
      if (!project) return;
      const bug = await trx
        .selectFrom("bugs")
        .select(["id", "status", "severity"])
        .where("project_id", "=", project.id)
        .where("issue_number", "=", payload.issue.number)
        .orderBy("merged_into_id", (ob) => ob.asc().nullsFirst())
        .orderBy("id")
        .forUpdate()
        .executeTakeFirst();
      if (!bug) return; // not an issue Faultline created
      // Read through this transaction (projectConfigs.get would need a second connection).
      const severityLabels =
        deps.severityLabels ??
        (await readProjectGithubSettings(trx, project.id)).config.labels.severity;
      const action = mapIssueEvent(
        {
          action: payload.action,
          issue: payload.issue as { state?: string | null; state_reason?: string | null },
          label: "label" in payload ? (payload.label ?? null) : null,
        },
        bug,
        severityLabels,
      );
      const update = toUpdate(action, clock(), payload.sender?.login ?? null);
      if (!update) return;
      await trx.updateTable("bugs").set(update).where("id", "=", bug.id).execute();
    });
  });

  // Write access, read from GitHub (author_association MEMBER and COLLABORATOR include people
  // with read or triage only). Kept briefly: a burst of commands costs one call per person.
  const access = new LRUCache<string, boolean>({
    max: 5_000,
    ttl: deps.permissionCacheMs ?? 60_000,
  });

  probot.on("issue_comment.created", async (context) => {
    const payload = context.payload;
    if (
      (await own.isOwn(payload.sender, payload.comment.performed_via_github_app)) ||
      (await own.isOwn(payload.comment.user))
    ) {
      return;
    }
    const parsed = parseSlashCommand(payload.comment.body);
    if (!parsed) return;
    const commenter = payload.comment.user?.login ?? payload.sender?.login ?? null;
    let canWrite: boolean | "unknown" = false;
    if (commenter) {
      const cacheKey = `${payload.repository.id}:${commenter.toLowerCase()}`;
      const cached = access.get(cacheKey);
      if (cached !== undefined) canWrite = cached;
      else {
        canWrite = await hasWriteAccess(context.octokit, payload.repository, commenter);
        if (canWrite !== "unknown") access.set(cacheKey, canWrite);
      }
    }
    await claimDelivery(db, context.id, "issue_comment.created", async (trx) => {
      const project = await findProject(trx, payload.repository);
      if (!project) return;
      const bug = await trx
        .selectFrom("bugs")
        .select(["id", "number", "issue_number", "issue_url", "merged_into_id"])
        .where("project_id", "=", project.id)
        .where("issue_number", "=", payload.issue.number)
        .orderBy("merged_into_id", (ob) => ob.asc().nullsFirst())
        .orderBy("id")
        .forUpdate()
        .executeTakeFirst();
      if (!bug) return; // not an issue Faultline created
      const login = commenter;
      let reply: { ok: boolean; text: string };
      if (canWrite === "unknown") {
        reply = {
          ok: false,
          text: "Could not check your permission on this repository with GitHub; please try again.",
        };
      } else if (!canWrite) {
        reply = {
          ok: false,
          text: "Only people with write access to this repository can run Faultline commands.",
        };
      } else if ("error" in parsed) {
        reply = { ok: false, text: parsed.error };
      } else {
        reply = await applyCommand(trx, parsed, {
          projectId: project.id,
          bug,
          login,
          now: clock(),
        });
      }
      await enqueue(trx, {
        projectId: project.id,
        bugId: bug.id,
        kind: OUTBOX_KINDS.commandReply,
        key: `reply:${context.id}`,
        payload: {
          issue_number: payload.issue.number,
          body: renderCommandReply(reply.ok, reply.text),
        },
        runAfter: clock(),
      });
    });
  });

  probot.on(["installation.created", "installation.new_permissions_accepted"], async (context) => {
    const { installation, repositories } = context.payload;
    await claimDelivery(db, context.id, `installation.${context.payload.action}`, async (trx) => {
      const projectIds = await linkRepos(trx, installation.id, repositories ?? []);
      await planConfigLoads(trx, projectIds, `install:${context.id}`, clock());
      await trx
        .updateTable("projects")
        .set({ suspended_at: null })
        .where("installation_id", "=", installation.id)
        .execute();
      // Work that stopped while the App was not installed runs again.
      await resumeStoppedWork(trx, { installationId: installation.id }, clock());
    });
  });

  probot.on("installation_repositories.added", async (context) => {
    const { installation, repositories_added } = context.payload;
    await claimDelivery(db, context.id, "installation_repositories.added", async (trx) => {
      const projectIds = await linkRepos(trx, installation.id, repositories_added);
      await planConfigLoads(trx, projectIds, `install:${context.id}`, clock());
      await resumeStoppedWork(trx, { projectIds }, clock());
    });
  });

  probot.on("installation_repositories.removed", async (context) => {
    const { repositories_removed } = context.payload;
    await claimDelivery(db, context.id, "installation_repositories.removed", async (trx) => {
      for (const repo of repositories_removed) {
        await trx
          .updateTable("projects")
          .set({ suspended_at: clock() })
          .where((eb) =>
            eb.or([
              eb("repo_id", "=", repo.id),
              eb("full_name_lower", "=", repo.full_name.toLowerCase()),
            ]),
          )
          .where("suspended_at", "is", null)
          .execute();
      }
    });
  });

  probot.on(["installation.deleted", "installation.suspend"], async (context) => {
    const { installation } = context.payload;
    await claimDelivery(db, context.id, `installation.${context.payload.action}`, async (trx) => {
      await trx
        .updateTable("projects")
        .set({ suspended_at: clock() })
        .where("installation_id", "=", installation.id)
        .where("suspended_at", "is", null)
        .execute();
    });
  });

  probot.on("installation.unsuspend", async (context) => {
    const { installation } = context.payload;
    await claimDelivery(db, context.id, "installation.unsuspend", async (trx) => {
      await trx
        .updateTable("projects")
        .set({ suspended_at: null })
        .where("installation_id", "=", installation.id)
        .execute();
      await resumeStoppedWork(trx, { installationId: installation.id }, clock());
    });
  });

  probot.on("push", async (context) => {
    const payload = context.payload;
    const defaultBranch = payload.repository.default_branch;
    if (!defaultBranch || payload.ref !== `refs/heads/${defaultBranch}`) return;
    // The config is read again whoever pushed it (a bot's commit changes it just as well).
    const configChanged = touchesRepoConfig(payload.commits ?? []);
    const closes: { numbers: number[]; by: string | null; commit: string; url: string }[] = [];
    // Every pusher counts, bots included (a merge queue, a release workflow); Faultline pushes
    // nothing itself, but its own bot would be skipped all the same.
    if (!(await own.isOwn(payload.sender))) {
      for (const commit of payload.commits ?? []) {
        const numbers = bugRefsClosedBy(commit.message);
        if (numbers.length === 0) continue;
        closes.push({
          numbers,
          by: commit.author?.username ?? payload.pusher?.name ?? payload.sender?.login ?? null,
          commit: commit.id,
          url: commit.url,
        });
      }
    }
    if (closes.length === 0 && !configChanged) return;
    await claimDelivery(db, context.id, "push", async (trx) => {
      const now = clock();
      if (configChanged) {
        // Keyed by the head sha, so a redelivered push adds nothing; see planConfigLoad for how a
        // burst of pushes shares one row.
        const reason = `push:${payload.after}`;
        await planConfigLoads(
          trx,
          await projectsReadingConfigOf(trx, payload.repository),
          reason,
          now,
        );
      }
      const project = await findProject(trx, payload.repository);
      if (!project || closes.length === 0) return;
      const { config } = await readProjectGithubSettings(trx, project.id);
      for (const { numbers, by, commit, url } of closes) {
        await resolveByChange(trx, {
          projectId: project.id,
          config,
          bugs: { numbers },
          by,
          commit,
          source: { commit: { sha: commit, url } },
          now,
        });
      }
    });
  });

  registerPullRequestWebhooks(probot, { db, clock, own, claimDelivery, findProject });
}

/** Permission levels that may run commands (`maintain` is reported as `write`). */
const WRITE_PERMISSIONS = new Set(["admin", "maintain", "write"]);

interface PermissionOctokit {
  rest: {
    repos: {
      getCollaboratorPermissionLevel(params: {
        owner: string;
        repo: string;
        username: string;
      }): Promise<{ data: { permission: string; role_name?: string } }>;
    };
  };
}

/** The commenter's permission on the repository; "unknown" when GitHub could not be asked. */
async function hasWriteAccess(
  octokit: PermissionOctokit,
  repository: { name: string; owner: { login: string } },
  login: string,
): Promise<boolean | "unknown"> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: repository.owner.login,
      repo: repository.name,
      username: login,
    });
    return WRITE_PERMISSIONS.has(data.permission) || WRITE_PERMISSIONS.has(data.role_name ?? "");
  } catch (error) {
    // 404: not a user GitHub knows on this repository; anything else may pass.
    return (error as { status?: number }).status === 404 ? false : "unknown";
  }
}

interface CommandBug {
  id: number;
  number: number;
  issue_number: number | null;
  issue_url: string | null;
  merged_into_id: number | null;
}

/** Applies a parsed slash command to the bug, inside the delivery transaction. */
async function applyCommand(
  trx: Trx,
  command: SlashCommand,
  ctx: { projectId: number; bug: CommandBug; login: string | null; now: Date },
): Promise<{ ok: boolean; text: string }> {
  const { bug, now } = ctx;
  const ref = bugRef(bug.number);
  switch (command.cmd) {
    case "severity":
      await trx
        .updateTable("bugs")
        .set({ severity: command.severity, updated_at: now })
        .where("id", "=", bug.id)
        .execute();
      return { ok: true, text: `${ref} severity set to ${command.severity}.` };
    case "ignore":
      await trx
        .updateTable("bugs")
        .set({ status: "ignored", updated_at: now })
        .where("id", "=", bug.id)
        .execute();
      return { ok: true, text: `${ref} is now ignored.` };
    case "resolve": {
      const how: Resolution = command.nextRelease
        ? { kind: "next_release" }
        : command.release
          ? { kind: "in_release", release: command.release }
          : { kind: "now" };
      await trx
        .updateTable("bugs")
        .set(await resolutionValues(trx, ctx.projectId, how, { now, by: ctx.login }))
        .where("id", "=", bug.id)
        .execute();
      return { ok: true, text: resolvedText(ref, how) };
    }
    case "merge": {
      const targetRef = bugRef(command.target);
      if (command.target === bug.number) {
        return { ok: false, text: `Cannot merge ${ref} into itself.` };
      }
      if (bug.merged_into_id != null) {
        return { ok: false, text: `${ref} is itself merged into another bug.` };
      }
      const other = await trx
        .selectFrom("bugs")
        .select(["id", "number", "occurrence_count", "issue_number", "merged_into_id"])
        .where("project_id", "=", ctx.projectId)
        .where("number", "=", command.target)
        .forUpdate()
        .executeTakeFirst();
      if (!other) return { ok: false, text: `${targetRef} does not exist in this project.` };
      if (other.merged_into_id != null) {
        return { ok: false, text: `${targetRef} is already merged into another bug.` };
      }
      // The other bug keeps its status; record-occurrence follows merged_into_id, so its
      // fingerprint now counts toward this bug.
      await trx
        .updateTable("bugs")
        .set({ merged_into_id: bug.id, updated_at: now })
        .where("id", "=", other.id)
        .execute();
      await trx
        .updateTable("bugs")
        .set((eb) => ({
          occurrence_count: eb("occurrence_count", "+", other.occurrence_count),
          updated_at: now,
        }))
        .where("id", "=", bug.id)
        .execute();
      if (other.issue_number != null) {
        await enqueue(trx, {
          projectId: ctx.projectId,
          bugId: other.id,
          kind: OUTBOX_KINDS.closeDuplicate,
          key: `close_duplicate:${other.id}:${bug.id}`,
          payload: {
            issue_number: other.issue_number,
            target_ref: ref,
            target_url: bug.issue_url ?? "",
          },
          runAfter: now,
        });
      }
      return { ok: true, text: `${targetRef} merged into ${ref}.` };
    }
  }
}

function resolvedText(ref: string, how: Resolution): string {
  switch (how.kind) {
    case "now":
      return `${ref} resolved.`;
    case "in_release":
      return `${ref} resolved in ${how.release}: events from older releases are counted without reopening it; an event from ${how.release} or newer reopens it.`;
    case "next_release":
      return `${ref} resolved in the next release: events from releases seen so far are counted without reopening it; the first event from a newer release reopens it.`;
  }
}

/**
 * Runs `fn` in a transaction that first records the delivery id. A delivery seen before (the
 * insert conflicts) does nothing; if `fn` fails the claim rolls back, so GitHub's redelivery
 * retries it.
 */
export async function claimDelivery(
  db: Kysely<Database>,
  deliveryId: string,
  event: string,
  fn: (trx: Trx) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto("webhook_deliveries")
      .values({ delivery_id: deliveryId, event })
      .onConflict((oc) => oc.column("delivery_id").doNothing())
      .returning("delivery_id")
      .executeTakeFirst();
    if (!claimed) return false;
    await fn(trx);
    return true;
  });
}

async function findProject(trx: Trx, repository: RepoRef | undefined | null) {
  if (!repository) return undefined;
  return trx
    .selectFrom("projects")
    .select(["id"])
    .where((eb) =>
      eb.or([
        eb("repo_id", "=", repository.id),
        eb("full_name_lower", "=", repository.full_name.toLowerCase()),
      ]),
    )
    .orderBy("id")
    .executeTakeFirst();
}

/** Whether any commit adds, changes or removes `.github/faultline.yml`. */
export function touchesRepoConfig(
  commits: readonly { added?: string[]; modified?: string[]; removed?: string[] }[],
): boolean {
  return commits.some((c) =>
    [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(REPO_CONFIG_PATH),
  );
}

/**
 * Projects whose config a push to this repository can change: the repository's own, and for an
 * owner's `.github` repository every installed project of that owner (Probot reads the file there
 * when a repository has none, and `_extends` usually points there).
 */
async function projectsReadingConfigOf(trx: Trx, repository: RepoRef & { name?: string }) {
  const [owner, name] = repository.full_name.split("/");
  if (name !== ".github" || !owner) {
    const project = await findProject(trx, repository);
    return project ? [project.id] : [];
  }
  const rows = await trx
    .selectFrom("projects")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["owner"]), "=", owner.toLowerCase()))
    .where("installation_id", "is not", null)
    .where("suspended_at", "is", null)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

async function planConfigLoads(trx: Trx, projectIds: number[], reason: string, now: Date) {
  for (const projectId of projectIds) await planConfigLoad(trx, { projectId, reason, now });
}

/** Links each repository to the installation (creating its project); returns the project ids. */
async function linkRepos(trx: Trx, installationId: number, repos: RepoRef[]): Promise<number[]> {
  const ids: number[] = [];
  for (const repo of repos) {
    const { project } = await ensureProject(trx, {
      fullName: repo.full_name,
      installationId,
      repoId: repo.id,
    });
    await trx
      .updateTable("projects")
      .set({ installation_id: installationId, repo_id: repo.id, suspended_at: null })
      .where("id", "=", project.id)
      .execute();
    ids.push(project.id);
  }
  return ids;
}

function toUpdate(action: IssueSyncAction, now: Date, login: string | null): BugUpdate | null {
  switch (action.type) {
    case "none":
      return null;
    case "resolve":
      return {
        status: "resolved",
        resolved_at: now,
        resolved_by: login,
        resolved_commit: null,
        ...NO_RELEASE_THRESHOLD,
        count_since_resolved: 0,
        updated_at: now,
      };
    case "wontfix":
      return { status: "wontfix", resolved_at: now, resolved_by: login, updated_at: now };
    case "reopen":
      return {
        status: "open",
        resolved_at: null,
        resolved_by: null,
        resolved_commit: null,
        ...NO_RELEASE_THRESHOLD,
        updated_at: now,
      };
    case "in_progress":
      return { status: "in_progress", updated_at: now };
    case "set_severity":
      return { severity: action.severity, updated_at: now };
    case "unlink":
      return { issue_number: null, issue_url: null, updated_at: now };
  }
}
