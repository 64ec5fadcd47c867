import { type Kysely, sql } from "kysely";
import { LRUCache } from "lru-cache";
import type { Database } from "../../db/index.js";

/**
 * Per-minute budgets (the `rate_limits` of .github/faultline.yml) shared by every replica: the
 * counts live in Postgres (`rate_windows`), so two replicas store at most `per_project_per_minute`
 * events between them, where each used to allow that many on its own (2,000 stored in 20 s
 * against a limit of 1,000 with two replicas, issue #19).
 *
 * Asking Postgres for every report would add a round trip to the ingest hot path. Instead a
 * replica reserves units in chunks (a twentieth of the limit, 1 to 100 at a time) and spends them
 * locally; a key whose window is used up is remembered as such, so a flood past the limit costs no
 * query at all. The reservations of one event-loop turn travel in one statement. What replicas
 * hold between them never exceeds the limit; what one holds unspent when the minute ends is lost,
 * so a busy window may store up to a chunk per replica less than the limit, never more.
 */
export interface SharedQuota {
  /**
   * Takes one unit of every key's budget for the minute `now` falls in, or none if any of them
   * has none left (then false). Synchronous while units are at hand.
   */
  take(keys: readonly QuotaKey[], now: Date): boolean | Promise<boolean>;
}

export interface QuotaKey {
  key: string;
  /** Units per minute. */
  limit: number;
}

export interface SharedQuotaOptions {
  db: Kysely<Database>;
  /** Keys held at once (LRU beyond: a forgotten key only reserves again). */
  maxKeys?: number;
  /** Told when pruning past windows fails (the next window tries again). */
  onPruneError?: (error: unknown) => void;
}

const WINDOW_MS = 60_000;

/** Units reserved at a time: small for small limits (fairness), capped (round trips). */
export function chunkFor(limit: number): number {
  return Math.max(1, Math.min(100, Math.ceil(limit / 20)));
}

interface Budget {
  window: number;
  limit: number;
  /** Units reserved in Postgres and not spent yet. */
  units: number;
  /** Postgres granted less than asked: the window is used up for every replica. */
  exhausted: boolean;
  refilling: Promise<void> | undefined;
}

/** The reservations of one key and minute in one flush: one row of the statement. */
interface Request {
  key: string;
  window: number;
  /** What all its waiters asked for. */
  want: number;
  waiters: {
    want: number;
    limit: number;
    resolve(granted: number): void;
    reject(error: unknown): void;
  }[];
}

export function createSharedQuota(options: SharedQuotaOptions): SharedQuota {
  const { db } = options;
  // A past minute's budgets are dead weight: gone two minutes after they were made.
  const budgets = new LRUCache<string, Budget>({
    max: options.maxKeys ?? 100_000,
    ttl: 2 * WINDOW_MS,
  });
  let queued = new Map<string, Request>();
  let flushScheduled = false;
  let prunedBefore = 0;

  /** Reserves `want` units of `key` in `window`; resolves with how many Postgres granted. */
  function reserve(key: string, window: number, want: number, limit: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const id = `${key}\u0000${window}`;
      let request = queued.get(id);
      if (!request) {
        request = { key, window, want: 0, waiters: [] };
        queued.set(id, request);
      }
      // One row per key and minute in the statement (a multi-row upsert must not touch a row
      // twice): budgets of one key under two limits (a config change in flight) share it.
      request.want += want;
      request.waiters.push({ want, limit, resolve, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  }

  async function flush() {
    flushScheduled = false;
    const requests = [...queued.values()].sort((a, b) =>
      // One lock order for every replica's multi-row upsert: no deadlock between them.
      a.window !== b.window ? a.window - b.window : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    queued = new Map();
    if (requests.length === 0) return;
    try {
      const rows = JSON.stringify(
        requests.map((r) => ({ key: r.key, window_start: r.window * WINDOW_MS, want: r.want })),
      );
      // `used` counts every unit ever asked for in the window (granted or not): after this
      // statement it is exactly `before + want`, so what this request got is known from the
      // one returned value, without reading the row first.
      const result = await sql<{ key: string; window_ms: number; used: number }>`
        INSERT INTO rate_windows AS w (key, window_start, used)
        SELECT r.key, to_timestamp(r.window_start / 1000.0), r.want
        FROM jsonb_to_recordset(${rows}::jsonb) AS r(key text, window_start float8, want integer)
        ON CONFLICT (key, window_start) DO UPDATE SET used = w.used + excluded.used
        RETURNING w.key, (extract(epoch FROM w.window_start) * 1000)::float8 AS window_ms,
          w.used`.execute(db);
      const used = new Map<string, number>();
      for (const row of result.rows) {
        used.set(`${row.key}\u0000${Math.round(Number(row.window_ms) / WINDOW_MS)}`, row.used);
      }
      for (const request of requests) {
        const after = used.get(`${request.key}\u0000${request.window}`) ?? request.want;
        // As if each waiter's units had been asked for by a statement of its own, in turn.
        let asked = after - request.want;
        for (const waiter of request.waiters) {
          waiter.resolve(Math.max(0, Math.min(waiter.want, waiter.limit - asked)));
          asked += waiter.want;
        }
      }
    } catch (error) {
      for (const request of requests) for (const waiter of request.waiters) waiter.reject(error);
    }
  }

  /**
   * The budget of a key in one minute under one limit. Keyed by all three, not replaced when a
   * newer minute (or limit) comes along: a take that read the clock just before the minute
   * changed, and one just after, would otherwise replace each other's budget at every refill and
   * neither would ever get a unit (a livelock seen at a minute boundary under load).
   */
  function budgetOf(key: QuotaKey, window: number): Budget {
    const id = `${key.key}\u0000${window}\u0000${key.limit}`;
    let budget = budgets.get(id);
    if (!budget) {
      budget = { window, limit: key.limit, units: 0, exhausted: false, refilling: undefined };
      budgets.set(id, budget);
    }
    return budget;
  }

  function refill(budget: Budget, key: string): Promise<void> {
    if (budget.refilling) return budget.refilling;
    const want = chunkFor(budget.limit);
    budget.refilling = reserve(key, budget.window, want, budget.limit)
      .then((granted) => {
        budget.units += granted;
        if (granted < want) budget.exhausted = true;
      })
      .finally(() => {
        budget.refilling = undefined;
      });
    return budget.refilling;
  }

  /** Past windows' rows are dead weight: the first take of each new minute drops them. */
  function prune(window: number) {
    if (window <= prunedBefore) return;
    prunedBefore = window;
    db.deleteFrom("rate_windows")
      .where("window_start", "<", new Date((window - 1) * WINDOW_MS))
      .execute()
      .catch((error: unknown) => options.onPruneError?.(error));
  }

  function takeNow(budgets: Budget[]): boolean | undefined {
    if (budgets.some((b) => b.units === 0 && b.exhausted)) return false;
    if (budgets.every((b) => b.units > 0)) {
      for (const b of budgets) b.units--;
      return true;
    }
    return undefined;
  }

  return {
    take(keys, now) {
      const window = Math.floor(now.getTime() / WINDOW_MS);
      prune(window);
      const held = keys.map((k) => budgetOf(k, window));
      const decided = takeNow(held);
      if (decided !== undefined) return decided;
      return (async () => {
        for (;;) {
          // Re-read: a minute may have passed, or another take refilled or spent meanwhile.
          const current = keys.map((k) => budgetOf(k, window));
          const result = takeNow(current);
          if (result !== undefined) return result;
          await Promise.all(
            current.map((b, i) =>
              b.units === 0 && !b.exhausted ? refill(b, (keys[i] as QuotaKey).key) : undefined,
            ),
          );
        }
      })();
    },
  };
}
