import type { Kysely, Transaction } from "kysely";
import { DEFAULT_REPO_CONFIG, type RepoConfig, parseRepoConfig } from "../../config/repo-config.js";
import type { Database } from "../../db/index.js";

export interface ProjectGithubSettings {
  /** null: not installed, or suspended; no GitHub work then. */
  installationId: number | null;
  config: RepoConfig;
}

/**
 * A project's installation and repo config, read through the caller's transaction. Inside a
 * transaction this must not go through `projectConfigs.get`: on a cache miss that reads with a
 * second connection, which PGlite (one session) never hands out while the transaction holds it.
 */
export async function readProjectGithubSettings(
  trx: Transaction<Database> | Kysely<Database>,
  projectId: number,
): Promise<ProjectGithubSettings> {
  const row = await trx
    .selectFrom("projects")
    .select(["installation_id", "suspended_at", "config"])
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!row) return { installationId: null, config: DEFAULT_REPO_CONFIG };
  return {
    installationId: row.suspended_at === null ? row.installation_id : null,
    config: row.config == null ? DEFAULT_REPO_CONFIG : parseRepoConfig(row.config).config,
  };
}
