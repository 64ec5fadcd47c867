import type { Kysely } from "kysely";
import type { Database } from "../db/index.js";
import type { ReadableRepo } from "./github-sign-in.js";

export interface AccessibleProject {
  id: number;
  fullName: string;
}

const CHUNK = 1000;

/**
 * The Faultline projects among the repositories a user can read. A project that knows its
 * repository id matches by id only (a repository renamed, and another created under the old
 * name, must not inherit its errors); one created by name alone matches by name.
 */
export async function projectIdsForRepos(
  db: Kysely<Database>,
  repos: readonly ReadableRepo[],
): Promise<number[]> {
  const ids = new Set<number>();
  for (let i = 0; i < repos.length; i += CHUNK) {
    const chunk = repos.slice(i, i + CHUNK);
    const repoIds = new Set(chunk.map((r) => r.id));
    const names = new Set(chunk.map((r) => r.fullName.toLowerCase()));
    const rows = await db
      .selectFrom("projects")
      .select(["id", "repo_id", "full_name_lower"])
      .where((eb) =>
        eb.or([eb("repo_id", "in", [...repoIds]), eb("full_name_lower", "in", [...names])]),
      )
      .execute();
    for (const row of rows) {
      const readable =
        row.repo_id !== null ? repoIds.has(Number(row.repo_id)) : names.has(row.full_name_lower);
      if (readable) ids.add(row.id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/** The projects of a session that still exist, by name (for the repository picker). */
export async function listAccessibleProjects(
  db: Kysely<Database>,
  projectIds: readonly number[],
): Promise<AccessibleProject[]> {
  if (projectIds.length === 0) return [];
  const rows = await db
    .selectFrom("projects")
    .select(["id", "owner", "name"])
    .where("id", "in", [...projectIds])
    .orderBy("full_name_lower")
    .execute();
  return rows.map((r) => ({ id: r.id, fullName: `${r.owner}/${r.name}` }));
}
