import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { Database } from "../db/index.js";
import { type Project, findProjectByKey } from "../projects/index.js";
import { IngestError } from "./http-error.js";

export interface ProjectAuth {
  /** The project a key belongs to, or an IngestError (401/403). */
  authenticate(key: string | undefined, now: Date): Promise<Project>;
}

// Every report carries its key; looking it up in Postgres each time would double the queries on
// the hot path. Bounded and short-lived, so a rotated-out key stops working within the TTL.
const CACHE_TTL_MS = 30_000;
const KEY_SHAPE = /^[A-Za-z0-9_-]{8,128}$/;

export function createProjectAuth(db: Kysely<Database>): ProjectAuth {
  const cache = new LRUCache<string, { project: Project | null }>({
    max: 10_000,
    ttl: CACHE_TTL_MS,
  });
  return {
    async authenticate(key, now) {
      if (!key) {
        throw new IngestError(
          "missing_key",
          "no ingest key: send it as 'Authorization: Bearer <key>' or 'X-Faultline-Key: <key>'",
        );
      }
      let hit = cache.get(key);
      if (!hit) {
        const project = KEY_SHAPE.test(key) ? await findProjectByKey(db, key, now) : undefined;
        hit = { project: project ?? null };
        cache.set(key, hit);
      }
      if (!hit.project) throw new IngestError("invalid_key", "unknown or expired ingest key");
      if (hit.project.suspended) {
        throw new IngestError(
          "project_suspended",
          `project ${hit.project.fullName} is suspended (the GitHub App was removed from it)`,
        );
      }
      return hit.project;
    },
  };
}

/** The key from `Authorization: Bearer …` or `X-Faultline-Key`. */
export function keyFromHeaders(headers: Record<string, string | string[] | undefined>) {
  const direct = first(headers["x-faultline-key"])?.trim();
  if (direct) return direct;
  const auth = first(headers.authorization);
  const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  return match?.[1];
}

// At module level: a closure made per call costs an allocation (and tsx's keepNames helper) on
// every report, twice (rate limit key and authentication).
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
