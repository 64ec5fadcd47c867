import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import {
  type Database,
  type DbHandle,
  type DbKind,
  createDb,
  migrateToLatest,
} from "../../src/db/index.js";

export interface TestDb {
  db: Kysely<Database>;
  kind: DbKind;
  /** The file's schema on a real Postgres (undefined on PGlite). */
  schema: string | undefined;
  /** Empties every table (ids restart), for beforeEach. */
  truncate(): Promise<void>;
  /** The pool's connections (Postgres only). */
  poolStats?: DbHandle["poolStats"];
  close(): Promise<void>;
}

const TABLES = ["webhook_deliveries", "outbox", "bug_hourly", "events", "bugs", "projects"];

/** The real server when TEST_DATABASE_URL (or DATABASE_URL) is set, else in-memory PGlite. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  return url?.trim() ? url : undefined;
}

/** Set by global-setup.ts: the schemas of one `vitest` run share this prefix. */
export const TEST_RUN_ENV = "FAULTLINE_TEST_RUN";

/**
 * A fresh schema name for one test file. Within a vitest run the schemas are dropped together
 * when the run ends (global-setup.ts), not file by file: Kysely's migrator lists every schema's
 * tables, and a schema dropped by another file meanwhile made it fail.
 */
export function newTestSchemaName(): string {
  const run = process.env[TEST_RUN_ENV];
  return `t_${run ? `${run}_` : ""}${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** Creates a schema named by newTestSchemaName. */
export async function createTestSchema(url: string, schema: string): Promise<void> {
  const admin = await createDb({ databaseUrl: url, poolSize: 1 });
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(admin.db);
  await admin.close();
}

/** Drops it now, unless the run drops its schemas at its end. */
export async function dropTestSchema(url: string, schema: string): Promise<void> {
  if (process.env[TEST_RUN_ENV]) return;
  const admin = await createDb({ databaseUrl: url, poolSize: 1 });
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(admin.db);
  await admin.close();
}

/**
 * One database per test file. On a shared Postgres each file gets its own schema, so files (and
 * several checkouts) can run at once without seeing each other's rows.
 */
export async function createTestDb(options: { poolSize?: number } = {}): Promise<TestDb> {
  const url = testDatabaseUrl();
  let schema: string | undefined;
  if (url) {
    schema = newTestSchemaName();
    await createTestSchema(url, schema);
  }
  const handle = await createDb({
    databaseUrl: url,
    schema,
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  await migrateToLatest(handle.db, schema);
  const extraTables = async () => {
    const rows = await sql<{ tablename: string }>`
      SELECT tablename FROM pg_tables WHERE schemaname = ${schema ?? "public"}
        AND tablename NOT LIKE 'kysely_%'`.execute(handle.db);
    return rows.rows.map((r) => r.tablename);
  };
  return {
    db: handle.db,
    kind: handle.kind,
    schema,
    ...(handle.poolStats ? { poolStats: handle.poolStats } : {}),
    async truncate() {
      const tables = new Set([...TABLES, ...(await extraTables())]);
      await sql`TRUNCATE ${sql.join([...tables].map((t) => sql.table(t)))} RESTART IDENTITY CASCADE`.execute(
        handle.db,
      );
    },
    async close() {
      await handle.close();
      if (url && schema) await dropTestSchema(url, schema);
    },
  };
}
