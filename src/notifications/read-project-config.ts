import type { Kysely, Transaction } from "kysely";
import { type RepoConfig, parseRepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/schema.js";

export interface ProjectWithConfig {
  id: number;
  /** `owner/repo`. */
  fullName: string;
  installationId: number | null;
  config: RepoConfig;
}

/**
 * The project and its current repo config, read through `executor`. Notifications read it here
 * rather than through the cached `ProjectConfigs`: inside a report transaction a second
 * connection would deadlock on embedded PGlite (one session), and at send time a rotated or
 * removed URL must take effect at once. Only new bugs, regressions and sends come here: rare.
 */
export async function readProjectConfig(
  executor: Kysely<Database> | Transaction<Database>,
  projectId: number,
): Promise<ProjectWithConfig | undefined> {
  const row = await executor
    .selectFrom("projects")
    .select(["id", "owner", "name", "installation_id", "config"])
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    fullName: `${row.owner}/${row.name}`,
    installationId: row.installation_id,
    config: parseRepoConfig(row.config ?? null).config,
  };
}
