/**
 * One run at a time per job: a Postgres session advisory lock named after the job (which replica
 * runs a cron tick is settled by the tick claim in scheduler.ts). node-cron's
 * "distributed" mode is only a hook, so the lock is taken here.
 */
import { type Kysely, sql } from "kysely";
import type { Database, DbKind } from "../db/index.js";

export interface JobLock {
  /** Runs `fn` while holding the job's lock, or returns `{ acquired: false }` at once. */
  withLock<T>(
    name: string,
    fn: () => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }>;
}

export interface JobLockOptions {
  /**
   * Advisory locks are database-wide, not per schema: deployments (or test files) sharing one
   * database but not their jobs use different prefixes.
   */
  keyPrefix?: string;
}

/**
 * On Postgres the lock is a session lock, so it must be taken and released on the same pooled
 * connection: that connection is held for the run (the job itself uses the pool). If the process
 * dies, the session ends and Postgres drops the lock: no lease to expire.
 *
 * PGlite is one session that serves one connection at a time: holding it would deadlock the job,
 * and one process is all there can be (see embedded-lock.ts). There the lock is taken and released
 * by two statements of that one session, which still keeps a CLI `runNow` and the cron apart.
 */
export function createJobLock(
  db: Kysely<Database>,
  kind: DbKind,
  options: JobLockOptions = {},
): JobLock {
  const prefix = options.keyPrefix ?? "faultline:job:";
  const lockKey = (name: string) => sql<bigint>`hashtextextended(${`${prefix}${name}`}, 0)`;
  const tryLock = (executor: Kysely<Database>, name: string) =>
    sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${lockKey(name)}) AS locked`
      .execute(executor)
      .then((r) => r.rows[0]?.locked === true);
  const unlock = (executor: Kysely<Database>, name: string) =>
    sql`SELECT pg_advisory_unlock(${lockKey(name)})`.execute(executor);

  if (kind === "pglite") {
    const held = new Set<string>();
    return {
      async withLock(name, fn) {
        // The one session would re-enter its own lock: remember what this process holds.
        if (held.has(name) || !(await tryLock(db, name))) return { acquired: false };
        held.add(name);
        try {
          return { acquired: true, value: await fn() };
        } finally {
          held.delete(name);
          await unlock(db, name);
        }
      },
    };
  }

  return {
    async withLock(name, fn) {
      return db.connection().execute(async (conn) => {
        if (!(await tryLock(conn, name))) return { acquired: false as const };
        try {
          return { acquired: true as const, value: await fn() };
        } finally {
          await unlock(conn, name);
        }
      });
    },
  };
}
