import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { createDb } from "../../src/db/index.js";
import { TEST_RUN_ENV, testDatabaseUrl } from "./db.js";

/**
 * Runs once before all test files (in the main process; the test workers inherit its env).
 * Database suites create their own schemas (see test/helpers/db.ts), named after this run, and
 * the returned teardown drops them all once every file is done.
 */
export default function setup(): () => Promise<void> {
  process.env.TZ = "UTC";
  const run = randomBytes(4).toString("hex");
  process.env[TEST_RUN_ENV] = run;
  return async () => {
    const url = testDatabaseUrl();
    if (!url) return;
    const admin = await createDb({ databaseUrl: url, poolSize: 1 });
    try {
      // "\\_" is a literal underscore for LIKE (a bare "_" matches any character).
      const rows = await sql<{ nspname: string }>`
        SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`t\\_${run}\\_%`}`.execute(admin.db);
      for (const { nspname } of rows.rows) {
        await sql`DROP SCHEMA IF EXISTS ${sql.id(nspname)} CASCADE`.execute(admin.db);
      }
    } finally {
      await admin.close();
    }
  };
}
