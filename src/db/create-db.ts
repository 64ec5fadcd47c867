import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { PreparingClient } from "./prepared-statements.js";
import type { Database } from "./schema.js";
import { parseTimestamptz } from "./timestamptz.js";

export type DbKind = "postgres" | "pglite";

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbKind;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** postgres://… ; empty or undefined means embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; undefined with no URL means in memory (tests). */
  dataDir?: string | undefined;
  /** Schema to put first on the search_path (tests isolate each file in its own schema). */
  schema?: string | undefined;
  poolSize?: number;
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
      ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: "postgres", close: () => db.destroy() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
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
