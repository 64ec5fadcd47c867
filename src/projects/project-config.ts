import type { Kysely, Transaction } from "kysely";
import { LRUCache } from "lru-cache";
import { type RepoConfig, parseRepoConfig } from "../config/repo-config.js";
import type { Database } from "../db/index.js";

/** A project's repo config as the app uses it, with the errors found in the file. */
export interface LoadedProjectConfig {
  config: RepoConfig;
  errors: string[];
  /** When it was last read from GitHub; null = never (defaults). */
  loadedAt: Date | null;
}

/**
 * Not for use inside an open transaction: a cache miss reads on another connection, and embedded
 * PGlite (one session) would wait for the transaction forever. Read through the transaction then.
 */
export interface ProjectConfigs {
  /** The project's config; cached for a short while, defaults for an unknown project. */
  get(projectId: number): Promise<RepoConfig>;
  getLoaded(projectId: number): Promise<LoadedProjectConfig>;
  /**
   * Stores a freshly read `.github/faultline.yml` (raw, after `_extends`; null = no file) and
   * returns it parsed. Invalid values fall back to their defaults; their errors are kept.
   */
  save(projectId: number, raw: unknown, now: Date): Promise<LoadedProjectConfig>;
  /** Forgets the cached copy, e.g. after another process saved a new one. */
  invalidate(projectId: number): void;
}

export interface ProjectConfigsOptions {
  /** How long a cached config is trusted; other replicas' saves show up after this. */
  ttlMs?: number;
  max?: number;
}

/**
 * Repo configs read from the projects table. Bounded LRU with a TTL: ingestion asks for the
 * config on every report and must not hit the database each time.
 */
export function createProjectConfigs(
  db: Kysely<Database>,
  options: ProjectConfigsOptions = {},
): ProjectConfigs {
  const cache = new LRUCache<number, LoadedProjectConfig>({
    max: options.max ?? 10_000,
    ttl: options.ttlMs ?? 30_000,
  });

  async function getLoaded(projectId: number): Promise<LoadedProjectConfig> {
    const cached = cache.get(projectId);
    if (cached) return cached;
    const row = await db
      .selectFrom("projects")
      .select(["config", "config_errors", "config_loaded_at"])
      .where("id", "=", projectId)
      .executeTakeFirst();
    const parsed = parseRepoConfig(row?.config ?? null);
    // Errors of the whole file (invalid YAML, a broken _extends) exist only in config_errors.
    const loaded = {
      config: parsed.config,
      errors: row?.config_errors ?? parsed.errors,
      loadedAt: row?.config_loaded_at ?? null,
    };
    cache.set(projectId, loaded);
    return loaded;
  }

  return {
    getLoaded,
    async get(projectId) {
      return (await getLoaded(projectId)).config;
    },
    async save(projectId, raw, now) {
      const parsed = parseRepoConfig(raw);
      await db
        .updateTable("projects")
        .set({
          config: raw === null || raw === undefined ? null : JSON.stringify(raw),
          config_errors: JSON.stringify(parsed.errors),
          config_loaded_at: now,
        })
        .where("id", "=", projectId)
        .execute();
      const loaded = { ...parsed, loadedAt: now };
      cache.set(projectId, loaded);
      return loaded;
    },
    invalidate(projectId) {
      cache.delete(projectId);
    },
  };
}

/** A project with its repo config, read without the cache. */
export interface ProjectWithConfig {
  id: number;
  /** `owner/repo`. */
  fullName: string;
  installationId: number | null;
  suspended: boolean;
  config: RepoConfig;
}

/**
 * The project and its current repo config, read through `executor` (uncached). For code inside a
 * report transaction, where `ProjectConfigs` must not be used (see above), and for work that must
 * see a config change at once (a rotated notification URL).
 */
export async function readProjectConfig(
  executor: Kysely<Database> | Transaction<Database>,
  projectId: number,
): Promise<ProjectWithConfig | undefined> {
  const row = await executor
    .selectFrom("projects")
    .select(["id", "owner", "name", "installation_id", "suspended_at", "config"])
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    fullName: `${row.owner}/${row.name}`,
    installationId: row.installation_id,
    suspended: row.suspended_at !== null,
    config: parseRepoConfig(row.config ?? null).config,
  };
}
