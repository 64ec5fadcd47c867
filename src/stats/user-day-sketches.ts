import { type Kysely, sql } from "kysely";
import type { Database } from "../db/index.js";
import { UserSketch } from "./user-sketch.js";

/**
 * The user_day_sketches table (migration 2026-11-24T0900-user-sketches): one UserSketch per
 * project, compacted day and scope, written by the daily compaction and merged by the summary.
 */

/** Rows per INSERT: 5 parameters each, well under Postgres's 65,535. */
const INSERT_BATCH = 1000;

/**
 * The scope whose rows hold exactly the filtered dimensions: 0 = all, 1 = per environment,
 * 2 = per service, 3 = both (environment/service '' where the scope does not split on it).
 */
export function sketchScope(filter: { environment?: string; service?: string }): number {
  return (filter.environment !== undefined ? 1 : 0) + (filter.service !== undefined ? 2 : 0);
}

interface ScopedSketch {
  projectId: number;
  scope: number;
  environment: string;
  service: string;
  sketch: UserSketch;
}

/**
 * Writes (upserts) the sketches of one day (a UTC midnight) built from that day's events, for
 * every project, in the caller's transaction. Hashing and distinct in Postgres, one query for all
 * projects (a daily job: ~25k rows a day at 1M events a month); sketches built here because
 * Postgres has no HLL without an extension.
 */
export async function writeUserDaySketches(db: Kysely<Database>, day: Date, next: Date) {
  // Joined from projects so each project's part is an index range scan of (project_id, received_at).
  const { rows } = await sql<{
    project_id: number;
    environment: string;
    service: string;
    hash: string;
  }>`
    SELECT DISTINCT e.project_id, coalesce(e.environment, '') AS environment,
      coalesce(e.service, '') AS service, left(md5(e.user_id), 16) AS hash
    FROM projects p JOIN events e ON e.project_id = p.id
      AND e.received_at >= ${day} AND e.received_at < ${next}
    WHERE e.user_id IS NOT NULL`.execute(db);

  const sketches = new Map<string, ScopedSketch>();
  const addTo = (projectId: number, scope: number, environment: string, service: string) => {
    const key = JSON.stringify([projectId, scope, environment, service]);
    let entry = sketches.get(key);
    if (!entry) {
      entry = { projectId, scope, environment, service, sketch: new UserSketch() };
      sketches.set(key, entry);
    }
    return entry.sketch;
  };
  for (const r of rows) {
    const projectId = Number(r.project_id);
    addTo(projectId, 0, "", "").add(r.hash);
    addTo(projectId, 1, r.environment, "").add(r.hash);
    addTo(projectId, 2, "", r.service).add(r.hash);
    addTo(projectId, 3, r.environment, r.service).add(r.hash);
  }

  // Sorted keys: concurrent writers (there should be none: the day is claimed) lock in one order.
  const values = [...sketches.values()]
    .sort(
      (a, b) =>
        a.projectId - b.projectId ||
        a.scope - b.scope ||
        compare(a.environment, b.environment) ||
        compare(a.service, b.service),
    )
    .map((s) => ({
      project_id: s.projectId,
      day,
      scope: s.scope,
      environment: s.environment,
      service: s.service,
      sketch: s.sketch.toBuffer(),
    }));
  for (let i = 0; i < values.length; i += INSERT_BATCH) {
    await db
      .insertInto("user_day_sketches")
      .values(values.slice(i, i + INSERT_BATCH))
      // An idempotent replace: compacting a day again (after the migration) rewrites its rows.
      .onConflict((oc) =>
        oc
          .columns(["project_id", "scope", "environment", "service", "day"])
          .doUpdateSet((eb) => ({ sketch: eb.ref("excluded.sketch") })),
      )
      .execute();
  }
}

/** The union of the query's projects' sketches of `days`, in its filter's scope (one query). */
export async function readUserDaySketches(
  db: Kysely<Database>,
  filter: { projectIds: readonly number[]; environment?: string; service?: string },
  days: readonly Date[],
): Promise<UserSketch> {
  const merged = new UserSketch();
  if (days.length === 0 || filter.projectIds.length === 0) return merged;
  const rows = await db
    .selectFrom("user_day_sketches")
    .select("sketch")
    .where("project_id", "in", [...filter.projectIds])
    .where("scope", "=", sketchScope(filter))
    .where("environment", "=", filter.environment ?? "")
    .where("service", "=", filter.service ?? "")
    .where("day", "in", [...days])
    .execute();
  for (const r of rows) merged.merge(UserSketch.fromBuffer(r.sketch));
  return merged;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
