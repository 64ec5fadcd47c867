import { mkdirSync } from "node:fs";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { PreparingClient } from "./prepared-statements.js";
import type { Database } from "./schema.js";
import { parseTimestamptz } from "./timestamptz.js";

export type DbKind = "postgres" | "pglite";

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbKind;
  close(): Promise<void>;
  /** The pool's connections (Postgres; PGlite has one session and no pool). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
}

export interface CreateDbOptions {
  /** postgres://… ; empty or undefined means embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined with no URL means in memory (tests). */
  dataDir?: string | undefined;
  /** Schema to put first on the search_path (tests isolate each file in its own schema). */
  schema?: string | undefined;
  poolSize?: number;
  /**
   * How long opening a connection may last before the query fails (and the request answers 503).
   * Default 10 s: a server that is restarting refuses at once, one behind a dead network path
   * would otherwise hold every request until the OS gives up (minutes). Waiting for a free
   * connection of a busy pool is not bounded by it.
   */
  connectTimeoutMs?: number;
  /** Told about connections the server closed (a restart, a failover); they are replaced. */
  onConnectionError?: (error: Error) => void;
}

// pg returns int8 (bigserial ids, count(*)) as strings to avoid precision loss; our ids and counts
// stay far below 2^53, and PGlite returns numbers, so both drivers agree on numbers.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === pg.types.builtins.TIMESTAMPTZ && format !== "binary") return parseTimestamptz;
    return pg.types.getTypeParser(oid, format);
  },
};

export async function createDb(options: CreateDbOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types: pgTypes,
      Client: PreparingClient,
      // Read by PreparingClient (the pool hands its options to each client it opens).
      ...({ connectTimeoutMs: options.connectTimeoutMs ?? 10_000 } as object),
      // A peer that vanished without a FIN/RST (failover, NAT) is noticed by keepalive probes.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
    });
    // Without these listeners a Postgres restart kills the process: an idle pooled connection
    // emits 'error' on the pool (57P01, "terminating connection due to administrator command"),
    // and a checked-out connection idle between two statements of a transaction emits its own
    // 'error' — both "Unhandled 'error' event" crashes. The pool drops a broken connection when
    // it is released (it is no longer queryable) and opens new ones on demand, so the next
    // statement after the server is back simply works.
    pool.on("connect", (client) => {
      client.on("error", (error: Error) => options.onConnectionError?.(error));
    });
    // The pool re-emits an idle connection's error, already reported by the listener above.
    pool.on("error", () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: "postgres",
      close: () => db.destroy(),
      poolStats: () => ({
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: pool.options.max,
      }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // Loaded only for the embedded database: a server on Postgres saves its start-up and memory.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGliteDialect } = await import("kysely-pglite-dialect");
  const pglite = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: "pglite",
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
