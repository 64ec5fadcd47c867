import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { ProbotOctokit } from "probot";
import type { Database } from "../../db/index.js";

/**
 * How fast the outbox writes to GitHub, and the labels it need not create again.
 *
 * GitHub's documented secondary rate limits allow 80 content-creating requests a minute and 500
 * an hour (per installation here: every replica's writes for one installation share them). The
 * throttling plugin's own spacing (1 s between writes, 3 s between issues or comments, 2 s between
 * searches) held one replica to ~0.27 issues/s with two label POSTs and a search per issue
 * (issue #19). Writes are spaced evenly instead (60 s / 80 = 750 ms apart) across replicas, and
 * the 501st in an hour waits until the first of them is an hour old; labels known to exist are
 * not created again. See octokit.ts for the plugin's spacing lifted.
 */
export const GITHUB_WRITE_LIMITS = { perMinute: 80, perHour: 500 } as const;

const HOUR_MS = 60 * 60 * 1000;

/** The next write slot is further away than a worker should hold its rows: retry the row then. */
export class PacedOut extends Error {
  override name = "PacedOut";
  constructor(readonly waitMs: number) {
    super(`GitHub write budget used up: next write in ${Math.ceil(waitMs / 1000)} s`);
  }
}

export interface WritePacer {
  /** Waits for this installation's next write slot (shared by all replicas), or throws PacedOut. */
  take(installationId: number): Promise<void>;
}

export interface WritePacerOptions {
  db: Kysely<Database>;
  clock?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  perMinute?: number;
  perHour?: number;
  /** Longer waits throw PacedOut (the row is retried at the slot). Default 15 s. */
  maxWaitMs?: number;
}

export function createWritePacer(options: WritePacerOptions): WritePacer {
  const { db } = options;
  const clock = options.clock ?? (() => new Date());
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const spacingMs = Math.ceil(60_000 / (options.perMinute ?? GITHUB_WRITE_LIMITS.perMinute));
  const perHour = options.perHour ?? GITHUB_WRITE_LIMITS.perHour;
  const maxWaitMs = options.maxWaitMs ?? 15_000;

  return {
    async take(installationId) {
      const now = clock();
      const slot = await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("github_pacing")
          .values({ installation_id: installationId, next_at: now })
          .onConflict((oc) => oc.column("installation_id").doNothing())
          .execute();
        // The row lock serialises the replicas' reservations for one installation.
        const pacing = await trx
          .selectFrom("github_pacing")
          .select("next_at")
          .where("installation_id", "=", installationId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        let at = Math.max(now.getTime(), new Date(pacing.next_at).getTime());
        // The perHour-th latest write of the hour before `at`: this one goes an hour after it.
        const oldest = await trx
          .selectFrom("github_write_slots")
          .select("at")
          .where("installation_id", "=", installationId)
          .where("at", ">", new Date(at - HOUR_MS))
          .orderBy("at", "desc")
          .offset(perHour - 1)
          .limit(1)
          .executeTakeFirst();
        if (oldest) at = Math.max(at, new Date(oldest.at).getTime() + HOUR_MS + 1);
        if (at - now.getTime() > maxWaitMs)
          return { ok: false as const, waitMs: at - now.getTime() };
        await trx
          .insertInto("github_write_slots")
          .values({ installation_id: installationId, at: new Date(at) })
          .execute();
        await trx
          .updateTable("github_pacing")
          .set({ next_at: new Date(at + spacingMs) })
          .where("installation_id", "=", installationId)
          .execute();
        await trx
          .deleteFrom("github_write_slots")
          .where("installation_id", "=", installationId)
          .where("at", "<", new Date(now.getTime() - HOUR_MS))
          .execute();
        return { ok: true as const, at };
      });
      if (!slot.ok) throw new PacedOut(slot.waitMs);
      const delay = slot.at - clock().getTime();
      if (delay > 0) await sleep(delay);
    },
  };
}

/** The requests GitHub may count as content-creating: every write but an installation token. */
export function isWrite(method: string | undefined, url: string | undefined): boolean {
  const m = (method ?? "GET").toUpperCase();
  if (m === "GET" || m === "HEAD") return false;
  return !/\/app\/installations\/[^/]+\/access_tokens$/.test(url ?? "");
}

/** Makes every write of this octokit wait for its installation's slot. */
export function paceWrites<T extends InstanceType<typeof ProbotOctokit>>(
  octokit: T,
  installationId: number,
  pacer: WritePacer,
): T {
  octokit.hook.before("request", async (options) => {
    if (isWrite(options.method, options.url)) await pacer.take(installationId);
  });
  return octokit;
}

type Repo = { owner: string; repo: string };
type LabelOctokit = Pick<InstanceType<typeof ProbotOctokit>, "rest">;

export interface LabelCache {
  /** Creates the label unless it is known to exist (a read first: reads cost no write budget). */
  ensure(octokit: LabelOctokit, repo: Repo, name: string, color: string): Promise<void>;
}

/** Labels known to exist, per repository, for `ttlMs` (a label deleted meanwhile comes back grey). */
export function createLabelCache(options: { ttlMs?: number; max?: number } = {}): LabelCache {
  const known = new LRUCache<string, true>({
    max: options.max ?? 50_000,
    ttl: options.ttlMs ?? HOUR_MS,
  });
  return {
    async ensure(octokit, repo, name, color) {
      // GitHub's label names are case-insensitive.
      const key = `${repo.owner}/${repo.repo}\u0000${name}`.toLowerCase();
      if (known.has(key)) return;
      try {
        await octokit.rest.issues.getLabel({ ...repo, name });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
        try {
          await octokit.rest.issues.createLabel({ ...repo, name, color });
        } catch (createError) {
          // 422: created meanwhile (another replica).
          if ((createError as { status?: number }).status !== 422) throw createError;
        }
      }
      known.set(key, true);
    },
  };
}
