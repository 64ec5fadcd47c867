import type { Kysely, Transaction } from "kysely";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../../config/repo-config.js";
import type { Database } from "../../db/index.js";
import { readProjectConfig } from "../../projects/index.js";

export interface ProjectGithubSettings {
  /** null: not installed, or suspended; no GitHub work then. */
  installationId: number | null;
  config: RepoConfig;
}

/**
 * A project's installation and repo config, read through the caller's transaction (never the
 * cached `projectConfigs`: see `readProjectConfig`).
 */
export async function readProjectGithubSettings(
  trx: Transaction<Database> | Kysely<Database>,
  projectId: number,
): Promise<ProjectGithubSettings> {
  const project = await readProjectConfig(trx, projectId);
  if (!project) return { installationId: null, config: DEFAULT_REPO_CONFIG };
  return {
    installationId: project.suspended ? null : project.installationId,
    config: project.config,
  };
}
