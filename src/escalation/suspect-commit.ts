/**
 * The suspect commit of a bug: the top in-app frame of its latest event, mapped to repository
 * paths (repo-path-for-frame.ts), blamed through GitHub's GraphQL API at the release's commit
 * when the release names one, else on the default branch. The commit that last changed the
 * frame's line, its author and pull request go on the bug (`bugs.suspect`), into the issue body,
 * and to escalation as a possible assignee. Blames are cached per file and revision.
 */
import type { Kysely } from "kysely";
import type { BugSuspect, Database, OutboxRow } from "../db/index.js";
import {
  type BlameResult,
  GiveUp,
  OUTBOX_KINDS,
  type OutboxHandler,
  type OutboxHandlerContext,
  TRIAGE_KINDS,
  blameLine,
  enqueue,
  fetchBlame,
} from "../github/index.js";
import type { StackFrame } from "../grouping/error-event.js";
import { repoPathForFrame } from "./repo-path-for-frame.js";

/** The default branch's blame is kept this long; a commit's forever (it cannot change). */
export const HEAD_BLAME_TTL_MS = 60 * 60 * 1000;
/** Candidate paths tried per bug (each a GraphQL call at most). */
const MAX_PATHS = 3;
/** A suspect is a nicety: a blame GitHub keeps failing is given up after this many tries. */
const MAX_ATTEMPTS = 8;

export interface SuspectHandlerDeps {
  /** Called for a fresh blame (tests count GitHub calls with it). */
  onBlame?: (path: string, revision: string) => void;
}

export function createSuspectHandlers(
  deps: SuspectHandlerDeps = {},
): Record<string, OutboxHandler> {
  return { [TRIAGE_KINDS.findSuspect]: (row, ctx) => findSuspect(deps, row, ctx) };
}

/**
 * A commit sha that a release names: the whole release (`3f9c0e1d…`), Sentry's `shop@<sha>`,
 * semver build metadata (`2.4.1+3f9c0e1`) or `git describe` (`v2.4.1-14-g3f9c0e1`). Seven to
 * forty hex digits with a letter among them (a run of digits is a build number).
 */
export function commitOfRelease(release: string | null | undefined): string | undefined {
  if (!release) return undefined;
  const name = release.trim();
  const candidates = [
    name.slice(name.lastIndexOf("@") + 1),
    /\+([0-9a-f]+)$/i.exec(name)?.[1],
    /-g([0-9a-f]+)$/i.exec(name)?.[1],
  ];
  for (const c of candidates) {
    if (c && /^[0-9a-f]{7,40}$/i.test(c) && (c.length === 40 || /[a-f]/i.test(c))) {
      return c.toLowerCase();
    }
  }
  return undefined;
}

/** The raising-most in-app frame with a line of the bug's latest event, and that event's release. */
async function latestFrame(
  db: Kysely<Database>,
  bugId: number,
): Promise<{ frame: StackFrame; release: string | null } | null> {
  const latest = await db
    .selectFrom("events")
    .select(["stacktrace", "release"])
    .where("bug_id", "=", bugId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const frames = (Array.isArray(latest?.stacktrace) ? latest.stacktrace : []) as StackFrame[];
  const located = frames.filter(
    (f) => f && (f.filename || f.absPath) && Number.isInteger(f.lineno) && (f.lineno ?? 0) > 0,
  );
  // Library frames are not the repository's: unknown counts, false does not.
  const frame =
    located.findLast((f) => f.inApp === true) ?? located.findLast((f) => f.inApp !== false);
  return frame ? { frame, release: latest?.release ?? null } : null;
}

async function cachedBlame(
  ctx: OutboxHandlerContext,
  deps: SuspectHandlerDeps,
  input: { projectId: number; owner: string; repo: string; revision: string; path: string },
  octokit: Parameters<typeof fetchBlame>[0],
): Promise<BlameResult> {
  const now = ctx.clock();
  const cached = await ctx.db
    .selectFrom("blame_cache")
    .select(["result", "fetched_at"])
    .where("project_id", "=", input.projectId)
    .where("revision", "=", input.revision)
    .where("path", "=", input.path)
    .executeTakeFirst();
  const fresh =
    cached &&
    (input.revision !== "HEAD" ||
      now.getTime() - new Date(cached.fetched_at).getTime() < HEAD_BLAME_TTL_MS);
  if (fresh) return cached.result as BlameResult;
  deps.onBlame?.(input.path, input.revision);
  const result = await fetchBlame(octokit, {
    owner: input.owner,
    repo: input.repo,
    expression: input.revision,
    path: input.path,
  });
  await ctx.db
    .insertInto("blame_cache")
    .values({
      project_id: input.projectId,
      revision: input.revision,
      path: input.path,
      result: JSON.stringify(result),
      fetched_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(["project_id", "revision", "path"])
        .doUpdateSet({ result: JSON.stringify(result), fetched_at: now }),
    )
    .execute();
  return result;
}

async function findSuspect(deps: SuspectHandlerDeps, row: OutboxRow, ctx: OutboxHandlerContext) {
  if (row.attempts >= MAX_ATTEMPTS) throw new GiveUp("GitHub's blame kept failing");
  const { bug, project, octokit, repo } = await ctx.loadBugContext();
  if (bug.suspect !== null) return;
  const found = await latestFrame(ctx.db, bug.id);
  if (!found) return; // no in-app frame with a line: nothing to blame
  const line = found.frame.lineno as number;
  const sha = commitOfRelease(found.release);
  const paths = repoPathForFrame(found.frame).slice(0, MAX_PATHS);
  for (const path of paths) {
    let revision = sha ?? "HEAD";
    const ask = (rev: string) =>
      cachedBlame(ctx, deps, { projectId: project.id, ...repo, revision: rev, path }, octokit);
    let result = await ask(revision);
    // A release naming a commit GitHub does not have (a local build): the default branch then.
    if (result.revisionMissing && revision !== "HEAD") {
      revision = "HEAD";
      result = await ask(revision);
    }
    if (result.missing) continue;
    const commit = blameLine(result, line);
    if (!commit) continue; // the file is shorter now: not this one, or changed since
    const suspect: BugSuspect = {
      path,
      line,
      revision: revision === "HEAD" ? "HEAD" : (result.oid ?? revision),
      commit: {
        oid: commit.oid,
        url: commit.url,
        headline: commit.headline,
        authorName: commit.authorName,
        authorLogin: commit.authorLogin,
      },
      pullRequest: commit.pullRequest,
    };
    await ctx.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable("bugs")
        .set({ suspect: JSON.stringify(suspect) })
        .where("id", "=", bug.id)
        .where("suspect", "is", null)
        .returning(["issue_number"])
        .executeTakeFirst();
      // The issue is open already: its body gets the suspect now, not at its next refresh.
      if (updated?.issue_number != null) {
        await enqueue(trx, {
          projectId: project.id,
          bugId: bug.id,
          kind: OUTBOX_KINDS.updateIssueBody,
          key: `issue_body:suspect:${bug.id}`,
          payload: {},
          runAfter: ctx.clock(),
        });
      }
    });
    return;
  }
}
