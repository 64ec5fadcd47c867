import { type Transaction, sql } from "kysely";
import type { BugUpdate, Database } from "../db/index.js";
import { semverKey } from "./release-order.js";

/**
 * How a bug is resolved, and so what a later event does to it (see writeBatch's `regressed`):
 * - `now`: any later event reopens it (closing the issue, `/faultline resolve`);
 * - `in_release`: fixed in that release: events from it or a newer one reopen it, older ones are
 *   counted and leave it resolved (`/faultline resolve in 2.4.2`);
 * - `next_release`: fixed in whatever ships next: events from releases seen before the fix are
 *   counted, the first event from a newer release reopens it (`/faultline resolve in next
 *   release`, a merged pull request when `pull_requests.resolve` says so).
 */
export type Resolution =
  | { kind: "now" }
  | { kind: "in_release"; release: string }
  | { kind: "next_release" };

type Trx = Transaction<Database>;

/** What a resolution clears: a plain resolution and a reopening forget any release threshold. */
export const NO_RELEASE_THRESHOLD = {
  resolved_in_release: null,
  resolved_release_mode: null,
  resolved_release_key: null,
  resolved_release_seq: null,
} as const satisfies BugUpdate;

/** The newest release of a project (by id = first seen, and by semver key) right now. */
export async function newestReleases(
  trx: Trx,
  projectId: number,
): Promise<{ seq: number; key: string | null }> {
  const row = await sql<{ seq: string | number | null; key: string | null }>`
    SELECT max(id) AS seq, max(semver_key COLLATE "C") AS key
    FROM releases WHERE project_id = ${projectId}`.execute(trx);
  const found = row.rows[0];
  return { seq: Number(found?.seq ?? 0), key: found?.key ?? null };
}

/** The columns a resolution sets, its release threshold read now for `next_release`. */
export async function resolutionValues(
  trx: Trx,
  projectId: number,
  how: Resolution,
  meta: { now: Date; by: string | null; commit?: string | null },
): Promise<BugUpdate> {
  const base: BugUpdate = {
    status: "resolved",
    resolved_at: meta.now,
    resolved_by: meta.by,
    resolved_commit: meta.commit ?? null,
    count_since_resolved: 0,
    updated_at: meta.now,
  };
  switch (how.kind) {
    case "now":
      return { ...base, ...NO_RELEASE_THRESHOLD };
    case "in_release":
      return {
        ...base,
        resolved_in_release: how.release,
        resolved_release_mode: "in",
        resolved_release_key: semverKey(how.release),
        resolved_release_seq: null,
      };
    case "next_release": {
      const newest = await newestReleases(trx, projectId);
      return {
        ...base,
        resolved_in_release: null,
        resolved_release_mode: "next",
        resolved_release_key: newest.key,
        resolved_release_seq: newest.seq,
      };
    }
  }
}

/**
 * Resolves bugs of one project by number (a commit's `fixes B-007`) or id (bugs linked to a
 * merged pull request), each unless it is resolved already. With a commit, a bug resolved
 * without one is resolved again by it: GitHub closes an issue named by `Fixes #12` when the pull
 * request merges, and that `issues.closed` may arrive before the `pull_request.closed` that
 * carries the merge commit. Merged bugs are left out (their target counts their events).
 * Returns the bugs it resolved.
 */
export async function resolveBugs(
  trx: Trx,
  projectId: number,
  which: { numbers?: readonly number[]; ids?: readonly number[] },
  how: Resolution,
  meta: { now: Date; by: string | null; commit?: string | null },
): Promise<{ id: number; number: number; issue_number: number | null }[]> {
  const numbers = [...new Set(which.numbers ?? [])];
  const ids = [...new Set(which.ids ?? [])];
  if (numbers.length === 0 && ids.length === 0) return [];
  const values = await resolutionValues(trx, projectId, how, meta);
  return trx
    .updateTable("bugs")
    .set(values)
    .where("project_id", "=", projectId)
    .where("merged_into_id", "is", null)
    .where((eb) =>
      eb.or([
        ...(numbers.length > 0 ? [eb("number", "in", numbers)] : []),
        ...(ids.length > 0 ? [eb("id", "in", ids)] : []),
      ]),
    )
    .where((eb) =>
      meta.commit
        ? eb.or([eb("status", "!=", "resolved"), eb("resolved_commit", "is", null)])
        : eb("status", "!=", "resolved"),
    )
    .returning(["id", "number", "issue_number"])
    .execute();
}
