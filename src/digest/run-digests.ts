import type { Kysely } from "kysely";
import type { RepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/schema.js";
import { enqueue } from "../github/outbox/plan-effects.js";
import { computeDigest } from "./compute-digest.js";

export const DIGEST_KIND = "digest_update";

/** One digest per project per UTC day: the outbox's unique key makes a second run a no-op. */
export function digestKey(projectId: number, now: Date): string {
  return `digest:${projectId}:${now.toISOString().slice(0, 10)}`;
}

export interface RunDigestsDeps {
  db: Kysely<Database>;
  projectConfigs: { get(projectId: number): Promise<RepoConfig> };
  log?: { info(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
}

/**
 * The daily digest job (run it every few minutes; it is cheap when there is nothing to do). For
 * each installed project with `digest.enabled` whose `digest.hour_utc` has come today and that
 * has no digest for today yet, computes the last 24 hours and plans a `digest_update` row, which
 * edits the project's one digest issue. Safe on several replicas at once. Returns the projects
 * planned.
 */
export async function runDigests(deps: RunDigestsDeps, now: Date): Promise<number[]> {
  const { db } = deps;
  // No config file means the default, digest off: only projects with a file can have it on.
  const projects = await db
    .selectFrom("projects")
    .select("id")
    .where("installation_id", "is not", null)
    .where("suspended_at", "is", null)
    .where("config", "is not", null)
    .orderBy("id")
    .execute();
  const planned: number[] = [];
  for (const { id } of projects) {
    try {
      const config = await deps.projectConfigs.get(id);
      if (!config.digest.enabled || now.getUTCHours() < config.digest.hour_utc) continue;
      const key = digestKey(id, now);
      const done = await db
        .selectFrom("outbox")
        .select("id")
        .where("idempotency_key", "=", key)
        .executeTakeFirst();
      if (done) continue;
      const data = await computeDigest(db, id, now);
      await enqueue(db, {
        projectId: id,
        bugId: null,
        kind: DIGEST_KIND,
        key,
        payload: { digest: data },
        runAfter: now,
      });
      planned.push(id);
    } catch (error) {
      // One project's failure must not starve the others; the next run tries it again.
      deps.log?.error({ err: error, projectId: id }, "digest failed");
    }
  }
  if (planned.length > 0) deps.log?.info({ projects: planned }, "digests planned");
  return planned;
}
