import { type Kysely, sql } from "kysely";
import { migrateToLatest } from "./migrate.js";
import type { Database } from "./schema.js";
import { isDatabaseUnavailable } from "./unavailable.js";

/** The database could not be reached within the wait allowed at start. */
export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
}

export interface WaitOptions {
  /** How long to keep trying (DATABASE_WAIT); 0 = one attempt. */
  waitMs: number;
  /** The database, for the messages: "Postgres at host:port/name" (no password). */
  where: string;
  log: { warn(obj: unknown, msg?: string): void };
  /** First delay between attempts (default 500 ms), doubled each time up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Reaches the database and brings its schema up to date, retrying with backoff while it cannot
 * be reached (a container started before Postgres, a restart): 0.5 s, 1 s, 2 s… up to 5 s apart,
 * for `waitMs` in all. Other errors (a wrong password, a missing database, a failed migration)
 * are not retried.
 */
export async function waitForDatabase(db: Kysely<Database>, options: WaitOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const started = now();
  let delay = options.firstDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`SELECT 1`.execute(db);
      await migrateToLatest(db);
      return;
    } catch (error) {
      // Waiting does not fix a wrong password or database name: say so at once.
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && (code.startsWith("28") || code === "3D000")) {
        throw new DatabaseUnreachableError(
          `${options.where} refused the connection: ${(error as Error).message} (${code}). Check DATABASE_URL.`,
          { cause: error },
        );
      }
      if (!isDatabaseUnavailable(error)) throw error;
      const elapsed = now() - started;
      const reason = describe(error);
      if (elapsed + delay > options.waitMs) {
        const seconds = Math.round(elapsed / 1000);
        throw new DatabaseUnreachableError(
          `cannot reach ${options.where} (${reason}) after ${attempt} attempt(s) in ${seconds} s. Start it, check DATABASE_URL, or wait longer with DATABASE_WAIT (e.g. 5m).`,
          { cause: error },
        );
      }
      options.log.warn(
        { attempt, retryInMs: delay, err: error },
        `${options.where} not reachable yet (${reason}): retrying in ${formatMs(delay)} (gives up after ${formatMs(options.waitMs)}, DATABASE_WAIT)`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5_000);
    }
  }
}

/** The first useful line of a connection error: its code and message. */
function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown[] };
  const inner = Array.isArray(e.errors) && e.errors[0] ? (e.errors[0] as typeof e) : e;
  const code = typeof inner.code === "string" ? inner.code : undefined;
  const message = typeof inner.message === "string" && inner.message ? inner.message : undefined;
  if (code && message && !message.includes(code)) return `${code}: ${message}`;
  return message ?? code ?? String(error);
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** A database URL without its password, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ""}${parsed.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}
